"""`drafter simplify`: plain-language, child-friendly and easy-read versions of regulations, in a batch."""

from __future__ import annotations

import argparse
from pathlib import Path

from drafter.cli import output
from drafter.cli.context import Command, Context, add_user_argument
from drafter.i18n import _


def simplify_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--audience", choices=["plain", "child", "easy-read"], required=True)
    p.add_argument("--output-dir", type=Path, required=True)
    p.add_argument("--backend")
    p.add_argument("--concurrency", type=int, default=4, help="sections simplified at once (default 4)")
    p.add_argument("--json", action="store_true")
    add_user_argument(p)


def simplify(ctx: Context, args: argparse.Namespace) -> int:
    if args.concurrency < 1:
        ctx.error(_("--concurrency must be at least 1"))
    results = ctx.service.simplify_files(args.files, audience=args.audience, output_dir=args.output_dir,
                                         user=ctx.user(), backend=args.backend, concurrency=args.concurrency)
    if args.json:
        output.print_json([r.as_dict() for r in results])
    else:
        output.simplified(results)
    return 3 if any(r.error for r in results) else 0


COMMANDS = {"simplify": Command(simplify_arguments, simplify)}
