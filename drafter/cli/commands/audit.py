"""`drafter audit verify|list` and `drafter calls`: what happened, from the log."""

from __future__ import annotations

import argparse

from drafter.cli import output
from drafter.cli.context import Command, Context


def audit_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="audit_command", required=True, metavar="SUBCOMMAND")
    sub.add_parser("verify", help="walk the hash chain")
    q = sub.add_parser("list", help="list events")
    q.add_argument("--draft")
    q.add_argument("--json", action="store_true")


def audit(ctx: Context, args: argparse.Namespace) -> int:
    if args.audit_command == "verify":
        count, broken = ctx.service.verify_audit()
        if broken:
            output.note(f"audit chain broken: {broken}")
            return 1
        print(f"audit chain intact: {count} events")
        return 0
    events = ctx.service.audit_trail(args.draft)
    if args.json:
        output.print_json([e.model_dump(mode="json") for e in events])
    else:
        output.audit_events(events)
    return 0


def calls_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--draft")
    p.add_argument("--json", action="store_true")


def calls(ctx: Context, args: argparse.Namespace) -> int:
    items = ctx.service.llm_calls(args.draft)
    if args.json:
        output.print_json([c.model_dump(mode="json") for c in items])
    else:
        output.calls(items)
    return 0


COMMANDS = {
    "audit": Command(audit_arguments, audit),
    "calls": Command(calls_arguments, calls),
}
