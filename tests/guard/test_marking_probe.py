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


# --- a prompt's lines answered one by one (`without_marking_words`) ------------------------------------------


def _lines_same(text: str) -> None:
    whole = markings._has_marking_word(markings.normalise_text(text).text)
    assert markings.without_marking_words(text) is not whole, repr(text)
    if markings.without_marking_words(text):
        assert markings.find_markings(text) == []


@pytest.mark.parametrize("seed", range(300))
def test_lines_answer_as_the_whole_text_with_line_breaks_everywhere(seed):
    rng = random.Random(seed)
    pieces = NEAR + [_spaced(rng.choice(WORDS), rng.choice(SEPARATORS), rng.choice(SEPARATORS)) for _ in range(3)]
    # line breaks between and inside pieces, and the characters normalising folds or removes next to them
    glue = SEPARATORS + ["", "\n", "\n\n", "\r\n", "\u200b\n", "\n\u200b", "\uff33", "\u0405", "x"]
    text = "".join(rng.choice(pieces) + rng.choice(glue) for _ in range(rng.randint(1, 12)))
    cut = rng.randrange(len(text) + 1)
    for t in (text, text.upper(), text[:cut] + "\n" + text[cut:]):
        _lines_same(t)


def test_a_marking_word_cut_by_a_line_break_is_no_marking_word_and_a_bracketed_one_across_lines_is_found():
    assert markings.without_marking_words("SEC\nRET and S E C\nR E T")
    assert markings.find_markings("SEC\nRET and S E C\nR E T") == []
    text = "Background\n[\n  SECRET\n]\nThe rest of the brief."
    assert not markings.without_marking_words(text)
    assert [m.label for m in markings.find_markings(text)] == ["SECRET"]
    hidden = "Notes\n\uff33\uff25\uff23\uff32\uff25\uff34\nmore"  # full-width letters: normalised to SECRET
    assert not markings.without_marking_words(hidden)
    assert not markings.without_marking_words("Ops\nS\u200bE\u200bC\u200bR\u200bE\u200bT\n")  # zero-width spaces


def test_a_line_remembered_as_free_does_not_hide_a_marking_on_another_line():
    free = "The council spent 3 million pounds on the depot."
    assert markings.without_marking_words(free + "\n" + free)
    assert not markings.without_marking_words(free + "\nTOP SECRET\n" + free)
    from drafter.guard.engine import _markings
    assert [m.label for m in _markings(free + "\n(CONFIDENTIAL)\n" + free)] == ["CONFIDENTIAL"]


def test_the_free_lines_remembered_are_bounded_and_forgetting_them_changes_no_answer(monkeypatch):
    monkeypatch.setattr(markings, "_FREE_CHARS", 200)
    markings._FREE_LINES.clear()
    markings._free_size[0] = 0
    lines = [f"Line {i} of the council's plain report on bins." for i in range(40)]
    assert markings.without_marking_words("\n".join(lines))
    assert markings._free_size[0] <= 200 and sum(map(len, markings._FREE_LINES)) == markings._free_size[0]
    assert not markings.without_marking_words("\n".join(lines + ["RESTRICTED"] + lines))
    assert "RESTRICTED" not in markings._FREE_LINES
    assert markings.without_marking_words("x" * 500)  # longer than the whole budget: answered, not remembered
    assert "x" * 500 not in markings._FREE_LINES
