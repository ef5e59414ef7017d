"""Segmenting regulations into their numbered parts, and the offline simplification rules.

The offline rules only substitute plain words, split long sentences at clause boundaries and turn
enumerated conditions into lists. They never drop a token that carries a fact (numbers, dates, references),
so nothing a reader relies on is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

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


def detect_language(text: str) -> str:
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return "zh" if cjk > max(20, len(text) * 0.1) else "en"


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
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
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

_EN_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")
_ZH_SENTENCE = re.compile(r"(?<=[。！？])")
_EN_CLAUSE_BREAKS = (
    (re.compile(r";\s+(?:and\s+|or\s+)?"), ". "),
    (re.compile(r",\s+(but|however|unless|except that)\s+"), r". \1 "),
    (re.compile(r",\s+and\s+(?=(?:you|we|it|they|he|she)\b)"), ". "),
    (re.compile(r",\s+which\s+"), ". This "),
)
_EN_ENUM = re.compile(r"\((?:[a-z]|[ivx]+|\d+)\)\s")
_ZH_ENUM = re.compile(r"[（(](?:[一二三四五六七八九十]+|\d+)[)）]")


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
        out = []
        for sentence in _ZH_SENTENCE.split(text):
            if len(sentence) > max_words and "；" in sentence:
                sentence = sentence.replace("；", "。")
            out.append(sentence)
        return "".join(out)
    lines = []
    for line in text.split("\n"):
        if line.startswith("- "):  # a list item keeps its "; and" / "; or": it says how the conditions combine
            lines.append(line)
            continue
        sentences = _EN_SENTENCE.split(line)
        rebuilt = []
        for sentence in sentences:
            if len(sentence.split()) > max_words:
                for pattern, replacement in _EN_CLAUSE_BREAKS:
                    sentence = pattern.sub(replacement, sentence)
                sentence = re.sub(r"\.\s+([a-z])", lambda m: ". " + m.group(1).upper(), sentence)
            rebuilt.append(sentence)
        lines.append(" ".join(rebuilt))
    return "\n".join(lines)


def enumerations_to_list(text: str, language: str) -> str:
    """'... if (a) X; (b) Y; or (c) Z.' becomes an introduction followed by one line per condition."""
    pattern = _ZH_ENUM if language == "zh" else _EN_ENUM
    out_lines = []
    for line in text.split("\n"):
        marks = list(pattern.finditer(line))
        if len(marks) < 2:
            out_lines.append(line)
            continue
        intro = line[: marks[0].start()].rstrip()
        if intro:
            out_lines.append(intro)
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(line)
            item = line[m.start() : end].strip()
            out_lines.append(f"- {item}")
    return "\n".join(out_lines)


def simplify_offline(text: str, plain_words: dict[str, str], max_sentence: int, language: str) -> str:
    text = substitute_plain_words(text, plain_words, language)
    text = enumerations_to_list(text, language)
    return split_long_sentences(text, max_sentence, language)
