"""Reading: drafts, the review queue, history, the audit trail, the register, statistics, calls, backends."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from drafter import citations, spans
from drafter.backends import offline
from drafter.checks import facts
from drafter.models import AuditEvent, Draft, DraftStatus, LLMCall, Review, SourceDoc
from drafter.register import RegisterEntry, build_register
from drafter.service.audit_signing import AuditSigning
from drafter.simplification import AUDIENCES
from drafter.sources import UPLOAD_TYPES, source_from_bytes
from drafter.stats import Statistics
from drafter.stats import compute as compute_statistics
from drafter.store import AuditCheck, Checkpoint

log = logging.getLogger("drafter.service")
READ_AHEAD_MAX_CHARS = 4_000_000  # what the pipeline's memories of a text hold at most (drafter.memo budgets)


class Queries(AuditSigning):
    def audiences(self) -> list[str]:
        """The audiences a regulation can be simplified for (plain, child, easy-read)."""
        return list(AUDIENCES)

    def upload_types(self) -> list[str]:
        """File types a source may be uploaded as."""
        return list(UPLOAD_TYPES)

    def read_source(self, name: str, data: bytes) -> SourceDoc:
        """An uploaded or pasted file as a source, or one InputError saying why it cannot be read."""
        return source_from_bytes(name, data, self.settings.max_source_bytes)

    def add_source(self, name: str, data: bytes) -> SourceDoc:
        """`read_source` for a source added to a draft: it is also read for drafting now, when it is added, so the
        drafts that draw on it do not read it again (`read_ahead`)."""
        doc = self.read_source(name, data)
        try:
            self.read_ahead(doc)
        except Exception as exc:  # only a head start: a draft reads the source itself, and reports any problem there
            # the class only: a message or traceback could quote the source, which logs never hold
            log.warning("reading a source ahead failed", extra={"error_type": type(exc).__name__})
        return doc

    def read_ahead(self, doc: SourceDoc) -> None:
        """What drafting reads in a source, read once and remembered by its text: the guard's scan, its quotable
        sentences (offline backend), the sentences quote labels match (spans), its paragraphs (citations) and the
        facts it supports (checks). A draft drawing on it finds them remembered; one whose source was forgotten
        (the memories are bounded) reads it again. Nothing is decided here: every draft is checked as before.
        A text longer than the memories hold is not read ahead: it would be read twice."""
        if len(doc.text) > READ_AHEAD_MAX_CHARS:
            return
        self.guard.read_ahead(doc.text)
        offline.read_source(doc.text)
        spans.read_source(doc.name, doc.text)
        citations.read_source(doc.text)
        facts.read_source(doc.text)

    def get_draft(self, draft_id: str) -> Draft:
        return self.store.get_draft(draft_id)

    def list_drafts(self, *, author: str | None = None, status: str | None = None) -> list[Draft]:
        return self.store.list_drafts(author=author, status=status)

    def review_queue(self, user: str) -> list[Draft]:
        """Drafts waiting for review that `user` did not write, oldest first."""
        return [d for d in self.store.list_drafts(status=DraftStatus.in_review.value) if d.author != user]

    def reviews(self, draft_id: str) -> list[Review]:
        return self.store.reviews_for(draft_id)

    def versions(self, draft_id: str) -> list[dict[str, Any]]:
        return self.store.versions(draft_id)

    def audit_trail(self, draft_id: str | None = None) -> list[AuditEvent]:
        return self.store.audit_events(draft_id)

    def verify_audit(self) -> tuple[int, str | None]:
        """(events walked, the first problem or None): the chain, its latest checkpoint, the signed records."""
        report = self.audit_report()
        return report.count, report.problem

    def audit_report(self) -> AuditCheck:
        """The chain walked, compared with its latest signed checkpoint (if any), and every signed record checked."""
        return self.store.verify_audit(self.settings.anchors_path(), self._public_key())

    def anchor_audit(self) -> Checkpoint:
        """Check the whole chain, then write a signed checkpoint of its head outside the database."""
        return self.store.anchor(self.settings.anchors_path(), self._deployment_key(), full=True)

    def register(self, since: datetime | None = None) -> list[RegisterEntry]:
        """The AI-use register: one entry per exported document."""
        kinds = {t.id: t.kind for t in self.catalog.templates.values()}
        return build_register(self.store, kinds, since)

    def statistics(self) -> Statistics:
        """Usage statistics (weekly activity, approval times, findings, failures, tokens and cost)."""
        return compute_statistics(self.store, self.register(), self.settings.prices)

    def llm_calls(self, draft_id: str | None = None) -> list[LLMCall]:
        return self.store.llm_calls(draft_id)

    def backend_status(self, *, check: bool = False) -> list[dict[str, Any]]:
        """The configured backends and what each can do; with `check`, whether each can be reached now."""
        out = []
        for name, b in self.backends.items():
            caps = b.capabilities
            row: dict[str, Any] = {"name": name, "model": b.model, "external": b.external,
                                   "endpoint": b.endpoint(), "default": name == self.settings.backend,
                                   "description": b.description, "language_model": caps.language_model,
                                   "streaming": caps.streaming}
            if check:
                row["reachable"], row["check"] = b.check(self.options)
            out.append(row)
        return out

    def warm_up(self) -> None:
        """Build now what is otherwise built on first use: the backends and their clients, the guard's
        recognisers, the readability measures and the export writer. A long-running front end (the browser UI)
        calls this once in the background so that nobody's first click waits for it. Reads and writes nothing."""
        from drafter.checks import readability
        from drafter.export import docx_writer, verify  # noqa: F401  (imported for their import cost)

        self.backends  # noqa: B018  (built on first use)
        self.guard.detector.detect("Contact warm.up@example.org or 020 7946 0000.")
        readability.english("The barrier protects homes. It opens in March.")
        readability.chinese("防洪工程保护居民。三月启用。")
