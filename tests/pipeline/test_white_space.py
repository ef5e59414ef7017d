"""White space is collapsed with str.split, not a regular expression, where the pipeline normalises text (a
citation's paragraphs, the checks' material): the same result for every white space character Unicode has, at
either end and inside, as the `\\s+` substitutions it replaced."""

from __future__ import annotations

import random
import re
import sys

from drafter import citations
from drafter.checks import facts

SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
PARTS = [*SPACES, "A", "b", "İ", "第五条", ".", "’", "  ", "\u200b"]  # a zero-width space is not white space


def test_str_split_and_the_regular_expression_know_the_same_white_space() -> None:
    # what both replacements rest on, checked for every character
    pattern = re.compile(r"\s")
    assert [c for c in range(sys.maxunicode + 1) if bool(pattern.match(chr(c))) != chr(c).isspace()] == []
    assert len(SPACES) > 20  # tab, line breaks, no-break and ideographic spaces, the separators…


def _norm_before(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _normal_part_before(text: str) -> tuple[str, bool, bool, str]:
    spaced = re.sub(r"\s+", " ", text.lower().replace("’", "'"))
    return spaced.strip(" "), spaced[:1] == " ", spaced[-1:] == " ", re.sub(r"\s+", "", text)


def test_every_white_space_character_is_one() -> None:
    for space in SPACES:
        text = f"{space}Section 5{space}{space}(1) applies.{space}"
        assert citations._norm(text) == _norm_before(text) == "section 5 (1) applies."
        assert facts._normal_part.__wrapped__(text) == _normal_part_before(text)  # type: ignore[attr-defined]


def test_random_texts() -> None:
    rng = random.Random(3)
    for _ in range(3000):
        text = "".join(rng.choice(PARTS) for _ in range(rng.randint(0, 12)))
        assert citations._norm(text) == _norm_before(text), repr(text)
        assert facts._normal_part.__wrapped__(text) == _normal_part_before(text), repr(text)  # type: ignore[attr-defined]
