"""Readability measures, shared by the draft checks and the simplification feature.

English: Flesch Reading Ease, Flesch-Kincaid grade and SMOG, computed by `textstat`, with syllables
counted by pyphen hyphenation (textstat's own fallback) rather than NLTK's CMU dictionary, which textstat
would otherwise download at run time (see `_offline_syllables`).

Chinese: the average sentence length in characters, the longest sentence, and the share of Chinese
characters outside the common set. The common set shipped in `drafter/data/` is a documented stand-in:
GB 2312-80 level-1 hanzi (3,755 characters), derived from Python's own `gb2312` codec, because the
通用规范汉字表 一级字表 (3,500 characters) is not available from a package registry.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from drafter import segment
from drafter.memo import text_cache

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
COMMON_CHARSET_FILE = DATA_DIR / "common_hanzi_gb2312_level1.txt"
COMMON_CHARSET_NAME = "GB 2312-80 level-1 hanzi (stand-in for 通用规范汉字表 一级字表)"

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Readability:
    language: str
    words: int
    sentences: int
    avg_sentence_words: float | None = None
    flesch_reading_ease: float | None = None
    flesch_kincaid_grade: float | None = None
    smog: float | None = None
    characters: int | None = None
    avg_sentence_chars: float | None = None
    max_sentence_chars: int | None = None
    uncommon_char_share: float | None = None

    def as_dict(self) -> dict[str, Any]:
        # every field is a number or a string: read them as they are (asdict would deep-copy each)
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}


def is_chinese(text: str) -> bool:
    """True when most letters of `text` are Chinese characters."""
    han = len(_HAN.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return han > 0 and han >= latin / 2


# --- what is measured: the body, not headings or source notes ------------------------------------------

_SOURCE_NOTE = re.compile(
    r"^\s*(?:\[?(?:Sources?|Authority|Editorial notes?|Notes?|Cross[- ]references?|Statutory authority)\s*:"
    r"|\[\s*\d+\s+FR\s+\d+|\[\d{1,3}\]\s|(?:来源|资料来源|出处)[：:])",
    re.IGNORECASE,
)
_HEADING_LINE = re.compile(r"^\s*(?:#{1,6}\s|§+\s*\d[\w.()\-]*\s)")
_LIST_MARK = re.compile(r"^\s*(?:[-*•·]|\(?[0-9a-zA-Z]{1,3}[.)]|[（(][一二三四五六七八九十\d]+[)）])\s*")
_LINE_END = ".!?:;。！？：；…\"'”’」』)）]"


def _is_heading(line: str) -> bool:
    """A line that names a part rather than says something: a Markdown or § heading, or a short line with no
    closing punctuation that is not a list item ("Eligibility", "一、总体要求", "Sources")."""
    stripped = line.strip()
    if _HEADING_LINE.match(stripped):
        return len(stripped.split()) <= 20
    if _LIST_MARK.match(stripped) and not re.match(r"^[一二三四五六七八九十]+、", stripped):
        return False
    if stripped[-1:] in _LINE_END:
        return False
    han = len(_HAN.findall(stripped))
    return (han <= 20) if han else len(stripped.split()) <= 8


def body_text(text: str) -> str:
    """`text` without its headings and source notes: readability measures what a reader reads as prose."""
    kept = [line for line in text.splitlines()
            if line.strip() and not _SOURCE_NOTE.match(line) and not _is_heading(line)]
    return "\n".join(kept)


# --- English ---------------------------------------------------------------------------------------------


@cache
def _offline_syllables() -> None:
    """Make textstat count syllables with pyphen (its own fallback) and never fetch a dictionary.

    textstat 0.7.5+ looks words up in NLTK's CMU dictionary and downloads it when missing. Drafter runs
    offline and checks on every edit, so it uses the hyphenation fallback on every machine: the same
    figures everywhere, no download, no second-long dictionary load.
    """
    try:
        from textstat.backend.counts import _count_syllables
    except ImportError:  # pragma: no cover - an older textstat uses pyphen already
        return

    def no_cmudict(lang: str) -> None:
        return None

    _count_syllables.get_cmudict = no_cmudict
    _count_syllables.count_syllables.cache_clear()


def split_sentences_en(text: str) -> list[str]:
    return segment.split_sentences(segment.CITATION_MARK.sub("", text), "en")


# The checks measure each section after every change, and a simplified section is measured where it is compared
# with its original and again in the final checks: the same text's figures are found once (they are frozen).
@text_cache(max_chars=2_000_000, max_items=2048)
def english(text: str) -> Readability:
    """Flesch Reading Ease, Flesch-Kincaid grade and SMOG (textstat), plus words per sentence."""
    _offline_syllables()
    import textstat

    clean = segment.CITATION_MARK.sub("", text)
    sentences = split_sentences_en(clean)
    # one sentence per line for textstat too: list items and headings carry no full stop
    joined = " ".join(s if s[-1] in ".!?" else s + "." for s in sentences)
    words = len(re.findall(r"[A-Za-z0-9][\w'’\-]*", clean))
    if not words:
        return Readability(language="en", words=0, sentences=0)
    return Readability(
        language="en",
        words=words,
        sentences=len(sentences),
        avg_sentence_words=round(words / max(1, len(sentences)), 1),
        flesch_reading_ease=round(float(textstat.flesch_reading_ease(joined)), 1),
        flesch_kincaid_grade=round(float(textstat.flesch_kincaid_grade(joined)), 1),
        smog=round(float(textstat.smog_index(joined)), 1),
    )


# --- Chinese ---------------------------------------------------------------------------------------------


@cache
def common_chars() -> frozenset[str]:
    """The common character set shipped under drafter/data (see the file's header for its provenance)."""
    lines = COMMON_CHARSET_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset("".join(line.strip() for line in lines if line.strip() and not line.startswith("#")))


def gb2312_level1() -> list[str]:
    """GB 2312 level-1 hanzi in code order: rows 16-55 (lead bytes 0xB0-0xD7), cells 0xA1-0xFE."""
    rows = []
    for lead in range(0xB0, 0xD8):
        row = ""
        for cell in range(0xA1, 0xFF):
            try:
                row += bytes([lead, cell]).decode("gb2312")
            except UnicodeDecodeError:
                continue  # row 55 ends at cell 89
        rows.append(row)
    return rows


def write_charset(path: Path = COMMON_CHARSET_FILE) -> None:
    header = (
        "# Common Chinese characters: GB 2312-80 level-1 hanzi (一级汉字), 3,755 characters, rows 16-55.\n"
        "# STAND-IN for the 通用规范汉字表 (2013) 一级字表 (3,500 characters), which is not available from a\n"
        "# package registry. The two sets overlap heavily but are not identical.\n"
        "# Provenance: derived from Python's standard `gb2312` codec by decoding bytes 0xB0A1-0xD7F9\n"
        "# (regenerate with `python -m drafter.checks.readability --write-charset`).\n"
        "# One line of characters per GB 2312 row.\n"
    )
    path.write_text(header + "\n".join(gb2312_level1()) + "\n", encoding="utf-8")


def split_sentences_zh(text: str) -> list[str]:
    # a clause closed by ； counts as a sentence for length
    return segment.split_sentences(segment.CITATION_MARK.sub("", text), "zh", semicolons=True)


def _sentence_chars(sentence: str) -> int:
    """Characters that count toward length: hanzi, letters and digits (not punctuation or spaces)."""
    return len(re.findall(r"[\w]", sentence))


@text_cache(max_chars=2_000_000, max_items=2048)
def chinese(text: str) -> Readability:
    """Average and longest sentence length in characters, and the share of uncommon characters."""
    sentences = split_sentences_zh(text)
    lengths = [_sentence_chars(s) for s in sentences]
    lengths = [n for n in lengths if n]
    han = _HAN.findall(text)
    common = common_chars()
    uncommon = sum(1 for ch in han if ch not in common)
    if not lengths:
        return Readability(language="zh", words=0, sentences=0, characters=0)
    return Readability(
        language="zh",
        words=len(han),
        sentences=len(lengths),
        characters=sum(lengths),
        avg_sentence_chars=round(sum(lengths) / len(lengths), 1),
        max_sentence_chars=max(lengths),
        uncommon_char_share=round(uncommon / len(han), 4) if han else 0.0,
    )


def measure(text: str, language: str | None = None) -> Readability:
    """Readability of the body of `text` (headings and source notes left out, see `body_text`) in its
    language ('en' or 'zh'; guessed from the text when not given)."""
    language = language or ("zh" if is_chinese(text) else "en")
    text = body_text(text)
    return chinese(text) if language == "zh" else english(text)


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    if "--write-charset" in sys.argv:
        write_charset()
        print(f"wrote {COMMON_CHARSET_FILE} ({len(common_chars())} characters)")
