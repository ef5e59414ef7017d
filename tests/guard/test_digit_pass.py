"""The digit pass (`detectors._scan_digits`) gives up at once on a digit that follows a digit, and leaves the IPv4
trigger to its own pattern: the same stretches and triggers, position for position, as the pass before it (frozen in
`tests/guard/reference/digits_v5.py`). Texts built to break that: runs of digits of every length after letters,
separators and other digits, every separator, Unicode digits, IBAN and IP triggers inside and at the edges of
clusters, clusters of exactly six and seven digits, and the benchmark text."""

from __future__ import annotations

import random

import pytest

from drafter.guard import detectors as d
from drafter.guard.normalise import normalise
from tests.guard.reference import digits_v5
from tests.guard.test_digit_regions import EDGES, PIECES, SEPARATORS

ATOMS = [
    "0", "1", "12", "123", "1234", "12345", "123456", "1234567", "١", "٢٣", "४५६", "𝟕", "１２",
    "a", "ab", "AB", "GB", "de", "x", "word", "longer", "JG", "S", "D", "X",
    " ", "  ", "    ", "\t", "\n", "-", ".", "/", "_", "(", ")", "+", "\u00a0", "\u3000",
    "，", "。", "号", "@", ":", "::", "%", "£", "1.2.3", "1.2", "203.0.113.54", "12.3.4.5.6.7", "GB29", "de89",
]


def _same(text: str) -> None:
    assert d._scan_digits(text) == digits_v5.scan_digits(text), repr(text)


@pytest.mark.parametrize("seed", range(400))
def test_random_atoms_same_stretches_and_triggers(seed):
    rng = random.Random(seed)
    _same("".join(rng.choice(ATOMS) for _ in range(rng.randint(0, 80))))


@pytest.mark.parametrize("seed", range(200))
def test_random_pieces_and_separators_same_stretches_and_triggers(seed):
    rng = random.Random(10_000 + seed)
    _same("".join(rng.choice(PIECES) + rng.choice(SEPARATORS) for _ in range(rng.randint(1, 60))))


def test_edges_same_stretches_and_triggers():
    for text in EDGES:
        for before, after in [("", ""), ("The ", " ok."), ("电话", "。"), ("AB", "CD"), ("1", "2"), ("1 ", " 2"),
                              ("1.2.", ".3"), ("x1", "y")]:
            _same(before + text + after)


def test_every_run_length_after_every_neighbour():
    for n in range(1, 12):
        for gap in ["", " ", "-", ". ", "  ", "\n"]:
            run = gap.join("7" * n)
            for before in ["", "a", "ab", "ab ", "a  ", "a   ", "a    ", "1", "1 ", "12.", "。", "@", "_"]:
                for after in ["", "a", "1", ".1.2", " 1", "x"]:
                    _same(before + run + after)


def test_benchmark_text_same_stretches_and_triggers():
    from bench.bench_guard import build_text

    text, _ = build_text(seed=5)
    _same(normalise(text[:300_000]).text)


# Values that validate as one of the joined forms (and near misses), cut into pieces at random below.
VALUES = [
    "4111111111111111", "4111111111111112", "6222021001234567870", "110105194912310021", "11010519491231002X",
    "110101199003074514", "AB123456C", "ab123456d", "S1234567D", "t1234567j", "536221234", "000221234",
    "GB29NWBK60161331926819", "DE89370400440532013000", "de89370400440532013000", "JG103759A", "378282246310005",
    "5555555555554444", "12345678901234567890123", "1111111111111", "4222222222222",
]
ID_SEPARATORS = [" ", "-", ".", "/", "_", "\t", "  ", " - ", "   ", "    ", ""]


def _cut(rng: random.Random, value: str) -> str:
    out, i = [], 0
    while i < len(value):
        n = rng.randint(1, 6)
        out.append(value[i : i + n])
        i += n
    return "".join(piece + rng.choice(ID_SEPARATORS) for piece in out).rstrip()


def _same_ids(text: str) -> None:
    new = [(f.type, f.start, f.end, f.score, f.text) for f in d._separated_ids(text)]
    assert new == digits_v5.separated_ids(text), repr(text)


@pytest.mark.parametrize("seed", range(400))
def test_identifiers_split_by_separators_found_as_before(seed):
    rng = random.Random(20_000 + seed)
    parts = []
    for _ in range(rng.randint(1, 12)):
        r = rng.random()
        if r < 0.6:
            parts.append(_cut(rng, rng.choice(VALUES)))
        elif r < 0.8:
            parts.append(rng.choice(["JG", "AB", "S", "x", "word", "ab12", "12", "1234", "١٢٣", "7" * rng.randint(1, 30)]))
        else:
            parts.append(rng.choice(ATOMS))
        parts.append(rng.choice(ID_SEPARATORS + ["@", "，", "。", "x", "\n"]))
    _same_ids("".join(parts))


def test_identifiers_split_by_separators_on_the_benchmark_stretches():
    from bench.bench_guard import build_text

    text, _ = build_text(seed=5)
    text = normalise(text[:300_000]).text
    _same_ids(d.Compacted(text, d._scan_digits(text)[0]).text)
    for value in VALUES:
        for sep in ID_SEPARATORS:
            _same_ids(sep.join(value[i : i + 4] for i in range(0, len(value), 4)))
            _same_ids(sep.join(value[i : i + 3] for i in range(0, len(value), 3)))


def test_normalise_tells_exactly_whether_a_digit_outside_ascii_is_left():
    """The ASCII digit pass runs only where `normalise` says no other decimal digit is left: for every character of
    the Basic Multilingual Plane and a sample beyond it, the answer is whether the normalised text holds one."""
    import re
    import sys

    other = re.compile(r"(?![0-9])\d")
    for c in [*range(0x80, 0x10000), *range(0x10000, sys.maxunicode + 1, 97), 0x104A1, 0x1D7CE, 0x1E950, 0x1FBF1]:
        if 0xD800 <= c <= 0xDFFF:
            continue
        for text in (f"x{chr(c)}1", f"x{chr(c)}1，"):  # alone, and with a change elsewhere in the text
            norm = normalise(text)
            assert norm.other_digits == bool(other.search(norm.text)), hex(c)
    assert normalise("plain ASCII 123").other_digits is False


@pytest.mark.parametrize("seed", range(200))
def test_ascii_pass_same_as_the_unicode_pass_without_other_digits(seed):
    rng = random.Random(40_000 + seed)
    atoms = [a for a in ATOMS if not any(c.isdecimal() and not c.isascii() for c in a)]
    text = "".join(rng.choice(atoms) for _ in range(rng.randint(0, 80)))
    assert d._scan_digits(text, other_digits=False) == d._scan_digits(text) == digits_v5.scan_digits(text), repr(text)


def test_forms_by_first_character_leave_out_only_forms_that_cannot_start_so():
    """`_FORMS_AT` skips a form for a value whose first character its pattern cannot start with: every value of
    every form, its first character changed to each letter and digit, is still offered that form when it matches."""
    for value in VALUES + ["AB123456C", "GB82WEST12345698765432", "S1234567D", "536221234", "22000000000000000"]:
        for first in d._ALNUM:
            joined = first + value[1:]
            for entry in d._JOINED_BY_LENGTH[len(joined)] if len(joined) < 35 else []:
                if entry[1].fullmatch(joined):
                    assert entry in d._FORMS_AT[first, len(joined)], (entry[0], joined)


def _iban_with_few_digits() -> str:
    """A value that passes the IBAN check with three digits only: its run holds fewer than six, so it is not read."""
    from drafter.guard import checksums

    for check in range(100):
        value = f"GB{check:02d}A1BCDEFGHIJKLM"
        if checksums.iban_valid(value):
            return value
    raise AssertionError("no check digits found")


def test_a_run_with_fewer_than_six_digits_is_not_read_even_when_a_value_validates():
    value = _iban_with_few_digits()
    for sep in ID_SEPARATORS[:-1]:
        text = value[:4] + sep + value[4:]
        _same_ids(text)
        assert d._separated_ids(text) == []
        _same_ids(text + sep + "1234")  # six digits now: found, as before
        _same_ids("a " + text + " 12")


@pytest.mark.parametrize("value", VALUES)
def test_identifiers_at_the_edges_beside_letters_cjk_and_other_digits(value):
    for sep in [" ", "-", ".", "/", "_", "\t", "  ", "٣", "１", " ٣ "]:
        cut = sep.join(value[i : i + 4] for i in range(0, len(value), 4))
        for before, after in [("", ""), ("号", "。"), ("x", "y"), ("ab ", " cd"), ("@", ""), ("", "@"), ("1 ", " 2"),
                              ("٣", "٣"), ("JG ", " A"), ("(", ")"), ("长长", "")]:
            _same_ids(before + cut + after)
    _same_ids((value + " ") * 40)  # a very long run of the same pieces
    _same_ids(" ".join(value[i : i + 2] for i in range(0, len(value), 2)) * 3)


def test_six_digits_after_every_kind_of_neighbour():
    """A cluster of six digits is kept only after a letter and up to three separators; the pass asks `_AFTER_LETTER`
    only when the character before is a letter, a separator or white space (`str.isspace`, which is what `\\s` reads:
    checked for every character of the Basic Multilingual Plane)."""
    import re

    space = re.compile(r"\s")
    assert [c for c in range(0x10000) if bool(space.match(chr(c))) != chr(c).isspace()] == []
    neighbours = [chr(c) for c in range(0x80)] + ["\u00a0", "\u3000", "\u2028", "\u2029", "\u1680", "\u0085", "号", "。",
                                                   "é", "١", "ｓ"]
    for before in neighbours:
        for text in (f"{before}123456", f"a{before}123456", f"ab{before} 123456", f"{before}12 34 56x", f"x{before}1-2-3-4-5-6"):
            _same(text)
