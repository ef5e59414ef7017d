"""Every fault ends in one sentence and the documented exit code: no traceback, no library URL.

Before: a broken pipe printed "unexpected error: BrokenPipeError" and then Python's own "Exception ignored"
lines; a locked or full database printed SQLAlchemy's message with its SQL and an https://sqlalche.me URL.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from drafter.cli import main
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import ROOT, briefing_request


def _drafter(*args: str, env: dict[str, str] | None = None, **kw: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "drafter.cli", *args], cwd=ROOT, env=env or dict(os.environ),
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)  # type: ignore[call-overload]


def _one_sentence(err: str) -> None:
    assert err.startswith("drafter: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "http" not in err and "sqlalche" not in err.lower(), err


def test_broken_pipe(tmp_path: Path) -> None:
    """`drafter list | head -1` with the reader gone before anything is written."""
    service = DrafterService.from_settings(Settings())
    for _ in range(3):
        service.create_draft(briefing_request(), "alice")
    service.store.engine.dispose()
    proc = _drafter("list")
    assert proc.stdout is not None
    proc.stdout.close()  # the reader goes away, as `head -1` does after its line
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    _one_sentence(err)
    assert "broken pipe" in err


def test_broken_pipe_through_a_real_shell_pipe() -> None:
    service = DrafterService.from_settings(Settings())
    for _ in range(40):
        service.create_draft(briefing_request(), "alice")
    service.store.engine.dispose()
    out = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m drafter.cli list 2>err.txt | head -1; echo ${{PIPESTATUS[0]}}"],
        capture_output=True, text=True, cwd=os.getcwd(), env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True,
    ).stdout.splitlines()
    err = Path("err.txt").read_text()
    assert out[-1] in ("0", "1")  # 0 when everything fitted in the pipe before head left
    if out[-1] == "1":
        _one_sentence(err)
    else:
        assert err == ""


def test_locked_database(tmp_path: Path) -> None:
    """Another process holds an exclusive write transaction on the SQLite file."""
    service = DrafterService.from_settings(Settings())
    draft = service.create_draft(briefing_request(), "alice")
    db = service.settings.data_dir / "drafter.db"
    service.store.engine.dispose()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        proc = _drafter("submit", draft.id, "--user", "alice")
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 1, err
        _one_sentence(err)
        assert "database is busy" in err
        # a read takes no write lock, so it is not blocked by the writer (tests/audit/test_reads.py)
        proc = _drafter("show", draft.id)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert draft.id in out
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_database_disk_full_in_process(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*_: object, **__: object) -> None:
        raise sa.exc.OperationalError("INSERT INTO drafts ...", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(DrafterService, "submit", full)
    assert main(["submit", "abc", "--user", "alice"]) == 1
    err = capsys.readouterr().err
    _one_sentence(err)
    assert "disk holding the database is full" in err


def test_os_disk_full_in_process(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/data/drafter.db-journal")

    monkeypatch.setattr(DrafterService, "submit", full)
    assert main(["submit", "abc", "--user", "alice"]) == 1
    err = capsys.readouterr().err
    _one_sentence(err)
    assert "disk is full (/data/drafter.db-journal)" in err


@pytest.fixture
def tiny_disk(tmp_path: Path) -> object:
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("needs root to mount a tiny tmpfs")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_on_a_real_tiny_filesystem(tiny_disk: Path) -> None:
    """The data folder on a 1 MB tmpfs, filled up after the database is created: a draft cannot be saved."""
    env = {**os.environ, "DRAFTER_DATA_DIR": str(tiny_disk / "data")}
    created = subprocess.run([sys.executable, "-m", "drafter.cli", "list"], cwd=ROOT, env=env, capture_output=True)
    assert created.returncode == 0, created.stderr
    fd = os.open(tiny_disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    proc = _drafter("draft", "briefing", "--inputs", str(ROOT / "examples" / "briefing-inputs.yaml"),
                    "--user", "alice", env=env)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (1, 3), err
    _one_sentence(err)
    assert "full" in err
