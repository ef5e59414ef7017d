"""Appends in one transaction lock the chain and read its head once; the chain stays one line regardless.

The first append of a transaction takes the chain's lock and reads the head; later appends of the same
transaction link to the event appended before them. These tests try to make that remembered head wrong: a
later transaction on the same pooled connection, another store (another instance) appending in between,
several threads appending several events per transaction at once.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa

from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.store import Store
from drafter.store import engine as store_engine
from tests.conftest import briefing_request


def test_a_later_transaction_on_the_same_connection_reads_the_head_again(service: DrafterService,
                                                                          settings: Settings) -> None:
    store = service.store
    store.engine.dispose()  # an empty pool: the next two transactions use the same pooled connection
    with store.transaction() as conn:
        store._append_audit(conn, "alice", "note", None, {"n": 1})
        store._append_audit(conn, "alice", "note", None, {"n": 2})
        first = conn.connection.dbapi_connection
    other = Store(store_engine.make_engine(settings.sqlalchemy_url()))  # another instance, its own pool
    try:
        between = other.append_audit("bob", "note", None, {"n": 3})
    finally:
        other.close()
    with store.transaction() as conn:
        assert conn.connection.dbapi_connection is first
        after = store._append_audit(conn, "alice", "note", None, {"n": 4})
    assert (after.seq, after.prev_hash) == (between.seq + 1, between.hash)
    assert service.verify_audit()[1] is None


def test_a_rolled_back_transaction_leaves_no_head_behind(service: DrafterService) -> None:
    store = service.store
    store.engine.dispose()
    try:
        with store.transaction() as conn:
            store._append_audit(conn, "alice", "note", None, {"n": 1})
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    event = store.append_audit("alice", "note", None, {"n": 2})
    assert service.verify_audit() == (event.seq, None)


def test_threads_appending_several_events_per_transaction_keep_one_chain(service: DrafterService,
                                                                         settings: Settings) -> None:
    stores = [service.store, Store(store_engine.make_engine(settings.sqlalchemy_url()))]
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        store = stores[i % 2]
        try:
            for n in range(6):
                for _ in range(3):  # SQLite may report the database busy under this load: the write is retried
                    try:
                        with store.transaction() as conn:
                            for k in range(3):
                                store._append_audit(conn, f"user-{i}", "note", None, {"n": n, "k": k})
                        break
                    except store_engine.DatabaseBusyError:
                        continue
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stores[1].close()
    assert not errors
    events = service.audit_trail()
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert service.verify_audit() == (len(events), None)
    # each transaction's three events are consecutive: nothing interleaved inside a locked transaction
    notes = [e for e in events if e.action == "note"]
    for a, b in zip(notes, notes[1:], strict=False):
        if a.details["k"] < 2:
            assert (b.actor, b.details["n"], b.details["k"]) == (a.actor, a.details["n"], a.details["k"] + 1)


def _verb_and_table(statement: str) -> str:
    """'INSERT draft_versions', 'UPDATE drafts', 'SELECT pg_advisory_xact_lock', 'SELECT audit_events'...; a
    statement with data-modifying parts (WITH ... AS (INSERT ...)) as the same words for each part, then its own."""
    words = statement.replace("(", " ").split()
    verb = words[0].upper()
    if verb == "WITH":
        parts = [f"{w.upper()} {words[i + 2] if w.upper() == 'INSERT' else words[i + 1]}"
                 for i, w in enumerate(words) if w.upper() in ("INSERT", "UPDATE", "DELETE")]
        final = "SELECT drafter_audit_append" if "drafter_audit_append" in statement else "SELECT"
        return " + ".join([*parts, final])
    if verb in ("INSERT", "DELETE"):
        return f"{verb} {words[2]}"
    if verb == "SELECT" and "pg_advisory_xact_lock" in statement:
        return "SELECT pg_advisory_xact_lock"
    if verb == "SELECT":
        return f"SELECT {words[words.index('FROM') + 1]}" if "FROM" in words else "SELECT"
    return f"{verb} {words[1]}"


def test_generation_locks_the_chain_once_after_its_other_writes(service: DrafterService) -> None:
    if service.store.dialect != "postgresql":
        return  # the advisory lock is PostgreSQL's; SQLite's write lock is taken at BEGIN IMMEDIATE
    transactions: list[list[str]] = [[]]

    def executed(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        transactions[-1].append(_verb_and_table(statement))

    def committed(conn: Any) -> None:
        transactions.append([])

    sa.event.listen(service.store.engine, "before_cursor_execute", executed)
    sa.event.listen(service.store.engine, "commit", committed)
    try:
        draft = service.create_draft(briefing_request(), "alice")
    finally:
        sa.event.remove(service.store.engine, "before_cursor_execute", executed)
        sa.event.remove(service.store.engine, "commit", committed)
    generation = next(t for t in transactions if any("INSERT llm_calls" in s for s in t))
    # the chain is locked, its head read and the six events (five sections, the end of generation) inserted in
    # one statement (drafter_audit_append), the transaction's last: with the call rows, the five sections'
    # versions and the findings (one statement, sent with the COMMIT); the draft's row written first
    appends = [s for s in generation if "drafter_audit_append" in s]
    assert len(appends) == 1 and generation[-1] == appends[0]
    assert appends[0] == ("INSERT llm_calls + INSERT draft_versions + INSERT findings + "
                          "SELECT drafter_audit_append")
    assert [e.action for e in service.audit_trail(draft.id)].count("generated") == 5
    assert generation[0] == "UPDATE drafts"
    assert [len(v["sections"]) for v in service.versions(draft.id)] == [0, 1, 2, 3, 4, 5]
    assert service.verify_audit()[1] is None
