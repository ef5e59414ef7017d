"""`Store`: the one door to the database. Each method is one transaction over the modules beside it.

Every write that changes a draft also appends its audit event in the same transaction, so a change and
its audit record land together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine

from drafter.errors import ConflictError, NotFoundError
from drafter.models import AuditEvent, Draft, Finding, FindingStatus, LLMCall, Review, utcnow
from drafter.store import audit, calls, drafts, findings, reports, schema
from drafter.store.engine import connect


class Store:
    """The one door to the database."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect.name

    @classmethod
    def open(cls, url: str, *, retries: int = 3, retry_wait_s: float = 1.0) -> Store:
        """Connect, retrying a few times, and bring the schema up to date."""
        store = cls(connect(url, retries=retries, retry_wait_s=retry_wait_s))
        store.migrate()
        return store

    def close(self) -> None:
        """Close the connections of the pool (the store can still be used; it reconnects)."""
        self.engine.dispose()

    # --- schema -------------------------------------------------------------------------------

    def migrate(self) -> None:
        """Apply pending migrations in order (never drop and recreate)."""
        schema.migrate(self.engine)

    def schema_revision(self) -> str | None:
        return schema.current_revision(self.engine)

    # --- transactions ---------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # --- drafts ---------------------------------------------------------------------------------

    def create_draft(self, draft: Draft, *, actor: str, details: dict[str, Any]) -> Draft:
        with self.transaction() as conn:
            drafts.insert(conn, draft)
            drafts.insert_version(conn, draft, actor=actor, reason="created")
            self._append_audit(conn, actor, "created", draft.id, details)
        return draft

    def save_draft(
        self,
        draft: Draft,
        *,
        expected_version: int,
        actor: str,
        action: str,
        details: dict[str, Any],
        review: Review | None = None,
        content_changed: bool = False,
    ) -> Draft:
        """Write `draft` if nobody changed it since `expected_version` (optimistic locking)."""
        new = draft.model_copy(update={"version": expected_version + 1, "updated_at": utcnow(), "updated_by": actor})
        with self.transaction() as conn:
            drafts.update(conn, new, expected_version=expected_version)
            if content_changed:
                drafts.insert_version(conn, new, actor=actor, reason=action)
            if review is not None:
                drafts.insert_review(conn, review)
            self._append_audit(conn, actor, action, draft.id, details)
        return new

    def get_draft(self, draft_id: str) -> Draft:
        with self.engine.connect() as conn:
            return drafts.get(conn, draft_id)

    def list_drafts(self, *, author: str | None = None, status: str | None = None) -> list[Draft]:
        with self.engine.connect() as conn:
            return drafts.list_(conn, author=author, status=status)

    def versions(self, draft_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return drafts.versions(conn, draft_id)

    # --- reviews --------------------------------------------------------------------------------

    def reviews_for(self, draft_id: str) -> list[Review]:
        with self.engine.connect() as conn:
            return drafts.reviews_for(conn, draft_id)

    def latest_approval(self, draft_id: str) -> Review | None:
        approvals = [r for r in self.reviews_for(draft_id) if r.decision == "approved"]
        return approvals[-1] if approvals else None

    # --- LLM calls ------------------------------------------------------------------------------

    def record_llm_call(self, call: LLMCall) -> None:
        with self.transaction() as conn:
            calls.record(conn, call)

    def llm_calls(self, draft_id: str | None = None) -> list[LLMCall]:
        with self.engine.connect() as conn:
            return calls.list_(conn, draft_id)

    # --- guard pseudonyms (kept with the draft, never sent) ---------------------------------------

    def guard_mapping(self, draft_id: str) -> tuple[dict[str, str], dict[str, str]]:
        """(placeholder → original, placeholder → entity type) for a draft."""
        with self.engine.connect() as conn:
            return calls.guard_mapping(conn, draft_id)

    def add_guard_pseudonyms(self, draft_id: str, items: list[tuple[str, str, str]]) -> None:
        """Store new (placeholder, entity type, original) entries for a draft."""
        if not items:
            return
        with self.transaction() as conn:
            calls.add_pseudonyms(conn, draft_id, items)

    # --- findings of the checks -----------------------------------------------------------------

    def findings(self, draft_id: str) -> list[Finding]:
        with self.engine.connect() as conn:
            return findings.for_draft(conn, draft_id)

    def update_findings(self, draft_id: str, merge: Callable[[list[Finding]], list[Finding]]) -> list[Finding]:
        """Replace a draft's findings by `merge(stored findings)`, in one transaction holding the draft row."""
        with self.transaction() as conn:
            drafts.lock(conn, draft_id)
            merged = merge(findings.for_draft(conn, draft_id))
            findings.replace(conn, draft_id, merged)
        return merged

    def waive_finding(self, draft_id: str, finding_id: str, *, reason: str, user: str) -> Finding:
        """Record a waiver and its audit event together; refuse a finding that is not open."""
        with self.transaction() as conn:
            drafts.lock(conn, draft_id)
            found = [f for f in findings.for_draft(conn, draft_id) if f.id == finding_id]
            if not found:
                raise NotFoundError(f"Draft {draft_id} has no finding {finding_id!r}; list them with "
                                    f"`drafter findings {draft_id}`.")
            finding = found[0]
            if finding.status == FindingStatus.waived:
                raise ConflictError(f"Finding {finding_id} was already waived by {finding.waived_by}: "
                                    f"{finding.waiver_reason}")
            if finding.status == FindingStatus.resolved:
                raise ConflictError(f"Finding {finding_id} no longer applies to the current text; nothing to waive.")
            waived = finding.model_copy(update={"status": FindingStatus.waived, "waiver_reason": reason,
                                                "waived_by": user, "waived_at": utcnow()})
            findings.update(conn, draft_id, waived)
            self._append_audit(conn, user, "finding_waived", draft_id, {
                "finding": finding_id, "rule": finding.rule_id, "section": finding.section_id,
                "severity": finding.severity.value, "excerpt": finding.excerpt, "reason": reason,
                "content_sha256": finding.content_sha256,
            })
        return waived

    # --- audit log ------------------------------------------------------------------------------

    def append_audit(self, actor: str, action: str, draft_id: str | None, details: dict[str, Any]) -> AuditEvent:
        with self.transaction() as conn:
            return self._append_audit(conn, actor, action, draft_id, details)

    def _append_audit(
        self, conn: Connection, actor: str, action: str, draft_id: str | None, details: dict[str, Any]
    ) -> AuditEvent:
        # Every append from a Store method goes through here (one seam; tests cut the connection at it).
        return audit.append(conn, actor, action, draft_id, details)

    def audit_events(self, draft_id: str | None = None) -> list[AuditEvent]:
        with self.engine.connect() as conn:
            return audit.events(conn, draft_id)

    def verify_draft_events(self, draft_id: str) -> str | None:
        """Check one draft's audit events and their links to their neighbours; the first problem, or None.

        Cheaper than walking the whole chain, and enough to trust the draft's own history at export time.
        """
        with self.engine.connect() as conn:
            return audit.verify_draft_events(conn, draft_id)

    def verify_audit_chain(self) -> tuple[int, str | None]:
        """Walk the chain; return (events checked, description of the first bad event or None)."""
        return audit.verify_chain(self.audit_events())

    # --- reports --------------------------------------------------------------------------------

    def exported_drafts(self) -> list[reports.ExportedDraft]:
        """Every exported draft with its approval, export and waiver events (for the AI-use register)."""
        with self.engine.connect() as conn:
            return reports.exported_drafts(conn)

    def usage_rows(self, actions: Iterable[str]) -> reports.UsageRows:
        """Audit events with these actions and summary rows of drafts, findings and calls (for statistics)."""
        with self.engine.connect() as conn:
            return reports.usage_rows(conn, actions)

    def purge(self, cutoff: datetime, *, older_than: str, dry_run: bool, actor: str) -> reports.PurgeCounts:
        """Clear source texts of drafts created before `cutoff` and delete older LLM calls, in one transaction.

        Unless `dry_run`, the purge is audited (`older_than` is how the cutoff was asked for). The audit log is kept.
        """
        with self.transaction() as conn:
            counts = reports.purge(conn, cutoff, dry_run=dry_run)
            if not dry_run:
                self._append_audit(conn, actor, "purged", None, {
                    "older_than": older_than, "cutoff": cutoff.isoformat(), **counts._asdict(),
                })
        return counts
