"""The review state machine and its rules. Pure functions: they decide, the service acts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from drafter.errors import RefusedError
from drafter.i18n import N_, lazy
from drafter.models import (
    AuditEvent,
    Checklist,
    Draft,
    DraftStatus,
    Finding,
    FindingSeverity,
    FindingStatus,
    Review,
    Section,
    same_user,
)


def status_after_edit(draft: Draft) -> DraftStatus:
    """Any change to content voids a review in progress or an approval: the draft goes back to draft."""
    return DraftStatus.draft if draft.status != DraftStatus.failed else DraftStatus.failed


def check_editable(draft: Draft) -> None:
    if draft.status == DraftStatus.generating:
        raise RefusedError(
            "Draft {draft_id} is still being generated; wait for it to finish.",
            draft_id=draft.id,
        )


def check_submit(draft: Draft, user: str) -> None:
    if not same_user(user, draft.author):
        raise RefusedError(
            "Only the author ({author}) can submit draft {draft_id} for review.",
            author=draft.author, draft_id=draft.id,
        )
    if draft.status not in (DraftStatus.draft, DraftStatus.changes_requested):
        raise RefusedError(
            "Draft {draft_id} is {status}; only a draft can be submitted for review.",
            draft_id=draft.id, status=draft.status.text(),
        )
    if not draft.sections or not any(s.text.strip() for s in draft.sections):
        raise RefusedError("Draft {draft_id} has no content to review.", draft_id=draft.id)


CONTENT_ACTIONS = frozenset({"generated", "edited", "refined"})
# Every event that put text into a draft: its creation (the request's inputs and sources) and each change.
CONTRIBUTING_ACTIONS = CONTENT_ACTIONS | {"created"}


def contributors(
    draft: Draft, versions: Iterable[Sequence[Section]] = (), history: Iterable[AuditEvent] = (),
    version_actors: Iterable[str] = (),
) -> set[str]:
    """Everyone who generated, refined or edited any version of the draft, and its author.

    Taken from the whole history, not the current sections alone: who wrote or changed a section that was
    later overwritten (by a person or by a refinement) still had a hand in the text being approved.
    """
    people = {draft.author, *version_actors}
    for sections in [draft.sections, *versions]:
        for s in sections:
            people.update(p for p in (s.provenance.author, s.provenance.edited_by) if p)
    people.update(e.actor for e in history if e.draft_id == draft.id and e.action in CONTRIBUTING_ACTIONS)
    return people


def _is_one_of(user: str, people: Iterable[str]) -> bool:
    return any(same_user(user, p) for p in people)


def check_approve(
    draft: Draft, reviewer: str, checklist: Checklist, expected_version: int | None = None,
    open_blocking: Sequence[Finding] = (), contributed: Iterable[str] = (),
) -> None:
    """`contributed`: the people the draft's history shows generating, refining or editing any version."""
    if draft.status != DraftStatus.in_review:
        raise RefusedError(
            "Draft {draft_id} is {status}; only a draft in review can be approved.",
            draft_id=draft.id, status=draft.status.text(),
        )
    if same_user(reviewer, draft.author):
        raise RefusedError(
            "{reviewer} wrote draft {draft_id} and cannot approve it; another person must review it.",
            reviewer=reviewer, draft_id=draft.id,
        )
    if _is_one_of(reviewer, contributors(draft) | set(contributed)):
        raise RefusedError(
            "{reviewer} edited draft {draft_id} and cannot approve it; another person must review it.",
            reviewer=reviewer, draft_id=draft.id,
        )
    if expected_version is not None and expected_version != draft.version:
        raise RefusedError(
            "You reviewed version {expected_version} of draft {draft_id}, but it is now at version "
            "{version}; review the current version.",
            expected_version=expected_version, draft_id=draft.id, version=draft.version,
        )
    if open_blocking:
        raise RefusedError(
            "Draft {draft_id} has {count} open blocking finding(s); resolve or waive each with a reason "
            "before approving: {findings}.",
            draft_id=draft.id, count=len(open_blocking), findings=describe_findings(open_blocking),
        )
    if not checklist.complete():
        missing = [name.replace("_", " ") for name, ok in checklist.model_dump().items() if not ok]
        raise RefusedError(
            "Approval needs the review checklist confirmed (missing: {missing}).",
            missing=', '.join(missing),
        )


def check_request_changes(draft: Draft, reviewer: str, comment: str) -> None:
    if draft.status != DraftStatus.in_review:
        raise RefusedError(
            "Draft {draft_id} is {status}; changes can only be requested in review.",
            draft_id=draft.id, status=draft.status.text(),
        )
    if same_user(reviewer, draft.author):
        raise RefusedError(
            "{reviewer} wrote draft {draft_id}; a reviewer other than the author requests changes.",
            reviewer=reviewer, draft_id=draft.id,
        )
    if not comment.strip():
        raise RefusedError("Say what needs to change: a comment is required.")



def check_approval_recorded(draft: Draft, approval: Review, history: list[AuditEvent], chain_problem: str | None) -> None:
    """The approval row must match the tamper-evident audit record of the approval, with no change after it.

    This catches an approval row altered in the database, or an old approval replayed onto changed content.
    """
    if chain_problem:
        raise RefusedError(
            "Draft {draft_id} cannot be exported: {chain_problem}.",
            draft_id=draft.id, chain_problem=chain_problem,
        )
    approvals = [i for i, e in enumerate(history) if e.action == "approved"]
    if not approvals:
        raise RefusedError(
            "Draft {draft_id} has no approval in the audit log; it must be approved before export.",
            draft_id=draft.id,
        )
    last = approvals[-1]
    if history[last].details.get("content_sha256") != approval.content_sha256 or history[last].actor != approval.reviewer:
        raise RefusedError(
            "The approval of draft {draft_id} does not match the audit log; it may have been altered. It "
            "must be approved again.",
            draft_id=draft.id,
        )
    if any(e.action in CONTENT_ACTIONS for e in history[last + 1 :]):
        raise RefusedError(
            "Draft {draft_id} changed after it was approved; it must be approved again.",
            draft_id=draft.id,
        )


def check_export(draft: Draft, approval: Review | None) -> Review:
    """Export only what was approved, at exactly the content that was approved."""
    if draft.status != DraftStatus.approved or approval is None:
        raise RefusedError(
            "Draft {draft_id} is not approved; it must be approved by a reviewer before export.",
            draft_id=draft.id,
        )
    current = draft.content_sha256
    if approval.content_sha256 != current:
        raise RefusedError(
            "Draft {draft_id} changed after it was approved (content hash differs); it must be approved "
            "again.",
            draft_id=draft.id,
        )
    if approval.version != draft.version:
        raise RefusedError(
            "Draft {draft_id} is at version {version} but the approval is for version {approved_version}; "
            "it must be approved again.",
            draft_id=draft.id, version=draft.version, approved_version=approval.version,
        )
    if same_user(approval.reviewer, draft.author):
        raise RefusedError(
            "The approval of draft {draft_id} was made by its author; it is not valid.",
            draft_id=draft.id,
        )
    return approval


def describe_findings(findings: Sequence[Finding], limit: int = 5) -> str:
    """'f1a2b3c4 (facts.unsupported in background: "£1 billion")', for one-line messages."""
    parts = [
        f'{f.id} ({f.rule_id} in {f.section_id or "the document"}'
        + (f': "{" ".join(f.excerpt.split())}"' if f.excerpt else "") + ")"
        for f in findings[:limit]
    ]
    if len(findings) > limit:
        parts.append(f"and {len(findings) - limit} more")
    return "; ".join(parts)


# --- shared rules the UI and the service both ask ------------------------------------------------------------


def open_blocking(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that stop an approval: blocking, and neither waived nor resolved."""
    return [f for f in findings if f.severity == FindingSeverity.blocking and f.status == FindingStatus.open]


def check_resumable(draft: Draft) -> None:
    """Generation can start or resume only on a draft still generating or whose generation failed."""
    if draft.status not in (DraftStatus.generating, DraftStatus.failed):
        raise RefusedError(
            "Draft {draft_id} is {status}; it has already been generated.",
            draft_id=draft.id, status=draft.status.text(),
        )


_ACTION_TEXT = {"approve": N_("approve"), "request_changes": N_("request changes"), "waive": N_("waive")}


def action_text(action: str) -> str:
    """A review action for a sentence, in the reader's language ("request changes", 退回修改)."""
    return lazy(_ACTION_TEXT[action]) if action in _ACTION_TEXT else action.replace("_", " ")


def check_reviewer_role(user: str, action: str, *, roles_configured: bool, is_reviewer: bool) -> None:
    """Where roles are configured (DRAFTER_ROLES / DRAFTER_ROLES_FILE), only reviewers decide on drafts."""
    if roles_configured and not is_reviewer:
        raise RefusedError(
            "{user} does not have the reviewer role, so cannot {action}; an administrator grants roles in "
            "DRAFTER_ROLES.",
            user=user, action=action_text(action),
        )


def check_waive(draft: Draft, user: str) -> None:
    """A blocking finding is waived by a reviewer, never by the draft's author."""
    if same_user(user, draft.author):
        raise RefusedError(
            "{user} wrote draft {draft_id}; a blocking finding must be waived by a reviewer, not the "
            "author.",
            user=user, draft_id=draft.id,
        )


def check_exportable(draft: Draft) -> None:
    """Only an approved draft is exported (the service also checks the approval against the content)."""
    if draft.status != DraftStatus.approved:
        raise RefusedError(
            "Draft {draft_id} is not approved; it must be approved by a reviewer before export.",
            draft_id=draft.id,
        )


class Action(StrEnum):
    """What a person can do with a draft."""

    edit = "edit"  # change a section, by hand or by an instruction to the AI
    resume = "resume"  # start or resume generation
    submit = "submit"
    approve = "approve"  # given a confirmed checklist and no open blocking finding
    request_changes = "request_changes"  # given a comment
    waive = "waive"  # waive a blocking finding with a reason
    export = "export"


@dataclass(frozen=True)
class Permissions:
    """The actions allowed on one draft for one user now, and for every other action the reason why not."""

    allowed: frozenset[Action]
    reasons: Mapping[Action, str] = field(default_factory=dict)

    def __contains__(self, action: object) -> bool:
        return action in self.allowed

    def why_not(self, action: Action) -> str | None:
        """The one-sentence reason `action` is refused, or None when it is allowed."""
        return None if action in self.allowed else self.reasons.get(action)


# The parts of an approval or a change request that depend on what the reviewer is about to type, taken as
# given: whether the person may decide on this draft now does not depend on them.
_CONFIRMED = Checklist(facts_checked=True, no_sensitive_data=True, label_accurate=True)
_SOME_COMMENT = "a comment"


def allowed_actions(
    draft: Draft, user: str, *, roles_configured: bool, is_reviewer: bool, contributed: Iterable[str] = (),
) -> Permissions:
    """What `user` may do with `draft` now, decided by the same check_* rules the service enforces.

    Approval is allowed here when everything but the reviewer's own input holds; the checklist, the open
    blocking findings and the version the reviewer saw are checked when they approve.
    """
    def role(action: str) -> Callable[[], None]:
        return lambda: check_reviewer_role(user, action, roles_configured=roles_configured, is_reviewer=is_reviewer)

    rules: dict[Action, list[Callable[[], None]]] = {
        Action.edit: [lambda: check_editable(draft)],
        Action.resume: [lambda: check_resumable(draft)],
        Action.submit: [lambda: check_submit(draft, user)],
        Action.approve: [role("approve"), lambda: check_approve(draft, user, _CONFIRMED, contributed=contributed)],
        Action.request_changes: [role("request_changes"),
                                 lambda: check_request_changes(draft, user, _SOME_COMMENT)],
        Action.waive: [role("waive"), lambda: check_waive(draft, user)],
        Action.export: [lambda: check_exportable(draft)],
    }
    allowed: set[Action] = set()
    reasons: dict[Action, str] = {}
    for action, checks in rules.items():
        try:
            for check in checks:
                check()
        except RefusedError as exc:
            reasons[action] = str(exc)
        else:
            allowed.add(action)
    return Permissions(frozenset(allowed), reasons)
