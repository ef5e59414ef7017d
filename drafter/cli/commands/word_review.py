"""`drafter import-review`: a reviewer's marked-up review copy read back; a summary, and with --apply recorded."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from drafter.cli import output
from drafter.cli.context import Command, Context, add_user_argument
from drafter.i18n import _


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
    print(_("review copy of draft {draft_id}, version {version}: {sections} section(s) change, {comments} comment(s)",
            draft_id=result.draft_id, version=result.version, sections=len(changed), comments=len(result.comments)))
    for s in changed:
        print(f"\n## {s.heading} ({s.section_id})")
        for r in s.revisions:
            print(f"  {'+' if r.kind == 'ins' else '-'} {r.author}: {r.text!r}")
        print(" ", _("old:"), s.old_text.replace("\n", "\n       "))
        print(" ", _("new:"), s.new_text.replace("\n", "\n       "))
    for c in result.comments:
        where = c.section_id or _("document")
        if c.anchor:
            line = _("comment by {author} on {where} “{anchor}”: {text}", author=c.author or _("(unnamed)"),
                     where=where, anchor=c.anchor, text=c.text)
        else:  # a comment made with nothing selected
            line = _("comment by {author} at a point in {where}: {text}", author=c.author or _("(unnamed)"),
                     where=where, text=c.text)
        print("\n" + line)
    if result.applied and result.changes_requested:
        print("\n" + _("applied: draft {draft_id} is now {status}; changes requested from its author",
                       draft_id=result.draft_id, status=result.status))
    elif result.applied:
        print("\n" + _("applied: draft {draft_id} is now {status}", draft_id=result.draft_id, status=result.status))
    else:
        output.note(_("nothing was changed; run again with --apply to record these changes and comments"))


COMMANDS = {"import-review": Command(import_review_arguments, import_review)}
