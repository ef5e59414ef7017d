"""`drafter register`, `record`, `doctor` and `purge`: transparency and operations."""

from __future__ import annotations

import argparse
from pathlib import Path

from drafter.cli import output
from drafter.cli.context import Command, Context, add_user_argument
from drafter.errors import InputError


def register_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", help="only documents exported on or after this date (YYYY-MM-DD)")
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p.add_argument("--public", action="store_true", help="omit personal names (roles only), for publication")
    p.add_argument("--output", type=Path, help="write to this file instead of standard output")


def register(ctx: Context, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from drafter.register import register_csv, register_json

    service = ctx.service
    try:
        since = datetime.fromisoformat(args.since).replace(tzinfo=UTC) if args.since else None
    except ValueError:
        raise InputError("Cannot read the date {since!r}; use YYYY-MM-DD.", since=args.since) from None
    entries = service.register(since)
    text = register_csv(entries, args.public) if args.format == "csv" else register_json(entries, args.public)
    output.text_or_file(text, args.output, len(entries))
    return 0


def record_arguments(p: argparse.ArgumentParser) -> None:
    """No options: the record describes the whole deployment."""


def record(ctx: Context, args: argparse.Namespace) -> int:
    from drafter.register import transparency_record

    service, settings = ctx.service, ctx.settings
    output.print_json(transparency_record(
        system=settings.system_name, organisation=settings.organisation,
        backends=service.backend_status(check=False),
        templates=[(t.id, t.kind, t.title) for t in service.templates()],
        database=service.store.dialect,
        counts={"drafts": len(service.list_drafts()), "exported_documents": len(service.register())},
    ))
    return 0


def doctor_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true")


def doctor(ctx: Context, args: argparse.Namespace) -> int:
    from drafter.ops import doctor as run_checks

    checks = run_checks(ctx.settings)
    if args.json:
        output.print_json([check.__dict__ for check in checks])
    else:
        output.doctor(checks)
    return 0 if all(check.ok for check in checks) else 1


def purge_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--older-than", required=True, help="e.g. 30d, 12h, 8w")
    p.add_argument("--dry-run", action="store_true", help="say what would be deleted, delete nothing")
    add_user_argument(p)


def purge(ctx: Context, args: argparse.Namespace) -> int:
    from drafter.models import utcnow
    from drafter.ops import parse_age
    from drafter.ops import purge as run_purge

    service = ctx.service
    result = run_purge(service.store, older_than=parse_age(args.older_than), now=utcnow(),
                       dry_run=args.dry_run, actor=ctx.user())
    output.purged(result)
    return 0


COMMANDS = {
    "register": Command(register_arguments, register),
    "record": Command(record_arguments, record),
    "doctor": Command(doctor_arguments, doctor),
    "purge": Command(purge_arguments, purge),
}
