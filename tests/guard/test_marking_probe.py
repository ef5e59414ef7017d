"""The marking probe (`markings._has_marking_word`) looks for a letter-spaced word from its second letter between
separators, and lets "officials" and "protected areas" go without the pattern: it must answer as the slow search of
`_ANY_MARKING_WORD` on every word letter-spaced with every separator and pair of separators, at the text's start and
end, side by side, in any case, with look-alike stems, and on random text built from those pieces."""

from __future__ import annotations

import itertools
import random

import pytest

from drafter.guard import markings

WORDS = ["top secret", "secret", "confidential", "restricted", "official sensitive", "protected a", "protected b",
         "protected c"]
SEPARATORS = [" ", "\t", ".", "_", "*", "·", "-"]
NEAR = ["officials", "official", "official-", "official\u2010sensitive", "official \u2013 sensitive", "official  sensitive",
        "protected", "protected areas", "protected  b", "protected\tc", "secre", "confidentia", "restricte", "top", "内",
        "内部", "内 部", "机密", "机·密", "绝", "秘", "秘 密", "s e", "t o", "o f", "p r", "c o", "r e", "x o y", "a e b",
        "\u0131", "\u017fecret", "\u212a", "\u0130", "SECRET", "Official Sensitive"]


def _same(text: str) -> None:
    assert markings._has_marking_word(text) == (markings._ANY_MARKING_WORD.search(text) is not None), repr(text)


def _spaced(phrase: str, first: str, second: str) -> str:
    seps = itertools.cycle([first, second])
    return "  ".join(next(seps).join(word) for word in phrase.split())


@pytest.mark.parametrize("phrase", WORDS)
def test_every_word_spaced_with_every_separator(phrase):
    pairs = [a + b for a in SEPARATORS for b in SEPARATORS]
    for first, second in itertools.product(SEPARATORS + pairs, SEPARATORS + pairs[::7]):
        spaced = _spaced(phrase, first, second)
        for before, after in [("", ""), ("x", "y"), ("a ", " b"), (". ", "."), ("e ", " e"), ("o-", "-r")]:
            _same(before + spaced + after)
            _same(before + spaced.upper() + after)
            _same(before + spaced[:-1] + after)  # one letter short
            _same(before + spaced[2:] + after)  # first letter gone


@pytest.mark.parametrize("seed", range(300))
def test_random_text_of_near_words_and_separators(seed):
    rng = random.Random(seed)
    pieces = NEAR + [_spaced(rng.choice(WORDS), rng.choice(SEPARATORS), rng.choice(SEPARATORS)) for _ in range(3)]
    text = "".join(rng.choice(pieces) + rng.choice(SEPARATORS + ["", "\n", "x"]) for _ in range(rng.randint(1, 12)))
    _same(text)
    _same(text.upper())
