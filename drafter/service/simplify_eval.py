"""The simplification evaluation: a corpus of real public texts simplified for each audience, and measured.

Each document of the corpus (YAML, see tests/data/simplify/corpus.yaml) is simplified for each audience in a
scratch store that is thrown away, then measured against its original and its expected answers:

- facts kept (%): the facts of the original (numbers, dates, amounts, time limits; names that are more than
  one word) that the simplified text still states, by the same normalised keys the checks use;
- references intact (%): the original's legal references the simplified text still states whole;
- expected: the references and facts the corpus lists for the document that are missing (must be none);
- cut at an abbreviation: places where the output breaks a line right after "U.S.C.", "St.", "No.", "e.g."
  or an initial, that the original did not break;
- duplicates: sentences (of five words or more) the output states more than once and the original did not;
- readability of the body before and after, against the audience's target;
- words changed: the share of words the simplification changed (see `drafter.simplification.diff_words`);
- differs from plain (on every audience but plain): the share of this version's sentences that the plain
  version of the same document does not state word for word (0: the two read alike; 1: no sentence shared);
- blocking findings, true and false: a blocking finding is *true* when what it reports is really so (the
  reference or fact it names is not in the output as the original writes it; the fact it calls unsupported
  is not in the original) and *false* otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from drafter.checks.facts import SupportIndex, extract_facts, is_weak_name
from drafter.errors import DrafterError, InputError
from drafter.models import Draft, Finding, FindingSeverity, FindingStatus
from drafter.segment import sentences
from drafter.simplification import diff_words, guide_for, whole_readability

AUDIENCES = ("plain", "child")
EVAL_USER = "simplify-eval"
_ABBREVIATION = re.compile(r"(?:\b(?:U\.S\.C|C\.F\.R|U\.S|No|Nos|St|Jr|Sr|Mr|Mrs|Ms|Dr|Sec|e\.g|i\.e|et seq|Inc|Co)\.|"
                           r"(?<![\w.])[A-Z]\.)")
_BREAK_AFTER = r"[ \t]*\n[ \t]*(?:[-*•][ \t]*)?\S"


@dataclass
class SimplifyEvalRow:
    """One document simplified for one audience, measured."""

    document: str
    audience: str
    language: str
    facts_total: int = 0
    facts_kept: int = 0
    refs_total: int = 0
    refs_intact: int = 0
    expected_missing: list[str] = field(default_factory=list)
    cut_at_abbreviation: int = 0
    duplicates: int = 0
    measure: str = ""
    before: float | None = None
    after: float | None = None
    target: float | None = None
    words_changed: float = 0.0
    differs_from_plain: float | None = None
    body: str = field(default="", repr=False)
    blocking_true: int = 0
    blocking_false: list[str] = field(default_factory=list)
    outcome: str = ""
    error: str | None = None

    @property
    def facts_kept_share(self) -> float | None:
        return self.facts_kept / self.facts_total if self.facts_total else None

    @property
    def refs_intact_share(self) -> float | None:
        return self.refs_intact / self.refs_total if self.refs_total else None

    @property
    def target_met(self) -> bool | None:
        if self.after is None or self.target is None:
            return None
        return self.after <= self.target

    def as_dict(self) -> dict[str, Any]:
        return {**{k: v for k, v in self.__dict__.items() if k != "body"}, "facts_kept_share": self.facts_kept_share,
                "refs_intact_share": self.refs_intact_share, "target_met": self.target_met}


def load_corpus(path: Path) -> list[dict[str, Any]]:
    """The corpus's documents; one clear error when the file is missing or not a corpus."""
    if not path.is_file():
        raise InputError("Simplification corpus not found: {path}.", path=path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        raise InputError("{path} is not valid YAML.", path=path) from None
    documents = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(documents, list) or not documents:
        raise InputError("{path} has no documents (a list under 'documents').", path=path)
    for doc in documents:
        if not isinstance(doc, dict) or not {"id", "language", "text", "source_url", "licence"} <= set(doc):
            raise InputError("Every document in {path} needs id, language, text, source_url and licence.", path=path)
    return documents


def evaluate_simplification(
    service: Any, corpus: Path, *, audiences: tuple[str, ...] = AUDIENCES, backend: str | None = None,
) -> list[SimplifyEvalRow]:
    """Simplify every document of `corpus` for every audience in a scratch store, and measure each."""
    documents = load_corpus(corpus)
    if backend:
        service.backend(backend)  # an unknown backend is one clear error, not one per document
    with service.scratch("drafter-simplify-eval-") as scratch:
        rows = [_run(scratch, doc, audience, backend) for doc in documents for audience in audiences]
    plain = {r.document: r for r in rows if r.audience == "plain" and not r.error}
    for row in rows:
        if row.audience != "plain" and not row.error and row.document in plain:
            row.differs_from_plain = sentences_differing(row.body, plain[row.document].body, row.language)
    return rows


def sentences_differing(text: str, other: str, language: str) -> float | None:
    """The share of `text`'s sentences that `other` does not state word for word (white space aside)."""
    mine = [_flat(p.text) for p in sentences(text, language)]
    if not mine:
        return None
    theirs = {_flat(p.text) for p in sentences(other, language)}
    return sum(1 for s in mine if s not in theirs) / len(mine)


def _run(service: Any, doc: dict[str, Any], audience: str, backend: str | None) -> SimplifyEvalRow:
    row = SimplifyEvalRow(document=str(doc["id"]), audience=audience, language=str(doc["language"]))
    try:
        draft = service.simplify(str(doc["text"]), title=str(doc.get("title") or doc["id"]), audience=audience,
                                 user=EVAL_USER, backend=backend)
    except DrafterError as exc:
        row.error = str(exc)
        return row
    findings = service.findings(draft.id)
    guide = service.catalog.style_guide(guide_for(audience, row.language))
    measure_row(row, str(doc["text"]), draft, findings, doc.get("expect") or {},
                guide.readability.max_grade if row.language == "en" else guide.readability.max_avg_sentence_chars)
    row.outcome = service.simplification_outcome(draft)
    return row


def measure_row(row: SimplifyEvalRow, original: str, draft: Draft, findings: list[Finding],
                expect: dict[str, Any], target: float | None) -> None:
    """Fill `row` with the measures of one simplified draft (see the module's docstring)."""
    body = [s for s in draft.sections if s.original is not None]
    output = "\n".join(s.text for s in body)
    originals = "\n".join(s.original or "" for s in body)
    # the headings ("§ 3.4 - Compensation.", 第一条) are part of the simplified document: they state references
    support = SupportIndex([output, *(s.heading for s in body)])
    facts = {f.key: f for f in extract_facts(original)
             if f.kind != "reference" and not (f.is_name and is_weak_name(f))}
    row.facts_total = len(facts)
    row.facts_kept = sum(1 for f in facts.values() if support.supports(f))
    refs = {f.key: f for f in extract_facts(original) if f.kind == "reference"}
    row.refs_total = len(refs)
    row.refs_intact = sum(1 for f in refs.values() if support.supports(f))
    flat = _flat("\n".join([output, *(s.heading for s in body)]))
    for expected in [*(expect.get("references") or []), *(expect.get("facts") or [])]:
        keys = extract_facts(str(expected))
        kept = all(support.supports(f) for f in keys) if keys else _flat(str(expected)) in flat
        if not kept:
            row.expected_missing.append(str(expected))
    row.cut_at_abbreviation = max(0, _cuts(output) - _cuts(original))
    row.duplicates = max(0, _repeats(output, row.language) - _repeats(original, row.language))
    row.measure = "Flesch-Kincaid grade" if row.language == "en" else "average sentence (characters)"
    row.before, row.after, row.target = whole_readability(draft, "before"), whole_readability(draft, "after"), target
    row.words_changed = diff_words(originals, output, row.language).changed_share
    row.body = output
    for finding in findings:
        if finding.severity != FindingSeverity.blocking or finding.status != FindingStatus.open:
            continue
        if _is_true(finding, original, output):
            row.blocking_true += 1
        else:
            row.blocking_false.append(f"{finding.rule_id}: {finding.message}")


def _flat(text: str) -> str:
    return " ".join(text.split()).lower()


def _cuts(text: str) -> int:
    return sum(1 for m in _ABBREVIATION.finditer(text) if re.match(_BREAK_AFTER, text[m.end():]))


def _repeats(text: str, language: str) -> int:
    seen: dict[str, int] = {}
    for piece in sentences(text, language):
        key = _flat(piece.text).strip(" .。")
        if len(key.split()) >= 5 or (language == "zh" and len(key) >= 12):
            seen[key] = seen.get(key, 0) + 1
    return sum(n - 1 for n in seen.values() if n > 1)


def _is_true(finding: Finding, original: str, output: str) -> bool:
    """Whether a blocking finding reports something that is really so (see the module's docstring)."""
    quoted = re.findall(r'"([^"]+)"', finding.message)
    subject = quoted[0] if quoted else finding.excerpt
    if finding.rule_id in ("simplify.reference_broken", "simplify.fact_missing"):
        return _flat(subject) not in _flat(output)  # headings are never changed by a simplification
    if finding.rule_id == "facts.unsupported":
        return _flat(subject) not in _flat(original)
    return True  # other blocking rules (obligations, prompt safety) are counted as reported


def table(rows: list[SimplifyEvalRow]) -> list[str]:
    """The figures as text lines, one per document and audience."""

    def pct(value: float | None) -> str:
        return "–" if value is None else f"{value:.0%}"

    def num(value: float | None) -> str:
        return "–" if value is None else f"{value:.1f}"

    lines = ["document | audience | facts kept | refs intact | expected missing | cut at abbrev. | duplicates | "
             "readability before → after (target) | words changed | differs from plain | blocking true/false"]
    for r in rows:
        if r.error:
            lines.append(f"{r.document} | {r.audience} | error: {r.error}")
            continue
        met = "" if r.target_met is None else (" met" if r.target_met else " MISSED")
        lines.append(
            f"{r.document} | {r.audience} | {pct(r.facts_kept_share)} ({r.facts_kept}/{r.facts_total}) | "
            f"{pct(r.refs_intact_share)} ({r.refs_intact}/{r.refs_total}) | {len(r.expected_missing)} | "
            f"{r.cut_at_abbreviation} | {r.duplicates} | {num(r.before)} → {num(r.after)} ({r.target:g}){met} | "
            f"{r.words_changed:.0%} | {pct(r.differs_from_plain)} | {r.blocking_true}/{len(r.blocking_false)}"
        )
    return lines
