"""`drafter import-review`: a reviewer's marked-up review copy read back; a summary, and with --apply recorded."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from drafter.cli import output
from drafter.cli.context import Command, Context, add_user_argument


def import_review_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("draft_id")
    p.add_argument("file", type=Path, help="the review copy, as the reviewer saved it (.docx)")
    p.add_argument("--apply", action="store_true",
                   help="record the changes as your edits and the comments as review comments "
                        "(without it, only the summary is printed and nothing changes)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_user_argument(p)


def import_review(ctx: Context, args: argparse.Namespace) -> int:
    result = ctx.service.import_review(args.draft_id, args.file, ctx.user(), apply=args.apply)
    if args.json:
        output.print_json(result.as_dict())
    else:
        _summary(result)
    return 0


def _summary(result: Any) -> None:
    changed = result.changed_sections
    print(f"review copy of draft {result.draft_id}, version {result.version}: {len(changed)} section(s) change, "
          f"{len(result.comments)} comment(s)")
    for s in changed:
        print(f"\n## {s.heading} ({s.section_id})")
        for r in s.revisions:
            print(f"  {'+' if r.kind == 'ins' else '-'} {r.author}: {r.text!r}")
        print("  old:", s.old_text.replace("\n", "\n       "))
        print("  new:", s.new_text.replace("\n", "\n       "))
    for c in result.comments:
        where = c.section_id or "document"
        on = f"on {where} “{c.anchor}”" if c.anchor else f"at a point in {where}"  # a comment with no selection
        print(f"\ncomment by {c.author or '(unnamed)'} {on}: {c.text}")
    if result.applied:
        print(f"\napplied: draft {result.draft_id} is now {result.status}"
              + ("; changes requested from its author" if result.changes_requested else ""))
    else:
        output.note("nothing was changed; run again with --apply to record these changes and comments")


COMMANDS = {"import-review": Command(import_review_arguments, import_review)}
