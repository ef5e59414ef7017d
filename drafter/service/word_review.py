"""Review in Word: write a review copy with tracked changes, read a reviewer's marked-up copy back.

An import first gives a summary (per section: old text, new text, the tracked changes; and the comments that
become change requests). Only `apply=True` changes anything: each changed section is a person's edit by the
importing user (through `edit_section`, so the draft returns to draft and approvals are voided), and each
comment is recorded as a `review_comment` audit event; a draft in review is also sent back to its author
with the comments (`request_changes`) when the importing user may do that.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drafter.errors import InputError
from drafter.models import Draft, DraftStatus
from drafter.roles import Role, load_roles
from drafter.service.drafting import DraftingUseCases
from drafter.service.review import ReviewUseCases

if TYPE_CHECKING:
    from drafter.export.review_import import ReviewerComment, Revision

# python-docx and lxml are imported when a review copy is written or read, not when the service is imported
log = logging.getLogger("drafter.service")


@dataclass(frozen=True)
class SectionChange:
    section_id: str
    heading: str
    old_text: str
    new_text: str
    revisions: list[Revision] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.old_text.strip() != self.new_text.strip()


@dataclass(frozen=True)
class ReviewImport:
    """What an import changes (or changed, when `applied`)."""

    draft_id: str
    version: int  # the version the file was made from
    applied: bool
    sections: list[SectionChange]
    comments: list[ReviewerComment]
    status: str  # the draft's status after the import
    changes_requested: bool = False

    @property
    def changed_sections(self) -> list[SectionChange]:
        return [s for s in self.sections if s.changed]

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape of `drafter import-review --json`."""
        return {
            "draft_id": self.draft_id,
            "version": self.version,
            "applied": self.applied,
            "status": self.status,
            "changes_requested": self.changes_requested,
            "sections": [
                {"id": s.section_id, "heading": s.heading, "changed": s.changed, "old_text": s.old_text,
                 "new_text": s.new_text,
                 "revisions": [{"kind": r.kind, "author": r.author, "date": r.date, "text": r.text}
                               for r in s.revisions]}
                for s in self.sections
            ],
            "comments": [
                {"section": c.section_id, "author": c.author, "date": c.date, "anchor": c.anchor, "text": c.text}
                for c in self.comments
            ],
        }


class WordReviewUseCases(DraftingUseCases, ReviewUseCases):
    """Builds on drafting (`edit_section`) and review (`request_changes`): list it before them in DrafterService."""

    def review_copy_bytes(self, draft_id: str, user: str) -> bytes:
        """The review copy of a draft as .docx bytes (recorded in the audit log)."""
        draft = self.store.get_draft(draft_id)
        buffer = io.BytesIO()
        self._build_review_copy(draft).save(buffer)
        self._review_copy_made(draft, user, None)
        return buffer.getvalue()

    def review_copy(self, draft_id: str, output: Path, user: str) -> Path:
        """Write the review copy of a draft to `output` (.docx): tracked changes, comments, no approval."""
        from drafter.export.common import check_writable, save_atomically

        draft = self.store.get_draft(draft_id)
        check_writable(output)
        doc = self._build_review_copy(draft)
        try:
            save_atomically(doc, output)
        except OSError as exc:
            raise InputError(
                "Could not write {output}: {reason}. Nothing was written.",
                output=output, reason=exc.strerror or exc,
            ) from exc
        self._review_copy_made(draft, user, output)
        return output

    def _build_review_copy(self, draft: Draft) -> Any:
        from drafter.export.review_copy import build_review_copy

        if not draft.written:
            raise InputError(
                "Draft {draft_id} is {status}; a review copy needs a generated draft.",
                draft_id=draft.id, status=draft.status.text(),
            )
        return build_review_copy(draft, self._current_findings(draft), system=self.settings.system_name)

    def _review_copy_made(self, draft: Draft, user: str, output: Path | None) -> None:
        log.info("review copy", extra={"draft_id": draft.id, "action": "review_copy"})
        self.store.append_audit(user, "review_copy_exported", draft.id, {
            "path": str(output) if output else None, "version": draft.version,
            "content_sha256": draft.content_sha256,
        })

    def import_review(self, draft_id: str, path: Path | bytes, user: str, *, apply: bool) -> ReviewImport:
        """Read a reviewed copy; summarise it, and with `apply` record its changes and comments.

        A file that changes a quotation from a source is refused whole (summary included): applying the rest
        would leave a draft nobody reviewed as a whole, and a silent skip would lose the reviewer's change.
        """
        from drafter.export.review_import import check_quotes, check_review_file, read_review_file

        draft = self.store.get_draft(draft_id)
        review = read_review_file(path)
        check_review_file(review, draft)
        check_quotes(draft.sections, {sid: s.text for sid, s in review.sections.items()})
        sections = [
            SectionChange(s.id, s.heading, s.text, review.sections[s.id].text, review.sections[s.id].revisions)
            for s in draft.sections
        ]
        summary = ReviewImport(draft.id, review.version, False, sections, review.comments, draft.status.value)
        if not apply:
            return summary
        return self._apply(draft, summary, user, path if isinstance(path, Path) else None)

    def _may_request_changes(self, draft: Draft, user: str) -> bool:
        roles = load_roles(self.settings)
        allowed = not roles.configured or roles.has(user, Role.reviewer)
        return draft.status == DraftStatus.in_review and user != draft.author and allowed

    def _apply(self, draft: Draft, summary: ReviewImport, user: str, path: Path | None) -> ReviewImport:
        headings = {s.id: s.heading for s in draft.sections}
        for c in summary.comments:
            self.store.append_audit(user, "review_comment", draft.id, {
                "section": c.section_id, "anchor": c.anchor, "comment": c.text, "comment_author": c.author,
                "source": "review copy",
            })
        requested = False
        if summary.comments and self._may_request_changes(draft, user):
            lines = [
                f"[{headings.get(c.section_id or '', 'document')}] “{c.anchor}”: {c.text} ({c.author})"
                for c in summary.comments
            ]
            draft = self.request_changes(draft.id, user, "From the review copy:\n" + "\n".join(lines))
            requested = True
        for change in summary.changed_sections:
            draft = self.edit_section(
                draft.id, change.section_id, change.new_text, user, expected_version=draft.version
            )
        self.store.append_audit(user, "review_imported", draft.id, {
            "file": path.name if path else None, "from_version": summary.version,
            "sections_changed": [s.section_id for s in summary.changed_sections],
            "comments": len(summary.comments), "changes_requested": requested,
        })
        current = self.store.get_draft(draft.id)
        return ReviewImport(draft.id, summary.version, True, summary.sections, summary.comments,
                            current.status.value, requested)
