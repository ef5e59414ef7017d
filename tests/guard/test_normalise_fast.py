"""The normaliser looks only at the characters that change (`normalise._changing`) instead of every character
outside ASCII and the ideographs: the same text and the same offset map as the frozen normaliser before it
(`tests/guard/reference/normalise_v0.py`), for every character of the Basic Multilingual Plane and for random text
mixing what changes with what does not."""

from __future__ import annotations

import random
import re

import pytest

from drafter.guard import normalise
from tests.guard.reference import normalise_v0


def _same(text: str) -> None:
    """The same text and the same map back to the original, offset for offset. (Not the same stretches: a text whose
    changes all keep its length is one stretch now, `normalise._same_length`.)"""
    new, old = normalise.normalise(text), normalise_v0.normalise(text)
    assert (new.original, new.text, new.identity) == (old.original, old.text, old.identity), repr(text)
    n = len(new.text)
    assert [new.start(i) for i in range(n + 1)] == [old.start(i) for i in range(n + 1)], repr(text)
    assert [new.end(i) for i in range(n + 1)] == [old.end(i) for i in range(n + 1)], repr(text)
    assert new.other_digits == bool(_OTHER_DIGIT.search(new.text)), repr(text)
    if new.same_offsets:  # every span of the normalised text is the same span of the original
        assert len(new.text) == n == len(text), repr(text)
        assert all(old.span(a, b) == (a, b) for a in range(n) for b in range(a + 1, n + 1)), repr(text)


_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def test_every_character_of_the_basic_plane_is_normalised_as_before():
    changing = normalise._changing()
    for c in range(0, 0x10000):
        if 0xD800 <= c <= 0xDFFF:
            continue
        ch = chr(c)
        changes = bool(normalise_v0._SUSPECT.match(ch)) and normalise_v0._normal_char(ch) != ch
        assert bool(changing.match(ch)) == changes, hex(c)
    for c in range(0, 0x10000, 97):  # and through `normalise` itself, between ordinary characters
        if not 0xD800 <= c <= 0xDFFF:
            _same(f"a{chr(c)}b{chr(c)}")


def test_characters_beyond_the_basic_plane_are_normalised_as_before():
    rng = random.Random(5)
    for c in [*range(0x1D400, 0x1D800, 7), 0x1F600, 0x20000, 0x2F800, 0x2FA1D, 0xE0001, 0xE0100, 0x10FFFF,
              *(rng.randrange(0x10000, 0x110000) for _ in range(2000))]:
        _same(f"x{chr(c)}1{chr(c)}")


ALPHABET = (
    list("abcXYZ 0123456789.,-@\n\t") + ["。", "，", "％", "〔", "〕", "£", "—", "é", "ß", "İ", "ı", "ſ", "K", "\u3000",
    "\u00a0", "\u200b", "\u200d", "\ufeff", "\u00ad", "\ufe0f", "ｓ", "１", "𝟏", "𝐒", "А", "Е", "ᴇ", "Ꭱ", "ﬁ", "㎏", "①",
    "²", "½", "\u2028", "\u0085", "长", "文", "\ud800", "\U0001F600", "\x0b", "\x7f"]
)


@pytest.mark.parametrize("seed", range(200))
def test_random_text_is_normalised_as_before(seed):
    rng = random.Random(seed)
    _same("".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 80))))


# Texts for the one-replacement-per-kind path: changes that keep the length only (full-width comma, look-alikes), mixed
# with one that removes a character (zero-width space) or makes several (ﬁ, ㎏), at the start, at the end, alone, and
# more kinds than the path takes.
SAME_LENGTH = ["，", "Е", "ｓ", "１", "А", "ᴇ", "Ꭱ", "\u3000", "\u00a0", "ı", "ſ", "K", "𝐒", "٣", "①"]
OTHER = ["\u200b", "ﬁ", "㎏", "\ufeff", "a", "1", " ", "长", "\n"]


@pytest.mark.parametrize("seed", range(300))
def test_length_keeping_changes_map_every_offset_as_before(seed):
    rng = random.Random(70_000 + seed)
    alphabet = SAME_LENGTH + (OTHER if seed % 3 == 0 else ["a", "1", " ", "长"])
    _same("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))))


def test_length_keeping_changes_at_the_edges_and_alone():
    assert normalise.normalise("a，b").same_offsets and not normalise.normalise("a\u200bb").same_offsets
    for ch in SAME_LENGTH + OTHER:
        for text in (ch, ch + ch, "a" + ch, ch + "a", ch + "ab" + ch, "，" + ch, ch + "，"):
            _same(text)
    _same("".join(chr(0xFF10 + i) for i in range(10)) + "".join(chr(0xFF21 + i) for i in range(26)))  # many kinds
