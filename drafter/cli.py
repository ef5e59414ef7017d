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
        "citations": [c.model_dump() for c in s.citations],
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
        for c in s.citations:
            where = f"paragraph {c.paragraph}" if c.paragraph else "paragraph not located"
            print(f"  [{c.marker}] {c.source}, {where}" + (f": \"{c.quote}\"" if c.quote else ""))


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
    p.add_argument("--stream", action="store_true", help="print the text as the model writes it")
    user_arg(p)

    p = sub.add_parser("generate", help="resume or retry generation of a failed draft")
    p.add_argument("draft_id")
    p.add_argument("--stream", action="store_true", help="print the text as the model writes it")
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
    p.add_argument("--with-original", action="store_true",
                   help="for a simplified regulation: put each section's original text after it")
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

    p = sub.add_parser("simplify", help="plain-language / child-friendly / easy-read versions of regulations")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--audience", choices=["plain", "child", "easy-read"], required=True)
    p.add_argument("--output-dir", type=Path, required=True)
    p.add_argument("--backend")
    p.add_argument("--concurrency", type=int, default=4, help="sections simplified at once (default 4)")
    p.add_argument("--json", action="store_true")
    user_arg(p)

    p = sub.add_parser("register", help="the AI-use register: one record per exported document")
    p.add_argument("--since", help="only documents exported on or after this date (YYYY-MM-DD)")
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p.add_argument("--public", action="store_true", help="omit personal names (roles only), for publication")
    p.add_argument("--output", type=Path, help="write to this file instead of standard output")

    p = sub.add_parser("record", help="transparency record of this deployment (ATRS tiers 1 and 2)")

    p = sub.add_parser("doctor", help="check configuration, database, migrations and data folder")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("purge", help="delete source texts and LLM call logs older than an age (audit log kept)")
    p.add_argument("--older-than", required=True, help="e.g. 30d, 12h, 8w")
    p.add_argument("--dry-run", action="store_true", help="say what would be deleted, delete nothing")
    user_arg(p)

    p = sub.add_parser("scan", help="scan text files for personal data and classification markings")
    p.add_argument("files", type=Path, nargs="+", metavar="FILE")
    p.add_argument("--backend", help="apply this backend's policy (default: DRAFTER_BACKEND)")
    p.add_argument("--json", action="store_true", help="one JSON object per finding per line")

    p = sub.add_parser("calls", help="list recorded backend calls")
    p.add_argument("--draft")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("backends", help="list the configured backends")
    p.add_argument("--check", action="store_true", help="check each backend can be reached (exit 4 if not)")
    p.add_argument("--json", action="store_true")
    return parser


def _stream_printer(service: DrafterService, template_id: str) -> tuple[Any, Any]:
    """on_token / on_retry callbacks printing the text as it arrives, a heading before each section."""
    headings = {s.id: s.heading for t in service.templates() if t.id == template_id for s in t.sections}
    current: list[str] = []

    def on_token(section_id: str, piece: str) -> None:
        if not current or current[-1] != section_id:
            current.append(section_id)
            print(f"\n## {headings.get(section_id, section_id)}\n", flush=True)
        print(piece, end="", flush=True)

    def on_retry(section_id: str, why: str) -> None:
        current.append("")  # print the heading again for the fresh attempt
        print(f"\n[{why} Retrying the section from the start.]", file=sys.stderr, flush=True)

    return on_token, on_retry

def _scan(service: DrafterService, args: argparse.Namespace) -> int:
    """Print findings; exit 3 when anything would be blocked for the backend (nothing is sent either way)."""
    policy = service.guard_policy(args.backend)
    streams = [(path, service.scan_file(path, args.backend)) for path in args.files]  # refuses bad files first
    blocked = 0
    for path, findings in streams:
        for f in findings:
            blocked += f.action == "block"
            if args.json:
                print(json.dumps({**f.as_json(), "file": str(path)}, ensure_ascii=False))
            else:
                what = f"{f.marking} ({f.level.value if f.level else ''}) line {f.line}" if f.marking else f.type
                print(f"{path}:{f.start}-{f.end}  {f.action:6} {what}  score {f.score:g}")
    if not args.json:
        print(f"backend {policy.backend}: clearance {policy.clearance.value}, personal data {policy.personal_data}; "
              f"{blocked} finding(s) would be blocked", file=sys.stderr)
        if not service.guard.ner_available:
            print("note: no NER model: names are found only after a label and addresses are not detected",
                  file=sys.stderr)
    return 3 if blocked else 0


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

    if cmd == "doctor":
        from drafter.ops import doctor

        checks = doctor(settings)
        if args.json:
            _out([check.__dict__ for check in checks])
        else:
            for check in checks:
                fix = f"\n     fix: {check.fix}" if check.fix else ""
                print(f"{'ok  ' if check.ok else 'FAIL'} {check.name:12} {check.detail}{fix}")
        return 0 if all(check.ok for check in checks) else 1

    service = DrafterService.from_settings(settings)
    if cmd == "purge":
        from drafter.models import utcnow
        from drafter.ops import parse_age, purge

        purged = purge(service.store, older_than=parse_age(args.older_than), now=utcnow(),
                       dry_run=args.dry_run, actor=_user(args, settings, parser))
        verb = "would clear" if purged.dry_run else "cleared"
        print(f"{verb} the source texts of {purged.sources_cleared} drafts and {purged.calls_deleted} LLM call "
              f"records older than {purged.cutoff.isoformat()}; the audit log is kept")
        return 0
    if cmd == "register":
        from datetime import UTC, datetime

        from drafter.register import register_csv, register_json

        try:
            since = datetime.fromisoformat(args.since).replace(tzinfo=UTC) if args.since else None
        except ValueError:
            raise InputError(f"Cannot read the date {args.since!r}; use YYYY-MM-DD.") from None
        entries = service.register(since)
        text = register_csv(entries, args.public) if args.format == "csv" else register_json(entries, args.public)
        if args.output:
            args.output.write_text(text, encoding="utf-8")
            print(f"{len(entries)} documents written to {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return 0
    if cmd == "record":
        from drafter.register import transparency_record

        record = transparency_record(
            system=settings.system_name, organisation=settings.organisation,
            backends=service.backend_status(check=False),
            templates=[(t.id, t.kind, t.title) for t in service.templates()],
            database=service.store.dialect,
            counts={"drafts": len(service.list_drafts()), "exported_documents": len(service.register())},
        )
        _out(record)
        return 0
    if cmd == "simplify":
        if args.concurrency < 1:
            parser.error("--concurrency must be at least 1")
        results = service.simplify_files(args.files, audience=args.audience, output_dir=args.output_dir,
                            user=_user(args, settings, parser), backend=args.backend, concurrency=args.concurrency)
        if args.json:
            _out([r.as_dict() for r in results])
        else:
            for fr in results:
                if fr.error:
                    print(f"{fr.file}: error: {fr.error}")
                    continue
                print(f"{fr.file}: draft {fr.draft_id}, {fr.sections} sections, {fr.measure} {fr.grade_before} -> "
                      f"{fr.grade_after}, {fr.blocking_findings} sections flagged for review, written to {fr.output}")
        return 3 if any(fr.error for fr in results) else 0
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

        on_token, on_retry = _stream_printer(service, args.template_id) if args.stream else (None, None)
        draft = service.create_draft(request, user, on_section=progress, on_token=on_token, on_retry=on_retry)
        if args.stream:
            print()
        print(draft.id)
        return 0
    if cmd == "generate":
        user = _user(args, settings, parser)
        on_token, on_retry = (
            _stream_printer(service, service.get_draft(args.draft_id).template_id) if args.stream else (None, None)
        )
        draft = service.generate(args.draft_id, user, on_token=on_token, on_retry=on_retry)
        if args.stream:
            print()
        print(draft.id)
        return 0
    if cmd == "backends":
        rows = service.backend_status(check=args.check)
        if args.json:
            _out(rows)
        else:
            for r in rows:
                where = "external" if r["external"] else "local"
                mark = " (default)" if r["default"] else ""
                print(f"{r['name']}{mark}: {r['model']} · {where} · {r['endpoint'] or 'in-process'}")
                if args.check:
                    print(f"  {'ok' if r['reachable'] else 'UNREACHABLE'}: {r['check']}")
        return 0 if all(r.get("reachable", True) for r in rows) else 4
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
        result = service.export(args.draft_id, args.output, _user(args, settings, parser),
                                include_original=args.with_original)
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
    if cmd == "scan":
        return _scan(service, args)
    if cmd == "calls":
        calls = service.llm_calls(args.draft)
        if args.json:
            _out([c.model_dump(mode="json") for c in calls])
        else:
            for c in calls:
                status = f"error: {c.error}" if c.error else "ok"
                tokens = f"{c.input_tokens if c.input_tokens is not None else '?'}→" \
                         f"{c.output_tokens if c.output_tokens is not None else '?'} tokens"
                print(f"{c.datetime_utc.isoformat()} {c.backend}/{c.model} draft {c.draft_id} "
                      f"{c.options.get('section', '-')} {c.duration_ms} ms {tokens} {status}")
        return 0
    parser.error(f"unknown command {cmd}")
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
        from drafter.logs import configure

        configure(settings.log_format, settings.log_level)
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
