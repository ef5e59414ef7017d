"""Dead pooled connections on PostgreSQL: found at checkout without a round trip per checkout, or retried.

The engine no longer pings every connection it hands out (`pool_pre_ping`): it looks at the socket, which a
closed connection has something on (the server's goodbye, or the end of the stream), and pings only then or
after a long idle. These tests kill the server side of pooled connections and expect nothing to fail.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.store import engine as store_engine
from tests.conftest import FULL_CHECKLIST, briefing_request


@pytest.fixture
def pg_service(postgres_url: str, tmp_path: Path) -> Iterator[DrafterService]:
    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "data", database_url=postgres_url))
    yield svc
    svc.store.engine.dispose()


@pytest.fixture
def admin(postgres_admin_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(postgres_admin_url.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _kill_all(admin: sa.Engine, database: str) -> int:
    """Terminate every server process connected to `database` (as a restart or an administrator would)."""
    query = sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db AND pid <> "
                    "pg_backend_pid()")
    count_query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = :db")
    with admin.connect() as conn:
        killed = len(conn.execute(query, {"db": database}).all())
        for _ in range(100):  # wait until they are gone: the goodbye has been sent
            if conn.execute(count_query, {"db": database}).scalar() == 0:
                break
            time.sleep(0.05)
    return killed


def _pings(service: DrafterService, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = service.store.engine.dialect.do_ping

    def counted(dbapi_conn: Any) -> bool:
        calls.append(1)
        return real(dbapi_conn)

    monkeypatch.setattr(service.store.engine.dialect, "do_ping", counted)
    return calls


def test_killed_pooled_connections_are_replaced_before_use(pg_service: DrafterService, admin: sa.Engine) -> None:
    draft = pg_service.create_draft(briefing_request(), "alice")
    pool = pg_service.store.engine.pool
    assert pool.checkedin() >= 1
    database = pg_service.store.engine.url.database or ""
    assert _kill_all(admin, database) >= 1
    # a write transaction first: the store cannot repeat one, so the dead connection must never be handed out
    event = pg_service.store.append_audit("alice", "note", draft.id, {"after": "kill"})
    assert _kill_all(admin, database) >= 1
    with pg_service.store.reading():  # a read group is not repeated either
        assert pg_service.store.get_draft(draft.id).id == draft.id
        assert pg_service.store.audit_events(draft.id)[-1].seq == event.seq
    _kill_all(admin, database)
    edited = pg_service.edit_section(draft.id, "summary", "Edited after the server dropped us.", "alice")
    assert pg_service.get_draft(draft.id).version == edited.version
    pg_service.submit(draft.id, "alice")
    assert pg_service.approve(draft.id, "bob", FULL_CHECKLIST).status.value == "approved"
    assert pg_service.verify_audit()[1] is None


def test_a_busy_connection_is_not_pinged_and_an_idle_one_is(pg_service: DrafterService, admin: sa.Engine,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    draft = pg_service.create_draft(briefing_request(), "alice")
    pings = _pings(pg_service, monkeypatch)
    for n in range(5):
        pg_service.get_draft(draft.id)
        pg_service.edit_section(draft.id, "summary", f"Pass {'abcde'[n]}.", "alice")
    assert pings == []  # live connections used moments ago: no round trip before each use
    monkeypatch.setattr(store_engine, "IDLE_PING_S", -1.0)  # every connection now counts as long idle
    pg_service.get_draft(draft.id)
    assert pings == [1]


def test_a_connection_dead_without_a_goodbye_is_pinged_after_a_long_idle(
    pg_service: DrafterService, admin: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A network that drops idle connections leaves nothing to read: the idle time alone triggers the ping."""
    draft = pg_service.create_draft(briefing_request(), "alice")
    pings = _pings(pg_service, monkeypatch)
    monkeypatch.setattr(store_engine, "_quiet", lambda _conn: True)  # the socket shows nothing wrong
    monkeypatch.setattr(store_engine, "IDLE_PING_S", -1.0)
    _kill_all(admin, pg_service.store.engine.url.database or "")
    assert pg_service.get_draft(draft.id).id == draft.id
    pg_service.edit_section(draft.id, "summary", "Edited after a silent drop.", "alice")
    assert len(pings) >= 2  # the dead one failed its ping and was replaced; the fresh one passed


def test_a_read_whose_connection_dies_under_it_is_read_again(pg_service: DrafterService, admin: sa.Engine) -> None:
    draft = pg_service.create_draft(briefing_request(), "alice")
    attempts: list[int] = []

    def read(conn: sa.Connection) -> int:
        attempts.append(1)
        if len(attempts) == 1:  # the server ends this very connection after checkout, before the query
            pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
            with admin.connect() as other:
                other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            time.sleep(0.1)
        return int(conn.execute(sa.text("SELECT version FROM drafts WHERE id = :id"), {"id": draft.id}).scalar())

    assert pg_service.store._read(read) == pg_service.get_draft(draft.id).version
    assert len(attempts) == 2


def test_a_write_whose_connection_dies_under_it_changes_nothing(pg_service: DrafterService, admin: sa.Engine) -> None:
    """A write cannot be repeated blindly: it fails, whole, and the next one works."""
    draft = pg_service.create_draft(briefing_request(), "alice")
    events = len(pg_service.audit_trail())
    with pytest.raises(sa.exc.OperationalError), pg_service.store.transaction() as conn:
        pg_service.store._append_audit(conn, "alice", "note", draft.id, {"n": 1})
        pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        time.sleep(0.1)
        pg_service.store._append_audit(conn, "alice", "note", draft.id, {"n": 2})
    assert len(pg_service.audit_trail()) == events
    pg_service.edit_section(draft.id, "summary", "The next write works.", "alice")
    assert pg_service.verify_audit()[1] is None
