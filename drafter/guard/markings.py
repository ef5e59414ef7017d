"""Classification markings: found where documents put them, not where the word is ordinary prose.

The text is normalised first (NFKC, invisible characters removed, look-alike letters folded), so
ＳＥＣＲＥＴ, SE<zero-width space>CRET and a Cyrillic SЕCRЕT are SECRET. A marking counts when it is
- the whole of a line, or starts a line followed only by capitals or handling caveats, in any case and
  letter-spaced ("TOP SECRET", "Top Secret", "S E C R E T", "Secret//NOFORN", "SECRET UK EYES ONLY",
  "Secret - UK Eyes Only", "# OFFICIAL-SENSITIVE");
- the whole of a table cell ("| SECRET | Handling: …", cells separated by tabs);
- followed by a caveat anywhere ("… is Secret//NOFORN"), or letter-spaced capitals anywhere;
- in brackets anywhere, any case ("[secret]", "(CONFIDENTIAL)", "【机 密】", "〔内部〕");
- the value of a classification header ("Classification: Secret", "Protective marking: OFFICIAL-SENSITIVE",
  "密级：机密");
- a Chinese secrecy level, spaced or not, with its period ("机密★5年", "机 密 ★", "★绝密") or alone on a
  line ("机 密", "内部", "内部资料").
In running prose the words are not markings: "the secret of good drafting", "Secretary of State",
"a confidential chat", "The SECRET service budget" and "机密文件的管理规定".
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from drafter.caseless import FOLDS_TO_ASCII
from drafter.clearance import Clearance
from drafter.guard.normalise import Normalised
from drafter.guard.normalise import normalise as normalise_text

# marking text (normalised) → level
LEVELS: dict[str, Clearance] = {
    "TOP SECRET": Clearance.top_secret,
    "SECRET": Clearance.secret,
    "CONFIDENTIAL": Clearance.confidential,
    "RESTRICTED": Clearance.restricted,
    "OFFICIAL-SENSITIVE": Clearance.restricted,
    "PROTECTED A": Clearance.restricted,
    "PROTECTED B": Clearance.restricted,
    "PROTECTED C": Clearance.confidential,
    "绝密": Clearance.top_secret,
    "机密": Clearance.secret,
    "秘密": Clearance.confidential,
    "内部": Clearance.restricted,
}

# Separators a writer may put between the letters of a marking ("S E C R E T", "S.E.C.R.E.T") and its words.
_LSEP = r"[ \t._*·\-]{1,2}"
_WSEP = r"[ \t._*·/\-]{1,6}"
_EN_WORDS = ("TOP SECRET", "SECRET", "CONFIDENTIAL", "RESTRICTED", "OFFICIAL SENSITIVE", "PROTECTED A",
             "PROTECTED B", "PROTECTED C")
_EN = (r"TOP[ \t_\-]+SECRET|SECRET|CONFIDENTIAL|RESTRICTED|OFFICIAL[ \t]*[-‐–][ \t]*SENSITIVE|"
       r"OFFICIAL[ \t]+SENSITIVE|PROTECTED[ \t]+[ABC]")
_EN_SPACED = "|".join(_WSEP.join(_LSEP.join(word) for word in phrase.split()) for phrase in _EN_WORDS)
_EN_ANY = rf"(?i:{_EN}|{_EN_SPACED})"  # any case, compact or letter-spaced
_ZSEP = r"[ \t·・._\-*]{0,3}"
_ZH = rf"绝{_ZSEP}密|机{_ZSEP}密|秘{_ZSEP}密|内{_ZSEP}部"
_LEAD = r"^[ \t]*(?:[#>*_=\-|]+[ \t]*)?"
# Handling caveats that may follow a marking, in any case: "Secret - UK Eyes Only", "Secret//noforn".
_CAVEAT = (
    r"(?i:(?:[A-Z]{2,4}(?:/[A-Z]{2,4})*[ \t]+)?EYES[ \t]+ONLY|NOFORN|NOCONTRACT|ORCON|PROPIN|FOUO|LIMDIS|EXDIS|"
    r"NODIS|REL(?:[ \t]+TO)?[ \t]+[A-Z]{2,4}(?:[ \t]*[,/][ \t]*[A-Z]{2,4})*|PERSONAL|COMMERCIAL|LOCSEN|NATO|"
    r"FVEY|SENSITIVE|OFFICIAL[ \t]+USE[ \t]+ONLY)"
)
# After a marking at a line start: only caveats, then nothing in small letters, to the end of the line.
_REST = rf"(?=(?:[ \t/\-–—:,;|]+{_CAVEAT})*[^a-z\n]*$)"
_CLOSE = r"[\])）】〕］]"

_PATTERNS: list[tuple[str, re.Pattern[str], re.Pattern[str] | None]] = [
    # (form, pattern, a cheap test of the whole text without which the pattern cannot match)
    # English at a line start (any case, letter-spaced too), followed by nothing or only capitals / caveats.
    ("line", re.compile(rf"{_LEAD}(?P<m>{_EN_ANY})(?![A-Za-z]){_REST}", re.MULTILINE), None),
    # A table cell holding only the marking: "| SECRET | Handling: …", "SECRET<tab>Handling".
    ("cell", re.compile(rf"(?:^|(?<=[|\t]))[ \t]*(?P<m>{_EN_ANY}|{_ZH})[ \t]*(?=[|\t])", re.MULTILINE),
     re.compile(r"[|\t]")),
    ("cell", re.compile(rf"[|\t][ \t]*(?P<m>{_EN_ANY}|{_ZH})[ \t]*$", re.MULTILINE), re.compile(r"[|\t]")),
    # English caveat form anywhere, any case: TOP SECRET//SI//NOFORN, Secret//NOFORN
    ("caveat", re.compile(rf"(?<![A-Za-z])(?P<m>{_EN_ANY})(?=[ \t]*//)"), re.compile("//")),
    # Letter-spaced capitals anywhere: nobody writes "S E C R E T" in a sentence but to hide it.
    ("spaced", re.compile(rf"(?<![A-Za-z])(?P<m>{_EN_SPACED})(?![A-Za-z])"),
     re.compile(r"[A-Z][ \t._*·\-]{1,2}[A-Z][ \t._*·\-]{1,2}[A-Z]")),
    # In brackets, anywhere, any case, with an optional secrecy period or caveats.
    ("brackets", re.compile(
        rf"[\[(（【〔［]\s*(?P<m>{_EN_ANY}|{_ZH})(?:\s*[★☆*]\s*[^\]\)）】〕］\n]{{0,12}})?"
        rf"(?:[ \t/\-–—:,;]+{_CAVEAT})*\s*{_CLOSE}"
    ), None),
    # Header: "Classification: Secret", "Security marking – OFFICIAL-SENSITIVE".
    ("header", re.compile(
        rf"(?i:(?:security\s+|protective\s+)?(?:classification|marking|classified))\s*[:：\-–]\s*(?P<m>{_EN_ANY})(?![A-Za-z])"
    ), re.compile("(?i:classifi|marking)")),
    ("header", re.compile(rf"(?:密级|密\s*级|保密等级)\s*[:：]?\s*(?P<m>{_ZH})"), re.compile("密")),
    # Chinese level with the secrecy-period star: 机密★5年, ★绝密, 机 密 ★
    ("star", re.compile(rf"(?P<m>{_ZH})\s*[★☆]|[★☆]\s*(?P<m2>{_ZH})"), re.compile("[★☆]")),
    # Chinese level alone on a line, or 内部资料 / 内部文件 (注意保存) as the line.
    ("line", re.compile(
        rf"^[ \t　]*(?P<m>{_ZH})(?:资料|文件|材料|刊物|使用)?[ \t　]*(?:[，,、]?[ \t　]*注意保[存密管])?[ \t　]*$",
        re.MULTILINE,
    ), None),
]


# Every pattern above holds a marking word (`_EN_ANY` or `_ZH`): text without one cannot hold a marking. Most
# text has none, so the words are looked for first, cheaply (`_has_marking_word`), and the patterns run only
# when one is there.
_ANY_MARKING_WORD = re.compile(rf"{_EN_ANY}|{_ZH}")
# Where a marking word can start, in the lower-cased text. Every compact English form holds one of
# `_COMPACT_STEMS` (TOP SECRET holds "secret", OFFICIAL-SENSITIVE "official"), and every Chinese level starts with one
# of `_ZH_FIRST`: both found by `str.find` at C speed. A letter-spaced form starts with its first letter, then one or
# two separators, its second letter and a separator ("s e c", "t.o.p", "o-f-f", "p r o": every word is three letters
# or more), and the second letter of every word is o, e, f or r: `_SPACED_PROBE` finds that letter between
# separators (the separator after it is only looked at, so windows side by side are all seen), and the form can only
# start one or two separators before it. The characters that `re`'s case-insensitive matching pairs with an ASCII
# letter while `str.lower` does not (İ gives two characters, ı ſ K) are looked for first: normalisation folds them all
# but İ, and text holding one is searched the slow, exact way.
_COMPACT_STEMS = ("secret", "confidential", "restricted", "official", "protected")
_ZH_FIRST = ("绝", "机", "秘", "内")
# What must follow these stems for a compact form to start there (OFFICIAL-SENSITIVE, OFFICIAL SENSITIVE, PROTECTED A):
# "officials" and "protected areas" are let go without trying the pattern.
_STEM_NEXT = {"official": " \t-\u2010\u2013", "protected": " \t"}
# Each of those stems with one of its followers, found by `re` from the stem's letters (its literal prefix) in one pass:
# the same places as `str.find` of the stem and a look at the next character, without a Python step per "officials".
# (A stem cannot start again inside itself, so these matches, which do not overlap, are all its places.)
_STEM_FOLLOWED = {stem: re.compile(re.escape(stem) + "[" + re.escape(follow) + "]") for stem, follow in _STEM_NEXT.items()}
_SEPARATOR = r"[ \t._*·\-]"  # the characters of `_LSEP`
_SPACED_PROBE = re.compile(f"{_SEPARATOR}[oefr](?={_SEPARATOR})")


def _has_marking_word(text: str) -> bool:
    """Whether `_ANY_MARKING_WORD` matches somewhere in `text`: the same answer as its `search`, several times
    faster, because the slow pattern is tried only where a word can start."""
    low = text.lower()
    if len(low) != len(text) or FOLDS_TO_ASCII.search(low):
        return _ANY_MARKING_WORD.search(text) is not None
    for stem in (*_COMPACT_STEMS, *_ZH_FIRST):
        followed = _STEM_FOLLOWED.get(stem)
        if followed is not None:  # only where the stem is followed as the form needs ("officials" is not looked at)
            for m in followed.finditer(low):
                if _ANY_MARKING_WORD.match(text, m.start()):
                    return True
            continue
        at = low.find(stem)
        while at >= 0:
            if _ANY_MARKING_WORD.match(text, at):
                return True
            at = low.find(stem, at + 1)
    for m in _SPACED_PROBE.finditer(low):
        second = m.start() + 1
        for at in (second - 2, second - 3):
            if at >= 0 and _ANY_MARKING_WORD.match(text, at):
                return True
    return False


def without_marking_words(text: str) -> bool:
    """Whether no line of `text`, normalised, holds a marking word: then `find_markings(text)` finds nothing.

    A prompt quotes the same sources and inputs section after section, so the lines found free are remembered.
    A marking word never spans a line break (no separator of `_ANY_MARKING_WORD` is one) and normalising works
    character by character and never makes or removes a line break: the whole text holds a marking word exactly
    when one of its lines does."""
    free = _FREE_LINES
    for line in text.split("\n"):
        if line in free:
            continue
        if _has_marking_word(normalise_text(line).text):
            return False
        _remember_free(line)
    return True


# Lines known to hold no marking word, at most `_FREE_CHARS` characters of them (forgotten all at once beyond).
# A plain dict, not drafter.memo's text_cache: it is asked once per line of every prompt, and a hit here is a
# look-up without text_cache's lock and order upkeep (4 us against 69 us for a 200-line prompt).
_FREE_LINES: dict[str, None] = {}
_FREE_CHARS = 4_000_000
_free_lock = threading.Lock()
_free_size = [0]


def _remember_free(line: str) -> None:
    if len(line) > _FREE_CHARS:
        return
    with _free_lock:
        if _free_size[0] + len(line) > _FREE_CHARS:
            _FREE_LINES.clear()
            _free_size[0] = 0
        if line not in _FREE_LINES:
            _FREE_LINES[line] = None
            _free_size[0] += len(line)


@dataclass(frozen=True)
class Marking:
    """A classification marking: its normalised label, level, offsets and line (1-based)."""

    label: str
    level: Clearance
    start: int
    end: int
    line: int
    form: str


def _key(marking: str) -> str:
    return re.sub(r"[^A-Za-z\u4e00-\u9fff]", "", marking).upper()


_LABEL_BY_KEY = {_key(label): label for label in LEVELS}


def normalise(marking: str) -> str:
    """The label of a matched marking: "S E C R E T" → "SECRET", "official sensitive" → "OFFICIAL-SENSITIVE"."""
    key = _key(marking)
    return _LABEL_BY_KEY.get(key, key)


def find_markings(text: str | Normalised, *, line_offset: int = 0) -> list[Marking]:
    """All markings in `text`, one per location, highest level first when two overlap.

    The text is normalised first (see `drafter.guard.normalise`); offsets are the original text's."""
    norm = normalise_text(text)
    original = norm.original
    found: list[Marking] = []
    if not _has_marking_word(norm.text):
        return found
    for form, pattern, needed in _PATTERNS:
        if needed is not None and not needed.search(norm.text):
            continue
        for m in pattern.finditer(norm.text):
            group = "m2" if "m2" in pattern.groupindex and m.group("m2") else "m"
            label = normalise(m.group(group))
            level = LEVELS.get(label)
            if level is None:
                continue
            start, end = norm.span(m.start(group), m.end(group))
            found.append(Marking(label, level, start, end, line_offset + original.count("\n", 0, start) + 1, form))
    found.sort(key=lambda k: (-k.level.rank, k.start))
    kept: list[Marking] = []
    for k in found:
        if all(k.end <= o.start or k.start >= o.end for o in kept):
            kept.append(k)
    return sorted(kept, key=lambda k: k.start)
