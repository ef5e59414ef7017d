"""Review: submit, approve (four eyes, checklist, no open blocking finding), request changes, findings, waivers."""

from __future__ import annotations

from typing import Any

from drafter import review as rules
from drafter.checks import readability as readability_measures
from drafter.checks import runner as checks
from drafter.errors import InputError, RefusedError
from drafter.i18n import lazy
from drafter.models import (
    Checklist,
    Draft,
    DraftStatus,
    Finding,
    FindingSeverity,
    FindingStatus,
    Review,
    check_text,
    same_user,
    utcnow,
)
from drafter.service.audit_signing import AuditSigning, approval_payload


class ReviewUseCases(AuditSigning):
    def submit(self, draft_id: str, user: str) -> Draft:
        user = self._user(user)
        draft = self.store.get_draft(draft_id)
        with self._audited(user, "submit", draft_id):
            rules.check_submit(draft, user)
        return self.store.save_status(
            draft, DraftStatus.in_review, actor=user, action="submitted",
            details={"content_sha256": draft.content_sha256},
        )

    def approve(
        self, draft_id: str, user: str, checklist: Checklist, *, comment: str = "", expected_version: int | None = None
    ) -> Draft:
        user = self._user(user)
        comment = check_text(comment, lazy("The comment"))
        self._require_reviewer(user, "approve", draft_id)
        # one snapshot: the draft, its findings and its history agree (one statement on PostgreSQL)
        draft, stored, named = self.store.for_approval(draft_id, rules.CONTRIBUTING_ACTIONS)
        contributed = rules.contributors(draft, version_actors=named)
        current = self._current_findings(draft, stored)
        with self._audited(user, "approve", draft_id):
            rules.check_approve(draft, user, checklist, expected_version, rules.open_blocking(current),
                                contributed=contributed)
        review = Review(
            draft_id=draft.id, reviewer=user, decision="approved", comment=comment, checklist=checklist,
            content_sha256=draft.content_sha256, version=draft.version + 1, created_at=utcnow(),
        )
        approved = self.store.save_status(
            draft, DraftStatus.approved, actor=user, action="approved",
            details={"content_sha256": review.content_sha256, "checklist": checklist.model_dump(),
                     "findings": checks.summary(current), **self._signed(approval_payload(draft, review))},
            review=review,
        )
        self._anchor_after("approved")
        return approved

    def request_changes(self, draft_id: str, user: str, comment: str) -> Draft:
        user = self._user(user)
        comment = check_text(comment, lazy("The comment"))
        self._require_reviewer(user, "request_changes", draft_id)
        draft = self.store.get_draft(draft_id)
        with self._audited(user, "request_changes", draft_id):
            rules.check_request_changes(draft, user, comment)
        review = Review(
            draft_id=draft.id, reviewer=user, decision="changes_requested", comment=comment,
            content_sha256=draft.content_sha256, version=draft.version + 1, created_at=utcnow(),
        )
        return self.store.save_status(
            draft, DraftStatus.changes_requested, actor=user, action="changes_requested",
            details={"comment": comment}, review=review,
        )

    def contributors(self, draft_id: str) -> set[str]:
        """Everyone who generated, refined or edited any version of the draft (from its versions and its audit
        events), and its author: none of them may approve it."""
        with self.store.reading():
            return self._contributors(self.store.get_draft(draft_id))

    def _contributors(self, draft: Draft) -> set[str]:
        # The names alone: who saved each version and who wrote or edited its sections, and who recorded a
        # contributing action (the same people rules.contributors finds in the full history); one statement on
        # PostgreSQL, two on SQLite.
        named = self.store.contributor_names(draft.id, rules.CONTRIBUTING_ACTIONS)
        return rules.contributors(draft, version_actors=named)

    def findings(self, draft_id: str, *, include_resolved: bool = False) -> list[Finding]:
        """The draft's findings, most severe first; open before waived; resolved ones only if asked."""
        found = self._current_findings(self.store.get_draft(draft_id))
        return [f for f in found if include_resolved or f.status != FindingStatus.resolved]

    def waive(self, draft_id: str, finding_id: str, reason: str, user: str) -> Finding:
        """Waive one finding with a written reason; recorded in the audit log and the exported provenance."""
        if len(reason.strip()) < 5:
            raise InputError("Say why this finding can be waived: a reason of a few words is required.")
        check_text(reason, lazy("The reason"))
        user = self._user(user)
        self._require_reviewer(user, "waive", draft_id)
        draft = self.store.get_draft(draft_id)
        current = self._current_findings(draft)  # make sure the id refers to the current text
        finding = next((f for f in current if f.id == finding_id), None)
        if finding is not None and finding.severity == FindingSeverity.blocking and same_user(user, draft.author):
            with self._audited(user, "waive", draft.id):
                raise RefusedError(
                    "{user} wrote draft {draft_id}; a blocking finding must be waived by a reviewer, not "
                    "the author.",
                    user=user, draft_id=draft.id,
                )
        return self.store.waive_finding(draft_id, finding_id, reason=reason.strip(), user=user)

    def readability(self, draft_id: str) -> dict[str, dict[str, Any]]:
        """Readability of each section (English: textstat scores; Chinese: sentence length, uncommon share)."""
        draft = self.store.get_draft(draft_id)
        return {s.id: readability_measures.measure(s.text, draft.language).as_dict() for s in draft.sections}
