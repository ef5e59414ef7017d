"""Resolve `[n]` citation markers in generated text to a source document and paragraph.

Both the offline backend and the LLM prompt use the same convention: `[n]` after a sentence means the
sentence rests on source n (1-based, in the order the sources were given). The paragraph is found by
matching the cited sentence against the source's paragraphs: verbatim first, then by shared words.
Markers naming no source (`[7]` when there are two sources) are ignored: they support nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from drafter import segment
from drafter.models import Citation, SourceDoc

MARKER = re.compile(r"\[(\d{1,3})\]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+|\d[\d,.%£$€]*|[\u4e00-\u9fff]")
QUOTE_CHARS = 300


def paragraphs(text: str) -> list[str]:
    """A source's paragraphs: blocks separated by blank lines, or lines when there are no blank lines."""
    return segment.texts(segment.blocks(text))


def _words(text: str) -> set[str]:
    return {w.lower().rstrip(".,") for w in _WORD.findall(text)}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def locate(passage: str, source_text: str) -> int | None:
    """The 1-based paragraph of `source_text` that best supports `passage`, or None if none shares enough."""
    paras = paragraphs(source_text)
    needle = _norm(passage)
    if not needle:
        return None
    for i, para in enumerate(paras, start=1):
        if needle in _norm(para):
            return i
    words = _words(passage)
    if not words:
        return None
    best, best_score = None, 0.0
    for i, para in enumerate(paras, start=1):
        score = len(words & _words(para)) / len(words)
        if score > best_score:
            best, best_score = i, score
    # fewer than a third of the sentence's words in common is not support, it is coincidence
    return best if best_score >= 1 / 3 else None


def _shorten(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _cited_sentence(text: str, marker_start: int) -> str:
    """The text the marker at `marker_start` follows: back to the previous sentence end or marker."""
    before = text[:marker_start].rstrip()
    found = segment.sentences(before, semicolons=True)
    if not found:
        return ""
    last = found[-1].text
    # an earlier marker in the same sentence closes the part that marker cites
    cut = max((m.end() for m in MARKER.finditer(last)), default=0)
    return last[cut:].strip()


def resolve_citations(
    text: str, sources: list[SourceDoc], evidence: Iterable[tuple[int, str]] = ()
) -> list[Citation]:
    """Citations for a section's text: its `[n]` markers plus any (source number, quote) evidence pairs.

    Evidence quotes (from structured output) are kept only when they can be found in the source they name.
    """
    out: list[Citation] = []
    seen: set[tuple[int, int | None]] = set()

    def add(n: int, passage: str, *, require_located: bool) -> None:
        if not 1 <= n <= len(sources):
            return
        src = sources[n - 1]
        para = locate(passage, src.text)
        if para is None and require_located:
            return
        key = (n, para)
        if key in seen:
            return
        seen.add(key)
        quote = paragraphs(src.text)[para - 1] if para is not None else ""
        out.append(Citation(marker=n, source=src.name, paragraph=para, quote=_shorten(quote)))

    for m in MARKER.finditer(text):
        add(int(m.group(1)), _cited_sentence(text, m.start()), require_located=False)
    for n, quote in evidence:
        add(n, quote, require_located=True)
    return out
