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
from drafter.memo import text_cache
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
    """Lower case, one space between words (str.split and re's \\s know the same white space)."""
    return " ".join(text.split()).lower()


# Every marker and evidence quote of every section is located in the same sources: each source's paragraphs,
# as matched, are found once.
@text_cache(max_chars=4_000_000, max_items=32)
def _indexed(source_text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[frozenset[str], ...]]:
    """A source's paragraphs, each normalised, and each one's words."""
    paras = tuple(paragraphs(source_text))
    return paras, tuple(_norm(p) for p in paras), tuple(frozenset(_words(p)) for p in paras)


def read_source(text: str) -> None:
    """Read a source ahead of the drafts that will cite it (when a person adds it)."""
    _indexed(text)


def locate(passage: str, source_text: str) -> int | None:
    """The 1-based paragraph of `source_text` that best supports `passage`, or None if none shares enough."""
    _, norms, para_words = _indexed(source_text)
    needle = _norm(passage)
    if not needle:
        return None
    for i, norm in enumerate(norms, start=1):
        if needle in norm:
            return i
    words = _words(passage)
    if not words:
        return None
    best, best_score = None, 0.0
    for i, pw in enumerate(para_words, start=1):
        score = len(words & pw) / len(words)
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
        quote = _indexed(src.text)[0][para - 1] if para is not None else ""
        out.append(Citation(marker=n, source=src.name, paragraph=para, quote=_shorten(quote)))

    for m in MARKER.finditer(text):
        add(int(m.group(1)), _cited_sentence(text, m.start()), require_located=False)
    for n, quote in evidence:
        add(n, quote, require_located=True)
    return out


# --- evidence per sentence (structured output) ---------------------------------------------------------

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_passage(text: str) -> str:
    """Lower case, every run of whitespace and punctuation made one space: how a quoted passage is matched.

    Models re-space, re-quote ("" for “”) and re-punctuate what they copy; the words and figures must match.
    """
    return _NOT_WORD.sub(" ", text.lower()).strip()


def find_passage(passage: str, source_text: str) -> int | None:
    """The 1-based paragraph of `source_text` where `passage` occurs (after normalising), or None if it does not.

    A passage running over a paragraph break is found too; it is resolved to the paragraph it starts in.
    """
    needle = normalise_passage(passage)
    if not needle:
        return None
    paras = [normalise_passage(p) for p in paragraphs(source_text)]
    for i, para in enumerate(paras, start=1):
        if needle in para:
            return i
    whole = " ".join(paras)
    at = whole.find(needle)
    if at < 0:
        return None
    offset = 0
    for i, para in enumerate(paras, start=1):
        offset += len(para) + 1
        if at < offset:
            return i
    return None  # pragma: no cover - `at` lies inside `whole`


def sentence_citations(
    sentences: Iterable[tuple[str, int | None, str]], sources: list[SourceDoc]
) -> list[Citation]:
    """One citation per sentence that names a source: its evidence checked against that source.

    `verified` is True when the passage occurs in the cited source (after normalising whitespace and
    punctuation), with the paragraph it is in; False when it does not, or the source number names no source.
    Sentences resting on the inputs alone (no source) get no citation.
    """
    out: list[Citation] = []
    for sentence, n, passage in sentences:
        if n is None:
            continue
        if not 1 <= n <= len(sources):
            out.append(Citation(marker=n, source="", sentence=sentence, evidence=passage, verified=False))
            continue
        src = sources[n - 1]
        para = find_passage(passage, src.text)
        out.append(Citation(
            marker=n, source=src.name, paragraph=para, quote=_shorten(passage) if para is not None else "",
            sentence=sentence, evidence=passage, verified=para is not None,
        ))
    return out
