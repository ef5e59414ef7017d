"""`drafter submit`, `approve`, `request-changes` and `waive`: the review checkpoint."""

from __future__ import annotations

import argparse

from drafter.cli.context import Command, Context, add_user_argument
from drafter.i18n import _


def submit_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("draft_id")
    add_user_argument(p)


def submit(ctx: Context, args: argparse.Namespace) -> int:
    draft = ctx.service.submit(args.draft_id, ctx.user())
    print(_("{draft_id} submitted for review", draft_id=draft.id))
    return 0


def approve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("draft_id")
    p.add_argument("--confirm-checklist", action="store_true",
                   help="confirm: facts checked against sources, no sensitive data, label accurate")
    p.add_argument("--comment", default="")
    add_user_argument(p)


def approve(ctx: Context, args: argparse.Namespace) -> int:
    from drafter.models import Checklist

    confirmed = bool(args.confirm_checklist)
    checklist = Checklist(facts_checked=confirmed, no_sensitive_data=confirmed, label_accurate=confirmed)
    draft = ctx.service.approve(args.draft_id, ctx.user(), checklist, comment=args.comment)
    print(_("{draft_id} approved at content sha256 {sha256}", draft_id=draft.id, sha256=draft.content_sha256))
    return 0


def request_changes_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("draft_id")
    p.add_argument("--comment", required=True)
    add_user_argument(p)


def request_changes(ctx: Context, args: argparse.Namespace) -> int:
    draft = ctx.service.request_changes(args.draft_id, ctx.user(), args.comment)
    print(_("{draft_id} returned to {author} for changes", draft_id=draft.id, author=draft.author))
    return 0


def waive_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("draft_id")
    p.add_argument("finding_id")
    p.add_argument("--reason", required=True)
    add_user_argument(p)


def waive(ctx: Context, args: argparse.Namespace) -> int:
    finding = ctx.service.waive(args.draft_id, args.finding_id, args.reason, ctx.user())
    print(_("{finding_id} waived by {user}: {reason}", finding_id=finding.id, user=finding.waived_by,
            reason=finding.waiver_reason))
    return 0


COMMANDS = {
    "submit": Command(submit_arguments, submit),
    "approve": Command(approve_arguments, approve),
    "request-changes": Command(request_changes_arguments, request_changes),
    "waive": Command(waive_arguments, waive),
}
