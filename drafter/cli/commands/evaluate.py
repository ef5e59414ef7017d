"""`drafter eval`: draft a folder of cases and report findings, readability, time and tokens."""

from __future__ import annotations

import argparse
from pathlib import Path

from drafter.cli import output
from drafter.cli.context import Command, Context


def eval_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", type=Path)
    p.add_argument("--backend")
    p.add_argument("--json", action="store_true")


def evaluate(ctx: Context, args: argparse.Namespace) -> int:
    result = ctx.service.evaluate(args.folder, args.backend)
    if args.json:
        output.print_json(result.as_dict())
    else:
        output.evaluation(result)
    return 0 if result.ok else 1


COMMANDS = {"eval": Command(eval_arguments, evaluate)}
