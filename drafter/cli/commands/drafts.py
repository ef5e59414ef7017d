"""`drafter show`, `list` and `findings`: reading drafts."""

from __future__ import annotations

import argparse

from drafter.cli import output
from drafter.cli.context import Command, Context, add_user_argument
from drafter.models import user_key

# Reading needs no name today, but these commands accept --user (and DRAFTER_USER) like every other command that
# acts for or reads as a user, so one shell set-up works for all of them.


def show_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("draft_id")
    p.add_argument("--json", action="store_true")
    add_user_argument(p)


def show(ctx: Context, args: argparse.Namespace) -> int:
    draft = ctx.service.get_draft(args.draft_id)
    if args.json:
        findings = ctx.service.findings(draft.id)
        output.print_json({**output.draft_json(draft), "findings": [output.finding_json(f) for f in findings]})
    else:
        output.draft(draft)
    return 0


def list_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--status")
    p.add_argument("--author")
    p.add_argument("--json", action="store_true")
    add_user_argument(p)


def list_drafts(ctx: Context, args: argparse.Namespace) -> int:
    author = user_key(args.author) if args.author else None  # names are stored in one form (models.user_name)
    drafts = ctx.service.list_drafts(author=author, status=args.status)
    if args.json:
        output.print_json([{k: v for k, v in output.draft_json(d).items() if k != "sections"} for d in drafts])
    else:
        output.drafts(drafts)
    return 0


def findings_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("draft_id")
    p.add_argument("--all", action="store_true", help="include findings that no longer apply (resolved)")
    p.add_argument("--json", action="store_true")
    add_user_argument(p)


def findings(ctx: Context, args: argparse.Namespace) -> int:
    items = ctx.service.findings(args.draft_id, include_resolved=args.all)
    if args.json:
        output.print_json([output.finding_json(f) for f in items])
    else:
        output.findings(items)
    return 0


COMMANDS = {
    "show": Command(show_arguments, show),
    "list": Command(list_arguments, list_drafts),
    "findings": Command(findings_arguments, findings),
}
