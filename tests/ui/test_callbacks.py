"""The actions that run in a button's callback (before the page is drawn, so one run per click): what they
say is in the interface language, what they refuse is said next to the button, and nothing typed is lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import drafter.i18n as i18n
from drafter.backends.offline import OfflineBackend
from drafter.models import DraftStatus
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.ui import draft_page
from drafter.ui.language import WIDGET_KEY
from tests.conftest import briefing_request
from tests.test_ui_apptest import button, fill_briefing, no_exception
from tests.ui_support import app_for, texts


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[DrafterService]:
    service = DrafterService.from_settings(Settings(data_dir=tmp_path / "data", backend="offline"),
                                           backends={"offline": OfflineBackend()})
    yield service
    service.store.engine.dispose()


def chinese(message: str, **params: object) -> str:
    with i18n.use("zh_CN"):
        said = i18n._(message, **params)
    assert said != i18n._(message, **params)  # the catalog translates it, so the test can tell the two apart
    return said


def test_a_submit_callback_speaks_the_interface_language(svc: DrafterService) -> None:
    draft = svc.create_draft(briefing_request(backend="offline"), "alice")
    at = app_for(svc, "alice")
    at.selectbox(key=WIDGET_KEY).set_value("zh_CN").run()
    at.session_state[draft_page.CURRENT_KEY] = draft.id
    at.run()
    button(at, chinese("Submit for review")).click().run()
    no_exception(at)
    assert svc.get_draft(draft.id).status == DraftStatus.in_review
    assert chinese("Submitted for review. A reviewer other than you will see it in their queue.") in texts(at)


def test_an_empty_pasted_source_is_refused_in_the_interface_language_next_to_the_box(svc: DrafterService) -> None:
    at = app_for(svc, "alice")
    at.selectbox(key=WIDGET_KEY).set_value("zh_CN").run()
    at.text_input(key="keep.draft.paste_name").set_value("notes").run()
    button(at, chinese("Add pasted source")).click().run()
    no_exception(at)
    assert [e.value for e in at.error] == [chinese("The pasted text is empty; paste the text of the source first.")]
    assert at.text_input(key="keep.draft.paste_name").value == "notes"  # what was typed stays


def test_generate_saves_and_shows_the_draft_in_one_click_with_the_chosen_backend(svc: DrafterService) -> None:
    at = app_for(svc, "alice")
    fill_briefing(at)
    button(at, "Generate draft").click().run()
    no_exception(at)
    [draft] = svc.list_drafts(author="alice")
    assert draft.status == DraftStatus.draft and draft.backend == "offline"
    assert draft.style_guide_id == svc.template("briefing").default_style_guide
    assert "Draft generated" in texts(at) and "Submit for review" in [b.label for b in at.button]


def test_a_refused_submit_is_said_next_to_the_button_and_changes_nothing(svc: DrafterService) -> None:
    draft = svc.create_draft(briefing_request(backend="offline"), "alice")
    at = app_for(svc, "alice")
    at.session_state[draft_page.CURRENT_KEY] = draft.id
    at.run()
    svc.submit(draft.id, "alice")  # submitted meanwhile (another tab): the button on screen is now out of date
    button(at, "Submit for review").click().run()
    no_exception(at)
    assert at.error, "the refusal is shown"
    assert svc.get_draft(draft.id).status == DraftStatus.in_review
    assert "Submitted for review. A reviewer" not in texts(at)
