"""`drafter templates` and `drafter backends`: what this deployment offers."""

from __future__ import annotations

import argparse

from drafter.cli import output
from drafter.cli.context import Command, Context


def templates_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--language", choices=["en", "zh"])
    p.add_argument("--json", action="store_true")


def templates(ctx: Context, args: argparse.Namespace) -> int:
    items = ctx.service.templates(args.language)
    if args.json:
        output.print_json([output.template_json(t) for t in items])
    else:
        output.templates(items)
    return 0


def backends_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--check", action="store_true", help="check each backend can be reached (exit 4 if not)")
    p.add_argument("--json", action="store_true")


def backends(ctx: Context, args: argparse.Namespace) -> int:
    rows = ctx.service.backend_status(check=args.check)
    if args.json:
        output.print_json(rows)
    else:
        output.backends(rows, args.check)
    return 0 if all(r.get("reachable", True) for r in rows) else 4


COMMANDS = {
    "templates": Command(templates_arguments, templates),
    "backends": Command(backends_arguments, backends),
}
