"""Queries behind the AI-use register, the usage statistics and retention (purge).

They return plain rows; what the rows mean (register entries, statistics) is worked out in
drafter/register.py and drafter/stats.py. Each report is a handful of queries whatever the size of the store.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from drafter.models import Draft
from drafter.store.drafts import rows_by_ids
from drafter.store.rows import Row, draft_from_row, iso
from drafter.store.tables import audit_events, findings, llm_calls
from drafter.store.tables import drafts as drafts_table


@dataclass(frozen=True)
class EventRow:
    """An audit event as stored: `at` is the ISO timestamp text; `details` decodes the JSON when asked."""

    draft_id: str | None
    action: str
    at: str
    actor: str
    details_json: str

    @property
    def details(self) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(self.details_json)
        return decoded


@dataclass
class ExportedDraft:
    """A draft that was exported at least once, with its approval, export and waiver events in order.

    The draft is built from its row when asked, so a register of thousands of drafts never holds them
    all as objects at once.
    """

    row: Row
    events: list[EventRow]

    @property
    def draft(self) -> Draft:
        return draft_from_row(self.row)


REGISTER_ACTIONS = ("exported", "approved", "finding_waived")


def exported_drafts(conn: Connection) -> list[ExportedDraft]:
    """Every exported draft with its register events (two queries, the drafts fetched in chunks)."""
    result = conn.execute(
        sa.select(audit_events.c.draft_id, audit_events.c.action, audit_events.c.at, audit_events.c.actor,
                  audit_events.c.details_json)
        .where(audit_events.c.action.in_(REGISTER_ACTIONS), audit_events.c.draft_id.is_not(None))
        .order_by(audit_events.c.seq)
    ).all()
    by_draft: dict[str, list[EventRow]] = defaultdict(list)
    for r in result:
        by_draft[r.draft_id].append(EventRow(r.draft_id, r.action, r.at, r.actor, r.details_json))
    exported = [d for d, evs in by_draft.items() if any(e.action == "exported" for e in evs)]
    return [ExportedDraft(r, by_draft[r["id"]]) for r in rows_by_ids(conn, exported)]


class EventSummary(NamedTuple):
    action: str
    at: str
    draft_id: str | None


class DraftSummary(NamedTuple):
    id: str
    template_id: str
    backend: str
    created_at: str


class FindingSummary(NamedTuple):
    rule_id: str
    severity: str
    status: str


class CallSummary(NamedTuple):
    backend: str
    model: str
    input_tokens: int | None
    output_tokens: int | None
    error: str | None


@dataclass
class UsageRows:
    """The raw material of the usage statistics."""

    events: list[EventSummary] = field(default_factory=list)  # in audit order
    drafts: list[DraftSummary] = field(default_factory=list)
    findings: list[FindingSummary] = field(default_factory=list)
    calls: list[CallSummary] = field(default_factory=list)


def usage_rows(conn: Connection, actions: Iterable[str]) -> UsageRows:
    """Audit events with these actions, and a summary row for every draft, finding and LLM call."""
    return UsageRows(
        events=[EventSummary(*r) for r in conn.execute(
            sa.select(audit_events.c.action, audit_events.c.at, audit_events.c.draft_id)
            .where(audit_events.c.action.in_(list(actions)))
            .order_by(audit_events.c.seq)
        )],
        drafts=[DraftSummary(*r) for r in conn.execute(
            sa.select(drafts_table.c.id, drafts_table.c.template_id, drafts_table.c.backend, drafts_table.c.created_at)
        )],
        findings=[FindingSummary(*r) for r in conn.execute(
            sa.select(findings.c.rule_id, findings.c.severity, findings.c.status)
        )],
        calls=[CallSummary(*r) for r in conn.execute(
            sa.select(llm_calls.c.backend, llm_calls.c.model, llm_calls.c.input_tokens, llm_calls.c.output_tokens,
                      llm_calls.c.error)
        )],
    )


class PurgeCounts(NamedTuple):
    sources_cleared: int
    calls_deleted: int


def purge(conn: Connection, cutoff: datetime, *, dry_run: bool) -> PurgeCounts:
    """Clear source texts of drafts created before `cutoff` and delete older LLM calls (only count if dry).

    Source names and sizes stay with the draft (so its history still says what was used); only the texts go.
    The audit log is kept.
    """
    cutoff_iso = iso(cutoff)
    found = conn.execute(
        sa.select(drafts_table.c.id, drafts_table.c.request_json).where(drafts_table.c.created_at < cutoff_iso)
    ).all()
    to_clear = []
    for row in found:
        request = json.loads(row.request_json)
        if any(s.get("text") for s in request.get("sources", [])):
            for s in request["sources"]:
                s["purged_chars"] = len(s.get("text", "")) + s.get("purged_chars", 0)
                s["text"] = ""
            to_clear.append((row.id, json.dumps(request, ensure_ascii=False)))
    calls = int(conn.execute(
        sa.select(sa.func.count()).select_from(llm_calls).where(llm_calls.c.datetime_utc < cutoff_iso)
    ).scalar_one())
    if not dry_run:
        for draft_id, request_json in to_clear:
            conn.execute(drafts_table.update().where(drafts_table.c.id == draft_id).values(request_json=request_json))
        conn.execute(llm_calls.delete().where(llm_calls.c.datetime_utc < cutoff_iso))
    return PurgeCounts(len(to_clear), calls)
