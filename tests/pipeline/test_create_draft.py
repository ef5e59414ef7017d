"""`create_draft` generates from the draft it has just saved instead of reading it back; nothing else changes."""

from __future__ import annotations

import pytest

from drafter.errors import ConflictError
from drafter.models import Draft, DraftStatus
from drafter.service import DrafterService
from tests.conftest import briefing_request


def _content(service: DrafterService, draft: Draft) -> tuple[object, ...]:
    stored = service.get_draft(draft.id)
    return (
        stored.status, stored.version, stored.title,
        [(s.id, s.text, [(sp.start, sp.end, sp.origin, sp.source, sp.paragraph) for sp in s.spans],
          s.provenance.origin, s.provenance.backend) for s in stored.sections],
        [len(v["sections"]) for v in service.versions(draft.id)],
        [e.action for e in service.audit_trail(draft.id)],
        sorted((f.rule_id, f.section_id, f.excerpt) for f in service.store.findings(draft.id)),
    )


def test_create_draft_writes_what_start_and_generate_write(service: DrafterService) -> None:
    direct = service.create_draft(briefing_request(), "alice")
    started = service.start_draft(briefing_request(), "alice")
    in_two_steps = service.generate(started.id, "alice")
    assert direct == service.get_draft(direct.id)
    assert _content(service, direct) == _content(service, in_two_steps)
    assert service.verify_audit()[1] is None


def test_create_draft_does_not_read_the_draft_back(service: DrafterService, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_read(draft_id: str) -> Draft:
        raise AssertionError("read back")

    monkeypatch.setattr(service.store, "get_draft", no_read)
    draft = service.create_draft(briefing_request(), "alice")
    monkeypatch.undo()
    assert service.get_draft(draft.id).status == DraftStatus.draft and len(draft.sections) == 5


def test_a_change_made_between_saving_and_generating_is_not_overwritten(
    service: DrafterService, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = service.start_draft

    def someone_changes_it(request, user):  # type: ignore[no-untyped-def]
        draft = real(request, user)
        service.store.save_draft(draft.model_copy(update={"title": "Changed by mallory"}),
                                 expected_version=draft.version, actor="mallory", action="renamed", details={})
        return draft

    monkeypatch.setattr(service, "start_draft", someone_changes_it)
    with pytest.raises(ConflictError):
        service.create_draft(briefing_request(), "alice")
    monkeypatch.undo()
    draft = service.list_drafts(author="alice")[0]
    assert draft.title == "Changed by mallory" and not draft.sections  # the change stands, nothing half-written
    resumed = service.generate(draft.id, "alice")  # and generation can be run again on top of it
    assert resumed.title == "Changed by mallory" and len(resumed.sections) == 5
    assert service.verify_audit()[1] is None
