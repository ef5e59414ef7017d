"""Presidio patterns rewritten to start with their first character's class (`detectors._REWRITES`) match what
Presidio's own pattern, compiled as Presidio compiles it (the `regex` module, the recognizer's flags), matches: the same
spans in random text made of what the patterns read (letters that may start an NI number and those that may not, the
excluded prefixes in every case, digits, separators, underscores, line breaks, other digits and letters), at text
start and end, and on the benchmark's stretches."""

from __future__ import annotations

import random

import pytest
import regex

from drafter.guard import detectors as d


@pytest.fixture(scope="module")
def patterns() -> list[tuple[str, object, object]]:
    found = []
    for _, recognizer, _ in d.PiiDetector()._presidio:
        for pattern in recognizer.patterns:
            if pattern.name in d._REWRITES:
                theirs = regex.compile(pattern.regex, recognizer.global_regex_flags)
                found.append((pattern.name, theirs, d._compiled(pattern.regex, pattern.name)))
    return found


def test_every_rewrite_is_used_with_presidios_pattern(patterns):
    """Presidio's patterns are still the ones rewritten (else the rewrite would silently not be used)."""
    assert sorted(name for name, _, _ in patterns) == sorted(d._REWRITES)
    for name, _, ours in patterns:
        assert ours.pattern == d._REWRITES[name][1], name


ATOMS = (
    list("abcdeghjklmnprstwxyzABCDEGHJKLMNPRSTWXYZfiouqvFIOUQV0123456789 -._\n\t/")
    + ["bg", "gB", "Gb", "NK", "kN", "nt", "TN", "zz", "Zz", "AB", "ab", "JG", "qq", "12", "34", "56", "123", "1234",
       "1234567890123", "4111", "5500", "5599", "6011", "3782", "2221", "536", "22", "0000", "é", "长", "١", "٣", "ｓ",
       "AB 12 34 56 D", "ab123456c", "4111 1111 1111 1111", "536-22-1234", "536.22.1234", "1111-2222-3333-4444",
       "S1234567D", "t1234567j", "M1234567K", "G7654321x", "\u017f", "\u212a", "\u0131", "\u0130", "1234567"]
)


def _same(patterns, text: str) -> None:
    for name, theirs, ours in patterns:
        assert [m.span() for m in ours.finditer(text)] == [m.span() for m in theirs.finditer(text)], (name, text)


@pytest.mark.parametrize("seed", range(200))
def test_rewritten_patterns_match_as_presidios(patterns, seed):
    rng = random.Random(80_000 + seed)
    for _ in range(100):
        _same(patterns, "".join(rng.choice(ATOMS) for _ in range(rng.randint(0, 24))))


def test_rewritten_patterns_on_the_benchmark_stretches(patterns):
    from bench.bench_guard import build_text
    from drafter.guard.normalise import normalise

    text, _ = build_text(seed=3)
    norm = normalise(text[:300_000]).text
    _same(patterns, d.Compacted(norm, d._scan_digits(norm)[0]).text)
    _same(patterns, norm[:100_000])


def test_excluded_prefixes_in_every_case_and_every_first_character(patterns):
    """Each NI number prefix Presidio excludes, in all four cases, and every pair of ASCII letters; each card and SSN
    first digit; after every kind of neighbour and at the text's edges."""
    import string

    letters = string.ascii_letters
    pairs = [a + b for a in letters for b in letters]
    for pair in pairs:
        for body in (f"{pair}123456A", f"{pair} 12 34 56 d"):
            for before, after in (("", ""), (" ", " "), ("x", ""), ("_", "."), ("1", ""), ("长", "长"), ("\n", "\n")):
                _same(patterns, before + body + after)
    for first in "0123456789":
        for body in (f"{first}111 1111 1111 1111", f"{first}234567890123", f"{first}23456789012", f"{first}36-22-1234",
                     f"{first}36.22.1234 {first}"):
            for before, after in (("", ""), ("a", ""), ("_", ""), (" ", "x"), ("-", "-"), ("9", "")):
                _same(patterns, before + body + after)


# Our own patterns before their look-behind moved after the first character (session 6).
CN_ID_BEFORE = r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}[01]\d[0-3]\d\d{3}[0-9Xx](?![0-9A-Za-z])"
UNIONPAY_BEFORE = r"(?<![0-9A-Za-z])62\d{14,17}(?![0-9A-Za-z])"
PHONE_BEFORE = r"(?<![0-9A-Za-z+\-./])(?:\+|00)?\(?\d[\d\s().\-]{5,20}\d(?![0-9A-Za-z]|[.\-]\d)"


@pytest.mark.parametrize("seed", range(100))
def test_own_patterns_match_as_before(seed):
    import re

    rng = random.Random(90_000 + seed)
    atoms = list("0123456789Xx a-b._@\n/\t+()") + ["62", "6222", "110101199003074514", "11010519491231002X", "JG", "١", "٣",
                                                 "长", "6222021001234567870", "19491231", "x6", "_1", "00", "+44", "(0)",
                                                 "13812345678", "020 7946 0958", "+1 202", "0044", "..", "--", "٠٠"]
    for before, now in ((CN_ID_BEFORE, d._CN_ID), (UNIONPAY_BEFORE, d._UNIONPAY), (PHONE_BEFORE, d._PHONE_CANDIDATE)):
        old = re.compile(before)
        for _ in range(100):
            text = "".join(rng.choice(atoms) for _ in range(rng.randint(0, 30)))
            assert [m.span() for m in now.finditer(text)] == [m.span() for m in old.finditer(text)], text


def test_every_nric_first_and_last_letter(patterns):
    import string

    for first in string.ascii_letters + "\u017f\u212a\u0131\u0130":
        for last in ("D", "d", "Z", "\u212a", "1"):
            for before, after in (("", ""), (" ", " "), ("x", ""), ("_", "."), ("1", ""), ("长", "长"), ("\n", "_")):
                _same(patterns, f"{before}{first}1234567{last}{after}")
