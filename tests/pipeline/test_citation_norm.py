"""A citation's paragraph is normalised with str.split (faster than the regular expression it replaced): the same
result for every kind of white space Unicode has, at either end and inside."""

from __future__ import annotations

import random
import re
import sys

from drafter import citations

SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def _before(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def test_every_white_space_character_is_one() -> None:
    assert len(SPACES) > 20  # tab, line breaks, no-break and ideographic spaces, the separators…
    for space in SPACES:
        text = f"{space}Section 5{space}{space}(1) applies.{space}"
        assert citations._norm(text) == _before(text) == "section 5 (1) applies."


def test_random_texts() -> None:
    rng = random.Random(3)
    parts = [*SPACES, "A", "b", "İ", "第五条", ".", "  ", "\u200b"]  # zero-width space is not white space
    for _ in range(3000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 12)))
        assert citations._norm(text) == _before(text), repr(text)
