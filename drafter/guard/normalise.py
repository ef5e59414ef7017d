"""Text as a reader sees it, for detection: NFKC, no invisible characters, look-alike letters folded.

Detectors run on the normalised text; every offset they report is mapped back to the original, so a
finding (and the placeholder that replaces it) covers exactly what was written: full-width digits, a
zero-width space inside a number, a Cyrillic letter inside a marking.

Steps, per character:
- format characters (Unicode category Cf: zero-width spaces and joiners, soft hyphen, word joiner, BOM,
  bidi controls) and a few other invisibles (variation selectors, Hangul fillers) are removed;
- NFKC: full-width and other compatibility forms become their plain letters, digits and punctuation
  (ＳＥＣＲＥＴ, １３８, ＠, the ideographic space, mathematical bold letters);
- Cyrillic, Greek, Cherokee and small-capital letters that look like Latin ones are folded to them.
Only characters outside printable ASCII and the common CJK block are looked at, so plain text costs one
regex search.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from dataclasses import dataclass

# Letters that a reader cannot tell from Latin ones in most fonts.
CONFUSABLES = {
    # Cyrillic capitals and small letters
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K", "М": "M", "О": "O",
    "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y", "Ү": "Y", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I", "Ԍ": "G",
    "а": "a", "с": "c", "е": "e", "і": "i", "ј": "j", "о": "o", "р": "p", "ѕ": "s", "х": "x", "у": "y",
    "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ԍ": "g",
    # Greek capitals and small letters
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "υ": "u",
    "χ": "x", "α": "a", "ϲ": "c", "Ϲ": "C", "ϳ": "j",
    # Cherokee capitals that copy Latin shapes (R among them)
    "Ꭺ": "A", "Ᏼ": "B", "Ꮯ": "C", "Ꭼ": "E", "Ꮋ": "H", "Ꭻ": "J", "Ꮶ": "K", "Ꮇ": "M", "Ꮲ": "P", "Ꭱ": "R",
    "Ꮢ": "R", "Ꮪ": "S", "Ꭲ": "T", "Ꮃ": "W", "Ꮓ": "Z", "Ꮩ": "V", "Ꮮ": "L", "Ꭰ": "D", "Ꮐ": "G",
    # Latin small capitals and other R / letter look-alikes
    "ᴀ": "A", "ʙ": "B", "ᴄ": "C", "ᴅ": "D", "ᴇ": "E", "ɢ": "G", "ʜ": "H", "ɪ": "I", "ᴊ": "J", "ᴋ": "K",
    "ʟ": "L", "ᴍ": "M", "ɴ": "N", "ᴏ": "O", "ᴘ": "P", "ʀ": "R", "ꜱ": "S", "ᴛ": "T", "ᴜ": "U", "ᴠ": "V",
    "ᴡ": "W", "ʏ": "Y", "ᴢ": "Z", "Ʀ": "R", "ɑ": "a", "ɡ": "g", "ı": "i",
}
_INVISIBLE = frozenset("\u034f\u115f\u1160\u3164\uffa0\u180e") | frozenset(chr(c) for c in range(0xFE00, 0xFE10))
# Everything outside printable ASCII and the CJK Unified Ideographs block may need a change.
_SUSPECT = re.compile(r"[^\t\n\r\x20-\x7e\u4e00-\u9fff]")
_CACHE: dict[str, str] = {}


@functools.cache
def _changing() -> re.Pattern[str]:
    """The characters `_normal_char` changes: those of the Basic Multilingual Plane that do, listed once (about
    3,000 of them), and every character beyond it (looked at one by one, as before). Text in Chinese, or with
    pound signs and dashes, has many characters `_SUSPECT` finds and few that change: those are skipped in C."""
    changed = [c for c in range(0x80, 0x10000)  # as `_SUSPECT`: ideographs stay
               if not (0xD800 <= c <= 0xDFFF or 0x4E00 <= c <= 0x9FFF or _unchanged(chr(c)))]
    return re.compile("[" + "".join(_ranges(changed)) + "\U00010000-\U0010ffff]")


def _ranges(codes: list[int]) -> list[str]:
    """Increasing code points as the ranges of a character class."""
    ranges: list[str] = []
    first = previous = -2
    for c in codes:
        if c != previous + 1:
            if first >= 0:
                ranges.append(_range(first, previous))
            first = c
        previous = c
    if first >= 0:
        ranges.append(_range(first, previous))
    return ranges


def _unchanged(ch: str) -> bool:
    """`_normal_char(ch) == ch`, without filling its cache."""
    if ch in _INVISIBLE or ch in CONFUSABLES or unicodedata.category(ch) == "Cf":
        return False
    return unicodedata.is_normalized("NFKC", ch)


def _range(first: int, last: int) -> str:
    return re.escape(chr(first)) if first == last else f"{re.escape(chr(first))}-{re.escape(chr(last))}"


def _normal_char(ch: str) -> str:
    """What one character becomes: '' (removed), itself, or its NFKC / folded form."""
    out = _CACHE.get(ch)
    if out is None:
        if ch in _INVISIBLE or unicodedata.category(ch) == "Cf":
            out = ""
        else:
            out = "".join(CONFUSABLES.get(c, c) for c in unicodedata.normalize("NFKC", ch))
            if "\n" in out and ch != "\n":  # never invent a line break (line numbers are kept)
                out = out.replace("\n", " ")
        _CACHE[ch] = out
    return out


@dataclass(frozen=True)
class Normalised:
    """A text and its normalised form, with the mapping of normalised offsets back to the original.

    `_norm_at` / `_orig_at` are the starts of the stretches where the two differ: each changed character
    is its own stretch; between them the texts are equal character for character.
    """

    original: str
    text: str
    _norm_at: tuple[int, ...] = ()
    _orig_at: tuple[int, ...] = ()
    _orig_len: tuple[int, ...] = ()  # original length of each changed stretch (1), or -1 for an equal one
    # Whether the normalised text may hold a decimal digit outside ASCII (Arabic-Indic, Devanagari…, which NFKC keeps):
    # where it cannot, the detectors look for ASCII digits only, which `re` finds faster than every decimal digit.
    other_digits: bool = True
    # Every character kept its length (`_same_length`): a span [start, end) of the normalised text is the same span of
    # the original, so a caller mapping many spans back may skip `span`.
    same_offsets: bool = False

    @property
    def identity(self) -> bool:
        return not self._norm_at

    def start(self, n: int) -> int:
        """Original offset of the character at normalised offset `n`."""
        if self.identity:
            return n
        i = bisect.bisect_right(self._norm_at, n) - 1
        if i < 0:
            return n
        if self._orig_len[i] < 0:
            return self._orig_at[i] + (n - self._norm_at[i])
        return self._orig_at[i]

    def end(self, n: int) -> int:
        """Original offset just after the character ending at normalised offset `n` (exclusive)."""
        if self.identity or n <= 0:
            return n
        i = bisect.bisect_right(self._norm_at, n - 1) - 1
        if i < 0:
            return n
        if self._orig_len[i] < 0:
            return self._orig_at[i] + (n - self._norm_at[i])
        return self._orig_at[i] + self._orig_len[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.start(start), self.end(end)


@functools.cache
def _changing_or_digit() -> re.Pattern[str]:
    """`_changing()`, and the decimal digits outside ASCII that stay as they are (`\\d` in a Unicode pattern: about
    650 of them), so that the one pass of `normalise` also says whether the text holds any."""
    changing = _changing()
    digits = [c for c in range(0x80, 0x10000) if chr(c).isdecimal()]
    digits = [c for c in digits if not changing.match(chr(c))]
    return re.compile(_changing().pattern[:-1] + "".join(_ranges(digits)) + "]")


def normalise(text: str | Normalised) -> Normalised:
    """Normalise `text` for detection (a `Normalised` is returned as it is)."""
    if isinstance(text, Normalised):
        return text
    if text.isascii():
        return Normalised(text, text, other_digits=False)
    changing = _changing_or_digit()
    kinds = set(changing.findall(text))
    if len(kinds) <= _FEW_KINDS:
        same = _same_length(text, kinds)
        if same is not None:
            return same
    pieces: list[str] = []
    norm_at: list[int] = []
    orig_at: list[int] = []
    orig_len: list[int] = []
    pos = 0  # original offset copied up to
    npos = 0  # normalised length so far
    other_digits = False
    for m in changing.finditer(text):
        i = m.start()
        ch = m.group()
        out = _normal_char(ch)
        if out == ch:  # a digit that stays, or beyond the Basic Multilingual Plane, where most characters stay
            other_digits = other_digits or ch.isdecimal()
            continue
        if not other_digits and not out.isascii():
            other_digits = any(c.isdecimal() and not c.isascii() for c in out)
        if i > pos:  # an equal stretch before this change
            pieces.append(text[pos:i])
            norm_at.append(npos)
            orig_at.append(pos)
            orig_len.append(-1)
            npos += i - pos
        if out:  # a removed character takes no room in the normalised text: no stretch of its own
            pieces.append(out)
            norm_at.append(npos)
            orig_at.append(i)
            orig_len.append(1)
            npos += len(out)
        pos = i + 1
    if not norm_at and pos == 0:
        return Normalised(text, text, other_digits=other_digits)
    if pos < len(text):
        pieces.append(text[pos:])
        norm_at.append(npos)
        orig_at.append(pos)
        orig_len.append(-1)
    return Normalised(text, "".join(pieces), tuple(norm_at), tuple(orig_at), tuple(orig_len), other_digits)


# A text with more kinds of changing character than this is normalised character by character (one `str.replace` per
# kind is a pass over the whole text).
_FEW_KINDS = 24


def _same_length(text: str, kinds: set[str]) -> Normalised | None:
    """`normalise(text)` when each character that changes becomes exactly one character (a full-width comma, a Cyrillic
    look-alike): found by one `str.replace` per kind of character, at C speed, rather than stretch by stretch. Every
    offset is then its own: one equal stretch, and the last character its own stretch when it changed (what the
    character-by-character map answers for the end of the text). None when a character is removed or becomes
    several, or becomes one that changes too (one replacement must not feed another)."""
    changing = _changing_or_digit()
    out_text = text
    other_digits = False
    changed = False
    for ch in kinds:
        out = _normal_char(ch)
        if out == ch:  # a digit that stays, or beyond the Basic Multilingual Plane, where most characters stay
            other_digits = other_digits or ch.isdecimal()
            continue
        if len(out) != 1 or changing.match(out):
            return None
        if not out.isascii() and out.isdecimal():
            other_digits = True
        out_text = out_text.replace(ch, out)
        changed = True
    if not changed:
        return Normalised(text, text, other_digits=other_digits)
    last = len(text) - 1
    if text[last] != out_text[last]:
        if not last:
            return Normalised(text, out_text, (0,), (0,), (1,), other_digits, same_offsets=True)
        return Normalised(text, out_text, (0, last), (0, last), (-1, 1), other_digits, same_offsets=True)
    return Normalised(text, out_text, (0,), (0,), (-1,), other_digits, same_offsets=True)
