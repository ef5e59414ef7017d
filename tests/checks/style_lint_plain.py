"""`lint_section` as it was before it was remembered per input (main at 9db725a): the reference the remembered
one is held to. Do not change it to follow the product; it is the answer the product must keep giving."""

# ruff: noqa: E501
from __future__ import annotations

import re

from drafter.checks import readability
from drafter.checks.style_lint import (
    _CITATION_END,
    _PASSIVE,
    _PLACEHOLDER,
    MIN_WORDS_FOR_READABILITY,
    Issue,
    _base_form,
    _inflected_pattern,
    _inside,
    _not_linted,
    _sentences_with_spans,
    _spelling_rules,
    _word_count,
    _word_pattern,
    document_spelling,
)
from drafter.i18n import lazy
from drafter.models import FindingSeverity, Section, StyleGuide


def plain_lint_section(section: Section, guide: StyleGuide, language: str, *, spelling: str | None = None) -> list[Issue]:
    """The guide's rules on one section; `spelling` ("british" / "american", from the template) overrides the
    guide's."""
    text = section.text
    sid = section.id
    issues: list[Issue] = []
    warn = FindingSeverity.warning
    # a verbatim quote from a source is not the writer's to reword or split: no style rule is applied inside it
    quoted = _not_linted(section)

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
        issues += _plain_spelling(section, guide, spelling)
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
    issues += _plain_readability_issues(section, guide, language)
    return issues


def _plain_spelling(section: Section, guide: StyleGuide, template_spelling: str | None = None) -> list[Issue]:
    spelling = document_spelling(section, guide, template_spelling)
    if spelling is None:
        return []
    to_british, to_american = _spelling_rules()
    wrong = to_british if spelling == "british" else to_american
    issues = []
    text = section.text
    quoted = _not_linted(section)
    # words the original itself spells so (a simplification carries them over verbatim)
    original_words = set(re.findall(r"[a-z]+", (section.original or "").lower()))
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
        issues.append(Issue("style.spelling", FindingSeverity.warning, section.id, m.start(), m.end(), word,
                            lazy('"{word}" is not {spelling} spelling ({locale}).', word=word, spelling=spelling,
                                 locale=locale),
                            lazy('Use "{right}".', right=right), word.lower()))
    return issues


def _plain_readability_issues(section: Section, guide: StyleGuide, language: str) -> list[Issue]:
    """A section that misses the guide's readability target (short sections are not scored)."""
    target = guide.readability
    text = readability.body_text(_PLACEHOLDER.sub("", section.text))
    issues: list[Issue] = []
    warn = FindingSeverity.warning
    if language == "zh":
        r = readability.chinese(text)
        if not r.sentences:
            return []
        if target.max_avg_sentence_chars and (r.avg_sentence_chars or 0) > target.max_avg_sentence_chars:
            issues.append(Issue("readability.sentence_chars", warn, section.id, None, None, "",
                                lazy("Sentences average {average} characters; the target is at most {limit}.", average=r.avg_sentence_chars, limit=target.max_avg_sentence_chars), lazy("Split long sentences.")))
        if target.max_uncommon_char_share is not None and (r.uncommon_char_share or 0) > target.max_uncommon_char_share:
            issues.append(Issue("readability.uncommon_chars", warn, section.id, None, None, "",
                                lazy("{share:.1%} of the characters are outside the common set; the target is at most {limit:.1%}.", share=r.uncommon_char_share, limit=target.max_uncommon_char_share),
                                lazy("Use more common words.")))
        return issues
    r = readability.english(text)
    if r.words < MIN_WORDS_FOR_READABILITY:
        return []
    if target.max_grade is not None and (r.flesch_kincaid_grade or 0) > target.max_grade:
        issues.append(Issue("readability.grade", warn, section.id, None, None, "",
                            lazy("Flesch-Kincaid grade {grade}; the {guide} target is at most {limit:g}.", grade=r.flesch_kincaid_grade, guide=guide.id, limit=target.max_grade), lazy("Use shorter sentences and shorter words.")))
    if target.min_reading_ease is not None and (r.flesch_reading_ease or 0) < target.min_reading_ease:
        issues.append(Issue("readability.reading_ease", warn, section.id, None, None, "",
                            lazy("Flesch Reading Ease {ease}; the {guide} target is at least {limit:g}.", ease=r.flesch_reading_ease, guide=guide.id, limit=target.min_reading_ease), lazy("Use shorter sentences and shorter words.")))
    return issues
