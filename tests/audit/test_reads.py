"""Reads never take write locks; a busy database is retried, then reported in one sentence.

Before: every read began with BEGIN IMMEDIATE, so `drafter show` failed while anyone wrote.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from drafter.cli import main
from drafter.service import DrafterService
from drafter.store import DatabaseBusyError, Store
from tests.conftest import briefing_request


@contextmanager
def _writer_holding_the_lock(db: Path) -> Iterator[None]:
    """Another process holds an open write transaction on the database."""
    code = (f"import sqlite3,sys,time; c=sqlite3.connect({str(db)!r}, isolation_level=None); "
            "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); sys.stdin.read()")
    with subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        try:
            assert proc.stdout.readline().strip() == "locked"
            yield
        finally:
            proc.stdin.close()  # the writer ends, releasing the lock
            proc.wait(timeout=10)


def test_show_works_while_another_process_writes(sqlite_service: DrafterService,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    draft = sqlite_service.create_draft(briefing_request(), "alice")
    db = sqlite_service.settings.data_dir / "drafter.db"
    sqlite_service.store.close()
    with _writer_holding_the_lock(db):
        started = time.monotonic()
        assert main(["show", draft.id]) == 0
        assert draft.title in capsys.readouterr().out
        assert main(["audit", "list", "--draft", draft.id]) == 0
        assert time.monotonic() - started < 5  # no waiting for the writer


def test_a_busy_database_is_reported_in_one_sentence(sqlite_service: DrafterService) -> None:
    draft = sqlite_service.create_draft(briefing_request(), "alice")
    db = sqlite_service.settings.data_dir / "drafter.db"
    store = Store.open(f"sqlite:///{db}", busy_timeout_s=0.05)
    with _writer_holding_the_lock(db):
        assert store.get_draft(draft.id).id == draft.id
        with pytest.raises(DatabaseBusyError) as err:
            store.append_audit("alice", "noted", draft.id, {})
    message = str(err.value)
    assert message.startswith("The database is busy") and "\n" not in message
    assert "sqlalche.me" not in message and "Traceback" not in message
    store.close()
    assert store.append_audit("alice", "noted", draft.id, {}).action == "noted"  # fine once the writer is done
