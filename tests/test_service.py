"""The whole loop through the service, on SQLite and PostgreSQL: draft, edit, review, export, verify."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from drafter.errors import ConflictError, InputError, NotFoundError, RefusedError
from drafter.models import Checklist, DraftStatus, Origin
from drafter.service import DrafterService
from tests.conftest import FULL_CHECKLIST, briefing_request


def test_whole_loop_to_a_verified_document(service: DrafterService, tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    draft = service.create_draft(briefing_request(), "alice", on_section=lambda i, n, s: seen.append((i, n, s.id)))
    assert draft.status == DraftStatus.draft
    assert [s.id for s in draft.sections] == ["summary", "background", "key_points", "recommendation", "contact"]
    assert seen[-1] == (5, 5, "contact")
    assert all(s.provenance.backend == "offline" for s in draft.sections)
    # computed from spans: Key points, Recommendation and Contact are exactly the author's inputs
    assert [s.provenance.origin for s in draft.sections] == [Origin.ai, Origin.ai] + [Origin.human] * 3
    assert all(len(s.provenance.prompt_sha256 or "") == 64 for s in draft.sections)

    draft = service.edit_section(draft.id, "summary", "The Minister opens the barrier on 12 March 2026.", "alice")
    summary = draft.sections[0]
    assert summary.provenance.origin == Origin.ai_edited
    assert summary.provenance.ai_text and summary.provenance.ai_text != summary.text
    assert summary.provenance.edited_by == "alice"

    service.submit(draft.id, "alice")
    approved = service.approve(draft.id, "bob", FULL_CHECKLIST)
    assert approved.status == DraftStatus.approved
    approval = service.store.latest_approval(draft.id)
    assert approval is not None and approval.content_sha256 == approved.content_sha256

    out = tmp_path / "briefing.docx"
    result = service.export(draft.id, out, "alice")
    assert out.is_file() and result.content_sha256 == approved.content_sha256
    report = service.verify_file(out)
    assert report.ok, report.problems
    assert report.provenance and report.provenance["reviewer"] == "bob"
    actions = [e.action for e in service.audit_trail(draft.id)]
    assert actions[0] == "created" and "approved" in actions and actions[-1] == "exported"
    assert service.verify_audit() == (len(service.audit_trail()), None)
    assert len(service.llm_calls(draft.id)) == 5


def test_request_and_sections_are_saved_as_generation_proceeds(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    versions = service.versions(draft.id)
    # version 1 is the saved request with no sections; then one version per generated section
    assert versions[0]["sections"] == [] and versions[0]["reason"] == "created"
    assert [len(v["sections"]) for v in versions] == [0, 1, 2, 3, 4, 5]


def test_four_eyes_and_checklist_are_enforced(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    with pytest.raises(RefusedError, match="only a draft in review"):
        service.approve(draft.id, "bob", FULL_CHECKLIST)
    with pytest.raises(RefusedError, match="Only the author"):
        service.submit(draft.id, "mallory")
    service.submit(draft.id, "alice")
    with pytest.raises(RefusedError, match="cannot approve"):
        service.approve(draft.id, "alice", FULL_CHECKLIST)
    with pytest.raises(RefusedError, match="checklist"):
        service.approve(draft.id, "bob", Checklist(facts_checked=True))
    refused = [e for e in service.audit_trail(draft.id) if e.action == "refused"]
    assert len(refused) == 4
    assert service.get_draft(draft.id).status == DraftStatus.in_review


def test_a_reviewer_who_edited_cannot_approve(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    service.edit_section(draft.id, "contact", "Call Priya.", "bob")
    service.submit(draft.id, "alice")
    with pytest.raises(RefusedError, match="bob edited"):
        service.approve(draft.id, "bob", FULL_CHECKLIST)
    assert service.approve(draft.id, "carol", FULL_CHECKLIST).status == DraftStatus.approved


def test_edit_after_approval_voids_it_and_blocks_export(service: DrafterService, tmp_path: Path) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    service.submit(draft.id, "alice")
    service.approve(draft.id, "bob", FULL_CHECKLIST)
    edited = service.edit_section(draft.id, "contact", "Someone else.", "alice")
    assert edited.status == DraftStatus.draft
    with pytest.raises(RefusedError, match="not approved"):
        service.export(draft.id, tmp_path / "x.docx", "alice")
    assert not (tmp_path / "x.docx").exists()


def test_export_detects_a_forged_status(service: DrafterService, tmp_path: Path) -> None:
    """Setting the status to approved in the database without an approval does not get past the gate."""
    draft = service.create_draft(briefing_request(), "alice")
    service.submit(draft.id, "alice")
    service.approve(draft.id, "bob", FULL_CHECKLIST)
    with service.store.engine.begin() as conn:  # content changed behind the service's back
        conn.execute(sa.text("UPDATE drafts SET title = 'Forged title' WHERE id = :id"), {"id": draft.id})
    with pytest.raises(RefusedError, match="changed after it was approved"):
        service.export(draft.id, tmp_path / "x.docx", "alice")

    other = service.create_draft(briefing_request(), "alice")
    with service.store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE drafts SET status = 'approved' WHERE id = :id"), {"id": other.id})
    with pytest.raises(RefusedError, match="not approved"):
        service.export(other.id, tmp_path / "y.docx", "alice")


def test_request_changes_returns_the_draft_to_its_author(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    service.submit(draft.id, "alice")
    with pytest.raises(RefusedError, match="comment is required"):
        service.request_changes(draft.id, "bob", "  ")
    back = service.request_changes(draft.id, "bob", "Add the budget figure.")
    assert back.status == DraftStatus.changes_requested
    assert service.reviews(draft.id)[-1].comment == "Add the budget figure."
    service.edit_section(draft.id, "summary", "Budget: £48 million.", "alice")
    assert service.submit(draft.id, "alice").status == DraftStatus.in_review


def test_stale_edit_is_refused_with_who_and_when(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    service.edit_section(draft.id, "summary", "First edit.", "bob")
    with pytest.raises(ConflictError, match="changed by bob"):
        service.edit_section(draft.id, "summary", "Second edit.", "alice", expected_version=draft.version)
    assert service.get_draft(draft.id).sections[0].text == "First edit."


def test_bad_requests_leave_the_store_unchanged(service: DrafterService) -> None:
    with pytest.raises(InputError, match="Missing required input for briefing: Subject"):
        service.create_draft(briefing_request(inputs={"recipient": "x"}), "alice")
    with pytest.raises(NotFoundError, match="Unknown template 'nope'"):
        service.create_draft(briefing_request(template_id="nope"), "alice")
    with pytest.raises(InputError, match="Unknown or unconfigured backend"):
        service.create_draft(briefing_request(backend="gpt-99"), "alice")
    assert service.list_drafts() == []
    assert service.audit_trail() == []


def test_refine_stores_the_instruction(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    refined = service.refine_section(draft.id, "background", "make it shorter", "alice")
    section = next(s for s in refined.sections if s.id == "background")
    before = next(s for s in draft.sections if s.id == "background")
    assert section.provenance.instruction == "make it shorter"
    assert len(section.text) < len(before.text)
    assert service.audit_trail(draft.id)[-1].details["instruction"] == "make it shorter"
