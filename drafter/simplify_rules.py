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

    Headings are only ever the original's own: a numbered heading line (§ 404.610, Section 2, 第三条, 一、…), or
    the document's first line when it reads as a title ("355 Regulations, orders and rules": short, no closing
    punctuation, more text after it). Text before the first heading is a segment with no heading. A document
    with at most one heading is split into its paragraphs, each with no heading of its own (never an invented
    "Paragraph 2"), except the one after a heading-only paragraph, which carries that heading.
    """
    language = language or detect_language(text)
    blocks: list[tuple[str, str, list[str]]] = []  # (number, heading, lines)
    first = True
    for raw in text.splitlines():
        line = raw.rstrip()
        head = _match_heading(line, language)
        if head is None and first and line.strip() and _is_title(line, text, language):
            head = ("", line.strip())
        if line.strip():
            first = False
        if head is not None:
            number, rest = head
            if language == "zh" and number.endswith(("条", "款")):
                # 第三条 usually runs straight into its text: keep the article's words as its body
                blocks.append((number, number, [rest] if rest else []))
            elif language == "zh" and number.endswith("、") and ("。" in rest or len(rest) > 20):
                # 一、加强组织领导。各地要……: a short title, then the item's body, which is simplified
                title, dot, body = rest.partition("。")
                if dot and len(title) <= 20 and body.strip():
                    blocks.append((number, number + title, [body.strip()]))
                else:
                    blocks.append((number, number, [rest]))
            else:
                blocks.append((number, line.strip(), []))  # the heading exactly as the source writes it
        elif blocks:
            blocks[-1][2].append(line)
        elif line.strip():
            blocks.append(("", "", [line]))  # before the first heading: no heading is invented for it
    if blocks and not blocks[0][0] and blocks[0][1] and not "".join(blocks[0][2]).strip():
        blocks[0] = ("", "", [blocks[0][1]])  # a title line straight before a numbered heading stays text
    segments = [
        Segment(id=f"s{i}", number=num, heading=heading.lstrip("#").strip(), text="\n".join(lines).strip())
        for i, (num, heading, lines) in enumerate(blocks, start=1)
    ]
    segments = [s for s in segments if s.text or s.heading]
    if len(segments) <= 1:
        by_paragraph = _paragraph_segments(text, language)
        if len(by_paragraph) > 1:
            return by_paragraph
    return segments


def _is_title(line: str, text: str, language: str) -> bool:
    """Whether the document's first line is its title: short, with no closing punctuation, text after it."""
    words = line.strip()
    if len(text.strip()) <= len(words) + 1 or words.endswith(tuple(".,;:!?。，；：！？、-—–")):
        return False
    return len(words) <= 30 if language == "zh" else len(words.split()) <= 10 and words[:1].isalnum()


def _paragraph_segments(text: str, language: str) -> list[Segment]:
    """A document without numbered structure, one segment per paragraph; a paragraph that is only a heading
    line (the original's) becomes the heading of the paragraph after it."""
    out: list[Segment] = []
    heading = ""
    pieces = texts(split_paragraphs(text))
    for i, paragraph in enumerate(pieces, start=1):
        # a line with a sentence after its number ("一、加强组织领导。各地要……") is text, not only a heading
        single = "\n" not in paragraph.strip() and "。" not in paragraph.strip()[:-1]
        head = _match_heading(paragraph, language) if single else None
        if single and head is None and i == 1 and _is_title(paragraph, text, language):
            head = ("", paragraph.strip())
        if head is not None and i < len(pieces) and not heading:
            heading = paragraph.strip().lstrip("#").strip()
            continue
        out.append(Segment(id=f"s{len(out) + 1}", number=str(i), heading=heading, text=paragraph))
        heading = ""
    return out


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
    """Each hard word replaced by its plain word; in English in the same form ("obtained" -> "got",
    "individuals" -> "people") and with the article before it agreeing ("an individual" -> "a person").
    A form the rules cannot inflect safely is left as it was."""
    for hard, plain in sorted(plain_words.items(), key=lambda kv: -len(kv[0])):
        if language == "zh":
            text = text.replace(hard, plain)
            continue
        endings = r"(?:s|es|d|ed|ing)?" if " " not in hard else ""
        stem = re.escape(hard[:-1]) + r"(?:e|(?=ed|ing|es))" if hard.endswith("e") and " " not in hard else re.escape(hard)
        pattern = rf"\b(?:(?P<article>an?)(?P<space>\s+))?(?P<word>{stem}{endings})\b"
        text = re.sub(pattern, _replacer(hard, plain), text, flags=re.IGNORECASE)
    return text


# Irregular forms of the plain words the shipped guides use: (third person / plural, past, -ing)
_IRREGULAR = {
    "get": ("gets", "got", "getting"), "buy": ("buys", "bought", "buying"), "person": ("people", None, None),
    "send": ("sends", "sent", "sending"), "give": ("gives", "gave", "giving"), "tell": ("tells", "told", "telling"),
    "begin": ("begins", "began", "beginning"), "stop": ("stops", "stopped", "stopping"),
    "home": ("homes", None, None), "use": ("uses", "used", "using"), "end": ("ends", "ended", "ending"),
    "start": ("starts", "started", "starting"), "need": ("needs", "needed", "needing"),
    "help": ("helps", "helped", "helping"), "show": ("shows", "showed", "showing"),
}


def _inflect(plain: str, ending: str) -> str | None:
    """`plain` with the ending the replaced word had ('s', 'ed', 'ing'), or None when not safe."""
    if not ending:
        return plain
    words = plain.split()
    head, rest = words[-1], words[:-1]
    forms = _IRREGULAR.get(head.lower())
    if forms is not None:
        index = {"s": 0, "es": 0, "d": 1, "ed": 1, "ing": 2}[ending]
        form = forms[index]
    elif len(words) == 1 and ending in ("s", "es"):
        form = head + ("es" if head.endswith(("s", "sh", "ch", "x")) else "s")
    else:
        form = None  # an unknown verb's past or -ing form, or a phrase: do not guess
    return " ".join([*rest, form]) if form else None


def _replacer(hard: str, plain: str) -> Callable[[re.Match[str]], str]:
    """A replacer keeping the replaced word's form and capital, and making a/an agree with the new word."""

    def replace(m: re.Match[str]) -> str:
        word = m.group("word")
        ending = word[len(hard):].lower() if word.lower().startswith(hard.lower()) else word[len(hard) - 1:].lower()
        if hard.endswith("e") and ending in ("d", "s"):
            ending = {"d": "ed", "s": "s"}[ending]
        new = _inflect(plain, ending)
        if new is None:
            return m.group(0)
        if word[:1].isupper():
            new = new[:1].upper() + new[1:]
        article = m.group("article")
        if article is None:
            return new
        right = "an" if re.match(r"[aeiou]", new, re.IGNORECASE) and not re.match(r"(?i)u[nr]i|use|one", new) else "a"
        right = right.capitalize() if article[:1].isupper() else right
        if ending in ("s", "es") and new != plain:  # "an individuals" is not English; leave the article alone
            right = article
        return f"{right}{m.group('space')}{new}"

    return replace


def split_long_sentences(text: str, max_words: int, language: str) -> str:
    """Break sentences longer than max_words (or max chars for Chinese) at clause boundaries."""
    if language == "zh":
        return _rewrite(text, split_into_sentences(text, "zh"), lambda s: _break_zh(s, max_words))
    # a list item keeps its "; and" / "; or": it says how the conditions combine
    prose = [p for p in split_into_sentences(text, "en") if not _starts_list_item(text, p)]
    return _rewrite(text, prose, lambda s: _break_clauses(s, max_words) if len(s.split()) > max_words else s)


# An English clause that can stand as a sentence starts with one of these (after ", and" / ", but"...).
_SUBJECT = r"(?:you|we|they|it|he|she|this|that|these|those|the|a|an|each|every|all|no|any|your|our|their|its)\b"
_EN_MORE_BREAKS = (
    # not ", or": "rules under this Act, or an order of the Secretary of State…" joins two subjects of one clause
    re.compile(rf",\s+(?:and|but|so|then)\s+(?={_SUBJECT})", re.IGNORECASE),
    re.compile(r"\s+and\s+(?=(?:you|we|they|he|she)\s+(?:must|may|can|will|should|need|have|are|do)\b)"),
)
_MIN_CLAUSE_WORDS = 4


def _more_breaks(sentence: str, max_words: int) -> str:
    """A sentence still above `max_words` (a short target: children, easy read) is also split where a new
    clause with its own subject begins: ", and the council pays" -> ". The council pays". Each part keeps
    at least four words; nothing inside brackets or a reference is a boundary."""
    if len(sentence.split()) <= max_words or sentence.rstrip().endswith(_LEAD_IN_ENDS):
        return sentence  # short enough, or a lead-in that stays whole before the items it introduces
    for pattern in _EN_MORE_BREAKS:
        for m in pattern.finditer(sentence):
            before, after = sentence[: m.start()], sentence[m.end() :]
            if before.count("(") != before.count(")") or len(before.split()) < _MIN_CLAUSE_WORDS \
                    or len(after.split()) < _MIN_CLAUSE_WORDS:
                continue
            head = before.rstrip(",;") + "."
            tail = after[:1].upper() + after[1:]
            return head + " " + _more_breaks(tail, max_words)
    return sentence


# Chinese: a clause ending like this is subordinate (…的，…时，为了…，) and never stands alone.
_ZH_DEPENDENT_END = ("的", "时", "后", "前", "中", "下", "外", "上", "里", "者", "如下", "之一")
_ZH_DEPENDENT_START = re.compile(r"^(?:为了|为|根据|按照|依照|依据|如果|若|凡|除|对于|关于|在|经|由|当(?!前)|因|自|从|对|受)")
_ZH_JOINED_NEXT = re.compile(r"^(?:并|且|而且|以及|及|和|等|或者|或)")
_ZH_MIN_CLAUSE = 6
_ZH_SHORT_TARGET = 15  # characters: a child's target; its clauses may be shorter (4 characters)


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _break_zh(sentence: str, max_chars: int) -> str:
    """A Chinese sentence longer than `max_chars`: ； becomes 。, then a ， between two clauses that can stand
    alone becomes 。 (never after a subordinate clause such as "…的，", never inside a reference such as
    第（二）、（三）项 or a quotation, never before 并/以及/或)."""
    if len(sentence) <= max_chars:
        return sentence
    sentence = sentence.replace("；", "。")
    if sentence.rstrip().endswith(("：", ":")):
        return sentence  # an addressee line or a lead-in ("各市州人民政府，省政府各厅委：") stays one sentence
    shortest = 4 if max_chars <= _ZH_SHORT_TARGET else _ZH_MIN_CLAUSE
    out, start = [], 0
    depth = 0
    for i, ch in enumerate(sentence):
        if ch in "（(“「《":
            depth += 1
        elif ch in "）)”」》":
            depth = max(0, depth - 1)
        # a full-width comma, or an ASCII one between two Chinese characters (as some copies are stored)
        comma = ch == "，" or (ch == "," and 0 < i < len(sentence) - 1 and _is_han(sentence[i - 1])
                                and _is_han(sentence[i + 1]))
        if not comma or depth:
            continue
        clause = sentence[start:i]
        clause_start = clause.rsplit("。", 1)[-1]
        last = re.split("[，,]", clause_start)[-1]  # "当前，受…影响": the last part is subordinate too
        rest = sentence[i + 1 :]
        if (len(clause_start) < shortest or len(rest.split("。", 1)[0]) < shortest
                or clause_start.endswith(_ZH_DEPENDENT_END) or _ZH_DEPENDENT_START.match(clause_start)
                or _ZH_DEPENDENT_START.match(last)
                or _ZH_JOINED_NEXT.match(rest) or "：" in clause_start):
            continue
        out.append(sentence[start:i] + "。")
        start = i + 1
    out.append(sentence[start:])
    return "".join(out)


def _starts_list_item(text: str, piece: Piece) -> bool:
    line_start = text.rfind("\n", 0, piece.start) + 1
    return text.startswith("- ", line_start)


# A short target (children, easy read: 15 words or fewer) gets more breaks than plain English, which stays
# closer to the original.
SHORT_TARGET_WORDS = 15
_LEAD_IN_ENDS = (":", "—", "–", "-", "：")
_UNLESS_AT_END = re.compile(r"\s*\(unless\s+(?P<cond>[^()]*(?:\([^()]*\)[^()]*)*)\)(?P<end>[.;]?)$", re.IGNORECASE)
_UNLESS = re.compile(r",?\s+unless\s+", re.IGNORECASE)


def _unless_breaks(sentence: str) -> str:
    """"X unless Y." becomes "X. This does not apply if Y." (the same rule, said in two short sentences), for a
    trailing "(unless Y)" too; never inside brackets, a quotation or a reference, and each part keeps at least
    four words."""
    m = _UNLESS_AT_END.search(sentence)
    if m and len(sentence[: m.start()].split()) >= _MIN_CLAUSE_WORDS and _balanced(sentence[: m.start()]):
        return f"{sentence[: m.start()].rstrip(',;')}. This does not apply if {m.group('cond').strip()}{m.group('end') or '.'}"
    for m in _UNLESS.finditer(sentence):
        before, after = sentence[: m.start()], sentence[m.end() :]
        if not _balanced(before) or len(before.split()) < _MIN_CLAUSE_WORDS or len(after.split()) < _MIN_CLAUSE_WORDS:
            continue
        return f"{before.rstrip(',;')}. This does not apply if {_unless_breaks(after)}"
    return sentence


def _balanced(text: str) -> bool:
    """No bracket or quotation left open at the end of `text`."""
    return (text.count("(") == text.count(")") and text.count("[") == text.count("]")
            and text.count("“") == text.count("”") and text.count('"') % 2 == 0)


def _break_clauses(sentence: str, max_words: int = 25) -> str:
    if max_words <= SHORT_TARGET_WORDS and not sentence.rstrip().endswith(_LEAD_IN_ENDS):
        # (a lead-in stays whole: "…must not be made unless…—" is followed by the items it introduces)
        sentence = _unless_breaks(sentence)
    for pattern, replacement in _EN_CLAUSE_BREAKS:
        sentence = pattern.sub(replacement, sentence)
    # capitalise only the sentences made here: "e.g. the" and "etc. and" stay as they are
    sentence = re.sub(r"\.\x00([a-z]?)", lambda m: ". " + m.group(1).upper(), sentence)
    parts = split_into_sentences(sentence, "en")
    return _rewrite(sentence, parts, lambda p: _more_breaks(p, max_words))


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
