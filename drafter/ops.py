"""Operations: `drafter doctor` (is this deployment healthy?) and retention (`drafter purge`)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from drafter.catalog import Catalog
from drafter.errors import DrafterError, InputError
from drafter.settings import Settings
from drafter.store import Store, drafts, llm_calls


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def doctor(settings: Settings) -> list[Check]:
    """Check configuration, data folder, database, migrations and catalog; say what to fix."""
    checks: list[Check] = []
    data_dir = settings.data_dir
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        writable = os.access(data_dir, os.W_OK)
    except OSError as exc:
        writable = False
        checks.append(Check("data folder", False, f"{data_dir}: {exc.strerror}", "set DRAFTER_DATA_DIR to a writable folder"))
    else:
        checks.append(Check("data folder", writable, str(data_dir), "" if writable else "make it writable or set DRAFTER_DATA_DIR"))
    try:
        catalog = Catalog.load(settings.templates_dir, settings.style_guides_dir)
        checks.append(Check("catalog", True, f"{len(catalog.templates)} templates, {len(catalog.style_guides)} style guides"))
    except DrafterError as exc:
        checks.append(Check("catalog", False, str(exc), "fix the named file"))
    safe_url = sa.engine.make_url(settings.sqlalchemy_url()).render_as_string(hide_password=True)
    try:
        store = Store.open(settings.sqlalchemy_url(), retries=1)
    except DrafterError as exc:
        checks.append(Check("database", False, str(exc), "start the database or correct DRAFTER_DATABASE_URL"))
    else:
        checks.append(Check("database", True, f"{safe_url} ({store.dialect})"))
        checks.append(Check("migrations", True, f"schema at revision {store.schema_revision()}"))
        count, problem = store.verify_audit_chain()
        checks.append(Check("audit chain", problem is None, problem or f"intact, {count} events",
                            "investigate: the audit log was altered outside Drafter" if problem else ""))
        store.engine.dispose()
    return checks


_DURATION = re.compile(r"^(\d+)\s*([dhw])$")


def parse_age(text: str) -> timedelta:
    m = _DURATION.match(text.strip())
    if not m:
        raise InputError(f"Cannot read the age {text!r}; use a number of days, hours or weeks, e.g. 30d, 12h, 8w.")
    n, unit = int(m.group(1)), m.group(2)
    return {"d": timedelta(days=n), "h": timedelta(hours=n), "w": timedelta(weeks=n)}[unit]


@dataclass
class PurgeReport:
    cutoff: datetime
    dry_run: bool
    sources_cleared: int
    calls_deleted: int


def purge(store: Store, *, older_than: timedelta, now: datetime, dry_run: bool, actor: str) -> PurgeReport:
    """Delete source texts of drafts and LLM call logs older than the cutoff. The audit log is kept.

    Source names and sizes stay with the draft (so its history still says what was used); only the texts go.
    """
    cutoff = now - older_than
    iso = cutoff.isoformat()
    with store.transaction() as conn:
        rows = conn.execute(sa.select(drafts.c.id, drafts.c.request_json).where(drafts.c.created_at < iso)).all()
        to_clear = []
        for row in rows:
            request = json.loads(row.request_json)
            if any(s.get("text") for s in request.get("sources", [])):
                for s in request["sources"]:
                    s["purged_chars"] = len(s.get("text", "")) + s.get("purged_chars", 0)
                    s["text"] = ""
                to_clear.append((row.id, json.dumps(request, ensure_ascii=False)))
        calls = conn.execute(
            sa.select(sa.func.count()).select_from(llm_calls).where(llm_calls.c.datetime_utc < iso)
        ).scalar_one()
        if not dry_run:
            for draft_id, request_json in to_clear:
                conn.execute(drafts.update().where(drafts.c.id == draft_id).values(request_json=request_json))
            conn.execute(llm_calls.delete().where(llm_calls.c.datetime_utc < iso))
            store._append_audit(conn, actor, "purged", None,
                                {"older_than": str(older_than), "cutoff": iso, "sources_cleared": len(to_clear),
                                 "calls_deleted": calls})
    return PurgeReport(cutoff, dry_run, len(to_clear), int(calls))
