"""`drafter draft`, `generate`, `edit` and `refine`: writing a draft's text."""

from __future__ import annotations

import argparse
from pathlib import Path

from drafter.cli import output
from drafter.cli.context import Command, Context, add_user_argument
from drafter.errors import InputError
from drafter.i18n import _


def read_inputs(path: Path) -> dict[str, str]:
    """The --inputs YAML file as field name → text (a list becomes lines, nothing becomes empty)."""
    import yaml

    if not path.is_file():
        raise InputError("Inputs file not found: {path}", path=path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(
            "{path}: not a valid YAML inputs file ({reason}).",
            path=path, reason=str(exc).splitlines()[0],
        ) from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InputError("{path}: the inputs file must be a mapping of field name to value.", path=path)
    inputs: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, list):
            inputs[str(key)] = "\n".join(str(v) for v in value)
        elif value is None:
            inputs[str(key)] = ""
        elif isinstance(value, (str, int, float)) or hasattr(value, "isoformat"):
            inputs[str(key)] = str(value)
        else:
            raise InputError("{path}: field {key!r} must be text or a list of lines.", path=path, key=key)
    return inputs


def _headings(ctx: Context, template_id: str) -> dict[str, str]:
    return {s.id: s.heading for t in ctx.service.templates() if t.id == template_id for s in t.sections}


def draft_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("template_id")
    p.add_argument("--inputs", type=Path, required=True, help="YAML file of field: value")
    p.add_argument("--source", type=Path, action="append", default=[], help="a source document (.txt, .md, .docx)")
    p.add_argument("--style-guide")
    p.add_argument("--backend")
    p.add_argument("--stream", action="store_true", help="print the text as the model writes it")
    add_user_argument(p)


def draft(ctx: Context, args: argparse.Namespace) -> int:
    from drafter.models import DraftRequest
    from drafter.sources import read_source

    user = ctx.user()
    inputs = read_inputs(args.inputs)
    sources = [read_source(p, ctx.settings.max_source_bytes) for p in args.source]
    request = DraftRequest(template_id=args.template_id, inputs=inputs, sources=sources,
                           style_guide_id=args.style_guide, backend=args.backend)
    on_token, on_retry = output.stream_printer(_headings(ctx, args.template_id)) if args.stream else (None, None)
    result = ctx.service.create_draft(request, user, on_section=output.section_progress, on_token=on_token,
                                      on_retry=on_retry)
    if args.stream:
        print()
    print(result.id)
    return 0


def generate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("draft_id")
    p.add_argument("--stream", action="store_true", help="print the text as the model writes it")
    add_user_argument(p)


def generate(ctx: Context, args: argparse.Namespace) -> int:
    user = ctx.user()
    on_token, on_retry = (
        output.stream_printer(_headings(ctx, ctx.service.get_draft(args.draft_id).template_id))
        if args.stream else (None, None)
    )
    result = ctx.service.generate(args.draft_id, user, on_token=on_token, on_retry=on_retry)
    if args.stream:
        print()
    print(result.id)
    return 0


def edit_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("draft_id")
    p.add_argument("--section", required=True)
    p.add_argument("--text-file", type=Path, required=True)
    p.add_argument("--expected-version", type=int, help="refuse if the draft changed since this version")
    add_user_argument(p)


def edit(ctx: Context, args: argparse.Namespace) -> int:
    if not args.text_file.is_file():
        raise InputError("Text file not found: {path}", path=args.text_file)
    text = args.text_file.read_text(encoding="utf-8")
    result = ctx.service.edit_section(args.draft_id, args.section, text, ctx.user(),
                                      expected_version=args.expected_version)
    print(_("{draft_id} version {version} ({status})", draft_id=result.id, version=result.version,
            status=result.status.text()))
    return 0


def refine_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("draft_id")
    p.add_argument("--section", required=True)
    p.add_argument("--instruction", required=True)
    add_user_argument(p)


def refine(ctx: Context, args: argparse.Namespace) -> int:
    result = ctx.service.refine_section(args.draft_id, args.section, args.instruction, ctx.user())
    print(_("{draft_id} version {version} ({status})", draft_id=result.id, version=result.version,
            status=result.status.text()))
    return 0


COMMANDS = {
    "draft": Command(draft_arguments, draft),
    "generate": Command(generate_arguments, generate),
    "edit": Command(edit_arguments, edit),
    "refine": Command(refine_arguments, refine),
}
