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
