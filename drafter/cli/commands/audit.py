"""`drafter audit verify|anchor|list` and `drafter calls`: what happened, from the log."""

from __future__ import annotations

import argparse

from drafter.cli import output
from drafter.cli.context import Command, Context
from drafter.i18n import _


def audit_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="audit_command", required=True, metavar="SUBCOMMAND")
    sub.add_parser("verify", help="walk the hash chain and compare it with the latest signed checkpoint")
    sub.add_parser("anchor", help="write a signed checkpoint of the chain's head outside the database")
    q = sub.add_parser("list", help="list events")
    q.add_argument("--draft")
    q.add_argument("--json", action="store_true")


def audit(ctx: Context, args: argparse.Namespace) -> int:
    if args.audit_command == "verify":
        report = ctx.service.audit_report()
        if report.problem:
            output.note(_("audit chain broken: {problem}", problem=report.problem))
            return 1
        if report.checkpoint is None:
            print(_("audit chain intact: {count} events; no checkpoint yet (run `drafter audit anchor`)",
                    count=report.count))
        else:
            print(_("audit chain intact: {count} events; matches {checkpoint}",
                    count=report.count, checkpoint=report.checkpoint.describe()))
        return 0
    if args.audit_command == "anchor":
        checkpoint = ctx.service.anchor_audit()
        print(_("audit chain anchored: {count} events, head {head}…, written to {path}",
                count=checkpoint.count, head=checkpoint.head_hash[:16], path=checkpoint.path))
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
