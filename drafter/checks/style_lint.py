"""A style guide's deterministic rules, run on each section after generation and after every edit.

Rules (ids as reported in findings):

- ``style.plain_words``: a word from the guide's plain-words list ("utilise" -> "use").
- ``style.banned_phrase``: a phrase the guide bans.
- ``style.sentence_length``: a sentence longer than the guide's maximum (words in English, characters in
  Chinese).
- ``style.passive_voice``: more of a section's sentences in the passive voice than the guide allows.
- ``style.spelling``: an American spelling in a British guide, or the reverse (drafter/data/spelling_en.yaml).
- ``style.placeholder``: text the offline backend left to complete ("[To complete: ...]", "【待补充：...】").
- ``style.required_element``: something a document of this kind must contain (a press release's date line
  and media contact; minutes' attendees and decisions), plus any the template lists.
- ``readability.*``: a section (of 30 words or more in English) that misses the guide's readability target.

Each rule returns `Issue`s with section-relative spans; the runner turns them into stored findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from drafter import segment
from drafter.checks import readability
from drafter.checks.facts import extract_facts
from drafter.i18n import Lazy, lazy
from drafter.memo import text_cache
from drafter.models import FindingSeverity, RequiredElement, Section, SpanOrigin, StyleGuide, Template

SPELLING_FILE = Path(__file__).resolve().parent.parent / "data" / "spelling_en.yaml"
MIN_WORDS_FOR_READABILITY = 30

_PLACEHOLDER = re.compile(r"\[To complete:[^\]]*\]|【待补充[^】]*】")
_BE = r"(?:am|is|are|was|were|be|been|being|is being|are being|was being|were being|has been|have been|had been|will be)"
_IRREGULAR = (
    "known|given|taken|made|done|seen|written|built|paid|sent|held|kept|set|put|shown|told|found|brought|"
    "bought|chosen|spent|led|met|run|won|drawn|driven|broken|spoken|begun|thrown|grown|sold|cut|left|lost|"
    "meant|read|said|understood|heard|hidden|forgotten|forbidden|undertaken|withdrawn|overtaken|laid|born"
)
_PASSIVE = re.compile(rf"\b{_BE}\s+(?:\w+ly\s+)?(?:\w+ed|{_IRREGULAR})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Issue:
    rule_id: str
    severity: FindingSeverity
    section_id: str | None
    start: int | None
    end: int | None
    excerpt: str
    message: str | Lazy  # a lazy message keeps its id and parameters, so the finding is shown in each reader's language
    suggestion: str | Lazy | None = None
    subject: str = ""  # normalised subject for the finding's fingerprint


# Built-in requirements by document kind; a template may add its own with `required_elements`.
KIND_REQUIREMENTS: dict[str, tuple[RequiredElement, ...]] = {
    "press release": (
        RequiredElement(id="date_line", description="a date line (place and date) at the start",
                        pattern="__date__", sections=("lead",)),
        RequiredElement(id="contact", description="a media contact",
                        pattern=r"\b(media contact|contact|enquiries|press office)\b"),
    ),
    "minutes": (
        RequiredElement(id="attendees", description="the attendees", pattern=r"\b(attendees|present|attending)\b"),
        RequiredElement(id="decisions", description="the decisions taken",
                        pattern=r"\b(decisions?|decided|agreed|resolved|approved)\b"),
    ),
    "纪要": (
        RequiredElement(id="attendees", description="出席人员", pattern="出席"),
        RequiredElement(id="decisions", description="议定事项", pattern="议定|决定|会议同意|会议要求|会议认为"),
    ),
    "新闻稿": (
        RequiredElement(id="date_line", description="日期", pattern="__date__"),
        RequiredElement(id="contact", description="联系方式", pattern="联系"),
    ),
}


@cache
def _spelling_rules() -> tuple[dict[str, str], dict[str, str]]:
    """(american -> british, british -> american), every form in lower case."""
    data = yaml.safe_load(SPELLING_FILE.read_text(encoding="utf-8"))
    pairs: dict[str, str] = dict(data["pairs"])
    for stem in data["ise_stems"]:
        for uk, us in (("ise", "ize"), ("ised", "ized"), ("ises", "izes"), ("ising", "izing"),
                       ("isation", "ization"), ("isations", "izations")):
            pairs[stem + uk] = stem + us
    return {us: uk for uk, us in pairs.items()}, pairs


@cache
def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


_INFLECTIONS = ("s", "es", "d", "ed", "ing")


@cache
def _inflected_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Plain-words entries with their inflections: "utilise" also finds "utilised" and "utilising"."""
    if not words:
        return None
    forms = []
    for word in sorted(words, key=len, reverse=True):
        escaped = re.escape(word)
        if " " in word:
            forms.append(escaped)
        else:
            stem = re.escape(word[:-1]) if word.endswith("e") else escaped
            forms.append(rf"(?:{escaped}(?:s|d)?|{stem}(?:es|ed|ing))" if word.endswith("e")
                         else rf"{escaped}(?:s|es|ed|ing)?")
    return re.compile(rf"(?<![\w-])(?:{'|'.join(forms)})(?![\w-])", re.IGNORECASE)


def _base_form(found: str, entries: dict[str, str]) -> str:
    if found in entries:
        return found
    for ending in _INFLECTIONS:
        if found.endswith(ending):
            stem = found[: -len(ending)]
            for candidate in (stem, stem + "e"):
                if candidate in entries:
                    return candidate
    return found


def _sentences_with_spans(text: str, language: str) -> list[tuple[int, int, str]]:
    # a Chinese clause closed by ； counts as a sentence for length
    return [(p.start, p.end, p.text) for p in segment.sentences(text, language, semicolons=language == "zh")]


def _word_count(sentence: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'’\-]*", re.sub(r"\[\d{1,3}\]", "", sentence)))


def lint_section(section: Section, guide: StyleGuide, language: str, *, spelling: str | None = None) -> list[Issue]:
    """The guide's rules on one section; `spelling` ("british" / "american", from the template) overrides the
    guide's.

    Remembered per exact input (the section's id, text, quoted stretches and original, the guide, the language
    and the spelling): every check of a draft lints every section again, and most have not changed since. A
    simplification lints each section as it finishes, so the check at the end of a batch finds them done.
    """
    # a verbatim quote from a source is not the writer's to reword or split: no style rule is applied inside it
    found = _lint_remembered(section.text, section.id, tuple(_not_linted(section)), section.original,
                             _Same(guide), language, spelling)
    return list(found)


class _Same:
    """A memo key part equal only to the very same object: a style guide holds dicts, so it has no hash of its own.
    The catalog builds each guide once and a guide is frozen; the key holds the guide, so its id is not reused
    while remembered."""

    __slots__ = ("obj",)

    def __init__(self, obj: StyleGuide) -> None:
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.obj is self.obj


@text_cache(max_chars=4_000_000, max_items=8192)
def _lint_remembered(
    text: str, sid: str, quoted: tuple[tuple[int, int], ...], original: str | None, guide: _Same, language: str,
    spelling: str | None,
) -> tuple[Issue, ...]:
    return tuple(_lint(text, sid, list(quoted), original, guide.obj, language, spelling))


def _lint(
    text: str, sid: str, quoted: list[tuple[int, int]], original: str | None, guide: StyleGuide, language: str,
    spelling: str | None,
) -> list[Issue]:
    """`lint_section` on the parts of a section it reads."""
    issues: list[Issue] = []
    warn = FindingSeverity.warning

    pattern = _inflected_pattern(tuple(guide.plain_words))
    lowered_plain = {k.lower(): v for k, v in guide.plain_words.items()}
    for m in pattern.finditer(text) if pattern else ():
        if _inside(m.start(), m.end(), quoted):
            continue
        base = _base_form(m.group(0).lower(), lowered_plain)
        plain = lowered_plain[base]
        fix = lazy('Use "{plain}".', plain=plain) if base == m.group(0).lower() else lazy(
            'Use "{plain}" (in the same form).', plain=plain
        )
        issues.append(Issue("style.plain_words", FindingSeverity.info, sid, m.start(), m.end(), m.group(0),
                            lazy("\"{phrase}\" has a plainer word in the {guide} style guide.", phrase=m.group(0), guide=guide.id), fix, base))
    pattern = _word_pattern(guide.banned_phrases)
    for m in pattern.finditer(text) if pattern else ():
        if _inside(m.start(), m.end(), quoted):
            continue
        issues.append(Issue("style.banned_phrase", warn, sid, m.start(), m.end(), m.group(0),
                            lazy("\"{phrase}\" is a phrase the {guide} style guide bans.", phrase=m.group(0), guide=guide.id),
                            lazy("Say what you mean in plain words."), m.group(0).lower()))
    for m in _PLACEHOLDER.finditer(text):
        issues.append(Issue("style.placeholder", warn, sid, m.start(), m.end(), m.group(0),
                            lazy("This section still has text to complete."), lazy("Write it, or remove the section."),
                            m.group(0).lower()))

    sentences = [(start, end, sentence) for start, end, sentence in _sentences_with_spans(text, language)
                 if not _inside(start, start + len(_CITATION_END.sub("", sentence)), quoted)]
    target = guide.readability
    for start, end, sentence in sentences:
        if language == "zh":
            n = len(re.findall(r"\w", sentence))
            limit = target.max_sentence_chars
            unit = lazy("characters")
        else:
            n = _word_count(sentence)
            limit = target.max_sentence_words
            unit = lazy("words")
        if limit and n > limit:
            issues.append(Issue("style.sentence_length", warn, sid, start, end, sentence[:80],
                                lazy("This sentence has {n} {unit}; the {guide} style guide's limit is {limit}.", n=n, unit=unit, guide=guide.id, limit=limit),
                                lazy("Split it into shorter sentences."), sentence.lower()))

    if language == "en":
        issues += _spelling_parts(text, sid, quoted, original, guide, spelling)
        if guide.max_passive_share is not None:
            passive = [(s, e) for s, e, sentence in sentences if _PASSIVE.search(sentence)]
            if len(sentences) >= 3 and passive and len(passive) / len(sentences) > guide.max_passive_share:
                share = len(passive) / len(sentences)
                s, e = passive[0]
                issues.append(Issue(
                    "style.passive_voice", warn, sid, s, e, text[s:e][:80],
                    lazy("{passive} of {sentences} sentences are in the passive voice ({share:.0%}); the {guide} style guide allows at most {limit:.0%}.", passive=len(passive), sentences=len(sentences), share=share, guide=guide.id, limit=guide.max_passive_share),
                    lazy("Say who does what: 'the council will close the road', not 'the road will be closed'."),
                ))
    issues += _readability_issues(text, sid, guide, language)
    return issues


def spelling_of(text: str) -> str | None:
    """"british" or "american" when a text's own spellings lean clearly one way (e.g. a US regulation), else None."""
    to_british, to_american = _spelling_rules()
    us = uk = 0
    for m in re.finditer(r"(?<![\w-])[a-z]+(?![\w-])", text):
        word = m.group(0)
        us += word in to_british
        uk += word in to_american
    if us > uk:
        return "american"
    if uk > us:
        return "british"
    return None


def document_spelling(section: Section, guide: StyleGuide, template_spelling: str | None = None) -> str | None:
    """The locale a section is checked against: a simplification keeps its original's (a US regulation stays
    en-US), else the template's, else the style guide's."""
    return _document_spelling(section.original, guide, template_spelling)


def _document_spelling(original: str | None, guide: StyleGuide, template_spelling: str | None) -> str | None:
    if original:
        found = spelling_of(original)
        if found:
            return found
    return template_spelling or guide.spelling


def _not_linted(section: Section) -> list[tuple[int, int]]:
    """Stretches whose spelling is not the writer's: verbatim quotes from sources."""
    return [(s.start, s.end) for s in section.spans if s.origin == SpanOrigin.quote]


_CITATION_END = re.compile(r"\s*\[\d{1,3}\]\s*$")


def _inside(start: int, end: int, stretches: list[tuple[int, int]]) -> bool:
    """Whether [start, end) lies wholly inside one of `stretches`."""
    return any(a <= start and end <= b for a, b in stretches)


def _spelling_parts(
    text: str, sid: str, quoted: list[tuple[int, int]], original: str | None, guide: StyleGuide,
    template_spelling: str | None = None,
) -> list[Issue]:
    spelling = _document_spelling(original, guide, template_spelling)
    if spelling is None:
        return []
    to_british, to_american = _spelling_rules()
    wrong = to_british if spelling == "british" else to_american
    issues = []
    # words the original itself spells so (a simplification carries them over verbatim)
    original_words = set(re.findall(r"[a-z]+", (original or "").lower()))
    locale = "en-GB" if spelling == "british" else "en-US"
    for m in re.finditer(r"(?<![\w-])[A-Za-z]+(?![\w-])", text):  # a dictionary look-up per word: fast
        word = m.group(0)
        if word.lower() not in wrong or word.lower() in original_words:
            continue
        if any(a <= m.start() < b for a, b in quoted):
            continue
        before = text[:m.start()].rstrip()
        if word[0].isupper() and before and before[-1] not in ".!?:\n":
            continue  # a capitalised word mid-sentence is a name ("Harbor Freight"), not a spelling
        right = wrong[word.lower()]
        right = right[0].upper() + right[1:] if word[0].isupper() else right
        issues.append(Issue("style.spelling", FindingSeverity.warning, sid, m.start(), m.end(), word,
                            lazy('"{word}" is not {spelling} spelling ({locale}).', word=word, spelling=spelling,
                                 locale=locale),
                            lazy('Use "{right}".', right=right), word.lower()))
    return issues


def readability_issues(section: Section, guide: StyleGuide, language: str) -> list[Issue]:
    """A section that misses the guide's readability target (short sections are not scored)."""
    return _readability_issues(section.text, section.id, guide, language)


def _readability_issues(section_text: str, sid: str, guide: StyleGuide, language: str) -> list[Issue]:
    target = guide.readability
    text = readability.body_text(_PLACEHOLDER.sub("", section_text))
    issues: list[Issue] = []
    warn = FindingSeverity.warning
    if language == "zh":
        r = readability.chinese(text)
        if not r.sentences:
            return []
        if target.max_avg_sentence_chars and (r.avg_sentence_chars or 0) > target.max_avg_sentence_chars:
            issues.append(Issue("readability.sentence_chars", warn, sid, None, None, "",
                                lazy("Sentences average {average} characters; the target is at most {limit}.", average=r.avg_sentence_chars, limit=target.max_avg_sentence_chars), lazy("Split long sentences.")))
        if target.max_uncommon_char_share is not None and (r.uncommon_char_share or 0) > target.max_uncommon_char_share:
            issues.append(Issue("readability.uncommon_chars", warn, sid, None, None, "",
                                lazy("{share:.1%} of the characters are outside the common set; the target is at most {limit:.1%}.", share=r.uncommon_char_share, limit=target.max_uncommon_char_share),
                                lazy("Use more common words.")))
        return issues
    r = readability.english(text)
    if r.words < MIN_WORDS_FOR_READABILITY:
        return []
    if target.max_grade is not None and (r.flesch_kincaid_grade or 0) > target.max_grade:
        issues.append(Issue("readability.grade", warn, sid, None, None, "",
                            lazy("Flesch-Kincaid grade {grade}; the {guide} target is at most {limit:g}.", grade=r.flesch_kincaid_grade, guide=guide.id, limit=target.max_grade), lazy("Use shorter sentences and shorter words.")))
    if target.min_reading_ease is not None and (r.flesch_reading_ease or 0) < target.min_reading_ease:
        issues.append(Issue("readability.reading_ease", warn, sid, None, None, "",
                            lazy("Flesch Reading Ease {ease}; the {guide} target is at least {limit:g}.", ease=r.flesch_reading_ease, guide=guide.id, limit=target.min_reading_ease), lazy("Use shorter sentences and shorter words.")))
    return issues


def required_elements(sections: list[Section], template: Template) -> list[Issue]:
    """Document-level requirements: built in for the template's kind, plus the template's own."""
    rules = [*KIND_REQUIREMENTS.get(template.kind.lower(), ()), *template.required_elements]
    issues = []
    for rule in rules:
        chosen = [s for s in sections if not rule.sections or s.id in rule.sections] or sections
        # a heading counts ("Decisions" above a list of them) when its section has content
        bodies = [(s.heading, _PLACEHOLDER.sub("", s.text).strip()) for s in chosen]
        text = "\n".join(f"{heading}\n{body}" for heading, body in bodies if body)
        if rule.pattern == "__date__":
            found = any(f.kind == "date" for f in extract_facts(text))
        else:
            found = re.search(rule.pattern, text, re.IGNORECASE) is not None
        if not found:
            where = lazy(" (in {sections})", sections=", ".join(rule.sections)) if rule.sections else ""
            issues.append(Issue("style.required_element", FindingSeverity.warning,
                                chosen[0].id if rule.sections and chosen else None, None, None, "",
                                lazy("A {kind} document needs {element}{where}; none was found.", kind=template.kind, element=rule.description, where=where),
                                lazy("Add {element}.", element=rule.description), rule.id))
    return issues
