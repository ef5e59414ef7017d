"""SQLAlchemy store: drafts, versions, reviews, LLM calls and the hash-chained audit log.

SQLite is the embedded default; PostgreSQL is used by URL. Every write is one transaction that also
appends its audit event, so a draft change and its audit record land together or not at all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from drafter.errors import ConflictError, DrafterError, NotFoundError
from drafter.models import (
    AuditEvent,
    Checklist,
    Draft,
    DraftRequest,
    Finding,
    FindingStatus,
    LLMCall,
    Review,
    Section,
    utcnow,
)

GENESIS_HASH = "0" * 64
MIGRATIONS = Path(__file__).parent / "migrations"
_AUDIT_LOCK_KEY = 73_010_001  # PostgreSQL advisory lock serialising audit-chain appends

# Table objects mirror the migration; declared here so queries are typed and dialect-neutral.
drafts = sa.Table(
    "drafts",
    sa.MetaData(),
    *(
        sa.Column(n)
        for n in ["id", "template_id", "style_guide_id", "language", "title", "status", "author", "backend", "version", "sections_json", "request_json", "content_sha256", "created_at", "updated_at", "updated_by", "error"]
    ),
)
draft_versions = sa.Table(
    "draft_versions",
    sa.MetaData(),
    *(
        sa.Column(n)
        for n in ["id", "draft_id", "version", "title", "sections_json", "content_sha256", "actor", "reason", "created_at"]
    ),
)
reviews = sa.Table(
    "reviews",
    sa.MetaData(),
    *(
        sa.Column(n)
        for n in ["id", "draft_id", "reviewer", "decision", "comment", "checklist_json", "content_sha256", "version", "created_at"]
    ),
)
llm_calls = sa.Table(
    "llm_calls",
    sa.MetaData(),
    *(
        sa.Column(n)
        for n in ["id", "draft_id", "model", "backend", "template_id", "style_guide_id", "system", "prompt", "prompt_sha256", "response", "options_json", "input_tokens", "output_tokens", "duration_ms", "datetime_utc", "error"]
    ),
)
findings_table = sa.Table(
    "findings",
    sa.MetaData(),
    *(
        sa.Column(n)
        for n in ["draft_id", "id", "fingerprint", "severity", "rule_id", "section_id", "span_start", "span_end", "excerpt", "message", "suggestion", "status", "waiver_reason", "waived_by", "waived_at", "content_sha256", "checked_at"]
    ),
)
audit_events = sa.Table(
    "audit_events",
    sa.MetaData(),
    *(sa.Column(n) for n in ["seq", "at", "actor", "action", "draft_id", "details_json", "prev_hash", "hash"]),
)
guard_pseudonyms = sa.Table(
    "guard_pseudonyms",
    sa.MetaData(),
    *(sa.Column(n) for n in ["draft_id", "placeholder", "entity_type", "original", "created_at"]),
)


def _iso(dt: datetime) -> str:
    return dt.isoformat()


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Store:
    """The one door to the database."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect.name

    @classmethod
    def open(cls, url: str, *, retries: int = 3, retry_wait_s: float = 1.0) -> Store:
        """Connect, retrying a few times, and bring the schema up to date."""
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = _make_engine(url)
        last: Exception | None = None
        for attempt in range(retries):
            try:
                with engine.connect():
                    break
            except sa.exc.OperationalError as exc:
                last = exc
                if attempt + 1 < retries:
                    time.sleep(retry_wait_s * (attempt + 1))
        else:
            safe = sa.engine.make_url(url).render_as_string(hide_password=True)
            raise DrafterError(
                f"Cannot reach the database at {safe} after {retries} attempts "
                f"({str(last).splitlines()[0] if last else 'unknown error'}). "
                "Check DRAFTER_DATABASE_URL and that the server is running."
            )
        store = cls(engine)
        store.migrate()
        return store

    # --- schema -------------------------------------------------------------------------------

    def _alembic_config(self, conn: Connection) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = conn
        return cfg

    def migrate(self) -> None:
        """Apply pending migrations in order (never drop and recreate)."""
        with self.engine.begin() as conn:
            cfg = self._alembic_config(conn)
            head = ScriptDirectory.from_config(cfg).get_current_head()
            if MigrationContext.configure(conn).get_current_revision() != head:
                if self.dialect == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_KEY + 1})
                command.upgrade(cfg, "head")

    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    # --- transactions ---------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    # --- drafts ---------------------------------------------------------------------------------

    def create_draft(self, draft: Draft, *, actor: str, details: dict[str, Any]) -> Draft:
        with self.transaction() as conn:
            conn.execute(drafts.insert().values(**_draft_row(draft)))
            self._insert_version(conn, draft, actor=actor, reason="created")
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
            result = conn.execute(
                drafts.update()
                .where(drafts.c.id == draft.id, drafts.c.version == expected_version)
                .values(**_draft_row(new))
            )
            if result.rowcount != 1:
                current = conn.execute(
                    sa.select(drafts.c.updated_by, drafts.c.updated_at).where(drafts.c.id == draft.id)
                ).first()
                if current is None:
                    raise NotFoundError(f"Draft {draft.id} does not exist.")
                raise ConflictError(
                    f"Draft {draft.id} was changed by {current.updated_by} at {current.updated_at}; "
                    "reload it and apply your change again."
                )
            if content_changed:
                self._insert_version(conn, new, actor=actor, reason=action)
            if review is not None:
                conn.execute(reviews.insert().values(**_review_row(review)))
            self._append_audit(conn, actor, action, draft.id, details)
        return new

    def _insert_version(self, conn: Connection, draft: Draft, *, actor: str, reason: str) -> None:
        conn.execute(
            draft_versions.insert().values(
                draft_id=draft.id,
                version=draft.version,
                title=draft.title,
                sections_json=_sections_json(draft.sections),
                content_sha256=draft.content_sha256,
                actor=actor,
                reason=reason,
                created_at=_iso(utcnow()),
            )
        )

    def get_draft(self, draft_id: str) -> Draft:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(drafts).where(drafts.c.id == draft_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"Draft {draft_id} does not exist.")
        return _draft_from_row(row)

    def list_drafts(self, *, author: str | None = None, status: str | None = None) -> list[Draft]:
        query = sa.select(drafts).order_by(drafts.c.created_at)
        if author is not None:
            query = query.where(drafts.c.author == author)
        if status is not None:
            query = query.where(drafts.c.status == status)
        with self.engine.connect() as conn:
            return [_draft_from_row(r) for r in conn.execute(query).mappings()]

    def versions(self, draft_id: str) -> list[dict[str, Any]]:
        query = sa.select(draft_versions).where(draft_versions.c.draft_id == draft_id).order_by(draft_versions.c.version)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            {
                "version": r["version"],
                "title": r["title"],
                "sections": [Section.model_validate(s) for s in json.loads(r["sections_json"])],
                "content_sha256": r["content_sha256"],
                "actor": r["actor"],
                "reason": r["reason"],
                "created_at": _dt(r["created_at"]),
            }
            for r in rows
        ]

    # --- reviews --------------------------------------------------------------------------------

    def reviews_for(self, draft_id: str) -> list[Review]:
        query = sa.select(reviews).where(reviews.c.draft_id == draft_id).order_by(reviews.c.id)
        with self.engine.connect() as conn:
            return [_review_from_row(r) for r in conn.execute(query).mappings()]

    def latest_approval(self, draft_id: str) -> Review | None:
        approvals = [r for r in self.reviews_for(draft_id) if r.decision == "approved"]
        return approvals[-1] if approvals else None

    # --- LLM calls ------------------------------------------------------------------------------

    def record_llm_call(self, call: LLMCall) -> None:
        row = call.model_dump(exclude={"options", "datetime_utc"})
        row["options_json"] = json.dumps(call.options, sort_keys=True, default=str)
        row["datetime_utc"] = _iso(call.datetime_utc)
        with self.transaction() as conn:
            conn.execute(llm_calls.insert().values(**row))

    def llm_calls(self, draft_id: str | None = None) -> list[LLMCall]:
        query = sa.select(llm_calls).order_by(llm_calls.c.datetime_utc)
        if draft_id is not None:
            query = query.where(llm_calls.c.draft_id == draft_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        out = []
        for r in rows:
            data = dict(r)
            data["options"] = json.loads(data.pop("options_json"))
            out.append(LLMCall.model_validate(data))
        return out

    # --- guard pseudonyms (kept with the draft, never sent) ---------------------------------------

    def guard_mapping(self, draft_id: str) -> tuple[dict[str, str], dict[str, str]]:
        """(placeholder → original, placeholder → entity type) for a draft."""
        query = sa.select(guard_pseudonyms).where(guard_pseudonyms.c.draft_id == draft_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return {r["placeholder"]: r["original"] for r in rows}, {r["placeholder"]: r["entity_type"] for r in rows}

    def add_guard_pseudonyms(self, draft_id: str, items: list[tuple[str, str, str]]) -> None:
        """Store new (placeholder, entity type, original) entries for a draft."""
        if not items:
            return
        now = _iso(utcnow())
        with self.transaction() as conn:
            conn.execute(
                guard_pseudonyms.insert(),
                [{"draft_id": draft_id, "placeholder": p, "entity_type": t, "original": o, "created_at": now}
                 for p, t, o in items],
            )

    # --- findings of the checks -----------------------------------------------------------------

    def findings(self, draft_id: str) -> list[Finding]:
        with self.engine.connect() as conn:
            return self._findings(conn, draft_id)

    def _findings(self, conn: Connection, draft_id: str) -> list[Finding]:
        rows = conn.execute(sa.select(findings_table).where(findings_table.c.draft_id == draft_id)).mappings()
        return [_finding_from_row(r) for r in rows]

    def update_findings(self, draft_id: str, merge: Callable[[list[Finding]], list[Finding]]) -> list[Finding]:
        """Replace a draft's findings by `merge(stored findings)`, in one transaction holding the draft row."""
        with self.transaction() as conn:
            self._lock_draft(conn, draft_id)
            merged = merge(self._findings(conn, draft_id))
            conn.execute(findings_table.delete().where(findings_table.c.draft_id == draft_id))
            if merged:
                conn.execute(findings_table.insert(), [_finding_row(f) for f in merged])
        return merged

    def waive_finding(self, draft_id: str, finding_id: str, *, reason: str, user: str) -> Finding:
        """Record a waiver and its audit event together; refuse a finding that is not open."""
        with self.transaction() as conn:
            self._lock_draft(conn, draft_id)
            found = [f for f in self._findings(conn, draft_id) if f.id == finding_id]
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
            conn.execute(
                findings_table.update()
                .where(findings_table.c.draft_id == draft_id, findings_table.c.id == finding_id)
                .values(**_finding_row(waived))
            )
            self._append_audit(conn, user, "finding_waived", draft_id, {
                "finding": finding_id, "rule": finding.rule_id, "section": finding.section_id,
                "severity": finding.severity.value, "excerpt": finding.excerpt, "reason": reason,
                "content_sha256": finding.content_sha256,
            })
        return waived

    def _lock_draft(self, conn: Connection, draft_id: str) -> None:
        row = conn.execute(sa.select(drafts.c.id).where(drafts.c.id == draft_id).with_for_update()).first()
        if row is None:
            raise NotFoundError(f"Draft {draft_id} does not exist.")

    # --- audit log ------------------------------------------------------------------------------

    def append_audit(self, actor: str, action: str, draft_id: str | None, details: dict[str, Any]) -> AuditEvent:
        with self.transaction() as conn:
            return self._append_audit(conn, actor, action, draft_id, details)

    def _append_audit(
        self, conn: Connection, actor: str, action: str, draft_id: str | None, details: dict[str, Any]
    ) -> AuditEvent:
        if self.dialect == "postgresql":
            # Serialise appends across connections and instances so the chain never forks.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_KEY})
        last = conn.execute(
            sa.select(audit_events.c.seq, audit_events.c.hash).order_by(audit_events.c.seq.desc()).limit(1)
        ).first()
        seq = (last.seq + 1) if last else 1
        prev_hash = last.hash if last else GENESIS_HASH
        at = utcnow()
        details = json.loads(json.dumps(details, default=str))
        digest = AuditEvent.compute_hash(seq, at, actor, action, draft_id, details, prev_hash)
        conn.execute(
            audit_events.insert().values(
                seq=seq,
                at=_iso(at),
                actor=actor,
                action=action,
                draft_id=draft_id,
                details_json=json.dumps(details, ensure_ascii=False, sort_keys=True),
                prev_hash=prev_hash,
                hash=digest,
            )
        )
        return AuditEvent(
            seq=seq, at=at, actor=actor, action=action, draft_id=draft_id, details=details,
            prev_hash=prev_hash, hash=digest,
        )

    def audit_events(self, draft_id: str | None = None) -> list[AuditEvent]:
        query = sa.select(audit_events).order_by(audit_events.c.seq)
        if draft_id is not None:
            query = query.where(audit_events.c.draft_id == draft_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            AuditEvent(
                seq=r["seq"],
                at=_dt(r["at"]),
                actor=r["actor"],
                action=r["action"],
                draft_id=r["draft_id"],
                details=json.loads(r["details_json"]),
                prev_hash=r["prev_hash"],
                hash=r["hash"],
            )
            for r in rows
        ]

    def verify_draft_events(self, draft_id: str) -> str | None:
        """Check one draft's audit events and their links to their neighbours; the first problem, or None.

        Cheaper than walking the whole chain, and enough to trust the draft's own history at export time.
        """
        events = self.audit_events(draft_id)
        seqs = {e.seq for e in events} | {e.seq - 1 for e in events} | {e.seq + 1 for e in events}
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(audit_events.c.seq, audit_events.c.prev_hash, audit_events.c.hash).where(
                    audit_events.c.seq.in_(seqs)
                )
            ).all()
        by_seq = {r.seq: r for r in rows}
        for e in events:
            recomputed = AuditEvent.compute_hash(e.seq, e.at, e.actor, e.action, e.draft_id, e.details, e.prev_hash)
            if recomputed != e.hash:
                return f"audit event {e.seq} ({e.action}) of draft {draft_id} was altered"
            before = by_seq.get(e.seq - 1)
            if (before.hash if before else GENESIS_HASH) != e.prev_hash:
                return f"audit event {e.seq} of draft {draft_id} does not link to the event before it"
            after = by_seq.get(e.seq + 1)
            if after is not None and after.prev_hash != e.hash:
                return f"audit event {e.seq + 1} does not link to event {e.seq} of draft {draft_id}"
        return None

    def verify_audit_chain(self) -> tuple[int, str | None]:
        """Walk the chain; return (events checked, description of the first bad event or None)."""
        expected_prev = GENESIS_HASH
        count = 0
        for count, event in enumerate(self.audit_events(), start=1):
            if event.seq != count:
                return count, f"event {count} is missing (found seq {event.seq} in its place)"
            if event.prev_hash != expected_prev:
                return count, f"event {event.seq} does not link to the event before it"
            recomputed = AuditEvent.compute_hash(
                event.seq, event.at, event.actor, event.action, event.draft_id, event.details, event.prev_hash
            )
            if recomputed != event.hash:
                return count, f"event {event.seq} ({event.action}) was altered"
            expected_prev = event.hash
        return count, None


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event issue BEGIN
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # IMMEDIATE takes the write lock at the start, so read-then-append of the audit chain
            # cannot interleave between processes.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=30)


def _sections_json(sections: list[Section]) -> str:
    return json.dumps([s.model_dump(mode="json") for s in sections], ensure_ascii=False)


def _draft_row(d: Draft) -> dict[str, Any]:
    return {
        "id": d.id,
        "template_id": d.template_id,
        "style_guide_id": d.style_guide_id,
        "language": d.language,
        "title": d.title,
        "status": d.status.value,
        "author": d.author,
        "backend": d.backend,
        "version": d.version,
        "sections_json": _sections_json(d.sections),
        "request_json": d.request.model_dump_json(),
        "content_sha256": d.content_sha256,
        "created_at": _iso(d.created_at),
        "updated_at": _iso(d.updated_at),
        "updated_by": d.updated_by,
        "error": d.error,
    }


def _draft_from_row(r: Any) -> Draft:
    return Draft(
        id=r["id"],
        template_id=r["template_id"],
        style_guide_id=r["style_guide_id"],
        language=r["language"],
        title=r["title"],
        status=r["status"],
        author=r["author"],
        backend=r["backend"],
        version=r["version"],
        sections=[Section.model_validate(s) for s in json.loads(r["sections_json"])],
        request=DraftRequest.model_validate_json(r["request_json"]),
        created_at=_dt(r["created_at"]),
        updated_at=_dt(r["updated_at"]),
        updated_by=r["updated_by"],
        error=r["error"],
    )


def _finding_row(f: Finding) -> dict[str, Any]:
    row = f.model_dump(mode="json", exclude={"start", "end"})
    row["span_start"], row["span_end"] = f.start, f.end
    return row


def _finding_from_row(r: Any) -> Finding:
    data = dict(r)
    data["start"], data["end"] = data.pop("span_start"), data.pop("span_end")
    return Finding.model_validate(data)


def _review_row(r: Review) -> dict[str, Any]:
    return {
        "draft_id": r.draft_id,
        "reviewer": r.reviewer,
        "decision": r.decision,
        "comment": r.comment,
        "checklist_json": r.checklist.model_dump_json(),
        "content_sha256": r.content_sha256,
        "version": r.version,
        "created_at": _iso(r.created_at),
    }


def _review_from_row(r: Any) -> Review:
    return Review(
        id=r["id"],
        draft_id=r["draft_id"],
        reviewer=r["reviewer"],
        decision=r["decision"],
        comment=r["comment"],
        checklist=Checklist.model_validate_json(r["checklist_json"]),
        content_sha256=r["content_sha256"],
        version=r["version"],
        created_at=_dt(r["created_at"]),
    )
