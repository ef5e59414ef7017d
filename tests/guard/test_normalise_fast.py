"""The normaliser looks only at the characters that change (`normalise._changing`) instead of every character
outside ASCII and the ideographs: the same text and the same offset map as the frozen normaliser before it
(`tests/guard/reference/normalise_v0.py`), for every character of the Basic Multilingual Plane and for random text
mixing what changes with what does not."""

from __future__ import annotations

import random

import pytest

from drafter.guard import normalise
from tests.guard.reference import normalise_v0


def _same(text: str) -> None:
    new, old = normalise.normalise(text), normalise_v0.normalise(text)
    assert (new.original, new.text, new._norm_at, new._orig_at, new._orig_len) == (
        old.original, old.text, old._norm_at, old._orig_at, old._orig_len
    ), repr(text)


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
