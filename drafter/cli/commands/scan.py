"""`drafter scan`: what the guard would replace or block in some files, for a backend; nothing is sent."""

from __future__ import annotations

import argparse
from pathlib import Path

from drafter.cli import output
from drafter.cli.context import Command, Context


def scan_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", type=Path, nargs="+", metavar="FILE")
    p.add_argument("--backend", help="apply this backend's policy (default: DRAFTER_BACKEND)")
    p.add_argument("--json", action="store_true", help="one JSON object per finding per line")


def scan(ctx: Context, args: argparse.Namespace) -> int:
    """Print findings; exit 3 when anything would be blocked for the backend (nothing is sent either way)."""
    service = ctx.service
    policy = service.guard_policy(args.backend)
    streams = [(path, service.scan_file(path, args.backend)) for path in args.files]  # refuses bad files first
    blocked = 0
    for path, findings in streams:
        for f in findings:
            blocked += f.action == "block"
            output.scan_finding(path, f, args.json)
    if not args.json:
        output.scan_summary(policy, blocked, service.guard.ner_available)
    return 3 if blocked else 0


COMMANDS = {"scan": Command(scan_arguments, scan)}
