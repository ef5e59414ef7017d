"""`drafter export` and `drafter verify`: the labelled .docx and reading it back."""

from __future__ import annotations

import argparse
from pathlib import Path

from drafter.cli import output
from drafter.cli.context import Command, Context, add_user_argument
from drafter.i18n import _


def export_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("draft_id")
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--format", choices=("docx", "pdf"), default=None,
                   help="docx (default) or pdf: the labelled .docx, then a PDF made from it by LibreOffice "
                        "(default: from the --output suffix)")
    p.add_argument("--with-original", action="store_true",
                   help="for a simplified regulation: put each section's original text after it")
    p.add_argument("--review-copy", action="store_true",
                   help="write a review copy for Word instead (any status; tracked changes, comments, no approval)")
    add_user_argument(p)


def export(ctx: Context, args: argparse.Namespace) -> int:
    if args.review_copy:
        path = ctx.service.review_copy(args.draft_id, args.output, ctx.user())
        print(_("review copy written to {path} (not the labelled export; it carries no approval)", path=path))
        return 0
    fmt = args.format or ("pdf" if args.output.suffix.lower() == ".pdf" else "docx")
    if fmt == "pdf":
        result = ctx.service.export_pdf(args.draft_id, args.output, ctx.user(), include_original=args.with_original)
        print(_("exported {path} (from {docx})", path=str(result.path), docx=str(result.docx_path)))
        print(_("label: {statement}", statement=result.label_statement))
        return 0
    result = ctx.service.export(args.draft_id, args.output, ctx.user(), include_original=args.with_original)
    print(_("exported {path}", path=result.path))
    print(_("label: {label}", label=result.label_statement))
    return 0


def verify_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path)
    p.add_argument("--public-key", type=Path, metavar="PEM",
                   help="the Ed25519 public key (PEM) of the deployment that signed the file; without it, this "
                        "deployment's own key")
    p.add_argument("--json", action="store_true")


def verify(ctx: Context, args: argparse.Namespace) -> int:
    report = ctx.service.verify_file(args.file, public_key=args.public_key)
    if args.json:
        output.print_json(report.as_dict())
    else:
        output.verify_report(report)
    return 0 if report.ok else 1


def public_key_arguments(p: argparse.ArgumentParser) -> None:
    pass


def public_key(ctx: Context, args: argparse.Namespace) -> int:
    print(ctx.service.public_key_pem(), end="")
    return 0


COMMANDS = {
    "export": Command(export_arguments, export),
    "verify": Command(verify_arguments, verify),
    "public-key": Command(public_key_arguments, public_key),
}
