"""Operations: doctor, retention, and the database being unavailable at start."""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from pathlib import Path

import pytest

from drafter.cli import main
from drafter.errors import DrafterError, InputError
from drafter.models import utcnow
from drafter.ops import doctor, parse_age, purge
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.store import Store
from tests.conftest import briefing_request


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_database_gives_a_clear_message_after_retries() -> None:
    url = f"postgresql+psycopg://drafter:secret@127.0.0.1:{_closed_port()}/drafter"
    with pytest.raises(DrafterError) as err:
        Store.open(url, retries=2, retry_wait_s=0)
    message = str(err.value)
    assert "Cannot reach the database" in message and "after 2 attempts" in message
    assert "secret" not in message  # the password is never printed


def test_doctor_reports_a_healthy_embedded_setup(sqlite_settings: Settings) -> None:
    checks = {c.name: c for c in doctor(sqlite_settings)}
    assert all(c.ok for c in checks.values()), checks
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from drafter.store import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert checks["migrations"].detail == f"schema at revision {head}"


def test_doctor_names_what_to_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTER_DATABASE_URL", f"postgresql://u@127.0.0.1:{_closed_port()}/x")
    assert main(["doctor", "--json"]) == 1
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)}
    assert not checks["database"]["ok"] and "DRAFTER_DATABASE_URL" in checks["database"]["fix"]


def test_purge_dry_run_then_real_keeps_the_audit_log(service: DrafterService) -> None:
    draft = service.create_draft(briefing_request(), "alice")
    events_before = len(service.audit_trail())
    later = utcnow() + timedelta(days=31)
    dry = purge(service.store, older_than=timedelta(days=30), now=later, dry_run=True, actor="admin")
    assert (dry.sources_cleared, dry.calls_deleted) == (1, 5)
    assert service.get_draft(draft.id).request.sources[0].text  # nothing deleted by a dry run
    real = purge(service.store, older_than=timedelta(days=30), now=later, dry_run=False, actor="admin")
    assert (real.sources_cleared, real.calls_deleted) == (1, 5)
    kept = service.get_draft(draft.id)
    assert kept.request.sources[0].text == "" and kept.request.sources[0].purged_chars == len(draft.request.sources[0].text)
    assert kept.sections  # the draft itself stays
    assert service.llm_calls() == []
    trail = service.audit_trail()
    assert len(trail) == events_before + 1 and trail[-1].action == "purged"
    assert service.verify_audit()[1] is None
    recent = purge(service.store, older_than=timedelta(days=30), now=utcnow(), dry_run=False, actor="admin")
    assert (recent.sources_cleared, recent.calls_deleted) == (0, 0)


def test_parse_age() -> None:
    assert parse_age("30d") == timedelta(days=30)
    assert parse_age("8w") == timedelta(weeks=8)
    with pytest.raises(InputError, match="30d"):
        parse_age("a month")
