"""Run every check on a draft and merge the result with the findings stored before.

Unsupported facts are blocking for AI sections (and warnings in a section a person wrote from scratch);
a lone capitalised word is a warning, as it is often a title or a common noun. Style and readability
findings are warnings or information. A finding's id comes from its fingerprint (rule, section,
normalised subject, occurrence), so a waiver survives re-checking as long as the finding still applies.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from drafter.checks.evidence import evidence_issues
from drafter.checks.facts import SupportIndex, extract_facts, is_weak_name
from drafter.checks.style_lint import Issue, lint_section, required_elements
from drafter.gongwen import check_document
from drafter.i18n import N_, english_text, lazy, message_id, message_params
from drafter.injection import INJECTION
from drafter.memo import text_cache
from drafter.models import Draft, Finding, FindingSeverity, FindingStatus, Origin, StyleGuide, Template
from drafter.prompts import SYSTEM_RULES
from drafter.simplification import broken_references, missing_facts, obligations

FACT_RULE = "facts.unsupported"
_KIND_TEXT = {"number": N_("number"), "date": N_("date"), "month": N_("date"), "amount": N_("amount"),
              "percent": N_("percentage"), "duration": N_("time limit"), "reference": N_("reference"),
              "docno": N_("document number"), "phone": N_("phone number"), "name": N_("name"),
              "organisation": N_("organisation")}
_SEVERITY_ORDER = {FindingSeverity.blocking: 0, FindingSeverity.warning: 1, FindingSeverity.info: 2}


def support_texts(draft: Draft, template: Template) -> list[str]:
    """What a section may rely on: the user's inputs, the sources and the template's own wording."""
    texts = [draft.title, template.title, template.description, template.audience, template.purpose]
    texts += list(draft.request.inputs.values())
    texts += [s.text for s in draft.request.sources]
    texts += [f.label for f in template.fields]
    for spec in template.sections:
        texts += [spec.heading, spec.instruction, spec.offline_text]
    return texts


@text_cache(max_chars=4_000_000, max_items=16)
def support_index(texts: tuple[str, ...]) -> SupportIndex:
    """The supporting material changes far less often than the draft: index it once per set of texts."""
    return SupportIndex(texts)


def fact_issues(draft: Draft, support: SupportIndex) -> list[Issue]:
    issues = []
    for section in draft.sections:
        human = section.provenance.origin == Origin.human
        for fact in extract_facts(section.text):
            if support.supports(fact):
                continue
            weak = is_weak_name(fact)
            severity = FindingSeverity.warning if human or weak else FindingSeverity.blocking
            what = lazy(_KIND_TEXT[fact.kind]) if fact.kind in _KIND_TEXT else fact.kind
            issues.append(Issue(
                FACT_RULE, severity, section.id, fact.start, fact.end, fact.text,
                lazy("The {what} \"{fact}\" is not in the inputs or the sources.", what=what, fact=fact.text),
                lazy("Check it against the sources: correct it, remove it, or waive this finding with the reason it is right."),
                fact.key,
            ))
    return issues


def gongwen_issues(draft: Draft, template: Template) -> list[Issue]:
    """The 公文 format rules (drafter.gongwen) as findings: warnings for a person to judge, never blocking."""
    severity = {"error": FindingSeverity.warning, "warning": FindingSeverity.info}
    return [
        Issue(f"gongwen.{i.rule}", severity.get(i.severity, FindingSeverity.info), i.section, None, None, "",
              i.message, None, i.rule)
        for i in check_document(template, draft.request.inputs, draft.sections)
    ]


@functools.cache
def _system_rules() -> tuple[tuple[str, str], ...]:
    """Each line of the system prompt worth finding in a section, and its first 60 characters as looked for (lower
    case, one space between words): the prompt is a constant, so this is made once."""
    lines = [line.strip("- ").strip() for line in SYSTEM_RULES.splitlines() if len(line.strip("- ").strip()) >= 40]
    return tuple((line, " ".join(line.lower().split())[:60]) for line in lines)


def prompt_safety_issues(draft: Draft) -> list[Issue]:
    """Text that reads as an instruction to the AI (usually quoted from a source), or the system prompt leaking."""
    issues = []
    rules = _system_rules()
    for section in draft.sections:
        flat = " ".join(section.text.lower().split())
        for m in INJECTION.finditer(section.text):
            issues.append(Issue(
                "prompt.injection_text", FindingSeverity.blocking, section.id, m.start(), m.end(), m.group(0),
                lazy("This reads as an instruction to an AI, probably copied from a source document; it was not followed, but it should not be in the document."),
                lazy("Remove the sentence."), m.group(0).lower(),
            ))
        for line, norm in rules:
            if norm in flat:
                issues.append(Issue(
                    "prompt.system_leak", FindingSeverity.blocking, section.id, None, None, line[:60],
                    lazy("The section repeats Drafter's instructions to the model (the system prompt leaked)."),
                    lazy("Remove the text, or regenerate the section."), norm,
                ))
    return issues


def simplification_issues(draft: Draft) -> list[Issue]:
    """For a simplified section: each fact of the original missing from it, and dropped obligations (blocking)."""
    issues = []
    for section in draft.sections:
        if section.original is None:
            continue
        broken = broken_references(section.original, section.text)
        for ref in broken:
            issues.append(Issue(
                "simplify.reference_broken", FindingSeverity.blocking, section.id, None, None,
                ref.found or ref.reference, ref.message,
                lazy("Write the reference whole, as in the original: {reference}.", reference=ref.reference),
                ref.reference,
            ))
        lost = {ref.reference for ref in broken}
        for fact in missing_facts(section.original, section.text):
            if fact in lost:
                continue
            issues.append(Issue(
                "simplify.fact_missing", FindingSeverity.blocking, section.id, None, None, fact,
                lazy("\"{fact}\" is in the original but not in the simplified text.", fact=fact),
                lazy("Put the fact back, or waive this finding with the reason it may go."), fact,
            ))
        before, after = obligations(section.original, draft.language), obligations(section.text, draft.language)
        if after < before:
            issues.append(Issue(
                "simplify.obligation_dropped", FindingSeverity.blocking, section.id, None, None, "",
                lazy(
                    "The original states {before} obligations (must / shall / must not); the simplified text {after}.",
                    before=before, after=after,
                ),
                lazy("Keep every obligation, with 'must' or 'must not'."), "obligations",
            ))
    return issues


def checks_run(draft: Draft, template: Template) -> list[str]:
    """The families of checks `check_draft` applies to this draft, as recorded in the AI-use register."""
    run = ["unsupported facts", "style guide", "readability", "prompt safety"]
    if template.layout == "gbt9704":
        run.append("公文 format (GB/T 9704)")
    if any(s.original is not None for s in draft.sections):
        run.append("fact preservation (simplification)")
    return run


def check_draft(draft: Draft, template: Template, guide: StyleGuide, *, now: datetime) -> list[Finding]:
    """Every finding on the draft's current content, all open, ordered by severity then position."""
    issues = fact_issues(draft, support_index(tuple(support_texts(draft, template))))
    for section in draft.sections:
        issues += lint_section(section, guide, draft.language, spelling=template.spelling)
    issues += required_elements(draft.sections, template)
    issues += gongwen_issues(draft, template)
    issues += simplification_issues(draft)
    issues += prompt_safety_issues(draft)
    issues += evidence_issues(draft)
    findings: list[Finding] = []
    seen: Counter[str] = Counter()
    content_sha256 = draft.content_sha256  # computed once: it hashes the whole draft
    for issue in issues:
        base = f"{issue.rule_id}|{issue.section_id or ''}|{issue.subject}"
        seen[base] += 1
        fingerprint = f"{base}|{seen[base]}"
        findings.append(Finding(
            id=hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()[:8],
            draft_id=draft.id, fingerprint=fingerprint, severity=issue.severity, rule_id=issue.rule_id,
            section_id=issue.section_id, start=issue.start, end=issue.end, excerpt=issue.excerpt,
            message=english_text(issue.message), suggestion=english_text(issue.suggestion) if issue.suggestion else None,
            message_id=message_id(issue.message), message_params=message_params(issue.message),
            suggestion_id=message_id(issue.suggestion), suggestion_params=message_params(issue.suggestion),
            content_sha256=content_sha256,
            checked_at=now,
        ))
    return sort_findings(findings, [s.id for s in draft.sections])


def sort_findings(findings: Iterable[Finding], section_order: list[str]) -> list[Finding]:
    order = {sid: i for i, sid in enumerate(section_order)}
    return sorted(findings, key=lambda f: (f.status != FindingStatus.open, _SEVERITY_ORDER[f.severity],
                                           order.get(f.section_id or "", len(order)), f.start or 0, f.id))


def merge(previous: list[Finding], current: list[Finding], *, now: datetime, content_sha256: str) -> list[Finding]:
    """Carry waivers over to findings that still apply; mark the ones that no longer apply resolved."""
    before = {f.id: f for f in previous}
    merged: list[Finding] = []
    for f in current:
        old = before.get(f.id)
        if old is not None and old.status == FindingStatus.waived:
            f = f.model_copy(update={"status": FindingStatus.waived, "waiver_reason": old.waiver_reason,
                                     "waived_by": old.waived_by, "waived_at": old.waived_at})
        merged.append(f)
    still = {f.id for f in current}
    for old in previous:
        if old.id not in still:
            update: dict[str, object] = {"content_sha256": content_sha256}
            if old.status != FindingStatus.resolved:
                update |= {"status": FindingStatus.resolved, "checked_at": now}
            merged.append(old.model_copy(update=update))
    return merged


def summary(findings: Iterable[Finding]) -> dict[str, object]:
    """Counts by severity and status, and the waivers: for the audit log and the exported provenance."""
    items = list(findings)
    live = [f for f in items if f.status != FindingStatus.resolved]
    return {
        "by_severity": {s.value: sum(1 for f in live if f.severity == s) for s in FindingSeverity},
        "open": {s.value: sum(1 for f in live if f.severity == s and f.status == FindingStatus.open)
                 for s in FindingSeverity},
        "resolved": sum(1 for f in items if f.status == FindingStatus.resolved),
        "waivers": [
            {"id": f.id, "rule": f.rule_id, "section": f.section_id, "severity": f.severity.value,
             "excerpt": f.excerpt, "reason": f.waiver_reason, "by": f.waived_by,
             "at": f.waived_at.isoformat() if f.waived_at else None}
            for f in live if f.status == FindingStatus.waived
        ],
    }
