"""The store is the one door: nobody else imports SQLAlchemy or reaches into the store's private helpers."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DRAFTER = ROOT / "drafter"
IMPORTS_SQLALCHEMY = re.compile(r"^\s*(import|from)\s+sqlalchemy\b", re.M)


def _modules_outside(*allowed: str) -> list[Path]:
    return [p for p in DRAFTER.rglob("*.py") if p.relative_to(DRAFTER).parts[0] not in allowed]


def test_only_the_store_and_migrations_import_sqlalchemy() -> None:
    offenders = [p for p in _modules_outside("store", "migrations")
                 if IMPORTS_SQLALCHEMY.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_no_one_calls_private_store_helpers() -> None:
    offenders = [p for p in _modules_outside("store")
                 if re.search(r"store\._[a-z]", p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_safe_url_hides_the_password() -> None:
    from drafter.store import safe_url

    shown = safe_url("postgresql+psycopg://drafter:s3cret@db.example:5432/drafter")
    assert "s3cret" not in shown and shown.startswith("postgresql+psycopg://drafter:***@db.example:5432/")
    assert safe_url("sqlite:////tmp/drafter.db") == "sqlite:////tmp/drafter.db"
