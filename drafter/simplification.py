"""Plain-language, child-friendly and easy-read versions of regulations, with every fact kept.

Segmentation and the offline rules are in `simplify_rules.py`; facts and readability come from the shared
`drafter.checks` modules, so drafting and simplification judge facts the same way. The service runs the
pipeline (`drafter.service.simplification`); this module holds the audience rules and the comparison of a
simplified text with its original.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drafter.checks.facts import SupportIndex, is_weak_name, unsupported_facts
from drafter.checks.readability import measure
from drafter.errors import InputError
from drafter.i18n import lazy, lazy_join
from drafter.models import Draft, DraftStatus, StyleGuide

AUDIENCES: dict[str, dict[str, str]] = {
    "plain": {"en": "plain-english", "zh": "plain-zh"},
    "child": {"en": "child-en", "zh": "child-zh"},
    "easy-read": {"en": "easy-read-en", "zh": "easy-read-zh"},
}
TEMPLATES = {"en": "simplified-en", "zh": "simplified-zh"}
_OBLIGATION = {
    # "shall be entitled / eligible" grants a right: it is not an obligation
    "en": re.compile(
        r"\b(?:must|shall(?! be (?:entitled|eligible))|is required to|are required to|may not)\b", re.I
    ),
    "zh": re.compile(r"应当|必须|不得|禁止|须|严禁"),
}


@dataclass
class Comparison:
    """How a simplified section compares with its original."""

    before: dict[str, Any]
    after: dict[str, Any]
    missing_facts: list[str] = field(default_factory=list)
    new_facts: list[str] = field(default_factory=list)
    obligations_before: int = 0
    obligations_after: int = 0
    target_missed: list[str] = field(default_factory=list)
    changed: bool = True

    @property
    def outcome(self) -> str:
        """What the simplification did, in plain words: never "Simplified." when nothing changed."""
        if not self.changed:
            return lazy("Not simplified: the rules found nothing to change in this section; it is the original text.")
        if self.before == self.after:
            return lazy("Words changed, but readability is the same as the original.")
        if self.target_missed:
            return lazy("Simplified, but not to the target: {problems}.", problems=lazy_join(list(self.target_missed)))
        return lazy("Simplified.")

    @property
    def problems(self) -> list[str]:
        out: list[str] = [lazy("fact missing from the simplified text: {fact}", fact=f) for f in self.missing_facts]
        out += [lazy("fact not in the original: {fact}", fact=f) for f in self.new_facts]
        if self.obligations_after < self.obligations_before:
            out.append(lazy(
                "fewer obligations ({after}) than the original ({before}): keep every 'must' / 'must not'",
                after=self.obligations_after, before=self.obligations_before,
            ))
        return out + self.target_missed

    @property
    def blocking(self) -> bool:
        return bool(self.missing_facts or self.new_facts or self.obligations_after < self.obligations_before)

    def as_dict(self) -> dict[str, Any]:
        return {
            "readability_before": self.before,
            "readability_after": self.after,
            "missing_facts": self.missing_facts,
            "new_facts": self.new_facts,
            "obligations_before": self.obligations_before,
            "obligations_after": self.obligations_after,
            "target_missed": self.target_missed,
            "changed": self.changed,
            "outcome": self.outcome,
        }


def _facts_not_in(text: str, other: str) -> list[str]:
    return sorted({f.text for f in unsupported_facts(text, SupportIndex([other])) if not is_weak_name(f)})


def missing_facts(original: str, simplified: str) -> list[str]:
    """Facts of the original (numbers, dates, amounts, time limits, references…) absent from the simplified text."""
    return _facts_not_in(original, simplified)


def obligations(text: str, language: str) -> int:
    return len(_OBLIGATION["zh" if language == "zh" else "en"].findall(text))


def compare(original: str, simplified: str, guide: StyleGuide) -> Comparison:
    """How a simplified section compares with its original: readability, facts, obligations, the target."""
    lang = guide.language
    before, after = measure(original, lang), measure(simplified, lang)
    ev = Comparison(
        before=before.as_dict(),
        after=after.as_dict(),
        missing_facts=missing_facts(original, simplified),
        new_facts=_facts_not_in(simplified, original),
        obligations_before=obligations(original, lang),
        obligations_after=obligations(simplified, lang),
        changed=" ".join(original.split()) != " ".join(simplified.split()),
    )
    target = guide.readability
    grade = after.flesch_kincaid_grade
    if target.max_grade is not None and grade is not None and grade > target.max_grade and after.words >= 20:
        ev.target_missed.append(
            lazy("reading grade {grade:.1f} is above the target {target:g}", grade=grade, target=target.max_grade)
        )
    avg = after.avg_sentence_chars
    if target.max_avg_sentence_chars is not None and avg is not None and avg > target.max_avg_sentence_chars:
        ev.target_missed.append(lazy(
            "average sentence length {average:.0f} characters is above the target {target}",
            average=avg, target=target.max_avg_sentence_chars,
        ))
    return ev


def outcome_summary(draft: Draft) -> str:
    """One sentence on what a simplification did to the whole text, from its sections' metrics."""
    done = [s for s in draft.sections if s.original is not None]
    unchanged = [s for s in done if s.metrics.get("changed") is False]
    missed = [s for s in done if s.metrics.get("target_missed")]
    if done and len(unchanged) == len(done):
        return lazy("Not simplified: the rules found nothing to change; every section is the original text.")
    summary = lazy("Simplified {changed} of {total} sections", changed=len(done) - len(unchanged), total=len(done))
    if unchanged:
        summary = lazy("{summary}, {n} unchanged", summary=summary, n=len(unchanged))
    if missed:
        summary = lazy("{summary}, {n} still above the audience's readability target", summary=summary, n=len(missed))
    return lazy("{summary}.", summary=summary)


def guide_for(audience: str, language: str) -> str:
    try:
        return AUDIENCES[audience][language]
    except KeyError:
        raise InputError(
            "Unknown audience {audience!r}; choose one of: {audiences}.",
            audience=audience, audiences=', '.join(AUDIENCES),
        ) from None


# --- batch --------------------------------------------------------------------------------------------


@dataclass
class FileResult:
    file: str
    draft_id: str | None
    sections: int = 0
    measure: str = ""
    grade_before: float | None = None
    grade_after: float | None = None
    blocking_findings: int = 0
    status: str = ""
    error: str | None = None
    output: str | None = None
    outcome: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def fingerprint(text: str, audience: str, backend: str) -> str:
    return hashlib.sha256(f"{audience}\0{backend}\0{text}".encode()).hexdigest()[:16]


def whole_readability(draft: Draft, key: str) -> float | None:
    text = "\n".join((s.original if key == "before" else s.text) or "" for s in draft.sections)
    result = measure(text, draft.language)
    return result.flesch_kincaid_grade if draft.language == "en" else result.avg_sentence_chars


def write_markdown(draft: Draft, path: Path) -> None:
    status = "APPROVED" if draft.status == DraftStatus.approved else "DRAFT — awaiting human review"
    lines = [f"# {draft.title}", "", f"_{status}. Simplified by {draft.backend}; draft {draft.id}._", ""]
    for s in draft.sections:
        lines += [f"## {s.heading}", "", s.text, ""]
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.replace(path)
