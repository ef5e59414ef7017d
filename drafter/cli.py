"""The `drafter` command: the service's second face.

Exit codes: 0 success; 1 verification failed or unexpected error; 2 usage error; 3 refused or invalid input
(nothing was changed); 4 the backend failed (the draft is kept and can be retried with `drafter generate`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from drafter.errors import DrafterError, InputError
from drafter.models import Checklist, Draft, DraftRequest, Finding, Section
from drafter.service import DrafterService
from drafter.settings import Settings, get_settings
from drafter.sources import read_source

EXIT_USAGE = 2


def _out(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _user(args: argparse.Namespace, settings: Settings, parser: argparse.ArgumentParser) -> str:
    user = getattr(args, "user", None) or settings.user or os.environ.get("DRAFTER_USER")
    if not user:
        parser.error("say who you are with --user NAME or the DRAFTER_USER environment variable")
    return str(user)


def _read_inputs(path: Path) -> dict[str, str]:
    if not path.is_file():
        raise InputError(f"Inputs file not found: {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a valid YAML inputs file ({str(exc).splitlines()[0]}).") from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InputError(f"{path}: the inputs file must be a mapping of field name to value.")
    inputs: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, list):
            inputs[str(key)] = "\n".join(str(v) for v in value)
        elif value is None:
            inputs[str(key)] = ""
        elif isinstance(value, (str, int, float)) or hasattr(value, "isoformat"):
            inputs[str(key)] = str(value)
        else:
            raise InputError(f"{path}: field {key!r} must be text or a list of lines.")
    return inputs


def section_json(s: Section) -> dict[str, Any]:
    return {
        "id": s.id,
        "heading": s.heading,
        "text": s.text,
        "origin": s.provenance.origin.value,
        "backend": s.provenance.backend,
        "model": s.provenance.model,
    }


def draft_json(d: Draft) -> dict[str, Any]:
    return {
        "id": d.id,
        "template": d.template_id,
        "style_guide": d.style_guide_id,
        "title": d.title,
        "language": d.language,
        "status": d.status.value,
        "author": d.author,
        "version": d.version,
        "content_sha256": d.content_sha256,
        "error": d.error,
        "sections": [section_json(s) for s in d.sections],
    }


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "id": f.id, "severity": f.severity.value, "rule": f.rule_id, "section": f.section_id,
        "span": [f.start, f.end] if f.start is not None else None, "excerpt": f.excerpt, "message": f.message,
        "suggestion": f.suggestion, "status": f.status.value, "waiver_reason": f.waiver_reason,
        "waived_by": f.waived_by, "waived_at": f.waived_at.isoformat() if f.waived_at else None,
    }


def _print_findings(findings: list[Finding]) -> None:
    if not findings:
        print("no findings")
    for f in findings:
        span = f"{f.start}-{f.end}" if f.start is not None else "-"
        print(f"{f.id}  {f.severity.value:8} {f.status.value:8} {f.rule_id:24} {f.section_id or '(document)':16} "
              f"{span:9} {f.message}")
        if f.suggestion and f.status.value == "open":
            print(f"{'':10}fix: {f.suggestion}")
        if f.waiver_reason:
            print(f"{'':10}waived by {f.waived_by}: {f.waiver_reason}")


def _print_draft(d: Draft) -> None:
    print(f"{d.title}  [{d.id}]")
    print(f"template {d.template_id} · status {d.status.value} · author {d.author} · version {d.version}")
    print(f"content sha256 {d.content_sha256}")
    if d.error:
        print(f"last error: {d.error}")
    for s in d.sections:
        p = s.provenance
        print(f"\n## {s.heading}  ({s.id}; {p.origin.value}; {p.backend}/{p.model})")
        print(s.text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="drafter", description="Drafting assistant with mandatory human review.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def user_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--user", help="who is acting (default: DRAFTER_USER)")

    p = sub.add_parser("templates", help="list templates")
    p.add_argument("--language", choices=["en", "zh"])
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("draft", help="draft a document from a template; prints the draft id")
    p.add_argument("template_id")
    p.add_argument("--inputs", type=Path, required=True, help="YAML file of field: value")
    p.add_argument("--source", type=Path, action="append", default=[], help="a source document (.txt, .md, .docx)")
    p.add_argument("--style-guide")
    p.add_argument("--backend")
    user_arg(p)

    p = sub.add_parser("generate", help="resume or retry generation of a failed draft")
    p.add_argument("draft_id")
    user_arg(p)

    p = sub.add_parser("show", help="show a draft")
    p.add_argument("draft_id")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("list", help="list drafts")
    p.add_argument("--status")
    p.add_argument("--author")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("edit", help="replace a section's text with your own")
    p.add_argument("draft_id")
    p.add_argument("--section", required=True)
    p.add_argument("--text-file", type=Path, required=True)
    p.add_argument("--expected-version", type=int, help="refuse if the draft changed since this version")
    user_arg(p)

    p = sub.add_parser("refine", help="regenerate one section by instruction")
    p.add_argument("draft_id")
    p.add_argument("--section", required=True)
    p.add_argument("--instruction", required=True)
    user_arg(p)

    p = sub.add_parser("submit", help="submit a draft for review")
    p.add_argument("draft_id")
    user_arg(p)

    p = sub.add_parser("approve", help="approve a draft in review (not your own)")
    p.add_argument("draft_id")
    p.add_argument("--confirm-checklist", action="store_true",
                   help="confirm: facts checked against sources, no sensitive data, label accurate")
    p.add_argument("--comment", default="")
    user_arg(p)

    p = sub.add_parser("findings", help="list the automatic checks' findings on a draft")
    p.add_argument("draft_id")
    p.add_argument("--all", action="store_true", help="include findings that no longer apply (resolved)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("waive", help="waive one finding with a written reason (recorded in the audit log)")
    p.add_argument("draft_id")
    p.add_argument("finding_id")
    p.add_argument("--reason", required=True)
    user_arg(p)

    p = sub.add_parser("eval", help="draft a folder of YAML cases and report findings, readability, time, tokens")
    p.add_argument("folder", type=Path)
    p.add_argument("--backend")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("request-changes", help="send a draft in review back to its author")
    p.add_argument("draft_id")
    p.add_argument("--comment", required=True)
    user_arg(p)

    p = sub.add_parser("export", help="export an approved draft to .docx with AI-use labels")
    p.add_argument("draft_id")
    p.add_argument("--output", type=Path, required=True)
    user_arg(p)

    p = sub.add_parser("verify", help="check an exported .docx: label, provenance, approved hash")
    p.add_argument("file", type=Path)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("audit", help="the audit log")
    audit_sub = p.add_subparsers(dest="audit_command", required=True, metavar="SUBCOMMAND")
    audit_sub.add_parser("verify", help="walk the hash chain")
    q = audit_sub.add_parser("list", help="list events")
    q.add_argument("--draft")
    q.add_argument("--json", action="store_true")

    p = sub.add_parser("calls", help="list recorded backend calls")
    p.add_argument("--draft")
    p.add_argument("--json", action="store_true")
    return parser


def run(args: argparse.Namespace, parser: argparse.ArgumentParser, settings: Settings) -> int:
    cmd = args.command
    if cmd == "verify":
        from drafter.export.verify import verify_docx

        report = verify_docx(args.file)
        if args.json:
            _out(report.as_dict())
        else:
            print(f"label: {report.label or '(none)'}")
            if report.provenance:
                prov = report.provenance
                print(f"draft {prov.get('draft_id')} · author {prov.get('author')} · reviewer {prov.get('reviewer')} "
                      f"· approved {prov.get('approved_at')}")
                print(f"models: {', '.join(prov.get('models', []))}")
            print(f"content matches approved hash: {'yes' if report.content_matches else 'NO'}")
            print(f"body unchanged since export: {'yes' if report.body_unchanged else 'NO'}")
            for problem in report.problems:
                print(f"problem: {problem}", file=sys.stderr)
            print("verified" if report.ok else "NOT VERIFIED")
        return 0 if report.ok else 1

    service = DrafterService.from_settings(settings)
    if cmd == "templates":
        items = service.templates(args.language)
        if args.json:
            _out([
                {"id": t.id, "title": t.title, "language": t.language, "kind": t.kind, "description": t.description,
                 "fields": [{"name": f.name, "label": f.label, "type": f.type, "required": f.required}
                            for f in t.fields]}
                for t in items
            ])
        else:
            for t in items:
                print(f"{t.id:20} {t.language}  {t.kind:14} {t.title}: {t.description}")
        return 0
    if cmd == "draft":
        user = _user(args, settings, parser)
        inputs = _read_inputs(args.inputs)
        sources = [read_source(p, settings.max_source_bytes) for p in args.source]
        request = DraftRequest(template_id=args.template_id, inputs=inputs, sources=sources,
                               style_guide_id=args.style_guide, backend=args.backend)

        def progress(i: int, n: int, s: Section) -> None:
            print(f"[{i}/{n}] {s.heading}", file=sys.stderr)

        draft = service.create_draft(request, user, on_section=progress)
        print(draft.id)
        return 0
    if cmd == "generate":
        draft = service.generate(args.draft_id, _user(args, settings, parser))
        print(draft.id)
        return 0
    if cmd == "show":
        draft = service.get_draft(args.draft_id)
        if args.json:
            _out({**draft_json(draft), "findings": [finding_json(f) for f in service.findings(draft.id)]})
        else:
            _print_draft(draft)
        return 0
    if cmd == "findings":
        findings = service.findings(args.draft_id, include_resolved=args.all)
        if args.json:
            _out([finding_json(f) for f in findings])
        else:
            _print_findings(findings)
        return 0
    if cmd == "waive":
        finding = service.waive(args.draft_id, args.finding_id, args.reason, _user(args, settings, parser))
        print(f"{finding.id} waived by {finding.waived_by}: {finding.waiver_reason}")
        return 0
    if cmd == "eval":
        evaluation = service.evaluate(args.folder, args.backend)
        if args.json:
            _out(evaluation.as_dict())
        else:
            for case in evaluation.cases:
                if case.error:
                    print(f"{case.case:28} FAILED: {case.error}")
                    continue
                print(f"{case.case:28} {case.template:14} {case.backend}/{case.model}: {case.sections} sections, "
                      f"{case.blocking} blocking ({case.unsupported_facts} unsupported facts), {case.warnings} warnings, "
                      f"readability {case.sections_within_target}/{case.sections_scored} on target, {case.seconds:.2f} s, "
                      f"{case.input_tokens}+{case.output_tokens} tokens")
            total = evaluation.totals()
            print(f"total: {total['cases']} cases ({total['failed']} failed), {total['sections']} sections, {total['blocking']} "
                  f"blocking, {total['unsupported_facts']} unsupported facts, readability {total['sections_within_target']}/"
                  f"{total['sections_scored']} on target, {total['seconds']:.2f} s, "
                  f"{total['input_tokens']}+{total['output_tokens']} tokens")
        return 0 if evaluation.ok else 1
    if cmd == "list":
        drafts = service.list_drafts(author=args.author, status=args.status)
        if args.json:
            _out([{k: v for k, v in draft_json(d).items() if k != "sections"} for d in drafts])
        else:
            for d in drafts:
                print(f"{d.id}  {d.status.value:18} {d.author:12} {d.template_id:15} {d.title}")
        return 0
    if cmd == "edit":
        if not args.text_file.is_file():
            raise InputError(f"Text file not found: {args.text_file}")
        text = args.text_file.read_text(encoding="utf-8")
        draft = service.edit_section(args.draft_id, args.section, text, _user(args, settings, parser),
                                     expected_version=args.expected_version)
        print(f"{draft.id} version {draft.version} ({draft.status.value})")
        return 0
    if cmd == "refine":
        draft = service.refine_section(args.draft_id, args.section, args.instruction, _user(args, settings, parser))
        print(f"{draft.id} version {draft.version} ({draft.status.value})")
        return 0
    if cmd == "submit":
        draft = service.submit(args.draft_id, _user(args, settings, parser))
        print(f"{draft.id} submitted for review")
        return 0
    if cmd == "approve":
        confirmed = bool(args.confirm_checklist)
        checklist = Checklist(facts_checked=confirmed, no_sensitive_data=confirmed, label_accurate=confirmed)
        draft = service.approve(args.draft_id, _user(args, settings, parser), checklist, comment=args.comment)
        print(f"{draft.id} approved at content sha256 {draft.content_sha256}")
        return 0
    if cmd == "request-changes":
        draft = service.request_changes(args.draft_id, _user(args, settings, parser), args.comment)
        print(f"{draft.id} returned to {draft.author} for changes")
        return 0
    if cmd == "export":
        result = service.export(args.draft_id, args.output, _user(args, settings, parser))
        print(f"exported {result.path}")
        print(f"label: {result.label_statement}")
        return 0
    if cmd == "audit":
        if args.audit_command == "verify":
            count, broken = service.verify_audit()
            if broken:
                print(f"audit chain broken: {broken}", file=sys.stderr)
                return 1
            print(f"audit chain intact: {count} events")
            return 0
        events = service.audit_trail(args.draft)
        if args.json:
            _out([e.model_dump(mode="json") for e in events])
        else:
            for e in events:
                print(f"{e.seq:6} {e.at.isoformat()} {e.actor:12} {e.action:20} {e.draft_id or '-'} "
                      f"{json.dumps(e.details, ensure_ascii=False)}")
        return 0
    if cmd == "calls":
        calls = service.llm_calls(args.draft)
        if args.json:
            _out([c.model_dump(mode="json") for c in calls])
        else:
            for c in calls:
                status = f"error: {c.error}" if c.error else "ok"
                print(f"{c.datetime_utc.isoformat()} {c.backend}/{c.model} draft {c.draft_id} "
                      f"{c.duration_ms} ms {status}")
        return 0
    parser.error(f"unknown command {cmd}")
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
        return run(args, parser, settings)
    except DrafterError as exc:
        print(f"drafter: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        if os.environ.get("DRAFTER_DEBUG"):
            raise
        print(f"drafter: unexpected error: {type(exc).__name__}: {exc} (set DRAFTER_DEBUG=1 for details)",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("drafter: interrupted; work saved so far is kept.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
