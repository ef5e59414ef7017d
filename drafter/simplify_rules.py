"""Segmenting regulations into their numbered parts, and the offline simplification rules.

The offline rules only substitute plain words, split long sentences at clause boundaries and turn
enumerated conditions into lists. They never drop a token that carries a fact (numbers, dates, references),
so nothing a reader relies on is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from drafter.segment import Piece, detect_language, enumeration, texts
from drafter.segment import paragraphs as split_paragraphs
from drafter.segment import sentences as split_into_sentences

# --- segmentation -------------------------------------------------------------------------------

_EN_HEADING = re.compile(
    r"""^\s*(?:
        (?P<sect>§+\s*\d+(?:\.\d+)*[a-z]?)            # § 404.610
      | (?P<word>(?:Section|Article|Regulation|Rule|Part|Chapter|Schedule)\s+[\dIVXLC]+[A-Za-z]?(?:\.\d+)*)
      | (?P<num>\d+(?:\.\d+)*\.)(?=\s+[A-Z])           # 1.  /  2.3.  followed by a capitalised heading
      | (?P<md>\#{1,6})                                # Markdown heading
    )\s*(?P<rest>.*)$""",
    re.VERBOSE,
)
_ZH_HEADING = re.compile(r"^\s*(?P<num>第[一二三四五六七八九十百零〇两\d]+[章节条款])\s*(?P<rest>.*)$")
_ZH_ENUM_HEADING = re.compile(r"^\s*(?P<num>[一二三四五六七八九十]+、)\s*(?P<rest>.*)$")


@dataclass(frozen=True)
class Segment:
    id: str
    number: str
    heading: str
    text: str


def segment(text: str, language: str | None = None) -> list[Segment]:
    """Split a regulation into its sections / articles / numbered paragraphs, keeping their numbering.

    Text before the first numbered heading becomes a preamble segment. A document with no recognisable
    structure is split into its paragraphs.
    """
    language = language or detect_language(text)
    blocks: list[tuple[str, str, list[str]]] = []  # (number, heading, lines)
    for raw in text.splitlines():
        line = raw.rstrip()
        head = _match_heading(line, language)
        if head is not None:
            number, rest = head
            if language == "zh" and number.endswith(("条", "款")):
                # 第三条 usually runs straight into its text: keep the article's words as its body
                blocks.append((number, number, [rest] if rest else []))
            else:
                blocks.append((number, line.strip(), []))  # the heading exactly as the source writes it
        elif blocks:
            blocks[-1][2].append(line)
        elif line.strip():
            blocks.append(("", "Preamble" if language == "en" else "序言", [line]))
    segments = [
        Segment(id=f"s{i}", number=num, heading=heading.lstrip("#").strip(), text="\n".join(lines).strip())
        for i, (num, heading, lines) in enumerate(blocks, start=1)
    ]
    segments = [s for s in segments if s.text or s.heading]
    if len(segments) <= 1:
        paragraphs = texts(split_paragraphs(text))
        if len(paragraphs) > 1:
            label = "Paragraph" if language == "en" else "段"
            return [
                Segment(id=f"s{i}", number=str(i), heading=f"{label} {i}" if language == "en" else f"第{i}{label}",
                        text=p)
                for i, p in enumerate(paragraphs, start=1)
            ]
    return segments


def _match_heading(line: str, language: str) -> tuple[str, str] | None:
    if language == "zh":
        m = _ZH_HEADING.match(line) or _ZH_ENUM_HEADING.match(line)
        return (m.group("num"), m.group("rest").strip()) if m else None
    m = _EN_HEADING.match(line)
    if not m:
        return None
    number = next(m.group(g) for g in ("sect", "word", "num", "md") if m.group(g))
    rest = m.group("rest").strip()
    if m.group("num") and len(rest) > 90:
        return None  # a long numbered sentence is a list item, not a heading
    return (number, rest)


# --- offline rules ------------------------------------------------------------------------------

_EN_CLAUSE_BREAKS = (
    (re.compile(r";\s+(?:and\s+|or\s+)?"), ".\x00"),
    (re.compile(r",\s+(but|however|unless|except that)\s+"), ".\x00\\1 "),
    (re.compile(r",\s+and\s+(?=(?:you|we|it|they|he|she)\b)"), ".\x00"),
    (re.compile(r",\s+which\s+"), ".\x00This "),
)


def substitute_plain_words(text: str, plain_words: dict[str, str], language: str) -> str:
    for hard, plain in sorted(plain_words.items(), key=lambda kv: -len(kv[0])):
        if language == "zh":
            text = text.replace(hard, plain)
        else:
            text = re.sub(rf"\b{re.escape(hard)}\b", _case_keeping(plain), text, flags=re.IGNORECASE)
    return text


def _case_keeping(replacement: str) -> Callable[[re.Match[str]], str]:
    """A replacer that capitalises the plain word when the word it replaces was capitalised."""

    def replace(m: re.Match[str]) -> str:
        return replacement[:1].upper() + replacement[1:] if m.group(0)[:1].isupper() else replacement

    return replace


def split_long_sentences(text: str, max_words: int, language: str) -> str:
    """Break sentences longer than max_words (or max chars for Chinese) at clause boundaries."""
    if language == "zh":
        # a ； becomes a 。 only in a sentence that is too long (so ； is no sentence end here)
        return _rewrite(text, split_into_sentences(text, "zh"),
                        lambda s: s.replace("；", "。") if len(s) > max_words and "；" in s else s)
    # a list item keeps its "; and" / "; or": it says how the conditions combine
    prose = [p for p in split_into_sentences(text, "en") if not _starts_list_item(text, p)]
    return _rewrite(text, prose, lambda s: _break_clauses(s) if len(s.split()) > max_words else s)


def _starts_list_item(text: str, piece: Piece) -> bool:
    line_start = text.rfind("\n", 0, piece.start) + 1
    return text.startswith("- ", line_start)


def _break_clauses(sentence: str) -> str:
    for pattern, replacement in _EN_CLAUSE_BREAKS:
        sentence = pattern.sub(replacement, sentence)
    # capitalise only the sentences made here: "e.g. the" and "etc. and" stay as they are
    return re.sub(r"\.\x00([a-z]?)", lambda m: ". " + m.group(1).upper(), sentence)


def _rewrite(text: str, pieces: list[Piece], change: Callable[[str], str]) -> str:
    """`text` with each piece replaced by change(piece), everything between pieces kept as it was."""
    out, pos = [], 0
    for p in pieces:
        out.append(text[pos : p.start])
        out.append(change(p.text))
        pos = p.end
    out.append(text[pos:])
    return "".join(out)


def enumerations_to_list(text: str, language: str) -> str:
    """'... if (a) X; (b) Y; or (c) Z.' becomes an introduction followed by one line per condition."""
    out_lines = []
    for line in text.split("\n"):
        items = enumeration(line, language)
        if not items:
            out_lines.append(line)
            continue
        intro = line[: items[0].start].rstrip()
        if intro:
            out_lines.append(intro)
        out_lines.extend(f"- {item.text}" for item in items)
    return "\n".join(out_lines)


def simplify_offline(text: str, plain_words: dict[str, str], max_sentence: int, language: str) -> str:
    text = substitute_plain_words(text, plain_words, language)
    text = enumerations_to_list(text, language)
    return split_long_sentences(text, max_sentence, language)
