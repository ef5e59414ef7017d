"""Operations: `drafter doctor` (is this deployment healthy?) and retention (`drafter purge`)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from drafter.catalog import Catalog
from drafter.errors import DrafterError, InputError
from drafter.i18n import lazy
from drafter.settings import Settings
from drafter.signing import load_private_key
from drafter.store import AUDIT_OWNER, Store, safe_url


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
        checks.append(Check("data folder", False, f"{data_dir}: {exc.strerror}",
                            lazy("set DRAFTER_DATA_DIR to a writable folder")))
    else:
        checks.append(Check("data folder", writable, str(data_dir), "" if writable else lazy("make it writable or set DRAFTER_DATA_DIR")))
    try:
        catalog = Catalog.load(settings.templates_dir, settings.style_guides_dir)
        checks.append(Check("catalog", True, lazy("{templates} templates, {guides} style guides",
                                                     templates=len(catalog.templates), guides=len(catalog.style_guides))))
    except DrafterError as exc:
        checks.append(Check("catalog", False, str(exc), lazy("fix the named file")))
    try:
        store = Store.open(settings.sqlalchemy_url(), retries=1)
    except DrafterError as exc:
        checks.append(Check("database", False, str(exc), lazy("start the database or correct DRAFTER_DATABASE_URL")))
    else:
        checks.append(Check("database", True, f"{safe_url(settings.sqlalchemy_url())} ({store.dialect})"))
        checks.append(Check("migrations", True, lazy("schema at revision {revision}", revision=store.schema_revision())))
        key_path = settings.signing_key_path()
        public = load_private_key(key_path).public_key() if key_path.is_file() else None
        report = store.verify_audit(settings.anchors_path(), public)
        anchored = (lazy("matches {checkpoint}", checkpoint=report.checkpoint.describe()) if report.checkpoint
                    else lazy("no checkpoint yet (run `drafter audit anchor`)"))
        checks.append(Check("audit chain", report.problem is None,
                            report.problem or lazy("intact, {count} events; {anchored}", count=report.count,
                                                   anchored=anchored),
                            lazy("investigate: the audit log was altered outside Drafter") if report.problem else ""))
        if store.dialect == "postgresql":
            problem = store.audit_table_problem()
            checks.append(Check(
                "audit table", problem is None,
                problem or lazy("owned by {owner}; this role may only INSERT and SELECT", owner=AUDIT_OWNER),
                "" if problem is None else lazy(
                    "connect the application as a plain role; open the store once as a role that may create roles "
                    "so the migrations hand audit_events to {owner}", owner=AUDIT_OWNER),
            ))
        store.close()
    return checks


_DURATION = re.compile(r"^(\d+)\s*([dhw])$")


def parse_age(text: str) -> timedelta:
    m = _DURATION.match(text.strip())
    if not m:
        raise InputError(
            "Cannot read the age {text!r}; use a number of days, hours or weeks, e.g. 30d, 12h, 8w.",
            text=text,
        )
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
    counts = store.purge(cutoff, older_than=str(older_than), dry_run=dry_run, actor=actor)
    return PurgeReport(cutoff, dry_run, counts.sources_cleared, counts.calls_deleted)
