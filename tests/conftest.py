"""Shared fixtures: settings pointed at a temporary data folder, SQLite and a real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from drafter.models import Checklist, DraftRequest
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.fake_openai import FakeOpenAI

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FULL_CHECKLIST = Checklist(facts_checked=True, no_sensitive_data=True, label_accurate=True)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own data folder, .env or configured backend."""
    for key in list(os.environ):
        if key.startswith("DRAFTER_") and key != "DRAFTER_TEST_POSTGRES_URL":
            monkeypatch.delenv(key)
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT",
                "OPENAI_API_VERSION", "AZURE_OPENAI_DEPLOYMENT", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID",
                "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")  # the CLI speaks the locale's language; tests start in English
    monkeypatch.setenv("DRAFTER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A PostgreSQL server: DRAFTER_TEST_POSTGRES_URL (set by .ci/run), else a throwaway cluster."""
    url = os.environ.get("DRAFTER_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is required in CI but its binaries are not installed")
        pytest.skip("PostgreSQL is not installed; install the postgresql package or set DRAFTER_TEST_POSTGRES_URL")
    out = subprocess.run(
        ["bash", "-c", "source .ci/start-postgres.sh >/dev/null && echo $DRAFTER_TEST_POSTGRES_URL $PG_DIR $PG_BIN"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    url, pg_dir, pg_bin = out
    try:
        yield url
    finally:
        run = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*run, f"{pg_bin}/pg_ctl", "-D", f"{pg_dir}/data", "-m", "immediate", "stop"],
                       capture_output=True, check=False)
        shutil.rmtree(pg_dir, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = f"drafter_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(
        postgres_admin_url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    base = postgres_admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """Run a test on the embedded SQLite default and on a real PostgreSQL."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def service(settings: Settings) -> Iterator[DrafterService]:
    svc = DrafterService.from_settings(settings)
    yield svc
    svc.store.engine.dispose()


@pytest.fixture
def sqlite_service(sqlite_settings: Settings) -> Iterator[DrafterService]:
    svc = DrafterService.from_settings(sqlite_settings)
    yield svc
    svc.store.engine.dispose()


def briefing_request(**overrides: object) -> DraftRequest:
    import yaml

    from drafter.sources import read_source

    inputs = {
        k: "\n".join(v) if isinstance(v, list) else str(v)
        for k, v in yaml.safe_load((EXAMPLES / "briefing-inputs.yaml").read_text()).items()
    }
    source = read_source(EXAMPLES / "barrier-report.txt", 5_000_000)
    data: dict[str, object] = {"template_id": "briefing", "inputs": inputs, "sources": [source]}
    data.update(overrides)
    return DraftRequest.model_validate(data)


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A scripted OpenAI-compatible server on 127.0.0.1 (see tests/fake_openai.py)."""
    with FakeOpenAI() as server:
        yield server
