"""Evidence per sentence: each sentence a model gave with a source passage is held to that passage.

With structured output a model returns each sentence with the exact passage of a source supporting it;
`drafter.citations.sentence_citations` checks the passage really occurs in the cited source and stores the
result on the section (`Citation.sentence` / `evidence` / `verified`). This check turns that into findings:

- `evidence.not_found`: the passage is not in the source it names (or names no source). Blocking when the
  sentence states a figure or a name, a warning otherwise.
- `evidence.fact_not_in_evidence`: the passage is there, but the sentence states a number, date, amount or
  name that neither the passage nor the author's inputs contain. Blocking for figures and names; a warning
  for a lone capitalised word, which is often a title or a common noun.

- `self_check.unsupported_claim`: a claim the optional self-check (a second call, `Settings.self_check`)
  listed as unsupported or over-stated, kept in the section's `metrics["self_check"]`: a warning.

A sentence or claim no longer in the section's text (a person edited it away) is not checked: its finding resolves.
In a section a person rewrote from scratch every finding is a warning.
"""

from __future__ import annotations

import re

from drafter.checks.facts import SupportIndex, extract_facts, is_weak_name
from drafter.checks.style_lint import Issue
from drafter.i18n import lazy
from drafter.models import Draft, FindingSeverity, Origin

NOT_FOUND_RULE = "evidence.not_found"
FACT_RULE = "evidence.fact_not_in_evidence"
SELF_CHECK_RULE = "self_check.unsupported_claim"
_EXCERPT_CHARS = 160


def _span(text: str, sentence: str) -> tuple[int, int] | None:
    """Where `sentence` is in `text` (whitespace may differ), or None when it is no longer there."""
    at = text.find(sentence)
    if at >= 0:
        return at, at + len(sentence)
    words = sentence.split()
    if not words:
        return None
    m = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return (m.start(), m.end()) if m else None


def _excerpt(sentence: str) -> str:
    return sentence if len(sentence) <= _EXCERPT_CHARS else sentence[: _EXCERPT_CHARS - 1] + "…"


def evidence_issues(draft: Draft) -> list[Issue]:
    """Findings on sentences whose evidence is missing from their source or does not state their facts."""
    issues: list[Issue] = []
    inputs = [v for v in draft.request.inputs.values() if v.strip()]
    for section in draft.sections:
        human = section.provenance.origin == Origin.human
        for c in section.citations:
            if c.verified is None or not c.sentence:
                continue  # a plain [n] marker, not evidence given for a sentence
            span = _span(section.text, c.sentence)
            if span is None:
                continue
            start, end = span
            facts = [f for f in extract_facts(c.sentence) if not is_weak_name(f)]
            if not c.verified:
                where = (
                    lazy("source [{marker}] ({source})", marker=c.marker, source=c.source) if c.source
                    else lazy("source [{marker}], which was not supplied", marker=c.marker)
                )
                severity = FindingSeverity.blocking if facts and not human else FindingSeverity.warning
                issues.append(Issue(
                    NOT_FOUND_RULE, severity, section.id, start, end, _excerpt(c.sentence),
                    lazy("The passage given as evidence for this sentence is not in {where}: \"{evidence}\".", where=where, evidence=_excerpt(c.evidence)),
                    lazy("Check the sentence against the source: correct it, remove it, or waive this finding with the reason it is right."),
                    c.sentence.lower(),
                ))
                continue
            support = SupportIndex([c.evidence, *inputs])
            for fact in extract_facts(c.sentence):
                if support.supports(fact):
                    continue
                weak = is_weak_name(fact)
                severity = FindingSeverity.warning if human or weak else FindingSeverity.blocking
                issues.append(Issue(
                    FACT_RULE, severity, section.id, start + fact.start, start + fact.end, fact.text,
                    lazy("\"{fact}\" is not in the passage given as this sentence's evidence (source [{marker}], paragraph {paragraph}) nor in the inputs.", fact=fact.text, marker=c.marker, paragraph=c.paragraph),
                    lazy("Check it against the source: correct it, remove it, or waive this finding with the reason it is right."),
                    f"{fact.key}|{c.sentence.lower()}",
                ))
    return issues + self_check_issues(draft)


def self_check_issues(draft: Draft) -> list[Issue]:
    """The self-check's claims still present in their section, as warnings for the reviewer to judge."""
    issues: list[Issue] = []
    for section in draft.sections:
        for item in section.metrics.get("self_check", []):
            claim, reason = str(item.get("claim", "")), str(item.get("reason", ""))
            span = _span(section.text, claim)
            if span is None:
                continue
            issues.append(Issue(
                SELF_CHECK_RULE, FindingSeverity.warning, section.id, span[0], span[1], _excerpt(claim),
                lazy(
                    "The self-check found this claim unsupported or over-stated by the inputs and sources: {reason}",
                    reason=reason,
                ) if reason else lazy(
                    "The self-check found this claim unsupported or over-stated by the inputs and sources."
                ),
                lazy("Check it against the sources: correct it, remove it, or waive this finding with the reason it is right."),
                claim.lower(),
            ))
    return issues
