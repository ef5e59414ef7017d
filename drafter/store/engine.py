"""Engines for SQLite and PostgreSQL, connecting with retries, busy databases, and URLs safe to print.

Writes and reads are told apart by an execution option: a write transaction on SQLite starts with
`BEGIN IMMEDIATE` (it takes the write lock at once, so the read-then-append of the audit chain cannot interleave
between processes); a read starts with a plain deferred `BEGIN`, which in WAL mode never waits for a writer.
"""

from __future__ import annotations

import select
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from drafter.errors import DrafterError
from drafter.i18n import Lazy, lazy

READ = "drafter_read"  # execution option marking a read-only connection
BUSY_TIMEOUT_S = 10.0  # SQLite waits this long for a lock before reporting the database busy
BUSY_RETRIES = 3  # attempts to start a write transaction on a busy database
IDLE_PING_S = 10.0  # PostgreSQL: a pooled connection idle longer than this is pinged before it is used
_IDLE_SINCE = "drafter_idle_since"  # in a pooled connection's info: when it was last returned to the pool
T = TypeVar("T")


class DatabaseBusyError(DrafterError):
    """The database stayed locked by another writer through every retry."""

    exit_code = 1


def safe_url(url: str) -> str:
    """The database URL with its password hidden, for messages and status pages."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def is_busy(exc: BaseException) -> bool:
    """Whether `exc` says the database is locked by someone else (SQLite busy, PostgreSQL lock timeout)."""
    if not isinstance(exc, sa.exc.OperationalError):
        return False
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "database is busy" in text or "lock timeout" in text


def busy_error(what: str | Lazy, attempts: int) -> DatabaseBusyError:
    return DatabaseBusyError(
        "The database is busy: another process kept it locked while Drafter tried to {what} ({attempts} "
        "attempts); nothing was changed, try again in a moment.",
        what=what, attempts=attempts,
    )


def make_engine(url: str, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": busy_timeout_s})

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event issue BEGIN
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")  # once per database file; readers then never wait
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            if conn.get_execution_options().get(READ):
                conn.exec_driver_sql("BEGIN")  # deferred: takes no lock a writer would wait for
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = sa.create_engine(url, pool_size=10, max_overflow=30)
    _check_on_checkout(engine)
    return engine


def _check_on_checkout(engine: Engine) -> None:
    """Hand out only live connections, without a round trip for each checkout (what `pool_pre_ping` costs).

    A connection the server closed (a restart, `pg_terminate_backend`, an idle timeout) has something to read
    on its socket: the server's goodbye, or the end of the stream. An idle pooled connection has nothing to read.
    So each checkout looks at the socket without waiting (a system call, no round trip) and pings only when
    there is something there, or when the connection sat in the pool longer than IDLE_PING_S (a network
    that drops idle connections silently leaves nothing to read). A failed ping raises DisconnectionError,
    on which the pool throws the connection away and checks out another.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @sa.event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle = time.monotonic() - record.info.get(_IDLE_SINCE, 0.0)
        if idle <= IDLE_PING_S and _quiet(dbapi_conn):
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise sa.exc.DisconnectionError("connection lost while idle in the pool") from exc


def _quiet(dbapi_conn: Any) -> bool:
    """Whether an idle connection's socket is open with nothing waiting to be read (a closed one says EOF)."""
    if getattr(dbapi_conn, "closed", False):
        return False
    try:
        fd = dbapi_conn.fileno()
        if hasattr(select, "poll"):
            poll = select.poll()
            poll.register(fd, select.POLLIN)
            return not poll.poll(0)
        readable, _, _ = select.select([fd], [], [], 0)
    except (OSError, ValueError, AttributeError):
        return False
    return not readable


def with_retries(what: str | Lazy, attempt: Callable[[], T], *, retries: int = BUSY_RETRIES, wait_s: float = 0.2) -> T:
    """Run `attempt` (which must be safe to repeat), retrying while the database is busy; one sentence after."""
    for n in range(retries):
        try:
            return attempt()
        except sa.exc.OperationalError as exc:
            if not is_busy(exc):
                raise
            if n + 1 < retries:
                time.sleep(wait_s * (n + 1))
    raise busy_error(what, retries)


def connect(url: str, *, retries: int, retry_wait_s: float, busy_timeout_s: float = BUSY_TIMEOUT_S) -> Engine:
    """An engine that has reached the database, retrying a few times; a clear error otherwise."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url, busy_timeout_s=busy_timeout_s)
    last: Exception | None = None
    for attempt in range(retries):
        try:
            with engine.connect():
                return engine
        except sa.exc.OperationalError as exc:
            if is_busy(exc):
                raise busy_error(lazy("open it"), attempt + 1) from None
            last = exc
            if attempt + 1 < retries:
                time.sleep(retry_wait_s * (attempt + 1))
    raise DrafterError(
        "Cannot reach the database at {url} after {retries} attempts ({reason}). Check "
        "DRAFTER_DATABASE_URL and that the server is running.",
        url=safe_url(url), retries=retries, reason=str(last).splitlines()[0] if last else 'unknown error',
    )


def commit_with(conn: Connection, statement: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """PostgreSQL: run `statement` (psycopg's %(name)s parameters) as the transaction's last and COMMIT, sent in
    one round trip with anything still queued (the BEGIN of a transaction that has sent nothing yet); its rows.

    If the statement or the COMMIT fails, SQLAlchemy's error is raised and the caller rolls back (the server holds
    the transaction failed until then); a connection that died is invalidated, never reused.
    """
    return _pipelined(conn, statement, params, commit=True)


def begin_with(conn: Connection, statement: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """PostgreSQL: run `statement` as the first of a transaction that has sent nothing yet, its BEGIN in the same
    round trip; its rows. Errors as `commit_with`."""
    return _pipelined(conn, statement, params, commit=False)


def _pipelined(conn: Connection, statement: str, params: dict[str, Any], *, commit: bool) -> list[tuple[Any, ...]]:
    import psycopg  # PostgreSQL only

    dbapi = conn.connection.dbapi_connection
    try:
        with dbapi.pipeline():  # type: ignore[union-attr]
            cursor = dbapi.cursor()  # type: ignore[union-attr]
            for listen in conn.dispatch.before_cursor_execute:  # what counts or watches statements sees this one
                listen(conn, cursor, statement, params, None, False)
            cursor.execute(statement, params)
            if commit:
                dbapi.commit()  # type: ignore[union-attr]
        found = list(cursor.fetchall()) if cursor.description is not None else []
        cursor.close()
        return found
    except psycopg.Error as exc:
        closed = bool(dbapi.closed)  # type: ignore[union-attr]
        if closed:
            conn.invalidate(exc)
        raise sa.exc.DBAPIError.instance(statement, params, exc, psycopg.Error,
                                         connection_invalidated=closed) from exc
