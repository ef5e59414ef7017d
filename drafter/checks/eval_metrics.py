"""What `drafter eval` measures on one draft, to compare models and prompts on a deployment's own documents.

- **Evidence**: of the sentences in sections that draw on the sources, how many carry verified evidence: a
  per-sentence passage found in its cited source (structured output), or text quoted verbatim from a source
  (the offline backend's quotes). Sections written from the inputs alone need no evidence and are not counted.
- **Unsupported figures and names**: the facts findings (`facts.unsupported`, `evidence.fact_not_in_evidence`).
- **Duplicates**: sentences that repeat another sentence of the draft (the same words, or nearly: 80% of
  their words, or of their character pairs in Chinese, in common).
- **Length**: each section's words (Chinese: characters) against its limit in the template.
- **Expected answers**: the facts a case says a good draft states, found by the same fact matching the checks
  use ("30 days" is "thirty days"), or as written for a fact the extractor does not recognise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from drafter.checks.facts import SupportIndex, extract_facts
from drafter.models import Draft, Finding, Section, SpanOrigin, Template
from drafter.prompts import length_limit
from drafter.segment import CITATION_MARK, sentences

UNSUPPORTED_RULES = ("facts.unsupported", "evidence.fact_not_in_evidence")
_DUPLICATE_SIMILARITY = 0.8
_WORD = re.compile(r"[A-Za-z0-9][\w'’\-]*")
_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass
class DraftMetrics:
    evidence_sentences: int = 0  # sentences in sections that draw on sources
    evidence_verified: int = 0
    unsupported: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    sections_measured: int = 0
    sections_over_length: list[str] = field(default_factory=list)
    length: int = 0  # words, or Chinese characters
    length_limit: int = 0
    expected: int = 0
    expected_found: int = 0
    expected_missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _size(text: str, language: str) -> int:
    return len(_HAN.findall(text)) if language == "zh" else len(_WORD.findall(text))


def _tokens(sentence: str, language: str) -> set[str]:
    clean = CITATION_MARK.sub("", sentence).lower()
    if language == "zh":
        han = "".join(_HAN.findall(clean))
        return {han[i:i + 2] for i in range(len(han) - 1)}
    return set(_WORD.findall(clean))


def _verified(section: Section, start: int, end: int) -> bool:
    """Whether the sentence at text[start:end] has evidence found in a source."""
    sentence = " ".join(section.text[start:end].split())
    for c in section.citations:
        said = " ".join(c.sentence.split())
        if c.verified and said and (said in sentence or sentence in said):
            return True
    quoted = sum(min(end, s.end) - max(start, s.start) for s in section.spans
                 if s.origin == SpanOrigin.quote and s.source and s.end > start and s.start < end)
    letters = len(section.text[start:end].strip())
    return letters > 0 and quoted >= 0.5 * letters


def duplicates(sections: list[Section], language: str) -> list[str]:
    """Sentences that repeat an earlier sentence of the draft, exactly or nearly."""
    seen: list[set[str]] = []
    out: list[str] = []
    for section in sections:
        for piece in sentences(section.text, language):
            tokens = _tokens(piece.text, language)
            if len(tokens) < 4:
                continue  # "Yes.", a heading, a list number: too short to call a repeat
            if any(len(tokens & other) / len(tokens | other) >= _DUPLICATE_SIMILARITY for other in seen):
                out.append(piece.text.strip())
            seen.append(tokens)
    return out


def expected_facts(draft_text: str, expected: list[str]) -> list[str]:
    """The expected facts a draft does not state (by the checks' fact matching, else as written)."""
    support = SupportIndex([draft_text])
    flat = " ".join(draft_text.split()).lower()
    missing = []
    for item in expected:
        facts = extract_facts(item)
        found = all(support.supports(f) for f in facts) if facts else " ".join(item.split()).lower() in flat
        if not found:
            missing.append(item)
    return missing


def draft_metrics(
    draft: Draft, template: Template, findings: list[Finding], expected: Sequence[str] = ()
) -> DraftMetrics:
    """The evaluation figures of one draft (see the module's docstring)."""
    m = DraftMetrics()
    specs = {s.id: s for s in template.sections}
    for section in draft.sections:
        spec = specs.get(section.id)
        if spec is None:
            continue
        if spec.use_sources and draft.request.sources:
            for piece in sentences(section.text, draft.language):
                if _size(piece.text, draft.language) == 0:
                    continue
                m.evidence_sentences += 1
                m.evidence_verified += _verified(section, piece.start, piece.end)
        if section.text.strip():
            size, limit = _size(CITATION_MARK.sub("", section.text), draft.language), length_limit(spec.length, draft.language)
            m.sections_measured += 1
            m.length += size
            m.length_limit += limit
            if size > limit:
                m.sections_over_length.append(section.id)
    # one figure found by both the document-wide and the per-sentence check is one figure
    m.unsupported = sorted({f.excerpt for f in findings if f.rule_id in UNSUPPORTED_RULES})
    m.duplicates = duplicates(draft.sections, draft.language)
    m.expected = len(expected)
    m.expected_missing = expected_facts("\n".join(s.text for s in draft.sections), list(expected))
    m.expected_found = m.expected - len(m.expected_missing)
    return m
