"""The one place text is split: paragraphs, lines, list items and sentences (English and Chinese).

Every function returns `Piece`s: the text of a part with its `start`/`end` offsets in the text it was given,
so a caller that rewrites one part can put the text back together with its own spacing. Pieces are
stripped of surrounding white space; nothing inside a piece is changed.

This is a bottom-layer module: it imports nothing from drafter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from drafter.memo import text_cache

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


_CJK = re.compile("[\u4e00-\u9fff]")


def detect_language(text: str) -> str:
    """'zh' when the text is mostly Chinese characters, else 'en'."""
    cjk = len(_CJK.findall(text))
    return "zh" if cjk > max(20, len(text) * 0.1) else "en"


# --- paragraphs and lines ----------------------------------------------------------------------------------

_BLANK_LINE = re.compile(r"\n\s*\n")


def _split(text: str, separator: re.Pattern[str]) -> list[Piece]:
    """The non-blank pieces of `text` between matches of `separator`, with their offsets."""
    out: list[Piece] = []
    pos = 0
    for m in separator.finditer(text):
        if (p := _piece(text, pos, m.start())) is not None:
            out.append(p)
        pos = m.end()
    if (p := _piece(text, pos, len(text))) is not None:
        out.append(p)
    return out


def paragraphs(text: str) -> list[Piece]:
    """Blocks separated by blank lines."""
    return _split(text, _BLANK_LINE)


_NEWLINE = re.compile(r"\n")


def lines(text: str) -> list[Piece]:
    """Non-blank lines."""
    return _split(text, _NEWLINE)


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
# a source marker such as " [1]" (the offline drafter's citations), with the space before it: for text compared or
# measured without its markers
CITATION_MARK = re.compile(r"\s*\[\d{1,3}\]")
# an English sentence end: terminators, closing quotes or brackets, citation markers, then white space
_EN_END = re.compile(rf"[.!?]+[{re.escape(_CLOSERS)}]*{_CITATIONS}(?=[ \t]+[^\s[])")


def sentences(text: str, language: str = "en", *, semicolons: bool = False) -> list[Piece]:
    """Sentences of `text`, line by line (a line break always ends a sentence).

    English sentences end at . ! ? followed by white space; Chinese ones at 。！？ (and at ；, and in
    Chinese text also ; ! ?, when `semicolons` is true: the checks count a clause as a sentence, the
    simplifier does not). Closing quotes and `[n]` citation markers stay with the sentence they close.
    """
    return list(_sentences(text, language, semicolons))


@text_cache(max_chars=4_000_000, max_items=1024)
def _sentences(text: str, language: str, semicolons: bool) -> tuple[Piece, ...]:
    # The same text is split many times in one pipeline run (spans, facts, style, readability): split it once.
    out: list[Piece] = []
    # `semicolons` only adds ends; a line holding none of them is cut as without (and that cut is remembered once)
    extra = (_SEMICOLON_ENDS_ZH if language == "zh" else _SEMICOLON_ENDS) if semicolons else None
    for line in lines(text):
        # a long line (a source pasted without line breaks) is split each time: 8,192 of them would be kept
        cut = _line_cuts if len(line.text) <= _REMEMBERED_LINE else _line_cuts.__wrapped__
        own = extra is not None and not extra.isdisjoint(line.text)
        for a, b in cut(line.text, language, own):
            if (p := _piece(text, line.start + a, line.start + b)) is not None:
                out.append(p)
    return tuple(out)


def split_sentences(text: str, language: str = "en", *, semicolons: bool = False) -> list[str]:
    return texts(sentences(text, language, semicolons=semicolons))


def sentence_starts(text: str, language: str = "en") -> set[int]:
    """Offsets where a sentence begins (its first non-space character)."""
    return {p.start for p in sentences(text, language)}


# the ends `semicolons=True` adds to a line's (see `_cuts`)
_SEMICOLON_ENDS = frozenset("；")
_SEMICOLON_ENDS_ZH = frozenset("；;")

# A source is split as a whole (names in the fact checks), paragraph by paragraph (quote spans) and again for
# the offline backend's quotations: the lines are the same each time, so each line is split once.
_REMEMBERED_LINE = 2000


@lru_cache(maxsize=8192)
def _line_cuts(line: str, language: str, semicolons: bool) -> tuple[tuple[int, int], ...]:
    quotes = _quotations(line)
    cuts = sorted({c for c in _cuts(line, language, semicolons) if not any(a < c < b for a, b in quotes)})
    bounds = [0, *cuts, len(line)]
    return tuple((bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1) if bounds[i] < bounds[i + 1])


def _cuts(line: str, language: str, semicolons: bool) -> list[int]:
    """Offsets in one line after which a new sentence starts."""
    zh_ends = _ZH_END + ("；" if semicolons else "")
    if language == "zh":
        zh_ends += "!?" + (";" if semicolons else "")
    cuts: list[int] = []
    for i, ch in enumerate(line) if not set(zh_ends).isdisjoint(line) else ():
        if ch in zh_ends:
            j = i + 1
            while j < len(line) and (line[j] in _CLOSERS or line[j] in zh_ends):
                j += 1
            # 提出“……。”的要求: a quotation closed inside a sentence does not end it
            if j < len(line) and j > i + 1 and line[j] in _ZH_CONTINUES:
                continue
            cuts.append(j)
    for m in _EN_END.finditer(line):
        if _english_end(line, m):
            cuts.append(m.end())
    return [c for c in cuts if 0 < c < len(line)]


_ZH_CONTINUES = "，、；：,的等和与及"
_OPEN_CLOSE = {"“": "”", "「": "」", "『": "』", "‘": "’"}
_QUOTE_CHARS = frozenset([*_OPEN_CLOSE, '"'])


def _quotations(line: str) -> list[tuple[int, int]]:
    """(start, end) of each closed quotation in a line: no sentence ends strictly inside one.

    Curly and corner quotes pair by nesting; a straight double quote opens after a space or bracket and
    closes otherwise. An unclosed quotation protects nothing (it is more likely a typo than a long quote).
    """
    found: list[tuple[int, int]] = []
    if not _QUOTE_CHARS.intersection(line):  # most lines quote nothing: skip the walk character by character
        return found
    stack: list[tuple[str, int]] = []
    straight: int | None = None
    for i, ch in enumerate(line):
        if ch in _OPEN_CLOSE:
            if ch == "‘" and i > 0 and line[i - 1].isalnum():
                continue
            stack.append((_OPEN_CLOSE[ch], i))
        elif stack and ch == stack[-1][0]:
            found.append((stack.pop()[1], i + 1))
        elif ch == '"':
            opens = (i == 0 or line[i - 1] in " \t([{—–-:") and i + 1 < len(line) and not line[i + 1].isspace()
            if straight is None and opens:
                straight = i
            elif straight is not None:
                found.append((straight, i + 1))
                straight = None
    return found


# Abbreviations that never end a sentence (lower case, without the final full stop).
_NEVER_FINAL_TEXT = (
    "mr mrs ms messrs dr prof sen rep gov gen col capt lt sgt hon rev fr "
    "no nos sec secs art arts para paras subpara subparas reg regs sch cl pt ch fig figs vol vols pp p "
    "v vs e.g i.e cf viz u.s.c c.f.r fed pub stat approx dept mt ft")
_NEVER_FINAL = frozenset(_NEVER_FINAL_TEXT.split())
# Abbreviations (and initials) that may end a sentence: they end one only before a word that starts sentences.
_MAYBE_FINAL_TEXT = ("st jr sr inc co corp ltd llc plc bros u.s u.k u.n d.c etc seq al a.m p.m ave rd blvd esq "
                         "jan feb mar apr jun jul aug sep sept oct nov dec vet app supp cir")
_MAYBE_FINAL = frozenset(_MAYBE_FINAL_TEXT.split())
_STARTERS_TEXT = (
    "the this that these those it its he she they we you i a an in on at for if when where while after before "
    "during under our their his her there here as but and so also however each every all some any both many "
    "most such what which who how why then today since although because please further finally meanwhile")
_STARTERS = frozenset(_STARTERS_TEXT.split())
_WORD_BEFORE = re.compile(r"(?:^|(?<=[\s(\[“\"'‘—–-]))([A-Za-z][A-Za-z.]*)$")
_WORD_BEFORE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")


def _word_before(line: str, end: int) -> str | None:
    """The word (letters and dots) that ends at `end` and follows a space, bracket, quote or dash; None if none.

    For a line (no line break in it), the same result as `_WORD_BEFORE.search(line[:end])`, but the search starts at the run of letters and dots that
    ends at `end`, not at the start of the line: searching from the start is quadratic in a long paragraph.
    """
    start = end
    while start > 0 and line[start - 1] in _WORD_BEFORE_CHARS:
        start -= 1
    found = _WORD_BEFORE.search(line, start, end)
    return found.group(1) if found else None


def _english_end(line: str, m: re.Match[str]) -> bool:
    """Whether the terminator run `m` really ends a sentence (not an abbreviation, an initial, a quotation
    followed by its attribution)."""
    rest = line[m.end() :].lstrip()
    run = m.group(0).rstrip("]0123456789[ \t")
    if rest[:1].islower() and run[-1:] in _CLOSERS:
        return False  # `..." said Smith.`: the attribution belongs to the quotation
    if run != ".":
        return True
    word = _word_before(line, m.start())
    if word is None:
        return True
    key = word.lower()
    if key in _NEVER_FINAL:
        return False
    if key in _MAYBE_FINAL or (len(word) == 1 and word.isupper()) or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word):
        # "John R. Smith", "St. Johns", "U.S. Department", "etc. and" go on; "Inc. The" ends
        next_word = re.match(r"[A-Za-z']+", rest)
        return next_word is not None and next_word.group(0)[0].isupper() and next_word.group(0).lower() in _STARTERS
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


# Words after which "(a)" names a provision ("paragraph (a)", "section 5(1)(b)"), not a list item.
_REFERENCE_WORDS_TEXT = (
    "paragraph paragraphs subparagraph subparagraphs sub-paragraph sub-paragraphs para paras para. paras. "
    "section sections subsection subsections sub-section sub-sections clause clauses subclause item items "
    "article articles regulation regulations rule rules schedule part parts § §§ and or to through under of in "
    "by see with")
_REFERENCE_WORDS = frozenset(_REFERENCE_WORDS_TEXT.split())
_EN_CLAUSE_BOUNDARY = re.compile(r"(?:^|[:;]|[:;]\s*(?:and|or))\s*$")
_ZH_CLAUSE_BOUNDARY = re.compile(r"(?:^|[：:；;。])\s*$")


def enumeration(line: str, language: str = "en") -> list[Piece]:
    """The items of an enumeration written inside one line ("if (a) X; (b) Y; or (c) Z").

    One piece per item, from its mark to the next item's mark; empty when the line holds no enumeration.
    The text before the first item is the enumeration's lead-in. A mark is an item only at the start of the
    line or after a clause boundary (":", ";", "; or"); the first may also follow an ordinary word ("if").
    A mark that names a provision is never an item: "paragraph (a) or (b)", "1310(a)", "(m)(2)",
    第（二）、（三）项.
    """
    zh = language == "zh"
    pattern = _ZH_ITEM_MARK if zh else _EN_ITEM_MARK
    starts: list[int] = []
    for m in pattern.finditer(line):
        before = line[: m.start()]
        boundary = (_ZH_CLAUSE_BOUNDARY if zh else _EN_CLAUSE_BOUNDARY).search(before) is not None
        if not boundary and (starts or _names_provision(line, m, zh)):
            continue
        starts.append(m.start())
    if len(starts) < 2:
        return []
    bounds = [*starts, len(line)]
    return [p for i in range(len(starts)) if (p := _piece(line, bounds[i], bounds[i + 1])) is not None]


def _names_provision(line: str, m: re.Match[str], zh: bool) -> bool:
    """Whether the mark `m` (not at a clause boundary) is part of a reference rather than a list item."""
    before = line[: m.start()]
    if before[-1:].isalnum() or before.endswith((")", "）")):
        return True  # 1310(a), (m)(2), 第（二）
    if zh:
        return before.rstrip().endswith(("第", "、", "和", "或", "至", "及")) or line[m.end() : m.end() + 1] in "、项款目条"
    words = before.split()
    return not words or words[-1].lower() in _REFERENCE_WORDS or words[-1].endswith(",")
