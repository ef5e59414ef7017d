"""On PostgreSQL the application's role may only INSERT and SELECT on the audit table (real PostgreSQL).

Before: the application's role owned audit_events, so it could disable or drop the append-only trigger and
then rewrite the log.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from drafter.ops import doctor
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.store import AUDIT_OWNER, Store
from tests.audit.support import approved


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def test_the_application_role_cannot_alter_the_audit_log(
    postgres_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    role = f"app_{uuid.uuid4().hex[:8]}"
    database = postgres_url.rsplit("/", 1)[1]
    admin = sa.create_engine(_psycopg(postgres_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(sa.text(f'ALTER DATABASE "{database}" OWNER TO "{role}"'))
    app_url = postgres_url.replace("://drafter@", f"://{role}@", 1)
    settings = Settings(data_dir=tmp_path / "data", database_url=app_url)
    service = None
    try:
        # The application's own role runs the migrations and may not create roles: skipped, with a warning.
        with caplog.at_level(logging.WARNING, logger="drafter.store"):
            service = DrafterService.from_settings(settings)
        assert f"stays owned by the role {role}" in caplog.text
        checks = {c.name: c for c in doctor(settings)}
        assert not checks["audit table"].ok and "owns the audit table" in checks["audit table"].detail

        Store.open(_psycopg(postgres_url)).close()  # an administrator opens the store once: the table is handed over
        checks = {c.name: c for c in doctor(settings)}
        assert checks["audit table"].ok, checks["audit table"]
        with admin.connect() as conn:
            assert conn.execute(sa.text(
                "SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events'")).scalar() == AUDIT_OWNER

        draft = approved(service)  # appending still works
        service.export(draft.id, tmp_path / "x.docx", "alice")
        assert service.verify_audit()[1] is None
        app = sa.create_engine(_psycopg(app_url))
        for statement in ("UPDATE audit_events SET actor = 'eve' WHERE seq = 1",
                          "DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)",
                          "TRUNCATE audit_events",
                          "ALTER TABLE audit_events DISABLE TRIGGER ALL",
                          "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
                          "DROP TRIGGER audit_events_append_only ON audit_events",
                          "ALTER TABLE audit_events OWNER TO CURRENT_USER",
                          f"GRANT {AUDIT_OWNER} TO CURRENT_USER"):
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied|must be owner|must have admin"), \
                    app.begin() as conn:
                conn.execute(sa.text(statement))
        app.dispose()
        assert service.verify_audit()[1] is None
    finally:
        if service is not None:
            service.store.engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{database}" OWNER TO drafter'))
        db_admin = sa.create_engine(_psycopg(postgres_url), isolation_level="AUTOCOMMIT")
        with db_admin.connect() as conn:
            conn.execute(sa.text(f'REASSIGN OWNED BY "{role}" TO drafter'))
            conn.execute(sa.text(f'DROP OWNED BY "{role}"'))
        db_admin.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP ROLE "{role}"'))
        admin.dispose()
