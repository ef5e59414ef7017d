"""review.allowed_actions and review.open_blocking: the shared rules the pages ask instead of repeating them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from drafter.errors import RefusedError
from drafter.models import (
    Draft,
    DraftRequest,
    DraftStatus,
    Finding,
    FindingSeverity,
    FindingStatus,
    Origin,
    Provenance,
    Section,
)
from drafter.review import Action, allowed_actions, open_blocking
from drafter.service import DrafterService
from tests.conftest import FULL_CHECKLIST, briefing_request

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
EVERYTHING = frozenset(Action)


def make_draft(status: DraftStatus, *, text: str = "Some text.", edited_by: str | None = None) -> Draft:
    provenance = Provenance(origin=Origin.ai_edited if edited_by else Origin.ai, author="alice",
                            edited_by=edited_by, generated_at=NOW)
    return Draft(
        id="d1", template_id="briefing", style_guide_id="plain-en", language="en", title="A title", status=status,
        author="alice", backend="offline", version=3,
        sections=[Section(id="summary", heading="Summary", text=text, provenance=provenance)],
        request=DraftRequest(template_id="briefing", inputs={}), created_at=NOW, updated_at=NOW,
    )


def finding(severity: FindingSeverity, status: FindingStatus = FindingStatus.open, n: int = 1) -> Finding:
    return Finding(id=f"f{n}", draft_id="d1", fingerprint=f"fp{n}", severity=severity, rule_id="facts.unsupported",
                   section_id="summary", message="A figure is not in the sources.", status=status)


def allowed(draft: Draft, user: str, *, roles_configured: bool = False, is_reviewer: bool = True) -> frozenset[Action]:
    return allowed_actions(draft, user, roles_configured=roles_configured, is_reviewer=is_reviewer).allowed


# --- what each person may do in each state -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "author_may", "reviewer_may"),
    [
        (DraftStatus.generating, {Action.resume}, {Action.resume, Action.waive}),
        (DraftStatus.failed, {Action.edit, Action.resume}, {Action.edit, Action.resume, Action.waive}),
        (DraftStatus.draft, {Action.edit, Action.submit}, {Action.edit, Action.waive}),
        (DraftStatus.changes_requested, {Action.edit, Action.submit}, {Action.edit, Action.waive}),
        (DraftStatus.in_review, {Action.edit},
         {Action.edit, Action.approve, Action.request_changes, Action.waive}),
        (DraftStatus.approved, {Action.edit, Action.export}, {Action.edit, Action.waive, Action.export}),
    ],
)
def test_what_the_author_and_a_reviewer_may_do_in_each_state(
    status: DraftStatus, author_may: set[Action], reviewer_may: set[Action]
) -> None:
    draft = make_draft(status)
    assert allowed(draft, "alice") == author_may
    assert allowed(draft, "bob") == reviewer_may


def test_every_refused_action_says_why_in_the_services_words() -> None:
    perms = allowed_actions(make_draft(DraftStatus.in_review), "alice", roles_configured=False, is_reviewer=True)
    assert set(perms.reasons) == EVERYTHING - perms.allowed
    assert perms.why_not(Action.edit) is None
    assert perms.why_not(Action.approve) == (
        "alice wrote draft d1 and cannot approve it; another person must review it."
    )
    assert perms.why_not(Action.submit) == (
        "Draft d1 is in_review; only a draft can be submitted for review."
    )
    assert perms.why_not(Action.waive) == (
        "alice wrote draft d1; a blocking finding must be waived by a reviewer, not the author."
    )
    assert perms.why_not(Action.export) == (
        "Draft d1 is not approved; it must be approved by a reviewer before export."
    )
    assert Action.edit in perms and Action.approve not in perms


def test_someone_who_edited_the_draft_cannot_approve_it_but_can_still_request_changes() -> None:
    perms = allowed_actions(make_draft(DraftStatus.in_review, edited_by="bob"), "bob",
                            roles_configured=False, is_reviewer=True)
    assert Action.approve not in perms and Action.request_changes in perms
    assert perms.why_not(Action.approve) == "bob edited draft d1 and cannot approve it; another person must review it."


def test_where_roles_are_configured_only_reviewers_decide() -> None:
    draft = make_draft(DraftStatus.in_review)
    assert allowed(draft, "dan", roles_configured=True, is_reviewer=False) == {Action.edit}
    perms = allowed_actions(draft, "dan", roles_configured=True, is_reviewer=False)
    assert perms.why_not(Action.approve) == (
        "dan does not have the reviewer role, so cannot approve; an administrator grants roles in DRAFTER_ROLES."
    )
    assert "cannot request changes" in (perms.why_not(Action.request_changes) or "")
    # without configured roles (the development sign-in) anyone but the author may review
    assert Action.approve in allowed(draft, "dan", roles_configured=False, is_reviewer=False)


def test_an_empty_draft_cannot_be_submitted() -> None:
    perms = allowed_actions(make_draft(DraftStatus.draft, text="  "), "alice", roles_configured=False,
                            is_reviewer=False)
    assert perms.why_not(Action.submit) == "Draft d1 has no content to review."


# --- open blocking findings --------------------------------------------------------------------------------


def test_open_blocking_keeps_only_blocking_findings_still_open() -> None:
    kept = finding(FindingSeverity.blocking, n=1)
    findings = [
        kept,
        finding(FindingSeverity.blocking, FindingStatus.waived, n=2),
        finding(FindingSeverity.blocking, FindingStatus.resolved, n=3),
        finding(FindingSeverity.warning, n=4),
        finding(FindingSeverity.info, n=5),
    ]
    assert open_blocking(findings) == [kept]
    assert open_blocking(iter(findings)) == [kept]
    assert open_blocking([]) == []


# --- the answer agrees with what the service then does --------------------------------------------------------


def _service_allows(service: DrafterService, action: Action, draft_id: str, user: str) -> bool:
    calls = {
        Action.submit: lambda: service.submit(draft_id, user),
        Action.approve: lambda: service.approve(draft_id, user, FULL_CHECKLIST),
        Action.request_changes: lambda: service.request_changes(draft_id, user, "Please add the cost."),
    }
    try:
        calls[action]()
    except RefusedError:
        return False
    return True


@pytest.mark.parametrize("action", [Action.submit, Action.approve, Action.request_changes])
@pytest.mark.parametrize("user", ["alice", "bob"])
@pytest.mark.parametrize("submitted", [False, True])
def test_allowed_actions_agrees_with_the_service(
    sqlite_service: DrafterService, action: Action, user: str, submitted: bool
) -> None:
    draft = sqlite_service.create_draft(briefing_request(backend="offline"), "alice")
    if submitted:
        draft = sqlite_service.submit(draft.id, "alice")
    for f in open_blocking(sqlite_service.findings(draft.id)):
        sqlite_service.waive(draft.id, f.id, "checked with the finance team", "bob")
    draft = sqlite_service.get_draft(draft.id)
    expected = action in allowed_actions(draft, user, roles_configured=False, is_reviewer=True)
    assert _service_allows(sqlite_service, action, draft.id, user) is expected
