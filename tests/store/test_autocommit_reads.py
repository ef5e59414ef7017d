"""On PostgreSQL a read outside `reading()` runs in autocommit (no BEGIN and ROLLBACK round trips).

What could break: the pooled connection going back to a write transaction still in autocommit, so each of the
write's statements would commit on its own and a failed write would leave half of itself behind.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from drafter.store import Store
from drafter.store import engine as store_engine
from drafter.store.tables import drafts
from tests.conftest import briefing_request


@pytest.fixture
def one_connection_store(database_url: str | None, tmp_path) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    """A store whose pool holds one connection, so the read and the write below share it."""
    url = database_url or f"sqlite:///{tmp_path / 'one.db'}"
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = store_engine.make_engine(url)
    if engine.dialect.name == "postgresql":
        engine.dispose()
        engine = sa.create_engine(url, pool_size=1, max_overflow=0)
    store = Store(engine)
    store.migrate()
    yield store
    engine.dispose()


def _a_draft(store: Store) -> str:
    from drafter.models import Draft, DraftStatus, utcnow

    now = utcnow()
    draft = Draft(id="d1", template_id="briefing", style_guide_id="plain-en", language="en", title="T",
                  status=DraftStatus.draft, author="alice", backend="offline", version=1, sections=[],
                  request=briefing_request(), created_at=now, updated_at=now, updated_by="alice")
    store.create_draft(draft, actor="alice", details={})
    return draft.id


def test_a_failed_write_after_a_read_on_the_same_connection_leaves_nothing(one_connection_store: Store) -> None:
    store = one_connection_store
    draft_id = _a_draft(store)
    assert store.get_draft(draft_id).title == "T"  # a read outside a group (autocommit on PostgreSQL)
    with pytest.raises(RuntimeError, match="stop"), store.transaction() as conn:
        if store.dialect == "postgresql":
            assert conn.connection.dbapi_connection.autocommit is False  # type: ignore[union-attr]
        conn.execute(sa.update(drafts).where(drafts.c.id == draft_id).values(title="half written"))
        raise RuntimeError("stop")
    assert store.get_draft(draft_id).title == "T"
    events = store.audit_events(draft_id)
    store.append_audit("alice", "note", draft_id, {})
    assert len(store.audit_events(draft_id)) == len(events) + 1


def test_a_read_outside_a_group_opens_no_transaction_on_postgresql(one_connection_store: Store) -> None:
    import psycopg

    store = one_connection_store
    if store.dialect != "postgresql":
        pytest.skip("PostgreSQL only: SQLite reads in a deferred transaction, which takes no lock")
    draft_id = _a_draft(store)

    def read(conn: sa.Connection) -> object:
        title = conn.execute(sa.select(drafts.c.title).where(drafts.c.id == draft_id)).scalar()
        return title, conn.connection.dbapi_connection.info.transaction_status  # type: ignore[union-attr]

    # after the statement, still no transaction open on the server: no BEGIN went before it, no ROLLBACK after
    assert store._read(read) == ("T", psycopg.pq.TransactionStatus.IDLE)
    with store.reading():  # a group keeps its snapshot in a transaction
        assert store._read(read) == ("T", psycopg.pq.TransactionStatus.INTRANS)
