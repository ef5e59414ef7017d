"""Submit, approve and request changes write only the draft's status columns (`Store.save_status`).

What these tests try to break: a status written over a newer draft (an edit lands between approval's read and its
write), a stored document changed by a status save, and a row different from what the full save wrote before.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from drafter import review as rules
from drafter.errors import ConflictError, NotFoundError, RefusedError
from drafter.models import Draft, DraftStatus
from drafter.service import DrafterService
from drafter.store import rows
from drafter.store.tables import drafts
from tests.conftest import FULL_CHECKLIST, briefing_request


def _stored_row(service: DrafterService, draft_id: str) -> dict[str, Any]:
    with service.store.engine.connect() as conn:
        return dict(conn.execute(sa.select(drafts).where(drafts.c.id == draft_id)).mappings().one())


def _as_written(draft: Draft) -> dict[str, Any]:
    """The row the full save (every column) would have written for `draft`."""
    return rows.draft_row(draft)


def test_submit_approve_and_request_changes_store_the_row_the_full_save_wrote(service: DrafterService) -> None:
    draft = service.edit_section(service.create_draft(briefing_request(), "alice").id, "summary",
                                 "Summary written by Alice herself.", "alice")
    document = {k: _stored_row(service, draft.id)[k] for k in ("sections_json", "request_json", "content_sha256")}
    for step in (lambda: service.submit(draft.id, "alice"),
                 lambda: service.request_changes(draft.id, "bob", "Say who pays."),
                 lambda: service.submit(draft.id, "alice"),
                 lambda: service.approve(draft.id, "bob", FULL_CHECKLIST)):
        returned = step()
        stored = _stored_row(service, draft.id)
        assert stored == _as_written(returned)  # every column, the document's byte for byte
        assert {k: stored[k] for k in document} == document  # the document itself never rewritten
        assert service.get_draft(draft.id) == returned
    assert returned.status == DraftStatus.approved and returned.version == draft.version + 4


def test_a_status_save_over_a_newer_version_is_refused_and_keeps_the_newer_draft(service: DrafterService) -> None:
    draft = service.submit(service.create_draft(briefing_request(), "alice").id, "alice")
    stale = service.get_draft(draft.id)
    edited = service.edit_section(draft.id, "summary", "Changed after it was read for approval.", "alice")
    with pytest.raises(ConflictError, match="was changed by alice"):
        service.store.save_status(stale, DraftStatus.approved, actor="bob", action="approved", details={})
    now = service.get_draft(draft.id)
    assert now == edited and now.status == DraftStatus.draft
    assert [e.action for e in service.audit_trail(draft.id)][-1] == "edited"


def test_an_edit_between_approvals_read_and_write_voids_the_approval(
    service: DrafterService, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = service.submit(service.create_draft(briefing_request(), "alice").id, "alice")
    check_approve = rules.check_approve
    edited: list[Draft] = []

    def edit_meanwhile(*args: Any, **kwargs: Any) -> None:
        check_approve(*args, **kwargs)  # approval has read the draft and found it fit to approve
        if not edited:
            edited.append(service.edit_section(draft.id, "summary", "Edited while the reviewer approved.",
                                               "alice"))

    monkeypatch.setattr(rules, "check_approve", edit_meanwhile)
    with pytest.raises(ConflictError):
        service.approve(draft.id, "bob", FULL_CHECKLIST)
    now = service.get_draft(draft.id)
    assert now == edited[0] and now.status == DraftStatus.draft
    assert not [r for r in service.store.reviews_for(draft.id) if r.decision == "approved"]
    assert "approved" not in [e.action for e in service.audit_trail(draft.id)]
    monkeypatch.setattr(rules, "check_approve", check_approve)
    with pytest.raises(RefusedError):  # the edited draft is a draft again: nothing left to approve
        service.approve(draft.id, "bob", FULL_CHECKLIST)


def test_a_status_save_of_a_deleted_draft_says_so(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    ghost = draft.model_copy(update={"id": "nosuchdraft"})
    with pytest.raises(NotFoundError, match="does not exist"):
        service.store.save_status(ghost, DraftStatus.in_review, actor="alice", action="submitted", details={})


def test_contributors_named_by_the_audit_log_with_no_actions_asked(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    assert service.store.audit_actors(draft.id, set()) == set()
    assert service.store.audit_actors(draft.id, {"created"}) == {"alice"}
    assert service.store.audit_actors(draft.id, rules.CONTRIBUTING_ACTIONS) >= {"alice"}
