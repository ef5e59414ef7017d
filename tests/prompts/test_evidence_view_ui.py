"""The reviewer's evidence view (AppTest): each sentence a model wrote, with the source passage and paragraph that
supports it, or plainly "Not found"; a sentence a person removed is no longer listed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from pydantic import BaseModel

from drafter.backends.base import CallReport, ChatRequest, GenerationOptions
from drafter.backends.offline import OfflineBackend
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import briefing_request
from tests.ui_support import ScriptedBackend, app_for, texts

T = TypeVar("T", bound=BaseModel)
REVIEW = "drafter/ui/pages/review.py"
SENTENCES = [
    {"text": "The barrier protects 4,200 homes and 310 businesses.", "source": 1,
     "evidence": "the barrier protects  4,200 homes and 310 businesses"},
    {"text": "The final cost was £46.6 million.", "source": 1,
     "evidence": "The barrier cost £46.6 million in total, well under budget."},
    {"text": "It won an award.", "source": 2, "evidence": "It won an award."},
    {"text": "This section gives the background.", "source": None, "evidence": ""},
]


class EvidenceModel(ScriptedBackend):
    """The scripted model, answering a structured request sentence by sentence with evidence."""

    def structured(
        self, request: ChatRequest, schema: type[T], options: GenerationOptions, report: CallReport | None = None
    ) -> T:
        self.received.append(request)
        return schema.model_validate({"sentences": SENTENCES})


@pytest.fixture
def service(tmp_path: Path) -> Iterator[DrafterService]:
    settings = Settings(data_dir=tmp_path / "data", backend="scripted")
    svc = DrafterService.from_settings(settings, backends={"offline": OfflineBackend(), "scripted": EvidenceModel()})
    yield svc
    svc.store.engine.dispose()


def _evidence_expander(at):  # noqa: ANN001, ANN202 - AppTest's element types are internal
    matches = [e for e in at.expander if e.label.startswith("Evidence for each sentence")]
    assert len(matches) == 1, [e.label for e in at.expander]
    return matches[0]


def test_the_reviewer_sees_each_sentence_with_its_passage_or_not_found(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(backend="scripted"), "alice")
    service.submit(draft.id, "alice")
    at = app_for(service, "bob").switch_page(REVIEW).run()
    assert not at.exception, [e.value for e in at.exception]
    box = _evidence_expander(at)
    assert box.label == "Evidence for each sentence (1 of 3 found in the sources)"
    shown = texts(box)
    assert "**Found**: The barrier protects 4,200 homes and 310 businesses." in shown
    assert "Source [1] barrier-report.txt, paragraph 3: “the barrier protects 4,200 homes and 310 businesses”" in shown
    assert "**Not found**: The final cost was £46.6 million." in shown
    assert ("The passage given as evidence is not in source [1] barrier-report.txt: "
            "“The barrier cost £46.6 million in total, well under budget.”") in shown
    assert "**Not found**: It won an award." in shown and "names source [2], which was not supplied" in shown
    assert "This section gives the background." not in shown  # rests on the inputs: no evidence to show
    # only the section with per-sentence evidence has the view
    assert sum(1 for e in at.expander if e.label.startswith("Evidence for each sentence")) == 1


def test_a_sentence_a_person_removed_is_not_listed(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(backend="scripted"), "alice")
    background = next(s for s in draft.sections if s.id == "background")
    edited = background.text.replace("The final cost was £46.6 million. [1]", "").replace(
        "The final cost was £46.6 million.", "")
    assert "46.6" not in edited
    service.edit_section(draft.id, "background", edited, "alice")
    service.submit(draft.id, "alice")
    at = app_for(service, "bob").switch_page(REVIEW).run()
    assert not at.exception
    box = _evidence_expander(at)
    assert box.label == "Evidence for each sentence (1 of 2 found in the sources)"
    assert "46.6" not in texts(box)
