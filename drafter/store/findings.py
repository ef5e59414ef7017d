"""Findings of the automatic checks, per draft; merged and waived while holding the draft's row."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import drafter.store.engine as engine
import drafter.store.rows as rows
from drafter.models import Finding
from drafter.store.tables import findings

# built once with bound parameters: SQLAlchemy then finds each compiled in its cache without rebuilding it
_FOR_DRAFT = sa.select(findings).where(findings.c.draft_id == sa.bindparam("b_draft_id"))
_TAKE = findings.delete().where(findings.c.draft_id == sa.bindparam("b_draft_id")).returning(*findings.c)
_INSERT = findings.insert()


def for_draft(conn: Connection, draft_id: str) -> list[Finding]:
    result = conn.execute(_FOR_DRAFT, {"b_draft_id": draft_id}).mappings()
    return [rows.finding_from_row(r) for r in result]


def take(conn: Connection, draft_id: str) -> list[Finding]:
    """Delete a draft's findings and return them, in one statement (the caller writes the merged ones back)."""
    result = conn.execute(_TAKE, {"b_draft_id": draft_id}).mappings()
    return [rows.finding_from_row(r) for r in result]


def insert(conn: Connection, new: list[Finding]) -> None:
    if new:
        conn.execute(_INSERT, [rows.finding_row(f) for f in new])


# PostgreSQL: the rows in one JSON argument, each key a column (as `insert` writes them; a key not given is NULL)
_INSERT_COMMIT_SQL = (
    "INSERT INTO findings SELECT * FROM json_populate_recordset(CAST(NULL AS findings), CAST(%(rows)s AS json))"
)


def insert_committed(conn: Connection, new: list[Finding]) -> None:
    """`insert` as the transaction's last statement, then COMMIT: on PostgreSQL sent together in one round trip."""
    if conn.dialect.name != "postgresql":
        insert(conn, new)
        return
    engine.commit_with(conn, _INSERT_COMMIT_SQL, {"rows": json.dumps([rows.finding_row(f) for f in new],
                                                                      ensure_ascii=False)})


def update(conn: Connection, draft_id: str, finding: Finding) -> None:
    conn.execute(
        findings.update()
        .where(findings.c.draft_id == draft_id, findings.c.id == finding.id)
        .values(**rows.finding_row(finding))
    )
