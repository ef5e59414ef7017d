"""The one place text is split: paragraphs, lines, list items and sentences (English and Chinese).

Every function returns `Piece`s: the text of a part with its `start`/`end` offsets in the text it was given,
so a caller that rewrites one part can put the text back together with its own spacing. Pieces are
stripped of surrounding white space; nothing inside a piece is changed.

This is a bottom-layer module: it imports nothing from drafter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- pieces ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A part of a text: `text == source[start:end]`."""

    start: int
    end: int
    text: str


def _piece(text: str, start: int, end: int) -> Piece | None:
    """The stripped piece of text[start:end], or None when it is only white space."""
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return None
    s = start + (len(chunk) - len(chunk.lstrip()))
    return Piece(s, s + len(stripped), stripped)


def texts(pieces: list[Piece]) -> list[str]:
    return [p.text for p in pieces]


def detect_language(text: str) -> str:
    """'zh' when the text is mostly Chinese characters, else 'en'."""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return "zh" if cjk > max(20, len(text) * 0.1) else "en"


# --- paragraphs and lines ----------------------------------------------------------------------------------

_BLANK_LINE = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> list[Piece]:
    """Blocks separated by blank lines."""
    out: list[Piece] = []
    pos = 0
    for m in _BLANK_LINE.finditer(text):
        if (p := _piece(text, pos, m.start())) is not None:
            out.append(p)
        pos = m.end()
    if (p := _piece(text, pos, len(text))) is not None:
        out.append(p)
    return out


def lines(text: str) -> list[Piece]:
    """Non-blank lines."""
    out: list[Piece] = []
    pos = 0
    for m in re.finditer(r"\n", text):
        if (p := _piece(text, pos, m.start())) is not None:
            out.append(p)
        pos = m.end()
    if (p := _piece(text, pos, len(text))) is not None:
        out.append(p)
    return out


def blocks(text: str) -> list[Piece]:
    """A source's paragraphs: blocks separated by blank lines, or its lines when there is no blank line."""
    paras = paragraphs(text)
    if len(paras) == 1 and "\n" in paras[0].text:
        return lines(text)
    return paras


# --- sentences ---------------------------------------------------------------------------------------------

_ZH_END = "。！？"
_CLOSERS = "\"'”’」』）)]》"
_CITATIONS = r"(?:[ \t]*\[\d{1,3}\])*"
# an English sentence end: terminators, closing quotes or brackets, citation markers, then white space
_EN_END = re.compile(rf"[.!?]+[{re.escape(_CLOSERS)}]*{_CITATIONS}(?=[ \t]+[^\s[])")


def sentences(text: str, language: str = "en", *, semicolons: bool = False) -> list[Piece]:
    """Sentences of `text`, line by line (a line break always ends a sentence).

    English sentences end at . ! ? followed by white space; Chinese ones at 。！？ (and at ；, and in
    Chinese text also ; ! ?, when `semicolons` is true: the checks count a clause as a sentence, the
    simplifier does not). Closing quotes and `[n]` citation markers stay with the sentence they close.
    """
    out: list[Piece] = []
    for line in lines(text):
        for a, b in _line_sentences(line.text, language, semicolons):
            if (p := _piece(text, line.start + a, line.start + b)) is not None:
                out.append(p)
    return out


def split_sentences(text: str, language: str = "en", *, semicolons: bool = False) -> list[str]:
    return texts(sentences(text, language, semicolons=semicolons))


def sentence_starts(text: str, language: str = "en") -> set[int]:
    """Offsets where a sentence begins (its first non-space character)."""
    return {p.start for p in sentences(text, language)}


def _line_sentences(line: str, language: str, semicolons: bool) -> list[tuple[int, int]]:
    cuts = sorted(set(_cuts(line, language, semicolons)))
    bounds = [0, *cuts, len(line)]
    return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1) if bounds[i] < bounds[i + 1]]


def _cuts(line: str, language: str, semicolons: bool) -> list[int]:
    """Offsets in one line after which a new sentence starts."""
    zh_ends = _ZH_END + ("；" if semicolons else "")
    if language == "zh":
        zh_ends += "!?" + (";" if semicolons else "")
    cuts: list[int] = []
    for i, ch in enumerate(line):
        if ch in zh_ends:
            j = i + 1
            while j < len(line) and (line[j] in _CLOSERS or line[j] in zh_ends):
                j += 1
            cuts.append(j)
    for m in _EN_END.finditer(line):
        if _english_end(line, m):
            cuts.append(m.end())
    return [c for c in cuts if 0 < c < len(line)]


def _english_end(line: str, m: re.Match[str]) -> bool:
    """Whether the terminator run `m` really ends a sentence."""
    return True


# --- list items --------------------------------------------------------------------------------------------

_LINE_ITEM = re.compile(
    r"^(?:[-*•·]|\d{1,3}[.)]|\((?:[a-z]|[ivx]+|\d+)\)|[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)[ \t]*"
)
_EN_ITEM_MARK = re.compile(r"\((?:[a-z]|[ivx]+|\d+)\)\s")
_ZH_ITEM_MARK = re.compile(r"[（(](?:[一二三四五六七八九十]+|\d+)[)）]")


def list_items(text: str) -> list[Piece]:
    """Lines that are list items: they start with a bullet, "1.", "(a)", "（一）" or "一、"."""
    return [line for line in lines(text) if _LINE_ITEM.match(line.text)]


def enumeration(line: str, language: str = "en") -> list[Piece]:
    """The items of an enumeration written inside one line ("if (a) X; (b) Y; or (c) Z").

    One piece per item, from its mark to the next mark; empty when the line holds no enumeration.
    The text before the first item is the enumeration's lead-in.
    """
    pattern = _ZH_ITEM_MARK if language == "zh" else _EN_ITEM_MARK
    marks = [m.start() for m in pattern.finditer(line)]
    if len(marks) < 2:
        return []
    bounds = [*marks, len(line)]
    return [p for i in range(len(marks)) if (p := _piece(line, bounds[i], bounds[i + 1])) is not None]
