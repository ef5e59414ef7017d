"""Engines for SQLite and PostgreSQL, connecting with retries, and URLs safe to print."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from drafter.errors import DrafterError


def safe_url(url: str) -> str:
    """The database URL with its password hidden, for messages and status pages."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def make_engine(url: str) -> Engine:
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


def connect(url: str, *, retries: int, retry_wait_s: float) -> Engine:
    """An engine that has reached the database, retrying a few times; a clear error otherwise."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    last: Exception | None = None
    for attempt in range(retries):
        try:
            with engine.connect():
                return engine
        except sa.exc.OperationalError as exc:
            last = exc
            if attempt + 1 < retries:
                time.sleep(retry_wait_s * (attempt + 1))
    raise DrafterError(
        f"Cannot reach the database at {safe_url(url)} after {retries} attempts "
        f"({str(last).splitlines()[0] if last else 'unknown error'}). "
        "Check DRAFTER_DATABASE_URL and that the server is running."
    )
