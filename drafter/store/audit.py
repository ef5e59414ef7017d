"""The hash-chained, append-only audit log: appending, reading and walking the chain."""

from __future__ import annotations

import json
import weakref
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import drafter.store.engine as engine
from drafter.i18n import lazy
from drafter.models import AuditEvent, utcnow
from drafter.store.rows import Row, from_iso, iso
from drafter.store.tables import audit_events

GENESIS_HASH = "0" * 64
AUDIT_LOCK_KEY = 73_010_001  # PostgreSQL advisory lock serialising audit-chain appends
_LOCK = sa.text("SELECT pg_advisory_xact_lock(:k)")
_HEAD = sa.select(audit_events.c.seq, audit_events.c.hash).order_by(audit_events.c.seq.desc()).limit(1)
_INSERT = audit_events.insert()
_ACTORS = sa.select(audit_events.c.actor).distinct().where(
    audit_events.c.draft_id == sa.bindparam("b_draft_id"),
    audit_events.c.action.in_(sa.bindparam("b_actions", expanding=True)),
)
_FROM = sa.select(audit_events).where(audit_events.c.seq >= sa.bindparam("b_first")).order_by(audit_events.c.seq)
_MAX_SEQ = sa.select(sa.func.max(audit_events.c.seq))
_HASH_AT = sa.select(audit_events.c.hash).where(audit_events.c.seq == sa.bindparam("b_seq"))
# PostgreSQL: lock, head and inserts in one call (migration 0007_pg5)
_APPEND = sa.text("SELECT out_seq, out_prev, out_hash FROM drafter_audit_append(:k, CAST(:items AS json))")


# in conn.info: (weak reference to the transaction, seq, hash) of the last event that transaction appended
_HEAD_KEY = "drafter_audit_head"


def _head(conn: Connection) -> tuple[int, str]:
    """(seq, hash) of the chain's head, the chain locked against other appends until the transaction ends.

    The first append of a transaction takes the lock (PostgreSQL: an advisory lock serialising appends across
    connections and instances, so the chain never forks; SQLite: the write lock BEGIN IMMEDIATE already took)
    and reads the head. Later appends of the same transaction know the head already: it is the event they
    appended last, and nobody else can have appended since. The remembered head is tied to the transaction
    object, so a later transaction on the same pooled connection reads the head again.
    """
    transaction = conn.get_transaction()
    remembered = conn.info.get(_HEAD_KEY)
    if transaction is not None and remembered is not None and remembered[0]() is transaction:
        return remembered[1], remembered[2]
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK, {"k": AUDIT_LOCK_KEY})
    last = conn.execute(_HEAD).first()
    return (last.seq, last.hash) if last else (0, GENESIS_HASH)


def append(conn: Connection, actor: str, action: str, draft_id: str | None, details: dict[str, Any]) -> AuditEvent:
    """Append one event inside the caller's transaction, linked to the current head."""
    return append_many(conn, [(actor, action, draft_id, details)])[0]


def append_many(conn: Connection, items: list[tuple[str, str, str | None, dict[str, Any]]]) -> list[AuditEvent]:
    """Append events (actor, action, draft id, details) in order inside the caller's transaction, in one statement.

    Each links to the one before it, the first to the current head: the same chain one `append` per event
    would write, with one round trip instead of one per event. On PostgreSQL the lock, the head and the inserts
    are one call of `drafter_audit_append` (migration 0007), so the chain is locked for one round trip less.
    """
    if not items:
        return []
    prepared = _prepare(items)
    if conn.dialect.name == "postgresql":
        return _append_in_database(conn, prepared)
    head_seq, prev_hash = _head(conn)
    rows: list[dict[str, Any]] = []
    out: list[AuditEvent] = []
    for at, actor, action, draft_id, details in prepared:
        seq = head_seq + len(out) + 1
        digest = AuditEvent.compute_hash(seq, at, actor, action, draft_id, details, prev_hash)
        rows.append({
            "seq": seq,
            "at": iso(at),
            "actor": actor,
            "action": action,
            "draft_id": draft_id,
            "details_json": _details_json(details),
            "prev_hash": prev_hash,
            "hash": digest,
        })
        out.append(AuditEvent(
            seq=seq, at=at, actor=actor, action=action, draft_id=draft_id, details=details,
            prev_hash=prev_hash, hash=digest,
        ))
        prev_hash = digest
    conn.execute(_INSERT, rows if len(rows) > 1 else rows[0])
    if (transaction := conn.get_transaction()) is not None:
        conn.info[_HEAD_KEY] = (weakref.ref(transaction), out[-1].seq, out[-1].hash)
    return out


def _details_json(details: dict[str, Any]) -> str:
    return json.dumps(details, ensure_ascii=False, sort_keys=True)


def hash_middle(at: datetime, actor: str, action: str, draft_id: str | None, details: dict[str, Any]) -> str:
    """What `AuditEvent.compute_hash` hashes between the seq and the previous hash, serialised the same way:
    its JSON list is "[" seq "," middle "," "previous hash" "]"."""
    return json.dumps([at.isoformat(), actor, action, draft_id, details], ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"), default=str)[1:-1]


def _items_json(prepared: list[tuple[datetime, str, str, str | None, dict[str, Any]]]) -> str:
    # one JSON argument: serialised by the C encoder and parsed by the server (arrays of text would be escaped
    # element by element in Python)
    return json.dumps([[iso(at), actor, action, draft_id, _details_json(details),
                        hash_middle(at, actor, action, draft_id, details)]
                       for at, actor, action, draft_id, details in prepared], ensure_ascii=False)


Prepared = tuple[datetime, str, str, str | None, dict[str, Any]]


def _prepare(items: list[tuple[str, str, str | None, dict[str, Any]]]) -> list[Prepared]:
    return [(utcnow(), actor, action, draft_id, json.loads(json.dumps(details, default=str)))
            for actor, action, draft_id, details in items]


_APPEND_SQL = "SELECT out_seq, out_prev, out_hash FROM drafter_audit_append(%(k)s, CAST(%(items)s AS json))"


def prepare(items: list[tuple[str, str, str | None, dict[str, Any]]]) -> list[Prepared]:
    """Events (actor, action, draft id, details) stamped with their time and their details as stored JSON."""
    return _prepare(items)


def commit_with_appends(conn: Connection, prepared: list[Prepared]) -> None:
    """PostgreSQL: append these events as the transaction's last statement and COMMIT, in one round trip.

    The append takes the chain's lock, which is held until the COMMIT: sent together (psycopg's pipeline mode),
    the lock is held for the server's work only, not for a round trip and this process's wait for its GIL in
    between. If the append or the COMMIT fails, SQLAlchemy's error is raised and the caller rolls back (the
    server holds the transaction failed until then); a connection that died is invalidated, never reused.
    """
    engine.commit_with(conn, _APPEND_SQL, {"k": AUDIT_LOCK_KEY, "items": _items_json(prepared)})


def items_json(prepared: list[Prepared]) -> str:
    """The events as `drafter_audit_append` takes them (one JSON argument)."""
    return _items_json(prepared)


def _append_in_database(conn: Connection, prepared: list[tuple[datetime, str, str, str | None, dict[str, Any]]]
                        ) -> list[AuditEvent]:
    items = _items_json(prepared)
    linked = conn.execute(_APPEND, {"k": AUDIT_LOCK_KEY, "items": items}).all()
    return [
        AuditEvent(seq=row.out_seq, at=at, actor=actor, action=action, draft_id=draft_id, details=details,
                   prev_hash=row.out_prev, hash=row.out_hash)
        for row, (at, actor, action, draft_id, details) in zip(linked, prepared, strict=True)
    ]


def _event_from_row(r: Row) -> AuditEvent:
    return AuditEvent(
        seq=r["seq"],
        at=from_iso(r["at"]),
        actor=r["actor"],
        action=r["action"],
        draft_id=r["draft_id"],
        details=json.loads(r["details_json"]),
        prev_hash=r["prev_hash"],
        hash=r["hash"],
    )


def events(conn: Connection, draft_id: str | None = None) -> list[AuditEvent]:
    query = sa.select(audit_events).order_by(audit_events.c.seq)
    if draft_id is not None:
        query = query.where(audit_events.c.draft_id == draft_id)
    return [_event_from_row(r) for r in conn.execute(query).mappings()]


def actors(conn: Connection, draft_id: str, actions: frozenset[str] | set[str]) -> set[str]:
    """Who recorded any of these actions on the draft (names only; the events' details are not read)."""
    return set(conn.execute(_ACTORS, {"b_draft_id": draft_id, "b_actions": sorted(actions)}).scalars())


def verify_draft_events(conn: Connection, draft_id: str) -> str | None:
    """Check one draft's events and their links to their neighbours; the first problem, or None."""
    own = events(conn, draft_id)
    seqs = {e.seq for e in own} | {e.seq - 1 for e in own} | {e.seq + 1 for e in own}
    rows = conn.execute(
        sa.select(audit_events.c.seq, audit_events.c.prev_hash, audit_events.c.hash).where(
            audit_events.c.seq.in_(seqs)
        )
    ).all()
    by_seq = {r.seq: r for r in rows}
    for e in own:
        recomputed = AuditEvent.compute_hash(e.seq, e.at, e.actor, e.action, e.draft_id, e.details, e.prev_hash)
        if recomputed != e.hash:
            return lazy("audit event {seq} ({action}) of draft {draft_id} was altered", seq=e.seq, action=e.action, draft_id=draft_id)
        before = by_seq.get(e.seq - 1)
        if (before.hash if before else GENESIS_HASH) != e.prev_hash:
            return lazy("audit event {seq} of draft {draft_id} does not link to the event before it", seq=e.seq, draft_id=draft_id)
        after = by_seq.get(e.seq + 1)
        if after is not None and after.prev_hash != e.hash:
            return lazy("audit event {next_seq} does not link to event {seq} of draft {draft_id}", next_seq=e.seq + 1, seq=e.seq, draft_id=draft_id)
    return None


def events_from(conn: Connection, first_seq: int) -> list[AuditEvent]:
    """The events from `first_seq` on, in order."""
    return [_event_from_row(r) for r in conn.execute(_FROM, {"b_first": first_seq}).mappings()]


def head_and_hash_at(conn: Connection, seq: int) -> tuple[int, str | None]:
    """(the highest seq, the hash of event `seq` or None if there is none)."""
    head = conn.execute(_MAX_SEQ).scalar()
    at = conn.execute(_HASH_AT, {"b_seq": seq}).scalar()
    return int(head or 0), at


def verify_segment(segment: list[AuditEvent], expected_prev: str, *, first_seq: int) -> str | None:
    """Walk consecutive events starting at `first_seq`, the first linking to `expected_prev`; the first problem."""
    for offset, event in enumerate(segment):
        seq = first_seq + offset
        if event.seq != seq:
            return lazy("event {seq} is missing (found seq {seq2} in its place)", seq=seq, seq2=event.seq)
        if event.prev_hash != expected_prev:
            return lazy("event {seq} does not link to the event before it", seq=event.seq)
        recomputed = AuditEvent.compute_hash(
            event.seq, event.at, event.actor, event.action, event.draft_id, event.details, event.prev_hash
        )
        if recomputed != event.hash:
            return lazy("event {seq} ({action}) was altered", seq=event.seq, action=event.action)
        expected_prev = event.hash
    return None


def verify_chain(chain: list[AuditEvent]) -> tuple[int, str | None]:
    """Walk the whole chain in order; (events checked, description of the first bad event or None)."""
    problem = verify_segment(chain, GENESIS_HASH, first_seq=1)
    if problem is None:
        return len(chain), None
    bad = int(problem.split()[1])  # "event N ..."
    return bad, problem
