"""Appends in one statement: on PostgreSQL the database links and hashes the events (drafter_audit_append).

Its hash must be exactly `AuditEvent.compute_hash`, or the chain it writes would not verify. These tests feed it
what JSON and UTF-8 make awkward, and check the result with the Python walk of the chain, on both databases.
"""

from __future__ import annotations

import json
import random

import pytest
import sqlalchemy as sa

from drafter.models import AuditEvent
from drafter.service import DrafterService
from drafter.store import audit

AWKWARD = [
    ("alice", "note", None, {}),
    ("bob", "note", "d1", {"text": "quote \" backslash \\ slash / tab \t newline \n"}),
    ("王小明", "备注", "草稿", {"内容": "《中华人民共和国国家通用语言文字法》第一条", "n": 1}),
    ("carol", "note", "d2", {"emoji": "\U0001F600 \U00020000 astral", "control": "\x01\x1f\x7f",
                             "ls": "\u2028\u2029", "bom": "\ufeff"}),
    ("dave", "note", "d3", {"z": 1, "a": [1.5, 1e-07, 10**20, True, False, None], "m": {"b": {}, "a": []}}),
    ("erin", "note", "d4", {"signed": {"payload": {"x": "y"}, "signature": "abc"}, "keys": {"B": 1, "a": 2, "_": 3}}),
    ("frank", "note", "d5", {"long": "x" * 5000, "nfkc": "ＳＥＣＲＥＴ ﬁ", "combining": "e\u0301"}),
]


def _stored_hashes_verify(service: DrafterService) -> None:
    events = service.audit_trail()
    for e in events:
        assert e.hash == AuditEvent.compute_hash(e.seq, e.at, e.actor, e.action, e.draft_id, e.details, e.prev_hash)
    assert service.verify_audit()[1] is None


def test_awkward_events_hash_as_python_hashes_them(service: DrafterService) -> None:
    store = service.store
    with store.transaction() as conn:
        written = store._append_audits(conn, AWKWARD)  # several in one statement
    for actor, action, draft_id, details in AWKWARD:  # and one at a time
        store.append_audit(actor, action, draft_id, details)
    assert [e.seq for e in written] == list(range(written[0].seq, written[0].seq + len(AWKWARD)))
    stored = {e.seq: e for e in service.audit_trail()}
    for e in written:  # what the append returned is what was stored
        assert (stored[e.seq].hash, stored[e.seq].prev_hash, stored[e.seq].details) == (e.hash, e.prev_hash, e.details)
    _stored_hashes_verify(service)


def test_random_details_hash_as_python_hashes_them(service: DrafterService) -> None:
    rng = random.Random(17)
    alphabet = "aZ09 \"\\/\n\t\u00e9\u4e2d\u6587\U0001F4A9\u200b\u0000"

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))

    def value(depth: int = 0) -> object:
        kind = rng.randint(0, 6 if depth < 2 else 3)
        if kind == 0:
            return text()
        if kind == 1:
            return rng.randint(-10**12, 10**12)
        if kind == 2:
            return rng.choice([0.1, -2.5, 3.0, 1e300, None, True, False])
        if kind == 3:
            return None
        if kind in (4, 5):
            return {text(): value(depth + 1) for _ in range(rng.randint(0, 4))}
        return [value(depth + 1) for _ in range(rng.randint(0, 4))]

    items = [(text() or "x", "note", rng.choice([None, text() or "d"]), {text(): value() for _ in range(3)})
             for _ in range(60)]
    items = [(a.replace("\x00", ""), b, d.replace("\x00", "") if d else d, json.loads(json.dumps(v)))
             for a, b, d, v in items]  # names are validated text elsewhere; details keep their \u0000 escaped
    store = service.store
    for start in range(0, len(items), 7):
        with store.transaction() as conn:
            store._append_audits(conn, items[start:start + 7])
    _stored_hashes_verify(service)


def test_the_middle_is_the_part_of_compute_hash_between_seq_and_previous_hash() -> None:
    from datetime import UTC, datetime

    at = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
    for actor, action, draft_id, details in AWKWARD:
        middle = audit.hash_middle(at, actor, action, draft_id, details)
        prev = "ab" * 32
        expected = AuditEvent.compute_hash(42, at, actor, action, draft_id, details, prev)
        from drafter.models import sha256_text

        assert sha256_text(f'[42,{middle},"{prev}"]') == expected


def test_the_database_function_takes_the_lock_before_it_reads_the_head(service: DrafterService) -> None:
    """Two transactions append at once: the second waits for the first's commit, then links to its event."""
    if service.store.dialect != "postgresql":
        pytest.skip("the function is PostgreSQL's; SQLite takes its write lock at BEGIN IMMEDIATE")
    import threading

    store = service.store
    first_in = threading.Event()
    release = threading.Event()
    out: dict[str, AuditEvent] = {}

    def first() -> None:
        with store.transaction() as conn:
            out["first"] = store._append_audit(conn, "alice", "note", None, {"n": 1})
            first_in.set()
            release.wait(10)

    t = threading.Thread(target=first)
    t.start()
    assert first_in.wait(10)

    def second() -> None:
        out["second"] = store.append_audit("bob", "note", None, {"n": 2})

    t2 = threading.Thread(target=second)
    t2.start()
    t2.join(0.5)
    assert t2.is_alive()  # waiting for the chain's lock, not reading a head that is about to change
    release.set()
    t.join(10)
    t2.join(10)
    assert out["second"].prev_hash == out["first"].hash and out["second"].seq == out["first"].seq + 1
    _stored_hashes_verify(service)


def test_the_function_is_the_callers_rights_only(service: DrafterService) -> None:
    if service.store.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    with service.store.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT prosecdef, provolatile FROM pg_proc WHERE proname = 'drafter_audit_append'"
                                   )).one()
    assert row.prosecdef is False and row.provolatile == "v"  # SECURITY INVOKER, VOLATILE (fresh snapshots)
