"""Four eyes from the whole history: anyone who generated, refined or edited any version may not approve.

Before: only the draft's author and each section's *last* editor counted, so an edit overwritten by someone
else, or a refinement, left its maker free to approve. Run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from drafter.errors import RefusedError
from drafter.service import DrafterService
from tests.conftest import FULL_CHECKLIST, briefing_request


def test_an_editor_overwritten_by_the_author_cannot_approve(service: DrafterService) -> None:
    """bob edits, alice edits over him (bob's name leaves the section), bob approves."""
    draft = service.create_draft(briefing_request(), "alice")
    service.edit_section(draft.id, "summary", "Bob's words.", "bob")
    after = service.edit_section(draft.id, "summary", "Alice's words over Bob's.", "alice")
    assert all(s.provenance.edited_by != "bob" for s in after.sections)  # the current sections forget bob
    service.submit(draft.id, "alice")
    with pytest.raises(RefusedError, match="bob edited draft .* cannot approve"):
        service.approve(draft.id, "bob", FULL_CHECKLIST)
    assert service.audit_trail(draft.id)[-1].action == "refused"


def test_a_refiner_cannot_approve(service: DrafterService) -> None:
    """carol refines a section of alice's draft, then approves it."""
    draft = service.create_draft(briefing_request(), "alice")
    service.refine_section(draft.id, "background", "make it shorter", "carol")
    service.submit(draft.id, "alice")
    with pytest.raises(RefusedError, match="carol edited draft .* cannot approve"):
        service.approve(draft.id, "carol", FULL_CHECKLIST)


def test_a_refinement_overwritten_later_still_counts(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    service.refine_section(draft.id, "background", "make it shorter", "carol")
    service.refine_section(draft.id, "background", "use plain words", "alice")
    service.edit_section(draft.id, "background", "Alice rewrote it all.", "alice")
    service.submit(draft.id, "alice")
    with pytest.raises(RefusedError, match="cannot approve"):
        service.approve(draft.id, "carol", FULL_CHECKLIST)


def test_whoever_generated_cannot_approve(service: DrafterService) -> None:
    """dave resumes generation of alice's draft: dave wrote text, so dave may not approve."""
    draft = service.start_draft(briefing_request(), "alice")
    service.generate(draft.id, "dave")
    service.submit(draft.id, "alice")
    with pytest.raises(RefusedError, match="cannot approve"):
        service.approve(draft.id, "dave", FULL_CHECKLIST)


def test_a_person_who_never_touched_it_still_approves(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    service.edit_section(draft.id, "summary", "Bob's words.", "bob")
    service.submit(draft.id, "alice")
    assert service.approve(draft.id, "erin", FULL_CHECKLIST).status.value == "approved"
    assert service.contributors(draft.id) == {"alice", "bob"}


def test_the_ui_permissions_use_the_same_history(service: DrafterService) -> None:
    from drafter.review import Action, allowed_actions

    draft = service.create_draft(briefing_request(), "alice")
    service.refine_section(draft.id, "background", "make it shorter", "carol")
    submitted = service.submit(draft.id, "alice")
    perms = allowed_actions(submitted, "carol", roles_configured=False, is_reviewer=True,
                            contributed=service.contributors(draft.id))
    assert Action.approve not in perms
    assert "cannot approve" in (perms.why_not(Action.approve) or "")
