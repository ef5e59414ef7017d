"""Migrations: Alembic, run on the store's own connection, in order, never drop-and-recreate."""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from drafter.store.engine import READ

log = logging.getLogger("drafter.store")

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
MIGRATION_LOCK_KEY = 73_010_002  # PostgreSQL advisory lock: one instance migrates at a time


def alembic_config(conn: Connection | None = None) -> Config:
    """An Alembic configuration for Drafter's migrations (no alembic.ini); `conn` is the one they run on."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def migrate(engine: Engine) -> None:
    """Apply pending migrations in order; an up-to-date schema is checked with a read, taking no write lock.

    On PostgreSQL, a role that may create roles also hands an audit table still owned by the application to
    its own owner role (migration 0004 did not when it ran as a role that could not).
    """
    if current_revision(engine) != head_revision():
        _upgrade(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            needed = _table_owner(conn) != AUDIT_OWNER and _may_create_roles(conn)
        if needed:
            with engine.begin() as conn:
                protect_audit_table(conn)


def _upgrade(engine: Engine) -> None:
    with engine.begin() as conn:
        cfg = alembic_config(conn)
        head = ScriptDirectory.from_config(cfg).get_current_head()
        if MigrationContext.configure(conn).get_current_revision() != head:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect().execution_options(**{READ: True}) as conn:
        return MigrationContext.configure(conn).get_current_revision()


# --- PostgreSQL: the audit table belongs to its own role; the application may only INSERT and SELECT ----------

AUDIT_OWNER = "drafter_audit_owner"


def _table_owner(conn: Connection) -> str | None:
    return conn.execute(sa.text(
        "SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events' AND schemaname = current_schema()"
    )).scalar()


def _may_create_roles(conn: Connection) -> bool:
    return bool(conn.execute(sa.text(
        "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
    )).scalar())


def protect_audit_table(conn: Connection) -> str | None:
    """Give audit_events (and its trigger function) to AUDIT_OWNER; the application roles get INSERT and SELECT.

    The application roles are the connecting role and the owner of the other tables. Returns a warning (also
    logged) when the connecting role may not create roles, in which case nothing is changed.
    """
    if conn.dialect.name != "postgresql":
        return None
    me = conn.execute(sa.text("SELECT current_user")).scalar()
    if not _may_create_roles(conn):
        warning = (f"The audit table stays owned by the role {me}, which may not create roles; connect once as a "
                   f"role that may (e.g. run `drafter doctor` with an administrator's DRAFTER_DATABASE_URL) so it is "
                   f"handed to {AUDIT_OWNER} and {me} may only INSERT and SELECT on it.")
        log.warning(warning)
        return warning
    superuser = bool(conn.execute(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar())
    conn.execute(sa.text(
        f"DO $$ BEGIN CREATE ROLE {AUDIT_OWNER} NOLOGIN; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    ))
    app_roles = {str(me)}
    drafts_owner = conn.execute(sa.text(
        "SELECT tableowner FROM pg_tables WHERE tablename = 'drafts' AND schemaname = current_schema()"
    )).scalar()
    if drafts_owner:
        app_roles.add(str(drafts_owner))
    app_roles.discard(AUDIT_OWNER)
    if not superuser:  # ALTER ... OWNER TO needs membership in the new owner; it is revoked again below
        conn.execute(sa.text(f'GRANT {AUDIT_OWNER} TO "{me}"'))
    conn.execute(sa.text(f"ALTER TABLE audit_events OWNER TO {AUDIT_OWNER}"))
    conn.execute(sa.text(f"ALTER FUNCTION audit_events_append_only() OWNER TO {AUDIT_OWNER}"))
    conn.execute(sa.text("REVOKE ALL ON audit_events FROM PUBLIC"))
    for role in sorted(app_roles):
        conn.execute(sa.text(f'REVOKE ALL ON audit_events FROM "{role}"'))
        conn.execute(sa.text(f'GRANT SELECT, INSERT ON audit_events TO "{role}"'))
    if not superuser:
        conn.execute(sa.text(f'REVOKE {AUDIT_OWNER} FROM "{me}"'))
    return None


def audit_table_problem(conn: Connection) -> str | None:
    """Why the connecting role could alter the audit log on PostgreSQL (for `drafter doctor`), or None."""
    if conn.dialect.name != "postgresql":
        return None
    row = conn.execute(sa.text(
        "SELECT current_user AS me, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user"
    )).one()
    owner = _table_owner(conn)
    if row.rolsuper:
        return f"the application connects as {row.me}, a superuser, which can alter or delete audit rows"
    if owner == row.me:
        return f"the role {row.me} owns the audit table, so it can disable its append-only triggers"
    if owner and conn.execute(sa.text("SELECT pg_has_role(current_user, :o, 'MEMBER')"), {"o": owner}).scalar():
        return f"the role {row.me} is a member of the audit table's owner {owner}"
    for privilege in ("UPDATE", "DELETE", "TRUNCATE"):
        if conn.execute(sa.text(f"SELECT has_table_privilege('audit_events', '{privilege}')")).scalar():
            return f"the role {row.me} may {privilege} audit rows"
    if row.rolcreaterole:
        return f"the role {row.me} may create roles, so it could make itself the audit table's owner"
    return None
