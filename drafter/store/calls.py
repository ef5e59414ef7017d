"""The LLM call log (shaped like simonw/llm's `responses`) and the guard's pseudonym mapping per draft."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

import drafter.store.rows as rows
from drafter.models import LLMCall, utcnow
from drafter.store.tables import guard_pseudonyms, llm_calls

_INSERT_CALL = llm_calls.insert()


def record(conn: Connection, call: LLMCall) -> None:
    conn.execute(_INSERT_CALL, rows.llm_call_row(call))


def record_many(conn: Connection, made: list[LLMCall]) -> None:
    conn.execute(_INSERT_CALL, [rows.llm_call_row(c) for c in made])


def list_(conn: Connection, draft_id: str | None = None) -> list[LLMCall]:
    query = sa.select(llm_calls).order_by(llm_calls.c.datetime_utc)
    if draft_id is not None:
        query = query.where(llm_calls.c.draft_id == draft_id)
    return [rows.llm_call_from_row(r) for r in conn.execute(query).mappings()]


def guard_mapping(conn: Connection, draft_id: str) -> tuple[dict[str, str], dict[str, str]]:
    query = sa.select(guard_pseudonyms).where(guard_pseudonyms.c.draft_id == draft_id)
    found = conn.execute(query).mappings().all()
    return {r["placeholder"]: r["original"] for r in found}, {r["placeholder"]: r["entity_type"] for r in found}


def add_pseudonyms(conn: Connection, draft_id: str, items: list[tuple[str, str, str]]) -> None:
    now = rows.iso(utcnow())
    conn.execute(
        guard_pseudonyms.insert(),
        [{"draft_id": draft_id, "placeholder": p, "entity_type": t, "original": o, "created_at": now}
         for p, t, o in items],
    )
