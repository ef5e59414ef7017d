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

from drafter.checks.facts import SupportIndex, extract_facts, is_weak_name, unsupported_facts
from drafter.checks.readability import measure
from drafter.errors import InputError
from drafter.i18n import lazy, lazy_join, lazy_plural
from drafter.memo import text_cache
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
    broken_references: list[BrokenReference] = field(default_factory=list)
    obligations_before: int = 0
    obligations_after: int = 0
    target_missed: list[str] = field(default_factory=list)  # as fed back to a model: "reading grade 9.4 is above…"
    target_figures: list[str] = field(default_factory=list)  # as told to a person: "grade 9.4 against 5"
    changed: bool = True
    audience: str = "plain"

    @property
    def outcome(self) -> str:
        """What the simplification did, in plain words: never "Simplified." when nothing changed."""
        if not self.changed and self.target_missed:
            return lazy("Not simplified to the {audience} target: {missed}; the rules found nothing to change in this "
                        "section, it is the original text.", audience=self.audience,
                        missed=lazy_join(list(self.target_figures)))
        if not self.changed:
            return lazy("Not simplified: the rules found nothing to change in this section; it is the original text.")
        if self.before == self.after:
            return lazy("Words changed, but readability is the same as the original.")
        if self.target_missed:
            return lazy("Not simplified to the {audience} target: {missed}.", audience=self.audience,
                        missed=lazy_join(list(self.target_figures)))
        return lazy("Simplified.")

    @property
    def problems(self) -> list[str]:
        broken = {b.reference for b in self.broken_references}
        out: list[str] = [b.message for b in self.broken_references]
        out += [lazy("fact missing from the simplified text: {fact}", fact=f)
                for f in self.missing_facts if f not in broken]
        out += [lazy("fact not in the original: {fact}", fact=f) for f in self.new_facts]
        if self.obligations_after < self.obligations_before:
            out.append(lazy(
                "fewer obligations ({after}) than the original ({before}): keep every 'must' / 'must not'",
                after=self.obligations_after, before=self.obligations_before,
            ))
        return out + self.target_missed

    @property
    def blocking(self) -> bool:
        return bool(self.missing_facts or self.new_facts or self.broken_references
                    or self.obligations_after < self.obligations_before)

    def as_dict(self) -> dict[str, Any]:
        return {
            "readability_before": self.before,
            "readability_after": self.after,
            "missing_facts": self.missing_facts,
            "new_facts": self.new_facts,
            "broken_references": [{"reference": b.reference, "found": b.found} for b in self.broken_references],
            "obligations_before": self.obligations_before,
            "obligations_after": self.obligations_after,
            "target_missed": self.target_missed,
            "target_figures": self.target_figures,
            "audience": self.audience,
            "changed": self.changed,
            "outcome": self.outcome,
        }


@dataclass(frozen=True)
class BrokenReference:
    """A reference of the original that the simplified text lost or altered, and what stands in its place."""

    reference: str  # as the original writes it: "38 U.S.C. 1310(a)", "paragraph (a) or (b)", 第（二）、（三）项
    found: str  # the simplified text where it was broken ("paragraph (a) or / - (b)"); "" when nothing is left

    @property
    def message(self) -> str:
        if self.found:
            return lazy('The reference "{reference}" of the original is broken in the simplified text: "{found}".',
                        reference=self.reference, found=self.found)
        return lazy('The reference "{reference}" of the original is missing from the simplified text.',
                    reference=self.reference)


_BULLET_AT_LINE_START = re.compile(r"\n[ \t]*(?:[-*•·][ \t]*)?")


def _skeleton(text: str) -> tuple[str, list[int]]:
    """`text` without white space and list bullets at line starts, and each kept character's offset."""
    drop = bytearray(len(text))
    for m in _BULLET_AT_LINE_START.finditer(text):
        drop[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    kept = [i for i, ch in enumerate(text) if not drop[i] and not ch.isspace()]
    return "".join(text[i] for i in kept), kept


def _shown(text: str) -> str:
    return re.sub(r"[ \t]*\n[ \t]*", " / ", text.strip())


def where_broken(reference: str, simplified: str) -> str:
    """The stretch of `simplified` where `reference` was broken: the reference split across lines or list
    items, or its longest beginning followed by what replaced the rest; "" when not even its start is left."""
    ref = "".join(reference.split())
    skeleton, offsets = _skeleton(simplified)
    if not offsets:
        return ""
    at = skeleton.find(ref)
    if at >= 0:  # all its characters are there, but split by a line break or a list mark
        return _shown(simplified[offsets[at] : offsets[at + len(ref) - 1] + 1])
    for size in range(len(ref) - 1, 2, -1):
        prefix = ref[:size]
        if not re.search(r"[\d(（]", prefix):
            continue
        at = skeleton.find(prefix)
        if at >= 0:
            end = offsets[min(len(offsets) - 1, at + len(ref))] + 1
            while end < len(simplified) and simplified[end].isalnum() and simplified[end].isascii():
                end += 1  # to the end of the word it stopped in
            return _shown(simplified[offsets[at] : end])
    return ""


def broken_references(original: str, simplified: str) -> list[BrokenReference]:
    """The references of the original (legislation, sections, paragraphs, 第N条…) the simplified text lost or
    altered, each with the text that broke it. A reference is intact only when the simplified text still
    states it whole."""
    return list(_broken_references(original, simplified))


# A simplified section is compared with its original as it is written, and checked again, on the same two texts,
# when the draft's checks run (at the end of a batch, when every section is done): remembered, the end of a batch
# does not redo each section's comparison. Results are kept as tuples; each caller gets its own list.
@text_cache(max_chars=4_000_000, max_items=4096)
def _broken_references(original: str, simplified: str) -> tuple[BrokenReference, ...]:
    support = SupportIndex([simplified])
    seen: set[str] = set()
    out = []
    for fact in extract_facts(original):
        if fact.kind != "reference" or fact.key in seen or support.supports(fact):
            continue
        seen.add(fact.key)
        out.append(BrokenReference(fact.text, where_broken(fact.text, simplified)))
    return tuple(out)


def references(text: str) -> list[str]:
    """The references a text states (for counting which survive)."""
    return [f.text for f in extract_facts(text) if f.kind == "reference"]


def _facts_not_in(text: str, other: str) -> list[str]:
    return sorted({f.text for f in unsupported_facts(text, SupportIndex([other])) if not is_weak_name(f)})


def missing_facts(original: str, simplified: str) -> list[str]:
    """Facts of the original (numbers, dates, amounts, time limits, references…) absent from the simplified text."""
    return list(_missing_facts(original, simplified))


@text_cache(max_chars=4_000_000, max_items=4096)
def _missing_facts(original: str, simplified: str) -> tuple[str, ...]:
    return tuple(_facts_not_in(original, simplified))


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
        broken_references=broken_references(original, simplified),
        obligations_before=obligations(original, lang),
        obligations_after=obligations(simplified, lang),
        changed=" ".join(original.split()) != " ".join(simplified.split()),
    )
    ev.audience = audience_of(guide.id)
    target = guide.readability
    grade = after.flesch_kincaid_grade
    if target.max_grade is not None and grade is not None and grade > target.max_grade and after.words >= 20:
        ev.target_missed.append(
            lazy("reading grade {grade:.1f} is above the target {target:g}", grade=grade, target=target.max_grade)
        )
        ev.target_figures.append(lazy("grade {grade:.1f} against {target:g}", grade=grade, target=target.max_grade))
    avg = after.avg_sentence_chars
    if target.max_avg_sentence_chars is not None and avg is not None and avg > target.max_avg_sentence_chars:
        ev.target_missed.append(lazy(
            "average sentence length {average:.0f} characters is above the target {target}",
            average=avg, target=target.max_avg_sentence_chars,
        ))
        ev.target_figures.append(lazy("average sentence {chars:.0f} characters against {target}", chars=avg,
                                      target=target.max_avg_sentence_chars))
    return ev


def audience_of(guide_id: str) -> str:
    """The audience a simplification style guide is for ("child" for child-en), or the guide's id."""
    return next((a for a, ids in AUDIENCES.items() if guide_id in ids.values()), guide_id)


def outcome_summary(draft: Draft) -> str:
    """One sentence on what a simplification did to the whole text, from its sections' metrics; when the rules
    could not reach the audience's target it says so with the figures ("not simplified to the child target:
    grade 9.4 against 5")."""
    done = [s for s in draft.sections if s.original is not None]
    unchanged = [s for s in done if s.metrics.get("changed") is False]
    missed = [s for s in done if s.metrics.get("target_missed")]
    if done and len(unchanged) == len(done):
        summary = lazy("Not simplified: the rules found nothing to change; every section is the original text")
    else:
        summary = lazy_plural("Simplified {changed} of {n} section", "Simplified {changed} of {n} sections", len(done),
                              changed=len(done) - len(unchanged))
        if unchanged:
            summary = lazy("{summary}, {n} unchanged", summary=summary, n=len(unchanged))
    if missed:
        audience = next((s.metrics.get("audience") for s in missed if s.metrics.get("audience")),
                        draft.request.inputs.get("audience", "plain"))
        worst = max(missed, key=lambda s: (s.metrics.get("readability_after") or {}).get(
            "flesch_kincaid_grade" if draft.language == "en" else "avg_sentence_chars") or 0)
        summary = lazy("{summary}, {count} still above the audience's readability target (not simplified to the "
                       "{audience} target; the furthest: {missed})", summary=summary, count=len(missed),
                       audience=audience,
                       missed=lazy_join(list(worst.metrics.get("target_figures") or worst.metrics["target_missed"])))
    return lazy("{summary}.", summary=summary)


# --- what changed ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WordDiff:
    """Both texts cut into (text, changed) pieces, and the share of words changed (0: identical, 1: all new)."""

    original: list[tuple[str, bool]]
    simplified: list[tuple[str, bool]]
    changed_share: float


_EN_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_ZH_TOKEN = re.compile(r"[\u4e00-\u9fff]|\w+|[^\w\s]")


def _pieces(text: str, spans: list[tuple[int, int]], changed: list[bool]) -> list[tuple[str, bool]]:
    """`text` cut at token bounds; white space between two changed tokens counts as changed."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for i, ((a, b), flag) in enumerate(zip(spans, changed, strict=True)):
        gap = text[pos:a]
        if gap:
            inner = flag and i > 0 and changed[i - 1]
            out.append((gap, inner))
        out.append((text[a:b], flag))
        pos = b
    if text[pos:]:
        out.append((text[pos:], False))
    merged: list[tuple[str, bool]] = []
    for piece, flag in out:
        if merged and merged[-1][1] == flag:
            merged[-1] = (merged[-1][0] + piece, flag)
        else:
            merged.append((piece, flag))
    return merged


def diff_words(original: str, simplified: str, language: str) -> WordDiff:
    """Which words the simplification changed: for the side-by-side view and the evaluation's share of words
    changed (1 - difflib's similarity ratio over the words, or characters in Chinese)."""
    from difflib import SequenceMatcher

    pattern = _ZH_TOKEN if language == "zh" else _EN_TOKEN
    a = [(m.start(), m.end()) for m in pattern.finditer(original)]
    b = [(m.start(), m.end()) for m in pattern.finditer(simplified)]
    ta = [original[x:y] for x, y in a]
    tb = [simplified[x:y] for x, y in b]
    matcher = SequenceMatcher(None, ta, tb, autojunk=False)
    kept_a, kept_b = [True] * len(ta), [True] * len(tb)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            kept_a[i1:i2] = [False] * (i2 - i1)
            kept_b[j1:j2] = [False] * (j2 - j1)
    words_a = [i for i, t in enumerate(ta) if re.match(r"\w", t)]
    words_b = [j for j, t in enumerate(tb) if re.match(r"\w", t)]
    total = len(words_a) + len(words_b)
    kept = sum(kept_a[i] for i in words_a) + sum(kept_b[j] for j in words_b)
    share = 0.0 if total == 0 else round(1 - kept / total, 3)
    return WordDiff(_pieces(original, a, [not k for k in kept_a]), _pieces(simplified, b, [not k for k in kept_b]),
                    share)


# --- glossary -----------------------------------------------------------------------------------------

GLOSSARY_ID = "glossary"
GLOSSARY_HEADING = {"en": "Words to know", "zh": "词语解释"}


def glossary_entries(guide: StyleGuide, texts: list[str]) -> dict[str, str]:
    """The guide's glossary entries for the terms the texts actually use, in the guide's order."""
    joined = "\n".join(texts)
    found = {}
    for term, meaning in guide.glossary.items():
        if guide.language == "zh":
            present = term in joined
        else:
            present = re.search(rf"(?<![\w-]){re.escape(term)}(?:s|es)?(?![\w-])", joined, re.IGNORECASE) is not None
        if present:
            found[term] = meaning
    return found


def glossary_text(entries: dict[str, str], language: str) -> str:
    """One line per term: "- applicant: The person who…" / "- 申请人：提出申请的人。"."""
    sep = "：" if language == "zh" else ": "
    return "\n".join(f"- {term}{sep}{meaning}" for term, meaning in entries.items())


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
    # the simplified sections only: not a glossary written after them (it has no original)
    text = "\n".join((s.original if key == "before" else s.text) or "" for s in draft.sections
                     if s.original is not None)
    result = measure(text, draft.language)
    return result.flesch_kincaid_grade if draft.language == "en" else result.avg_sentence_chars


def write_markdown(draft: Draft, path: Path) -> None:
    status = "APPROVED" if draft.status == DraftStatus.approved else "DRAFT — awaiting human review"
    lines = [f"# {draft.title}", "", f"_{status}. Simplified by {draft.backend}; draft {draft.id}._", ""]
    for s in draft.sections:
        lines += [*([f"## {s.heading}", ""] if s.heading else []), s.text, ""]  # no heading is invented
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    tmp.replace(path)
