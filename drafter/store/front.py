"""`Store`: the one door to the database. Each method is one transaction over the modules beside it.

Every write that changes a draft also appends its audit event in the same transaction, so a change and
its audit record land together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from threading import local
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, RootTransaction

import drafter.store.anchors as anchors
import drafter.store.audit as audit
import drafter.store.calls as calls
import drafter.store.drafts as drafts
import drafter.store.engine as engine
import drafter.store.findings as findings
import drafter.store.preferences as preferences
import drafter.store.reports as reports
import drafter.store.rows as rows
import drafter.store.schema as schema
from drafter.errors import ConflictError, NotFoundError, VerificationError
from drafter.i18n import lazy
from drafter.models import AuditEvent, Draft, DraftStatus, Finding, FindingStatus, LLMCall, Review, utcnow
from drafter.signing import Ed25519PrivateKey, Ed25519PublicKey, key_id
from drafter.store.anchors import Checkpoint

T = TypeVar("T")


@dataclass(frozen=True)
class AuditCheck:
    """What `audit verify` found: events walked, the first problem (or None), the checkpoint compared with."""

    count: int
    problem: str | None
    checkpoint: Checkpoint | None


def _read_options(dialect: str) -> dict[str, Any]:
    if dialect == "postgresql":
        return {engine.READ: True, "isolation_level": "AUTOCOMMIT"}
    return {engine.READ: True}


class Store:
    """The one door to the database."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect.name
        self._group = local()  # this thread's open `reading()` group: its connection, or nothing
        self._held = local()  # this thread's open write transaction: (its connection, events held for its COMMIT)
        # A read outside a group. PostgreSQL: in autocommit, so no BEGIN and no ROLLBACK round trips; each statement
        # sees what was committed when it started, as in the READ COMMITTED transaction it would otherwise open
        # (reads that must agree with each other go in `reading()`). SQLite: a deferred transaction.
        self._read_options: dict[str, Any] = _read_options(self.dialect)
        self._anchoring: anchors.Coalesced[Checkpoint] = anchors.Coalesced()  # checkpoints after approvals, exports

    @classmethod
    def open(
        cls, url: str, *, retries: int = 3, retry_wait_s: float = 1.0, busy_timeout_s: float = engine.BUSY_TIMEOUT_S
    ) -> Store:
        """Connect, retrying a few times, and bring the schema up to date."""
        store = cls(engine.connect(url, retries=retries, retry_wait_s=retry_wait_s, busy_timeout_s=busy_timeout_s))
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

    def audit_table_problem(self) -> str | None:
        """On PostgreSQL, why this connection's role could alter the audit log (None when it may only append)."""
        return self._read(schema.audit_table_problem)

    # --- transactions ---------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction. On SQLite it takes the write lock first (retried while the database is busy)."""
        if getattr(self._group, "conn", None) is not None:
            # reads later in the group would not see this write (they keep the group's snapshot)
            raise RuntimeError("Store.transaction() inside Store.reading(): close the reading group first")
        conn, tx = engine.with_retries(lazy("write to it"), self._begin)
        held: list[audit.Prepared] = []  # events appended last, sent with the COMMIT (PostgreSQL; `_append_last`)
        outer = getattr(self._held, "at_commit", None)
        self._held.at_commit = (conn, held)
        try:
            with conn:
                try:
                    yield conn
                    if held:
                        audit.commit_with_appends(conn, held)
                except BaseException:
                    tx.rollback()
                    raise
                finally:
                    self._held.at_commit = outer
                tx.commit()  # after commit_with_appends, only SQLAlchemy's bookkeeping: the server has committed
        except sa.exc.OperationalError as exc:
            if engine.is_busy(exc):
                raise engine.busy_error(lazy("write to it"), 1) from None
            raise

    def _begin(self) -> tuple[Connection, RootTransaction]:
        conn = self.engine.connect()
        try:
            return conn, conn.begin()  # SQLite: BEGIN IMMEDIATE, which fails at once if the lock cannot be had
        except BaseException:
            conn.close()
            raise

    def _read(self, read: Callable[[Connection], T]) -> T:
        """Run `read` outside any write lock (SQLite: a deferred transaction), retried while the database is busy.

        Inside `reading()` it runs on the group's connection, in the group's snapshot.
        """
        group = getattr(self._group, "conn", None)
        if group is not None:
            return read(group)
        options = self._read_options

        def attempt() -> T:
            try:
                with self.engine.connect().execution_options(**options) as conn:
                    return read(conn)
            except sa.exc.DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
            # the connection died under the read (the server restarted or closed it): the pool has been told,
            # and a read is safe to repeat, once, on a fresh connection
            with self.engine.connect().execution_options(**options) as conn:
                return read(conn)
        return engine.with_retries(lazy("read it"), attempt)

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Group the reads made inside (by this thread) on one connection and one snapshot of the database.

        One pool checkout instead of one per read, and every read sees the same committed state: on PostgreSQL
        a read-only REPEATABLE READ transaction, on SQLite a deferred transaction (in WAL mode its snapshot is
        taken at the first read and kept). A write inside the group is refused (RuntimeError): reads after it
        would not see it. Groups nest (an inner group joins the outer one).
        """
        if getattr(self._group, "conn", None) is not None:
            yield
            return
        options: dict[str, Any] = {engine.READ: True}
        if self.dialect == "postgresql":
            options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}

        def begin() -> tuple[Connection, RootTransaction]:
            conn = self.engine.connect().execution_options(**options)
            try:
                return conn, conn.begin()
            except BaseException:
                conn.close()
                raise

        conn, tx = engine.with_retries(lazy("read it"), begin)
        self._group.conn = conn
        try:
            with conn:
                try:
                    yield
                finally:
                    self._group.conn = None
                    tx.rollback()  # nothing was written: ending the snapshot is all there is to do
        except sa.exc.OperationalError as exc:
            if engine.is_busy(exc):
                raise engine.busy_error(lazy("read it"), 1) from None
            raise

    # --- user preferences -------------------------------------------------------------------------

    def user_language(self, user: str) -> str | None:
        """The interface language `user` chose, or None when they never chose one."""
        return self._read(lambda conn: preferences.language(conn, user))

    def set_user_language(self, user: str, language: str | None) -> None:
        with self.transaction() as conn:
            preferences.set_language(conn, user, language)

    # --- drafts ---------------------------------------------------------------------------------

    def create_draft(self, draft: Draft, *, actor: str, details: dict[str, Any]) -> Draft:
        with self.transaction() as conn:
            if self.dialect == "postgresql":  # in one statement, with BEGIN and COMMIT: one round trip
                drafts.create_committed(conn, draft, actor=actor, lock_key=audit.AUDIT_LOCK_KEY,
                                        items=self._audit_json([(actor, "created", draft.id, details)]))
                return draft
            drafts.insert(conn, draft)
            drafts.insert_version(conn, draft, actor=actor, reason="created")
            self._append_audit(conn, actor, "created", draft.id, details, last=True)
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
        with self.transaction() as conn:
            if self.dialect == "postgresql":
                # the row, its stored version, the review and the event in one statement, with BEGIN and COMMIT
                new = draft.model_copy(update={"version": expected_version + 1, "updated_at": utcnow(),
                                               "updated_by": actor})
                drafts.save_committed(
                    conn, new, expected_version=expected_version, review=review,
                    version=drafts.version_row(new, actor=actor, reason=action) if content_changed else None,
                    items=self._audit_json([(actor, action, draft.id, details)]),
                    lock_key=audit.AUDIT_LOCK_KEY,
                )
                return new
            return self._save_step(conn, drafts.SaveStep(draft, expected_version, actor, action, details,
                                                         content_changed, review))

    def save_status(
        self,
        draft: Draft,
        status: DraftStatus,
        *,
        actor: str,
        action: str,
        details: dict[str, Any],
        review: Review | None = None,
    ) -> Draft:
        """Move `draft` (as read, at its version) to `status`, if nobody changed it since (optimistic locking).

        Only the status columns are written: the row is changed only where it still has `draft.version`, so its
        sections, request and content hash are the ones `draft` holds. Returns the draft as now stored.
        """
        new = draft.model_copy(update={"status": status, "version": draft.version + 1, "updated_at": utcnow(),
                                       "updated_by": actor})
        with self.transaction() as conn:
            if self.dialect == "postgresql":
                # the row, the review and the event in one statement, with BEGIN and COMMIT: one round trip
                drafts.status_save_committed(conn, new, expected_version=draft.version, review=review,
                                             items=self._audit_json([(actor, action, draft.id, details)]),
                                             lock_key=audit.AUDIT_LOCK_KEY)
                return new
            drafts.update_status(conn, new, expected_version=draft.version)
            if review is not None:
                drafts.insert_review(conn, review)
            self._append_audit(conn, actor, action, draft.id, details, last=True)
        return new

    def save_draft_steps(
        self, steps: list[drafts.SaveStep], calls_made: list[LLMCall] | None = None,
        merge_findings: Callable[[list[Finding]], list[Finding]] | None = None,
    ) -> Draft:
        """Several saves of one draft in one transaction (one commit), each as `save_draft` would write it.

        Every step keeps its own version, stored version and audit event; only the commit is shared. The first
        step's `expected_version` is checked (optimistic locking); each later step follows the one before it.
        `calls_made` (call-log rows held back by the caller) are recorded in the same transaction, and so are the
        draft's findings when `merge_findings` is given (as `update_findings` stores them, under the row's lock
        that the save holds).

        The draft row is written once, with the last step's content, and the audit events are appended last:
        on PostgreSQL the append takes the chain's lock, which is then held only for the appends and the commit.
        """
        if not steps:
            raise ValueError("save_draft_steps needs at least one step")
        # the steps of a generation share their Section objects (each adds one): each section's JSON once
        if self.dialect == "postgresql" and not any(step.review is not None for step in steps):
            return self._save_steps_pipelined(steps, calls_made, merge_findings)
        with rows.sections_unchanged(), self.transaction() as conn:
            if calls_made:
                calls.record_many(conn, calls_made)
            expected = steps[0].expected_version
            new, version_rows = _stepped(steps)
            for step in steps:
                if step.review is not None:
                    drafts.insert_review(conn, step.review)
            drafts.update(conn, new, expected_version=expected)  # first: a stale save is refused as a conflict
            drafts.insert_versions(conn, version_rows)  # the sections' versions in one statement
            if merge_findings is not None:
                findings.insert(conn, merge_findings(findings.take(conn, new.id)))
            self._append_last(conn, [(step.actor, step.action, step.draft.id, step.details) for step in steps])
        return new

    def _save_steps_pipelined(
        self, steps: list[drafts.SaveStep], calls_made: list[LLMCall] | None,
        merge_findings: Callable[[list[Finding]], list[Finding]] | None,
    ) -> Draft:
        """PostgreSQL `save_draft_steps` (no reviews among the steps) in two or three round trips: the row written
        with the BEGIN (its lock then held, as `update_findings` takes it), the findings taken if they are merged,
        and everything else written with the audit events and the COMMIT. The same rows as the statements write."""
        with rows.sections_unchanged(), self.transaction() as conn:
            expected = steps[0].expected_version
            new, version_rows = _stepped(steps)
            drafts.update_first(conn, new, expected_version=expected)
            merged = merge_findings(findings.take(conn, new.id)) if merge_findings is not None else []
            drafts.steps_rest_committed(
                conn, calls=[rows.llm_call_row(c) for c in calls_made or []], versions=version_rows,
                findings=[rows.finding_row(f) for f in merged],
                items=self._audit_json([(step.actor, step.action, step.draft.id, step.details)
                                        for step in steps]),
                lock_key=audit.AUDIT_LOCK_KEY,
            )
        return new

    def _save_step(self, conn: Connection, step: drafts.SaveStep) -> Draft:
        new = step.draft.model_copy(
            update={"version": step.expected_version + 1, "updated_at": utcnow(), "updated_by": step.actor}
        )
        drafts.update(conn, new, expected_version=step.expected_version)
        if step.content_changed:
            drafts.insert_version(conn, new, actor=step.actor, reason=step.action)
        if step.review is not None:
            drafts.insert_review(conn, step.review)
        self._append_audit(conn, step.actor, step.action, step.draft.id, step.details, last=True)
        return new

    def get_draft(self, draft_id: str) -> Draft:
        return self._read(lambda conn: drafts.get(conn, draft_id))

    def list_drafts(self, *, author: str | None = None, status: str | None = None) -> list[Draft]:
        return self._read(lambda conn: drafts.list_(conn, author=author, status=status))

    def versions(self, draft_id: str) -> list[dict[str, Any]]:
        return self._read(lambda conn: drafts.versions(conn, draft_id))

    def version_people(self, draft_id: str) -> set[str]:
        """Everyone the draft's stored versions name: who saved each, and each section's author and editor."""
        return self._read(lambda conn: drafts.version_people(conn, draft_id))

    def contributor_names(self, draft_id: str, actions: frozenset[str] | set[str]) -> set[str]:
        """`version_people(draft_id) | audit_actors(draft_id, actions)`: in one statement on PostgreSQL."""
        def read(conn: Connection) -> set[str]:
            found = drafts.contributor_names(conn, draft_id, actions)
            if found is None:
                found = drafts.version_people(conn, draft_id) | audit.actors(conn, draft_id, actions)
            return found
        return self._read(read)

    def for_approval(self, draft_id: str, actions: frozenset[str] | set[str]) -> tuple[Draft, list[Finding], set[str]]:
        """What approval decides on, all from one snapshot: the draft, its stored findings, and
        `contributor_names(draft_id, actions)`. One statement on PostgreSQL (no transaction to begin and end);
        a reading group of three on SQLite."""
        if self.dialect == "postgresql":
            found = self._read(lambda conn: drafts.for_approval(conn, draft_id, actions))
            assert found is not None  # (PostgreSQL's answer)
            return found
        with self.reading():
            return self.get_draft(draft_id), self.findings(draft_id), self.contributor_names(draft_id, actions)

    # --- reviews --------------------------------------------------------------------------------

    def reviews_for(self, draft_id: str) -> list[Review]:
        return self._read(lambda conn: drafts.reviews_for(conn, draft_id))

    def latest_approval(self, draft_id: str) -> Review | None:
        approvals = [r for r in self.reviews_for(draft_id) if r.decision == "approved"]
        return approvals[-1] if approvals else None

    # --- LLM calls ------------------------------------------------------------------------------

    def record_llm_call(self, call: LLMCall) -> None:
        self.record_llm_calls([call])

    def record_llm_calls(self, made: list[LLMCall]) -> None:
        """Record call-log rows in one transaction."""
        if not made:
            return
        with self.transaction() as conn:
            calls.record_many(conn, made)

    def llm_calls(self, draft_id: str | None = None) -> list[LLMCall]:
        return self._read(lambda conn: calls.list_(conn, draft_id))

    # --- guard pseudonyms (kept with the draft, never sent) ---------------------------------------

    def guard_mapping(self, draft_id: str) -> tuple[dict[str, str], dict[str, str]]:
        """(placeholder → original, placeholder → entity type) for a draft."""
        return self._read(lambda conn: calls.guard_mapping(conn, draft_id))

    def add_guard_pseudonyms(self, draft_id: str, items: list[tuple[str, str, str]]) -> None:
        """Store new (placeholder, entity type, original) entries for a draft."""
        if not items:
            return
        with self.transaction() as conn:
            calls.add_pseudonyms(conn, draft_id, items)

    # --- findings of the checks -----------------------------------------------------------------

    def findings(self, draft_id: str) -> list[Finding]:
        return self._read(lambda conn: findings.for_draft(conn, draft_id))

    def update_findings(self, draft_id: str, merge: Callable[[list[Finding]], list[Finding]]) -> list[Finding]:
        """Replace a draft's findings by `merge(stored findings)`, in one transaction holding the draft row."""
        with self.transaction() as conn:
            drafts.lock_first(conn, draft_id)  # two merges of one draft's findings run one after the other
            merged = merge(findings.take(conn, draft_id))
            findings.insert_committed(conn, merged)  # (PostgreSQL: with the COMMIT)
        return merged

    def waive_finding(self, draft_id: str, finding_id: str, *, reason: str, user: str) -> Finding:
        """Record a waiver and its audit event together; refuse a finding that is not open."""
        with self.transaction() as conn:
            drafts.lock(conn, draft_id)
            found = [f for f in findings.for_draft(conn, draft_id) if f.id == finding_id]
            if not found:
                raise NotFoundError(
                    "Draft {draft_id} has no finding {finding_id!r}; list them with `drafter findings "
                    "{draft_id}`.",
                    draft_id=draft_id, finding_id=finding_id,
                )
            finding = found[0]
            if finding.status == FindingStatus.waived:
                raise ConflictError(
                    "Finding {finding_id} was already waived by {user}: {reason}",
                    finding_id=finding_id, user=finding.waived_by, reason=finding.waiver_reason,
                )
            if finding.status == FindingStatus.resolved:
                raise ConflictError(
                    "Finding {finding_id} no longer applies to the current text; nothing to waive.",
                    finding_id=finding_id,
                )
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
            return cast(AuditEvent, self._append_audit(conn, actor, action, draft_id, details))

    def _append_audit(
        self, conn: Connection, actor: str, action: str, draft_id: str | None, details: dict[str, Any],
        *, last: bool = False,
    ) -> AuditEvent | None:
        """Every single append from a Store method goes through here (a seam; tests cut the connection at it),
        except the one-statement writes on PostgreSQL, whose events `_audit_json` prepares.

        `last`: nothing is written after it in the transaction, so it may go with the COMMIT (see `_append_last`);
        the event is then not returned.
        """
        if last:
            self._append_last(conn, [(actor, action, draft_id, details)])
            return None
        return self._append_audits(conn, [(actor, action, draft_id, details)])[0]

    def _audit_json(self, items: list[tuple[str, str, str | None, dict[str, Any]]]) -> str:
        """Events (actor, action, draft id, details) stamped and serialised for a one-statement write on PostgreSQL,
        which appends them itself (a seam, like `_append_audit`)."""
        return audit.items_json(audit.prepare(items))

    def _append_audits(
        self, conn: Connection, items: list[tuple[str, str, str | None, dict[str, Any]]]
    ) -> list[AuditEvent]:
        # Every append whose events are wanted goes through here, several events of one transaction in one statement.
        return audit.append_many(conn, items)

    def _append_last(self, conn: Connection, items: list[tuple[str, str, str | None, dict[str, Any]]]) -> None:
        """Append as the transaction's last statement (the caller writes nothing after it). On PostgreSQL the events
        are sent with the COMMIT, so the chain's lock is held for one round trip less (audit.commit_with_appends)."""
        at_commit = getattr(self._held, "at_commit", None)
        if self.dialect != "postgresql" or at_commit is None or at_commit[0] is not conn:
            audit.append_many(conn, items)  # SQLite already holds the write lock from BEGIN IMMEDIATE
            return
        at_commit[1].extend(audit.prepare(items))

    def audit_events(self, draft_id: str | None = None) -> list[AuditEvent]:
        return self._read(lambda conn: audit.events(conn, draft_id))

    def audit_actors(self, draft_id: str, actions: frozenset[str] | set[str]) -> set[str]:
        """Who recorded any of `actions` on the draft, from its audit events."""
        return self._read(lambda conn: audit.actors(conn, draft_id, actions))

    def verify_draft_events(self, draft_id: str) -> str | None:
        """Check one draft's audit events and their links to their neighbours; the first problem, or None.

        Cheaper than walking the whole chain, and enough to trust the draft's own history at export time.
        """
        return self._read(lambda conn: audit.verify_draft_events(conn, draft_id))

    def verify_audit_chain(self) -> tuple[int, str | None]:
        """Walk the chain; return (events checked, description of the first bad event or None)."""
        return audit.verify_chain(self.audit_events())

    # --- checkpoints of the audit chain, outside the database --------------------------------------------

    @property
    def database(self) -> str:
        """This database's URL with the password hidden: the identity checkpoints are filed under."""
        return self.engine.url.render_as_string(hide_password=True)

    def verify_audit(self, anchors_dir: Path, public: Ed25519PublicKey | None) -> AuditCheck:
        """Walk the whole chain, compare it with the latest signed checkpoint and check every signed record."""
        return self._verify_audit(anchors.folder_for(anchors_dir, self.database), public)

    def _verify_audit(self, folder: Path, public: Ed25519PublicKey | None) -> AuditCheck:
        chain = self.audit_events()
        count, problem = audit.verify_chain(chain)
        cp, cp_problem = anchors.latest(folder, public)
        problem = problem or cp_problem
        if problem is None and cp is not None:
            problem = anchors.against_checkpoint(cp, len(chain), chain[cp.count - 1].hash if len(chain) >= cp.count
                                                 else None)
        if problem is None:
            problem = anchors.signed_events_problem(chain, public, cp.count if cp else 0)
        return AuditCheck(count, problem, cp)

    def checkpoint_problem(self, anchors_dir: Path, public: Ed25519PublicKey | None) -> tuple[int, str | None]:
        """Cheap check of the chain against its latest checkpoint: (events it vouches for, problem or None)."""
        cp, problem = anchors.latest(anchors.folder_for(anchors_dir, self.database), public)
        if problem or cp is None:
            return 0, problem
        count, hash_at = self._read(lambda conn: audit.head_and_hash_at(conn, cp.count))
        return cp.count, anchors.against_checkpoint(cp, count, hash_at)

    def anchor(self, anchors_dir: Path, key: Ed25519PrivateKey, *, full: bool = True) -> Checkpoint:
        """Write a signed checkpoint of the head, after checking the chain (VerificationError if it is broken).

        `full` walks the whole chain; otherwise only the events after the previous checkpoint are walked, from
        its hash (cheap enough to run after every approval and export). Without `full`, threads of this process
        asking at once share one checkpoint written after they all asked (anchors.Coalesced).
        """
        folder = anchors.folder_for(anchors_dir, self.database)
        if not full:
            return self._anchoring.run((folder, key_id(key)), lambda: self._anchor(folder, key, full=False))
        return self._anchor(folder, key, full=True)

    def _anchor(self, folder: Path, key: Ed25519PrivateKey, *, full: bool) -> Checkpoint:
        public = key.public_key()
        if full:
            report = self._verify_audit(folder, public)
            if report.problem:
                raise VerificationError(
                    "The audit chain is broken, so it was not anchored: {problem}.",
                    problem=report.problem,
                )
            head = self.audit_events()[-1:]
        else:
            cp, problem = anchors.latest(folder, public)
            after = cp.count if cp else 0
            tail = self._read(lambda conn: audit.events_from(conn, max(after, 1)))
            if problem is None and cp is not None:
                problem = anchors.against_checkpoint(cp, tail[-1].seq if tail else 0,
                                                     tail[0].hash if tail and tail[0].seq == cp.count else None)
            if problem is None:
                start = tail[0].prev_hash if cp is not None and tail else audit.GENESIS_HASH
                problem = audit.verify_segment(tail, start, first_seq=max(after, 1))
            if problem is None:
                problem = anchors.signed_events_problem(tail, public, after)
            if problem:
                raise VerificationError(
                    "The audit chain is broken, so it was not anchored: {problem}.",
                    problem=problem,
                )
            head = tail[-1:]
        count, head_hash = (head[0].seq, head[0].hash) if head else (0, audit.GENESIS_HASH)
        return anchors.write(folder, key, count=count, head_hash=head_hash, database=self.database)

    # --- reports --------------------------------------------------------------------------------

    def exported_drafts(self) -> list[reports.ExportedDraft]:
        """Every exported draft with its approval, export and waiver events (for the AI-use register)."""
        return self._read(lambda conn: reports.exported_drafts(conn))

    def usage_rows(self, actions: Iterable[str]) -> reports.UsageRows:
        """Audit events with these actions and summary rows of drafts, findings and calls (for statistics)."""
        return self._read(lambda conn: reports.usage_rows(conn, actions))

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


def _stepped(steps: list[drafts.SaveStep]) -> tuple[Draft, list[dict[str, Any]]]:
    """The draft as the last of `steps` leaves it (each step one version after the one before), and the stored
    version of each step that changed the content."""
    expected = steps[0].expected_version
    new = steps[0].draft
    version_rows = []
    for i, step in enumerate(steps):
        new = step.draft.model_copy(update={"version": expected + i + 1, "updated_at": utcnow(), "updated_by": step.actor})
        if step.content_changed:
            version_rows.append(drafts.version_row(new, actor=step.actor, reason=step.action))
    return new, version_rows
