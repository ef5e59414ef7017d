"""Who wrote which part of a section: spans computed by matching the text, never asserted.

A section's text is matched against the author's inputs (`input`) and the sentences of the sources
(`quote`, with source and paragraph); what is left is written by the backend (`model` for a language
model, `assembled` for a rule). After a person's edit, text the person wrote or changed is `edited`.
White space, punctuation, list marks and `[n]` citation markers belong to no span: they are layout.

This is a bottom-layer module: it imports only the domain types and the segmenter.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import groupby

from drafter import segment
from drafter.memo import text_cache
from drafter.models import Span, SpanOrigin

# list marks at the start of a line, and citation markers: layout, not words anyone wrote
_LIST_MARK = re.compile(
    r"(?m)^[ \t]*(?:[-*•·][ \t]+|\d{1,3}[.)．、][ \t]*|\(?[a-z]\)[ \t]+|[一二三四五六七八九十]+、|（[一二三四五六七八九十\d]+）)"
)
_MARKER = re.compile(r"\[\d{1,3}\]")
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")

_Label = tuple[SpanOrigin, str | None, int | None]


def _input_needles(values: Iterable[str]) -> tuple[str, ...]:
    return _input_needles_of(tuple(values))


# Every section of a draft is matched against the same inputs and sources: their needles are found once.
@text_cache(max_chars=2_000_000, max_items=32)
def _input_needles_of(values: tuple[str, ...]) -> tuple[str, ...]:
    """Whole values, their lines (without list marks) and the sentences of each line."""
    out: set[str] = set()
    for value in values:
        value = value.strip()
        if not value:
            continue
        out.add(value)
        for line in segment.lines(value):
            text = _LIST_MARK.sub("", line.text).strip()
            out.add(text)
            language = segment.detect_language(text)
            out.update(segment.split_sentences(text, language))
    return tuple(sorted(n for n in out if len(n) >= 3))


def _source_needles(sources: Sequence[tuple[str, str]]) -> tuple[tuple[str, str, int], ...]:
    """(sentence, source name, 1-based paragraph) for every sentence of every source."""
    return tuple(needle for name, text in sources for needle in _needles_of_source(name, text))


# A source is read once, when it is added (`read_source`): its sentences are found then, not in every draft.
@text_cache(max_chars=4_000_000, max_items=64)
def _needles_of_source(name: str, text: str) -> tuple[tuple[str, str, int], ...]:
    out: list[tuple[str, str, int]] = []
    language = segment.detect_language(text)
    for pi, block in enumerate(segment.blocks(text), start=1):
        found = set(segment.split_sentences(block.text, language))
        found.update(segment.split_sentences(block.text, language, semicolons=True))
        out.extend((s, name, pi) for s in sorted(found) if len(s) >= (8 if language == "zh" else 12))
    return tuple(out)


def read_source(name: str, text: str) -> None:
    """Read a source ahead of the drafts that will label its quotes (when a person adds it)."""
    _needles_of_source(name, text)


def _bounded(text: str, start: int, end: int) -> bool:
    """A match does not start or end inside a word (ASCII letters and digits)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    inner_first, inner_last = text[start], text[end - 1]
    glued = (before.isascii() and before.isalnum() and inner_first.isascii() and inner_first.isalnum()) or (
        after.isascii() and after.isalnum() and inner_last.isascii() and inner_last.isalnum()
    )
    return not glued


# Every section of a draft is matched against the same inputs and sources: their needles are ordered once.
@text_cache(max_chars=4_000_000, max_items=32)
def _needles(
    inputs: tuple[str, ...], sources: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, int, _Label], ...]:
    """The inputs' and the sources' needles, in the order they are matched."""
    needles: list[tuple[str, int, _Label]] = [(n, 1, (SpanOrigin.input, None, None)) for n in _input_needles(inputs)]
    needles += [(n, 0, (SpanOrigin.quote, name, pi)) for n, name, pi in _source_needles(sources)]
    # longest first, so a whole quoted sentence wins over an input date inside it; at equal length the author's
    # own words win over a source that repeats them
    needles.sort(key=lambda item: (-len(item[0]), -item[1]))
    return tuple(needles)


def _match(text: str, inputs: Iterable[str], sources: Sequence[tuple[str, str]]) -> list[_Label | None]:
    """Per character: (origin, source, paragraph) where an input or a source sentence matches, else None."""
    labels: list[_Label | None] = [None] * len(text)
    needles = _needles(tuple(inputs), tuple((name, source) for name, source in sources))
    taken = bytearray(len(text))  # 1 where `labels` holds a label: a free stretch is found without a loop
    for needle, _, label in needles:
        pos = text.find(needle)
        while pos != -1:
            end = pos + len(needle)
            if taken.find(1, pos, end) == -1 and _bounded(text, pos, end):
                labels[pos:end] = [label] * len(needle)
                taken[pos:end] = b"\x01" * len(needle)
            pos = text.find(needle, pos + 1)
    return labels


# a mask holds a pointer per character: fewer characters are kept
@text_cache(max_chars=1_000_000, max_items=64)
def _layout_mask(text: str) -> tuple[bool, ...]:
    """True where a character is layout: list marks, citation markers, white space, punctuation."""
    # `\w` in a str pattern is exactly str.isalnum() or "_" (CPython's sre), without a regex call per character
    mask = [not (ch.isalnum() or ch == "_") for ch in text]
    for pattern in (_LIST_MARK, _MARKER):
        for m in pattern.finditer(text):
            mask[m.start():m.end()] = [True] * (m.end() - m.start())
    return tuple(mask)


def _to_spans(text: str, labels: list[_Label | None]) -> list[Span]:
    """Runs of equal labels as spans, trimmed of white space; runs that are only layout are dropped."""
    layout = _layout_mask(text)
    spans: list[Span] = []
    for i, j, label in _runs(labels):
        if label is not None and not all(layout[i:j]):
            chunk = text[i:j]
            s = i + len(chunk) - len(chunk.lstrip())
            e = j - (len(chunk) - len(chunk.rstrip()))
            origin, source, paragraph = label
            spans.append(Span(start=s, end=e, origin=origin, source=source, paragraph=paragraph))
    return spans


def _runs(labels: list[_Label | None]) -> Iterator[tuple[int, int, _Label | None]]:
    """(start, end, label) of each run of equal labels."""
    i = 0
    for label, run in groupby(labels):
        j = i + len(list(run))
        yield i, j, label
        i = j


def _fill(text: str, labels: list[_Label | None], rest: _Label) -> list[_Label | None]:
    """Unmatched characters get `rest`, except runs that are only layout, which stay unlabelled."""
    layout = _layout_mask(text)
    out = list(labels)
    for i, j, label in _runs(labels):
        if label is None and not all(layout[i:j]):
            out[i:j] = [rest] * (j - i)
    return out


def compute(
    text: str, inputs: Iterable[str], sources: Sequence[tuple[str, str]], *, language_model: bool
) -> list[Span]:
    """Spans of a text a backend wrote: inputs and quotes matched, the rest `model` or `assembled`."""
    rest: _Label = (SpanOrigin.model if language_model else SpanOrigin.assembled, None, None)
    return _to_spans(text, _fill(text, _match(text, inputs, sources), rest))


def after_edit(
    old_text: str, old_spans: Sequence[Span], new_text: str, inputs: Iterable[str],
    sources: Sequence[tuple[str, str]],
) -> list[Span]:
    """Spans after a person's edit: inputs and whole quotes matched again; words kept from the machine's
    text keep their origin; everything else, including what is left of an altered quote, is `edited`."""
    labels = _match(new_text, inputs, sources)
    old: list[SpanOrigin | None] = [None] * len(old_text)
    for sp in old_spans:
        old[sp.start:sp.end] = [sp.origin] * (sp.end - sp.start)
    a = [m.span() for m in _TOKEN.finditer(old_text)]
    b = [m.span() for m in _TOKEN.finditer(new_text)]
    kept: list[SpanOrigin | None] = [None] * len(new_text)
    matcher = difflib.SequenceMatcher(None, [old_text[s:e] for s, e in a], [new_text[s:e] for s, e in b],
                                      autojunk=False)
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag != "equal":
            continue
        for k in range(i2 - i1):
            (os_, _), (ns, ne) = a[i1 + k], b[j1 + k]
            for offset in range(ne - ns):
                kept[ns + offset] = old[os_ + offset]
    machine_kept = {SpanOrigin.model, SpanOrigin.assembled}
    for i, lab in enumerate(labels):
        if lab is None:
            origin = kept[i]
            labels[i] = (origin if origin is not None and origin in machine_kept else SpanOrigin.edited, None, None)
    # layout-only runs stay unlabelled, as in `compute`
    layout = _layout_mask(new_text)
    fresh = _match(new_text, inputs, sources)
    i = 0
    while i < len(new_text):
        j = i
        while j < len(new_text) and fresh[j] is None:
            j += 1
        if j > i and all(layout[i:j]):
            labels[i:j] = [None] * (j - i)
        i = max(j, i + 1)
    return _to_spans(new_text, labels)


def quoted(text: str, spans: Sequence[Span]) -> list[tuple[int, int]]:
    """(start, end) of the quote spans: text no rule may change."""
    return [(sp.start, sp.end) for sp in spans if sp.origin == SpanOrigin.quote]


def drop_repeated_quotes(text: str, spans: Sequence[Span], already: set[str]) -> str:
    """`text` without the quoted sentences (and their `[n]` markers) already quoted in `already`.

    Used for rule-assembled text, where the same source sentence can be picked for two sections; a section
    is never emptied this way.
    """
    cuts: list[tuple[int, int]] = []
    for sp in spans:
        if sp.origin == SpanOrigin.quote and text[sp.start:sp.end] in already:
            end = sp.end
            m = re.match(r"(?:[ \t]*\[\d{1,3}\])*[ \t]*\n?", text[end:])
            cuts.append((sp.start, end + (m.end() if m else 0)))
    if not cuts:
        return text
    out, pos = [], 0
    for start, end in cuts:
        out.append(text[pos:start])
        pos = end
    out.append(text[pos:])
    result = "".join(out).strip()
    return result if re.search(r"\w", _MARKER.sub("", result)) else text


def quotes(text: str, spans: Sequence[Span]) -> set[str]:
    """The quoted passages of a text."""
    return {text[sp.start:sp.end] for sp in spans if sp.origin == SpanOrigin.quote}
