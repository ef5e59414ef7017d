"""After a refinement the page says who wrote the new text: "AI-generated" only when a language model did."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.backends.offline import OfflineBackend
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.ui.draft_page import refined_message
from tests.test_ui_apptest import button, fill_briefing, no_exception
from tests.ui_support import ScriptedBackend, app_for, texts


@pytest.fixture
def offline_service(tmp_path: Path) -> Iterator[DrafterService]:
    settings = Settings(data_dir=tmp_path / "data", backend="offline")
    svc = DrafterService.from_settings(settings, backends={"offline": OfflineBackend(), "scripted": ScriptedBackend()})
    yield svc
    svc.store.engine.dispose()


def test_offline_refine_is_not_called_ai_generated(offline_service: DrafterService) -> None:
    at = app_for(offline_service, "alice")
    fill_briefing(at)
    button(at, "Generate draft").click().run()
    no_exception(at)
    draft = offline_service.list_drafts(author="alice")[0]
    target = next(s for s in draft.sections if len(s.text.split(". ")) > 1)
    at.text_input(key=f"keep.draft.refine.{draft.id}.{target.id}").set_value("keep 1 sentence").run()
    index = [s.id for s in draft.sections].index(target.id)
    button(at, "Refine", index).click().run()
    no_exception(at)
    page = texts(at)
    assert f"Rewrote “{target.heading}” by rule, without a language model" in page
    assert "The new text is AI-generated" not in page


def test_a_model_refinement_still_says_ai_generated(offline_service: DrafterService) -> None:
    from tests.conftest import briefing_request

    draft = offline_service.start_draft(briefing_request(backend="scripted"), user="alice")
    draft = offline_service.generate(draft.id, "alice")
    sid = draft.sections[1].id
    refined = offline_service.refine_section(draft.id, sid, "make it warmer", "alice")
    assert refined_message(refined, sid) == f"Rewrote “{draft.sections[1].heading}”. The new text is AI-generated; check it."
