"""PostgreSQL: a write's audit events go with its COMMIT, in one round trip (psycopg's pipeline mode).

The append takes the audit chain's lock, held until the COMMIT; sent together, the lock is no longer held across a
round trip and the app's wait for its GIL. A first attempt at this was reverted: after a refused append the
connection went back to the pool inside a failed transaction. These tests refuse the append (the chain's lock
held elsewhere past the lock timeout), kill the connection between the write and its COMMIT, and then expect the
write gone whole, the pooled connection clean, the next write to work and the chain intact.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from drafter.catalog import Catalog
from drafter.models import DraftStatus
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.store import DatabaseBusyError, Store
from drafter.store.audit import AUDIT_LOCK_KEY
from tests.conftest import briefing_request


@pytest.fixture
def one_connection(postgres_url: str, tmp_path: Path) -> Iterator[DrafterService]:
    """A service whose pool holds a single connection: whatever a failure leaves on it, the next write meets."""
    settings = Settings(data_dir=tmp_path / "data", database_url=postgres_url)
    url = settings.sqlalchemy_url()
    Store.open(url).close()  # migrated
    store = Store(sa.create_engine(url, pool_size=1, max_overflow=0))
    service = DrafterService(settings, store, Catalog.load(settings.templates_dir, settings.style_guides_dir))
    yield service
    store.engine.dispose()


@pytest.fixture
def admin(postgres_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _connection_state(service: DrafterService) -> tuple[Any, Any]:
    with service.store.engine.connect() as conn:
        info = conn.connection.dbapi_connection.info  # type: ignore[union-attr]
        return info.transaction_status, info.pipeline_status


def test_the_append_is_sent_with_the_commit_and_watchers_see_it(one_connection: DrafterService) -> None:
    service = one_connection
    draft = service.create_draft(briefing_request(), "alice")
    sent: list[str] = []
    listener = lambda _c, _cur, statement, *_a: sent.append(statement)  # noqa: E731
    sa.event.listen(service.store.engine, "before_cursor_execute", listener)
    try:
        service.submit(draft.id, "alice")  # a status save: the row, the event and the COMMIT in one statement
    finally:
        sa.event.remove(service.store.engine, "before_cursor_execute", listener)
    assert len(sent) == 2 and "drafter_audit_append(" in sent[-1] and "UPDATE drafts" in sent[-1]  # after the read
    events = service.audit_trail(draft.id)
    assert events[-1].action == "submitted" and service.verify_audit()[1] is None


def test_a_refused_append_undoes_the_write_and_leaves_the_connection_clean(
    one_connection: DrafterService, admin: sa.Engine, postgres_url: str
) -> None:
    import psycopg

    service = one_connection
    draft = service.create_draft(briefing_request(), "alice")
    events = len(service.audit_trail())
    with service.store.engine.begin() as conn:
        conn.execute(sa.text("SET lock_timeout = '300ms'"))  # for the session: the pool's one connection
    with admin.connect() as holder:
        holder.execute(sa.text(f"SELECT pg_advisory_lock({AUDIT_LOCK_KEY})"))  # a stuck writer holds the chain
        try:
            with pytest.raises(DatabaseBusyError, match="The database is busy"):
                service.submit(draft.id, "alice")
        finally:
            holder.execute(sa.text(f"SELECT pg_advisory_unlock({AUDIT_LOCK_KEY})"))
    assert _connection_state(service) == (psycopg.pq.TransactionStatus.IDLE, psycopg.pq.PipelineStatus.OFF)
    after = service.get_draft(draft.id)
    assert (after.status, after.version) == (DraftStatus.draft, draft.version)  # the status change went too
    assert len(service.audit_trail()) == events
    submitted = service.submit(draft.id, "alice")  # the same connection, the next write
    assert submitted.status == DraftStatus.in_review and submitted.version == draft.version + 1
    assert len(service.audit_trail()) == events + 1 and service.verify_audit()[1] is None


def test_a_connection_killed_before_the_commit_loses_the_write_whole(
    one_connection: DrafterService, admin: sa.Engine
) -> None:
    service = one_connection
    draft = service.create_draft(briefing_request(), "alice")
    events = len(service.audit_trail())
    store = service.store
    with pytest.raises(sa.exc.OperationalError), store.transaction() as conn:
        store._save_step(conn, store_step(draft))
        pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        # leaving the block sends the held append with the COMMIT, on a dead connection
    after = service.get_draft(draft.id)  # a new connection replaces the dead one
    assert after.version == draft.version and len(service.audit_trail()) == events
    assert service.submit(draft.id, "alice").status == DraftStatus.in_review
    assert service.verify_audit()[1] is None


def store_step(draft: Any) -> Any:
    from drafter.store import SaveStep

    return SaveStep(draft.model_copy(update={"title": "Written, never committed"}), draft.version, "alice",
                    "edited", {"n": 1})


def test_events_held_by_an_outer_write_keep_their_order(one_connection: DrafterService) -> None:
    service = one_connection
    draft = service.create_draft(briefing_request(), "alice")
    store = service.store
    with store.transaction() as conn:
        store._append_last(conn, [("alice", "note", draft.id, {"n": 1})])
        store._append_last(conn, [("alice", "note", draft.id, {"n": 2}), ("alice", "note", draft.id, {"n": 3})])
    notes = [e.details["n"] for e in service.audit_trail(draft.id) if e.action == "note"]
    assert notes == [1, 2, 3] and service.verify_audit()[1] is None


def test_a_refused_status_save_writes_nothing_and_leaves_no_lock(
    one_connection: DrafterService, admin: sa.Engine
) -> None:
    """A status save is one statement sent with its COMMIT: when the row has moved on, the review and the event
    must not be written either, and the chain's lock (taken by the append, given nothing to append) must end with
    the transaction."""
    import psycopg

    from drafter.errors import ConflictError
    from drafter.models import Review, utcnow
    from tests.conftest import FULL_CHECKLIST

    service = one_connection
    draft = service.submit(service.create_draft(briefing_request(), "alice").id, "alice")
    stale = service.get_draft(draft.id)
    service.edit_section(draft.id, "summary", "Changed after it was read for approval.", "alice")
    events, reviews = len(service.audit_trail()), len(service.store.reviews_for(draft.id))
    review = Review(draft_id=draft.id, reviewer="bob", decision="approved", comment="", checklist=FULL_CHECKLIST,
                    content_sha256=stale.content_sha256, version=stale.version + 1, created_at=utcnow())
    with pytest.raises(ConflictError, match="was changed by alice"):
        service.store.save_status(stale, DraftStatus.approved, actor="bob", action="approved", details={},
                                  review=review)
    assert _connection_state(service) == (psycopg.pq.TransactionStatus.IDLE, psycopg.pq.PipelineStatus.OFF)
    assert len(service.audit_trail()) == events and len(service.store.reviews_for(draft.id)) == reviews
    with admin.connect() as conn:
        held = conn.execute(sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")).scalar()
    assert held == 0
    assert service.get_draft(draft.id).status == DraftStatus.draft and service.verify_audit()[1] is None
