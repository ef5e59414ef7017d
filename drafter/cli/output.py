"""Everything the CLI prints: JSON shapes and text lines. Handlers get results from the service and pass them here.

Text lines are in the user's language (set at start-up from DRAFTER_LANGUAGE or the POSIX locale); JSON shapes
are language-neutral: English messages beside their stable ids, so scripts read the same under every locale."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drafter.i18n import _, lazy, ngettext

if TYPE_CHECKING:
    from drafter.models import AuditEvent, Draft, Finding, LLMCall, Section, Span, Template

# Results of modules that the service split is moving (verify, ops, simplify, evaluation, guard) are typed Any
# here: the printers read a few attributes and must not pin those modules' locations.


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def note(text: str) -> None:
    """A line for the person at the terminal (stderr), apart from the command's output."""
    print(text, file=sys.stderr)


# --- JSON shapes (stable: scripts read them) -----------------------------------------------------------------


def section_json(s: Section) -> dict[str, Any]:
    return {
        "id": s.id,
        "heading": s.heading,
        "text": s.text,
        "origin": s.provenance.origin.value,
        "backend": s.provenance.backend,
        "model": s.provenance.model,
        "citations": [c.model_dump() for c in s.citations],
        "spans": [span_json(span) for span in s.spans],
    }


def span_json(span: Span) -> dict[str, Any]:
    """One span of a section's text: who wrote `text[start:end]`; `source` and `paragraph` only for quotes
    (null otherwise, so every span has the same keys)."""
    return {"start": span.start, "end": span.end, "origin": span.origin.value, "source": span.source,
            "paragraph": span.paragraph}


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
        "message_id": f.message_id, "message_params": f.message_params,
        "suggestion": f.suggestion, "status": f.status.value, "waiver_reason": f.waiver_reason,
        "waived_by": f.waived_by, "waived_at": f.waived_at.isoformat() if f.waived_at else None,
    }


def template_json(t: Template) -> dict[str, Any]:
    return {
        "id": t.id, "title": t.title, "language": t.language, "kind": t.kind, "description": t.description,
        "fields": [{"name": f.name, "label": f.label, "type": f.type, "required": f.required} for f in t.fields],
    }


# --- text ---------------------------------------------------------------------------------------------------


def error_json(exc: Any) -> dict[str, Any]:
    """A DrafterError as language-neutral JSON: its class as a stable code, the message id and parameters, the
    English sentence and the exit code."""
    from drafter.i18n import message_params

    return {"error": {
        "code": exc.code, "exit_code": exc.exit_code, "message_id": exc.message_id,
        "params": message_params(lazy(exc.message_id, **exc.params)), "message": exc.english,
    }}


def templates(items: list[Template]) -> None:
    for t in items:
        print(f"{t.id:20} {t.language}  {t.kind:14} {t.title}: {t.description}")


def backends(rows: list[dict[str, Any]], checked: bool) -> None:
    for r in rows:
        where = _("external") if r["external"] else _("local")
        mark = _(" (default)") if r["default"] else ""
        print(f"{r['name']}{mark}: {r['model']} · {where} · {r['endpoint'] or _('in-process')}")
        if checked:
            print(f"  {_('ok') if r['reachable'] else _('UNREACHABLE')}: {r['check']}")


def draft(d: Draft) -> None:
    print(f"{d.title}  [{d.id}]")
    print(_("template {template} · status {status} · author {author} · version {version}",
            template=d.template_id, status=d.status.text(), author=d.author, version=d.version))
    print(_("content sha256 {sha256}", sha256=d.content_sha256))
    if d.error:
        print(_("last error: {error}", error=d.error))
    for s in d.sections:
        p = s.provenance
        heading = f"{s.heading}  " if s.heading else ""  # a simplified part with no heading in its original
        print(f"\n## {heading}({s.id}; {p.origin.value}; {p.backend}/{p.model})")
        print(s.text)
        for c in s.citations:
            where = _("paragraph {n}", n=c.paragraph) if c.paragraph else _("paragraph not located")
            print(f"  [{c.marker}] {c.source}, {where}" + (f": \"{c.quote}\"" if c.quote else ""))


def drafts(items: Iterable[Draft]) -> None:
    for d in items:
        print(f"{d.id}  {d.status.text():18} {d.author:12} {d.template_id:15} {d.title}")


def findings(items: list[Finding]) -> None:
    if not items:
        print(_("no findings"))
    for f in items:
        span = f"{f.start}-{f.end}" if f.start is not None else "-"
        print(f"{f.id}  {f.severity.value:8} {f.status.value:8} {f.rule_id:24} {f.section_id or _('(document)'):16} "
              f"{span:9} {f.text()}")
        suggestion = f.suggestion_text()
        if suggestion and f.status.value == "open":
            print(f"{'':10}" + _("fix: {suggestion}", suggestion=suggestion))
        if f.waiver_reason:
            print(f"{'':10}" + _("waived by {user}: {reason}", user=f.waived_by, reason=f.waiver_reason))


def section_progress(i: int, n: int, s: Section) -> None:
    note(f"[{i}/{n}] {s.heading or s.id}")


def stream_printer(headings: dict[str, str]) -> tuple[Callable[[str, str], None], Callable[[str, str], None]]:
    """on_token / on_retry callbacks printing the text as it arrives, a heading before each section."""
    current: list[str] = []

    def on_token(section_id: str, piece: str) -> None:
        if not current or current[-1] != section_id:
            current.append(section_id)
            print(f"\n## {headings.get(section_id, section_id)}\n", flush=True)
        print(piece, end="", flush=True)

    def on_retry(section_id: str, why: str) -> None:
        current.append("")  # print the heading again for the fresh attempt
        print("\n[" + _("{why} Retrying the section from the start.", why=why) + "]", file=sys.stderr, flush=True)

    return on_token, on_retry


def verify_report(report: Any) -> None:
    yes, no = _("yes"), _("NO")
    print(_("label: {label}", label=report.label or _("(none)")))
    if report.provenance:
        prov = report.provenance
        print(_("draft {draft_id} · author {author} · reviewer {reviewer} · approved {approved_at}",
                draft_id=prov.get("draft_id"), author=prov.get("author"), reviewer=prov.get("reviewer"),
                approved_at=prov.get("approved_at")))
        print(_("models: {models}", models=", ".join(prov.get("models", []))))
    print(_("content matches approved hash: {answer}", answer=yes if report.content_matches else no))
    if getattr(report, "kind", "docx") == "pdf":
        print(_("text unchanged since export: {answer}", answer=yes if report.body_unchanged else no))
    else:
        print(_("body unchanged since export: {answer}", answer=yes if report.body_unchanged else no))
    signed = _("yes (key {key})", key=report.signing_key_id) if report.signature_valid else no
    print(_("signature valid: {answer}", answer=signed))
    for note in getattr(report, "notes", []):
        print(_("note: {note}", note=note))
    for problem in report.problems:
        print(_("problem: {problem}", problem=problem), file=sys.stderr)
    print(_("verified") if report.ok else _("NOT VERIFIED"))


def doctor(checks: list[Any]) -> None:
    for check in checks:
        fix = "\n     " + _("fix: {suggestion}", suggestion=check.fix) if check.fix else ""
        print(f"{'ok  ' if check.ok else 'FAIL'} {check.name:12} {check.detail}{fix}")


def purged(result: Any) -> None:
    params = {"sources": result.sources_cleared, "calls": result.calls_deleted, "cutoff": result.cutoff.isoformat()}
    if result.dry_run:
        print(_("would clear the source texts of {sources} drafts and {calls} LLM call records older than "
                "{cutoff}; the audit log is kept", **params))
    else:
        print(_("cleared the source texts of {sources} drafts and {calls} LLM call records older than {cutoff}; "
                "the audit log is kept", **params))


def text_or_file(text: str, output: Path | None, count: int) -> None:
    """The register: written to `output` (with a count on stderr), else to stdout."""
    if output:
        output.write_text(text, encoding="utf-8")
        note(ngettext("{n} document written to {output}", "{n} documents written to {output}", count, output=output))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def simplified(results: list[Any]) -> None:
    for fr in results:
        if fr.error:
            print(_("{file}: error: {error}", file=fr.file, error=fr.error))
            continue
        print(_("{file}: draft {draft_id}, {sections} sections, {measure} {before} -> {after}, {flagged} sections "
                "flagged for review, written to {output}", file=fr.file, draft_id=fr.draft_id, sections=fr.sections,
                measure=fr.measure, before=fr.grade_before, after=fr.grade_after, flagged=fr.blocking_findings,
                output=fr.output))
        if fr.outcome:
            print(f"  {fr.outcome}")


def evaluation(result: Any) -> None:
    for case in result.cases:
        if case.error:
            print(f"{case.case:28} " + _("FAILED: {error}", error=case.error))
            continue
        print(f"{case.case:28} {case.template:14} {case.backend}/{case.model}: " + _(
            "{sections} sections, {blocking} blocking ({unsupported} unsupported facts), {warnings} warnings, "
            "readability {within}/{scored} on target, {seconds:.2f} s, {input_tokens}+{output_tokens} tokens",
            sections=case.sections, blocking=case.blocking, unsupported=case.unsupported_facts,
            warnings=case.warnings, within=case.sections_within_target, scored=case.sections_scored,
            seconds=case.seconds, input_tokens=case.input_tokens, output_tokens=case.output_tokens))
    templates = result.by_template()
    if templates:
        print(_("per template:"))
    for template_id, t in templates.items():
        evidence = (_("{verified}/{sentences} sentences with verified evidence ({percent}%)",
                      verified=t["evidence_verified"], sentences=t["evidence_sentences"], percent=t["evidence_percent"])
                    if t["evidence_sentences"] else _("no sentences drawn from sources"))
        print("  " + _("{template} ({cases} cases): {evidence}; {unsupported} figures and names without support; "
                       "{duplicates}; length {length}/{limit} ({over} of {measured} sections over "
                       "their limit); readability {within}/{scored} sections on target; expected facts "
                       "{found}/{expected}",
                       template=template_id, cases=t["cases"], evidence=evidence, unsupported=t["unsupported"],
                       duplicates=ngettext("{n} duplicate sentence", "{n} duplicate sentences", t["duplicates"]),
                       length=t["length"], limit=t["length_limit"],
                       over=t["sections_over_length"], measured=t["sections_measured"], within=t["sections_within_target"],
                       scored=t["sections_scored"], found=t["expected_found"], expected=t["expected"]))
    total = result.totals()
    print(_("total: {cases} cases ({failed} failed), {sections} sections, {blocking} blocking, {unsupported} "
            "unsupported facts, readability {within}/{scored} on target, {seconds:.2f} s, "
            "{input_tokens}+{output_tokens} tokens",
            cases=total["cases"], failed=total["failed"], sections=total["sections"], blocking=total["blocking"],
            unsupported=total["unsupported_facts"], within=total["sections_within_target"],
            scored=total["sections_scored"], seconds=total["seconds"], input_tokens=total["input_tokens"],
            output_tokens=total["output_tokens"]))


def audit_events(events: list[AuditEvent]) -> None:
    for e in events:
        print(f"{e.seq:6} {e.at.isoformat()} {e.actor:12} {e.action:20} {e.draft_id or '-'} "
              f"{json.dumps(e.details, ensure_ascii=False)}")


def calls(items: list[LLMCall]) -> None:
    for c in items:
        status = f"error: {c.error}" if c.error else "ok"
        tokens = f"{c.input_tokens if c.input_tokens is not None else '?'}→" \
                 f"{c.output_tokens if c.output_tokens is not None else '?'} tokens"
        print(f"{c.datetime_utc.isoformat()} {c.backend}/{c.model} draft {c.draft_id} "
              f"{c.options.get('section', '-')} {c.duration_ms} ms {tokens} {status}")


def scan_finding(path: Path, f: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps({**f.as_json(), "file": str(path)}, ensure_ascii=False))
    else:
        what = f"{f.marking} ({f.level.value if f.level else ''}) line {f.line}" if f.marking else f.type
        print(f"{path}:{f.start}-{f.end}  {f.action:6} {what}  score {f.score:g}")


def scan_summary(policy: Any, blocked: int, ner_available: bool) -> None:
    note(_("backend {backend}: clearance {clearance}, personal data {personal_data}; {blocked} finding(s) would be "
           "blocked", backend=policy.backend, clearance=policy.clearance.value, personal_data=policy.personal_data,
           blocked=blocked))
    if not ner_available:
        note(_("note: no NER model: names are found only after a label and addresses are not detected"))
