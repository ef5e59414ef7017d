"""`drafter export` and `drafter verify`: the labelled .docx and reading it back."""

from __future__ import annotations

import argparse
from pathlib import Path

from drafter.cli import output
from drafter.cli.context import Command, Context, add_user_argument


def export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("draft_id")
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--with-original", action="store_true",
                   help="for a simplified regulation: put each section's original text after it")
    p.add_argument("--review-copy", action="store_true",
                   help="write a review copy for Word instead (any status; tracked changes, comments, no approval)")
    add_user_argument(p)


def export(ctx: Context, args: argparse.Namespace) -> int:
    if args.review_copy:
        path = ctx.service.review_copy(args.draft_id, args.output, ctx.user())
        print(f"review copy written to {path} (not the labelled export; it carries no approval)")
        return 0
    result = ctx.service.export(args.draft_id, args.output, ctx.user(), include_original=args.with_original)
    print(f"exported {result.path}")
    print(f"label: {result.label_statement}")
    return 0


def verify_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")


def verify(ctx: Context, args: argparse.Namespace) -> int:
    from drafter.export.verify import verify_docx

    report = verify_docx(args.file)
    if args.json:
        output.print_json(report.as_dict())
    else:
        output.verify_report(report)
    return 0 if report.ok else 1


COMMANDS = {
    "export": Command(export_arguments, export),
    "verify": Command(verify_arguments, verify),
}
