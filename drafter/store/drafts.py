"""Drafts, their versions and their reviews, with optimistic locking on the draft's version number."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import drafter.store.engine as engine
import drafter.store.rows as rows
from drafter.errors import ConflictError, NotFoundError
from drafter.models import Draft, Finding, Review, utcnow
from drafter.store.tables import draft_versions, drafts, reviews


class SaveStep(NamedTuple):
    """One save of a draft: `draft` written if its stored version is `expected_version`, then audited as `action`."""

    draft: Draft
    expected_version: int
    actor: str
    action: str
    details: dict[str, Any]
    content_changed: bool = False
    review: Review | None = None


# Statements built once with bound parameters, so SQLAlchemy compiles each once per process, not once per row.
_INSERT_DRAFT = drafts.insert()
_UPDATE_DRAFT = drafts.update().where(drafts.c.id == sa.bindparam("b_id"),
                                      drafts.c.version == sa.bindparam("b_expected"))
_INSERT_VERSION = draft_versions.insert()
_INSERT_REVIEW = reviews.insert()
_GET = sa.select(drafts).where(drafts.c.id == sa.bindparam("b_id"))
_LOCK = sa.select(drafts.c.id).where(drafts.c.id == sa.bindparam("b_id")).with_for_update()
_VERSION_PEOPLE = sa.select(draft_versions.c.actor, draft_versions.c.sections_json).where(
    draft_versions.c.draft_id == sa.bindparam("b_id")
)
_REVIEWS = sa.select(reviews).where(reviews.c.draft_id == sa.bindparam("b_id")).order_by(reviews.c.id)
# a change of status (submit, approve, request changes): the sections, request and content hash stay as stored
_UPDATE_STATUS = (
    drafts.update()
    .where(drafts.c.id == sa.bindparam("b_id"), drafts.c.version == sa.bindparam("b_expected"))
    .values(status=sa.bindparam("b_status"), version=sa.bindparam("b_version"),
            updated_at=sa.bindparam("b_updated_at"), updated_by=sa.bindparam("b_updated_by"))
)


def insert(conn: Connection, draft: Draft) -> None:
    conn.execute(_INSERT_DRAFT, rows.draft_row(draft))


def update(conn: Connection, draft: Draft, *, expected_version: int) -> None:
    """Write `draft` if its stored version is still `expected_version`; ConflictError names who changed it."""
    result = conn.execute(_UPDATE_DRAFT, {**rows.draft_row(draft), "b_id": draft.id, "b_expected": expected_version})
    if result.rowcount != 1:
        _conflict(conn, draft.id)


def update_status(conn: Connection, draft: Draft, *, expected_version: int) -> None:
    """Write `draft`'s status, version and who changed it when, if its stored version is still
    `expected_version` (ConflictError otherwise). Its sections and request are not written: the caller read them at
    `expected_version`, so they are what is stored."""
    result = conn.execute(_UPDATE_STATUS, {
        "b_id": draft.id, "b_expected": expected_version, "b_status": draft.status.value,
        "b_version": draft.version, "b_updated_at": rows.iso(draft.updated_at), "b_updated_by": draft.updated_by,
    })
    if result.rowcount != 1:
        _conflict(conn, draft.id)


# PostgreSQL: a save whole in one statement, sent with its BEGIN and COMMIT in one round trip. The row is written
# only where it still has the version read (as _UPDATE_DRAFT / _UPDATE_STATUS); the stored version, the review and
# the audit event are written only if it was (the append is given no events otherwise). Its rows: the appended
# events', none if the row was not written.
_VERSION_COLUMNS = ("draft_id", "version", "title", "sections_json", "content_sha256", "actor", "reason",
                    "created_at")  # what version_row gives
_INSERT_VERSION_FROM = f"INSERT INTO draft_versions ({', '.join(_VERSION_COLUMNS)}) SELECT {{}}.id, " + ", ".join(
    f"%(v_{c})s" for c in _VERSION_COLUMNS[1:])  # the stored version given as v_ parameters, its draft id from {}
_DRAFT_SETS = ", ".join(f"{c.name} = %(d_{c.name})s" for c in drafts.c if c.name != "id")  # the row as d_ parameters


def _save_sql(sets: str) -> str:
    return f"""
WITH u AS (
    UPDATE drafts SET {sets}
    WHERE id = %(b_id)s AND version = %(b_expected)s
    RETURNING id
), v AS (
    {_INSERT_VERSION_FROM.format("u")}
    FROM u WHERE %(v_with)s
), r AS (
    INSERT INTO reviews (draft_id, reviewer, decision, comment, checklist_json, content_sha256, version, created_at)
    SELECT u.id, %(r_reviewer)s, %(r_decision)s, %(r_comment)s, %(r_checklist_json)s, %(r_content_sha256)s,
           %(r_version)s, %(r_created_at)s
    FROM u WHERE %(r_with)s
)
SELECT a.out_seq FROM drafter_audit_append(
    %(k)s, (SELECT CASE WHEN count(*) = 1 THEN CAST(%(items)s AS json) ELSE CAST('[]' AS json) END FROM u)
) AS a
"""


_STATUS_SAVE_SQL = _save_sql(
    "status = %(b_status)s, version = %(b_version)s, updated_at = %(b_updated_at)s, updated_by = %(b_updated_by)s"
)
_FULL_SAVE_SQL = _save_sql(_DRAFT_SETS)


def _draft_params(draft: Draft) -> dict[str, Any]:
    """The row's columns as `_DRAFT_SETS` names them."""
    return {f"d_{k}": x for k, x in rows.draft_row(draft).items() if k != "id"}


def _save_params(draft: Draft, expected_version: int, review: Review | None, version: dict[str, Any] | None,
                 items: str, lock_key: int) -> dict[str, Any]:
    r = rows.review_row(review) if review is not None else dict.fromkeys(rows.REVIEW_COLUMNS)
    v = version if version is not None else dict.fromkeys(_VERSION_COLUMNS)
    return {
        "b_id": draft.id, "b_expected": expected_version,
        **{f"r_{k}": x for k, x in r.items() if k != "draft_id"}, "r_with": review is not None,
        **{f"v_{k}": x for k, x in v.items() if k != "draft_id"}, "v_with": version is not None,
        "k": lock_key, "items": items,
    }


_CREATE_SQL = f"""
WITH d AS (
    INSERT INTO drafts ({", ".join(c.name for c in drafts.c)})
    VALUES ({", ".join(f"%(d_{c.name})s" for c in drafts.c)})
    RETURNING id
), v AS (
    {_INSERT_VERSION_FROM.format("d")}
    FROM d
)
SELECT a.out_seq FROM drafter_audit_append(%(k)s, CAST(%(items)s AS json)) AS a
"""


def create_committed(conn: Connection, draft: Draft, *, actor: str, items: str, lock_key: int) -> None:
    """PostgreSQL: `insert`, `insert_version` (reason "created") and the audit append of `items` in one statement,
    committed with it in one round trip (the transaction must not have sent anything)."""
    params = {f"d_{k}": x for k, x in rows.draft_row(draft).items()} | {
        f"v_{k}": x for k, x in version_row(draft, actor=actor, reason="created").items() if k != "draft_id"
    } | {"k": lock_key, "items": items}
    engine.commit_with(conn, _CREATE_SQL, params)


_UPDATE_FIRST_SQL = f"UPDATE drafts SET {_DRAFT_SETS} WHERE id = %(b_id)s AND version = %(b_expected)s RETURNING id"


def update_first(conn: Connection, draft: Draft, *, expected_version: int) -> None:
    """PostgreSQL: `update` as the first statement of a transaction that has sent nothing yet, sent with its BEGIN
    in one round trip. ConflictError (or NotFoundError) if the row was not written."""
    params = _draft_params(draft) | {"b_id": draft.id, "b_expected": expected_version}
    if not engine.begin_with(conn, _UPDATE_FIRST_SQL, params):
        _conflict(conn, draft.id)


# PostgreSQL: the rest of a batch of saves (the row already written), as the transaction's last statement: call-log
# rows, stored versions, findings (each given as JSON rows, keyed by column) and the audit events
_STEPS_REST_SQL = f"""
WITH c AS (
    INSERT INTO llm_calls SELECT * FROM json_populate_recordset(CAST(NULL AS llm_calls), CAST(%(calls)s AS json))
), v AS (
    INSERT INTO draft_versions ({", ".join(_VERSION_COLUMNS)}) SELECT {", ".join(f"j.{c}" for c in _VERSION_COLUMNS)}
    FROM json_populate_recordset(CAST(NULL AS draft_versions), CAST(%(versions)s AS json)) AS j
), f AS (
    INSERT INTO findings SELECT * FROM json_populate_recordset(CAST(NULL AS findings), CAST(%(findings)s AS json))
)
SELECT a.out_seq FROM drafter_audit_append(%(k)s, CAST(%(items)s AS json)) AS a
"""


def steps_rest_committed(conn: Connection, *, calls: list[dict[str, Any]], versions: list[dict[str, Any]],
                         findings: list[dict[str, Any]], items: str, lock_key: int) -> None:
    """PostgreSQL: insert these rows (llm_call_row, version_row and finding_row dicts) and append `items`, as the
    transaction's last statement, committed with it in one round trip."""
    engine.commit_with(conn, _STEPS_REST_SQL, {
        "calls": json.dumps(calls, ensure_ascii=False), "versions": json.dumps(versions, ensure_ascii=False),
        "findings": json.dumps(findings, ensure_ascii=False), "k": lock_key, "items": items,
    })


def status_save_committed(conn: Connection, draft: Draft, *, expected_version: int, review: Review | None,
                          items: str, lock_key: int) -> None:
    """PostgreSQL: `update_status`, `insert_review` and the audit append of `items` (audit.items_json) in one
    statement, committed with it in one round trip (the transaction must not have sent anything). ConflictError
    (or NotFoundError) if the row was not written, and then nothing was."""
    params = _save_params(draft, expected_version, review, None, items, lock_key) | {
        "b_status": draft.status.value, "b_version": draft.version, "b_updated_at": rows.iso(draft.updated_at),
        "b_updated_by": draft.updated_by,
    }
    if not engine.commit_with(conn, _STATUS_SAVE_SQL, params):
        _conflict(conn, draft.id)


def save_committed(conn: Connection, draft: Draft, *, expected_version: int, review: Review | None,
                   version: dict[str, Any] | None, items: str, lock_key: int) -> None:
    """PostgreSQL: `update`, then `insert_version` of `version` (a version_row) and `insert_review` when given,
    and the audit append of `items`, in one statement committed with it in one round trip (the transaction must
    not have sent anything). ConflictError (or NotFoundError) if the row was not written, and then nothing was."""
    params = _save_params(draft, expected_version, review, version, items, lock_key) | _draft_params(draft)
    if not engine.commit_with(conn, _FULL_SAVE_SQL, params):
        _conflict(conn, draft.id)


def _conflict(conn: Connection, draft_id: str) -> None:
    """The draft's row was not written: NotFoundError if there is none, else ConflictError naming who changed it."""
    current = conn.execute(sa.select(drafts.c.updated_by, drafts.c.updated_at).where(drafts.c.id == draft_id)).first()
    if current is None:
        raise NotFoundError("Draft {draft_id} does not exist.", draft_id=draft_id)
    raise ConflictError(
        "Draft {draft_id} was changed by {user} at {time}; reload it and apply your change again.",
        draft_id=draft_id, user=current.updated_by, time=current.updated_at,
    )


_LOCK_SQL = "SELECT id FROM drafts WHERE id = %(b_id)s FOR UPDATE"


def lock_first(conn: Connection, draft_id: str) -> None:
    """`lock` as the first statement of a transaction that has sent nothing yet: on PostgreSQL sent with its BEGIN,
    in one round trip."""
    if conn.dialect.name != "postgresql":
        lock(conn, draft_id)
    elif not engine.begin_with(conn, _LOCK_SQL, {"b_id": draft_id}):
        raise NotFoundError("Draft {draft_id} does not exist.", draft_id=draft_id)


def lock(conn: Connection, draft_id: str) -> None:
    """Hold the draft's row until the transaction ends (NotFoundError if there is none)."""
    row = conn.execute(_LOCK, {"b_id": draft_id}).first()
    if row is None:
        raise NotFoundError("Draft {draft_id} does not exist.", draft_id=draft_id)


def get(conn: Connection, draft_id: str) -> Draft:
    row = conn.execute(_GET, {"b_id": draft_id}).mappings().first()
    if row is None:
        raise NotFoundError("Draft {draft_id} does not exist.", draft_id=draft_id)
    return rows.draft_from_row(row)


def rows_by_ids(conn: Connection, draft_ids: list[str], *, chunk: int = 500) -> list[rows.Row]:
    """The stored rows of these drafts (in no particular order), a bounded number of ids per query."""
    out: list[rows.Row] = []
    for start in range(0, len(draft_ids), chunk):
        ids = draft_ids[start : start + chunk]
        out += conn.execute(sa.select(drafts).where(drafts.c.id.in_(ids))).mappings().all()
    return out


def list_(conn: Connection, *, author: str | None = None, status: str | None = None) -> list[Draft]:
    query = sa.select(drafts).order_by(drafts.c.created_at)
    if author is not None:
        query = query.where(drafts.c.author == author)
    if status is not None:
        query = query.where(drafts.c.status == status)
    return [rows.draft_from_row(r) for r in conn.execute(query).mappings()]


def version_row(draft: Draft, *, actor: str, reason: str) -> dict[str, Any]:
    return {
        "draft_id": draft.id,
        "version": draft.version,
        "title": draft.title,
        "sections_json": rows.sections_json(draft.sections),
        "content_sha256": draft.content_sha256,
        "actor": actor,
        "reason": reason,
        "created_at": rows.iso(utcnow()),
    }


def insert_version(conn: Connection, draft: Draft, *, actor: str, reason: str) -> None:
    conn.execute(_INSERT_VERSION, version_row(draft, actor=actor, reason=reason))


def insert_versions(conn: Connection, version_rows: list[dict[str, Any]]) -> None:
    """Several stored versions in one statement (one round trip on PostgreSQL)."""
    if version_rows:
        conn.execute(_INSERT_VERSION, version_rows)


def versions(conn: Connection, draft_id: str) -> list[dict[str, Any]]:
    query = sa.select(draft_versions).where(draft_versions.c.draft_id == draft_id).order_by(draft_versions.c.version)
    return [rows.version_from_row(r) for r in conn.execute(query).mappings()]


def version_people(conn: Connection, draft_id: str) -> set[str]:
    """Everyone the draft's stored versions name: who saved each, and each section's author and editor.

    The same names `versions()` gives (`actor`, `provenance.author`, `provenance.edited_by`), read from the JSON
    without building the sections: the four-eyes check at approval needs the names, not the documents.
    """
    people: set[str] = set()
    for actor, sections_json in conn.execute(_VERSION_PEOPLE, {"b_id": draft_id}):
        people.add(actor)
        for section in json.loads(sections_json):
            provenance = section.get("provenance") or {}
            people.update(p for p in (provenance.get("author"), provenance.get("edited_by")) if p)
    return people


# PostgreSQL: the same names as version_people() (who saved each version, each section's author and editor when
# not empty) and audit.actors(), in one statement, the versions' JSON read by the server
_CONTRIBUTOR_NAMES = sa.text("""
SELECT v.actor AS name FROM draft_versions v WHERE v.draft_id = :b_id
UNION
SELECT p.name FROM draft_versions v
  CROSS JOIN LATERAL json_array_elements(CAST(v.sections_json AS json)) AS s(section)
  CROSS JOIN LATERAL (VALUES (s.section -> 'provenance' ->> 'author'),
                             (s.section -> 'provenance' ->> 'edited_by')) AS p(name)
  WHERE v.draft_id = :b_id AND p.name <> ''
UNION
SELECT a.actor FROM audit_events a WHERE a.draft_id = :b_id AND a.action IN :b_actions
""").bindparams(sa.bindparam("b_actions", expanding=True, type_=sa.String))


def contributor_names(conn: Connection, draft_id: str, actions: frozenset[str] | set[str]) -> set[str] | None:
    """On PostgreSQL, `version_people(draft_id)` and the audit log's actors of `actions` in one statement; None on
    another database (the caller reads the two)."""
    if conn.dialect.name != "postgresql":
        return None
    return set(conn.execute(_CONTRIBUTOR_NAMES, {"b_id": draft_id, "b_actions": sorted(actions)}).scalars())


# PostgreSQL: what approval reads, in one statement (so in one snapshot, without a transaction): the draft's row,
# its stored findings (each row as JSON, as findings.for_draft reads them) and contributor_names()
_FOR_APPROVAL = sa.text("""
SELECT d.*,
  (SELECT json_agg(f) FROM findings f WHERE f.draft_id = d.id) AS x_findings,
  ARRAY(
    SELECT v.actor FROM draft_versions v WHERE v.draft_id = d.id
    UNION
    SELECT p.name FROM draft_versions v
      CROSS JOIN LATERAL json_array_elements(CAST(v.sections_json AS json)) AS s(section)
      CROSS JOIN LATERAL (VALUES (s.section -> 'provenance' ->> 'author'),
                                 (s.section -> 'provenance' ->> 'edited_by')) AS p(name)
      WHERE v.draft_id = d.id AND p.name <> ''
    UNION
    SELECT a.actor FROM audit_events a WHERE a.draft_id = d.id AND a.action = ANY(:b_actions)
  ) AS x_names
FROM drafts d WHERE d.id = :b_id
""")


def for_approval(conn: Connection, draft_id: str, actions: frozenset[str] | set[str]
                 ) -> tuple[Draft, list[Finding], set[str]] | None:
    """On PostgreSQL, `get`, findings.for_draft and `contributor_names` in one statement; None on another database
    (the caller reads the three in one snapshot)."""
    if conn.dialect.name != "postgresql":
        return None
    row = conn.execute(_FOR_APPROVAL, {"b_id": draft_id, "b_actions": sorted(actions)}).mappings().first()
    if row is None:
        raise NotFoundError("Draft {draft_id} does not exist.", draft_id=draft_id)
    found = [rows.finding_from_row(f) for f in row["x_findings"] or []]
    return rows.draft_from_row(row), found, set(row["x_names"])


def insert_review(conn: Connection, review: Review) -> None:
    conn.execute(_INSERT_REVIEW, rows.review_row(review))


def reviews_for(conn: Connection, draft_id: str) -> list[Review]:
    return [rows.review_from_row(r) for r in conn.execute(_REVIEWS, {"b_id": draft_id}).mappings()]
