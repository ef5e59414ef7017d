"""The store: the one door to the database (SQLAlchemy on SQLite or PostgreSQL).

Layout:
    tables.py   the typed tables, defined once (also Alembic's `target_metadata`)
    rows.py     domain objects to rows and back
    engine.py   engines, connecting with retries, `safe_url`
    schema.py   Alembic migrations run on the store's connection
    drafts.py, findings.py, calls.py   repositories (functions over a connection)
    audit.py    the hash-chained, append-only audit log
    anchors.py  signed checkpoints of the chain outside the database; signed records inside it
    reports.py  queries behind the register, the statistics and purge
    front.py    `Store`, one transaction per method

Nothing outside this package (and drafter/migrations) imports SQLAlchemy.
"""

from drafter.store.anchors import Checkpoint
from drafter.store.audit import GENESIS_HASH
from drafter.store.drafts import SaveStep
from drafter.store.engine import DatabaseBusyError, safe_url
from drafter.store.front import AuditCheck, Store
from drafter.store.reports import EventRow, ExportedDraft, PurgeCounts, UsageRows
from drafter.store.rows import sections_unchanged
from drafter.store.schema import AUDIT_OWNER, MIGRATIONS, alembic_config, head_revision
from drafter.store.tables import metadata

__all__ = [
    "AUDIT_OWNER",
    "GENESIS_HASH",
    "AuditCheck",
    "Checkpoint",
    "DatabaseBusyError",
    "MIGRATIONS",
    "EventRow",
    "ExportedDraft",
    "PurgeCounts",
    "SaveStep",
    "Store",
    "UsageRows",
    "alembic_config",
    "head_revision",
    "sections_unchanged",
    "metadata",
    "safe_url",
]
