"""Usage statistics for the team lead and the information-governance officer (no Streamlit here).

Everything is computed from the store (drafts, findings, LLM calls) and the audit log, with a handful of
queries whatever the size of the store. Each statistic is a list of plain rows, ready for a chart, a table
and a CSV download.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from drafter.models import FindingStatus
from drafter.register import RegisterEntry
from drafter.store import Store

Row = dict[str, Any]
# audit action -> column of the weekly table
WEEKLY_ACTIONS = {"created": "started", "submitted": "submitted", "approved": "approved", "exported": "exported"}


@dataclass
class Statistics:
    weekly: list[Row] = field(default_factory=list)  # week, started, submitted, approved, exported
    approval_hours: list[Row] = field(default_factory=list)  # draft_id, template, hours (creation -> approval)
    approval_summary: Row = field(default_factory=dict)  # approved, median_hours, p90_hours
    templates: list[Row] = field(default_factory=list)  # template, drafts
    origin_share: list[Row] = field(default_factory=list)  # origin, characters, share (exported text)
    findings: list[Row] = field(default_factory=list)  # rule_id, severity, found, open, waived, resolved
    waivers: list[Row] = field(default_factory=list)  # rule_id, waived
    failures: list[Row] = field(default_factory=list)  # backend, generation_failed, retried, call_errors
    tokens: list[Row] = field(default_factory=list)  # backend, model, calls, input/output tokens, cost

    def tables(self) -> dict[str, list[Row]]:
        """Every statistic by name, as rows (the approval summary as a one-row table)."""
        return {
            "weekly": self.weekly, "approval_hours": self.approval_hours,
            "approval_summary": [self.approval_summary] if self.approval_summary else [],
            "templates": self.templates, "origin_share": self.origin_share, "findings": self.findings,
            "waivers": self.waivers, "failures": self.failures, "tokens": self.tokens,
        }


def iso_week(at: str | datetime) -> str:
    """'2026-W09' for a timestamp (ISO 8601 week, Monday first)."""
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear-interpolated percentile (as numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def compute(
    store: Store, register: list[RegisterEntry], prices: dict[str, tuple[float, float]] | None = None
) -> Statistics:
    """All the statistics. `register` gives the exported text's origins; `prices` is {model: (in, out) per 1k}."""
    prices = prices or {}
    rows = store.usage_rows([*WEEKLY_ACTIONS, "generation_failed", "retried"])
    events, draft_rows, finding_rows, call_rows = rows.events, rows.drafts, rows.findings, rows.calls
    info = {r.id: r for r in draft_rows}
    stats = Statistics()

    weeks: dict[str, Counter[str]] = defaultdict(Counter)
    first_approval: dict[str, str] = {}
    failed: Counter[str] = Counter()
    retried: Counter[str] = Counter()
    for e in events:
        if e.action in WEEKLY_ACTIONS:
            weeks[iso_week(e.at)][WEEKLY_ACTIONS[e.action]] += 1
        if e.action == "approved" and e.draft_id and e.draft_id not in first_approval:
            first_approval[e.draft_id] = e.at
        backend = info[e.draft_id].backend if e.draft_id in info else "unknown"
        if e.action == "generation_failed":
            failed[backend] += 1
        elif e.action == "retried":
            retried[backend] += 1
    stats.weekly = [{"week": w, **{c: weeks[w][c] for c in WEEKLY_ACTIONS.values()}} for w in sorted(weeks)]

    for draft_id, at in first_approval.items():
        if draft_id in info:
            created = datetime.fromisoformat(info[draft_id].created_at)
            elapsed = (datetime.fromisoformat(at) - created).total_seconds() / 3600
            stats.approval_hours.append({"draft_id": draft_id, "template": info[draft_id].template_id,
                                         "hours": round(elapsed, 4)})
    durations = [float(r["hours"]) for r in stats.approval_hours]
    median, p90 = percentile(durations, 0.5), percentile(durations, 0.9)
    stats.approval_summary = {
        "approved": len(durations),
        "median_hours": round(median, 4) if median is not None else None,
        "p90_hours": round(p90, 4) if p90 is not None else None,
    }

    used = Counter(r.template_id for r in draft_rows)
    stats.templates = [{"template": t, "drafts": n} for t, n in sorted(used.items(), key=lambda x: (-x[1], x[0]))]

    chars = {"AI-generated, unedited": 0.0, "AI-generated, edited": 0.0, "Written by a person": 0.0}
    for entry in register:
        chars["AI-generated, unedited"] += entry.share_ai_unedited * entry.characters
        chars["AI-generated, edited"] += entry.share_ai_edited * entry.characters
        chars["Written by a person"] += entry.share_human * entry.characters
    total = sum(chars.values())
    stats.origin_share = [
        {"origin": o, "characters": round(c), "share": round(c / total, 4) if total else 0.0} for o, c in chars.items()
    ]

    by_rule: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for f in finding_rows:
        by_rule[(f.rule_id, f.severity)][f.status] += 1
    stats.findings = sorted(
        (
            {"rule_id": rule, "severity": severity, "found": sum(c.values()),
             **{s.value: c[s.value] for s in FindingStatus}}
            for (rule, severity), c in by_rule.items()
        ),
        key=lambda r: (-r["found"], r["rule_id"]),
    )
    waived = Counter(f.rule_id for f in finding_rows if f.status == FindingStatus.waived.value)
    stats.waivers = [{"rule_id": r, "waived": n} for r, n in sorted(waived.items(), key=lambda x: (-x[1], x[0]))]

    call_errors: Counter[str] = Counter(r.backend for r in call_rows if r.error)
    backends = sorted(set(failed) | set(retried) | set(call_errors))
    stats.failures = [
        {"backend": b, "generation_failed": failed[b], "retried": retried[b], "call_errors": call_errors[b]}
        for b in backends
    ]

    usage: dict[tuple[str, str], Row] = {}
    for r in call_rows:
        row = usage.setdefault((r.backend, r.model), {"backend": r.backend, "model": r.model, "calls": 0,
                                                       "input_tokens": 0, "output_tokens": 0})
        row["calls"] += 1
        row["input_tokens"] += int(r.input_tokens or 0)
        row["output_tokens"] += int(r.output_tokens or 0)
    for row in usage.values():
        price = prices.get(row["model"])
        row["cost"] = (
            round(row["input_tokens"] / 1000 * price[0] + row["output_tokens"] / 1000 * price[1], 6)
            if price is not None else None
        )
    stats.tokens = sorted(usage.values(), key=lambda r: (r["backend"], r["model"]))
    return stats


def to_csv(rows: list[Row]) -> str:
    """Rows as CSV (a column for every key, in order of appearance; a BOM so spreadsheets read UTF-8)."""
    if not rows:
        return ""
    buffer = io.StringIO()
    fields = list(dict.fromkeys(k for row in rows for k in row))
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in row.items()})
    return "\ufeff" + buffer.getvalue()
