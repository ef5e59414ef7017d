"""The stretches scanned around a trigger (`detectors.candidate_regions`) may end at the text's start or end, as a
window of a long text may begin or end inside an e-mail address, an IP address or an IBAN: what is found there must be
what a scan of the whole text finds, with long runs of characters that are no safe edge before and after (shorter and
longer than the widening limit), and the identifier cut anywhere."""

from __future__ import annotations

import pytest

from drafter.guard import detectors as d

VALUES = ["jane.doe@example.gov.uk", "a@b.co", "203.0.113.54", "2001:db8::ff00:42:8329", "GB29 NWBK 6016 1331 9268 19",
          "GB29NWBK60161331926819", "x@y"]
FILLERS = ["", "x", "word", "a" * 100, "b" * 511, "c" * 512, "d" * 513, "e" * 700, "f.g" * 200, "。", " ", "会议"]


@pytest.fixture(scope="module")
def detector() -> d.PiiDetector:
    return d.PiiDetector()


def _both(detector: d.PiiDetector, text: str) -> None:
    for kinds, trigger, margin in [
        (("EMAIL",), d._EMAIL_TRIGGER, 0), (("IP_ADDRESS",), d._IP_TRIGGER, 0), (("IBAN",), d._IBAN_TRIGGER, d._IBAN_MARGIN)
    ]:
        def detect(t: str, kinds: tuple[str, ...] = kinds) -> list[d.Detection]:
            return detector._presidio_found(t, kinds)

        assert d.in_regions(text, trigger, margin, detect) == detect(text), (kinds, text[:60], text[-60:])


@pytest.mark.parametrize("value", VALUES)
def test_identifiers_at_the_edges_of_the_text(detector, value):
    for filler in FILLERS:
        for cut in range(0, len(value) + 1, 3):
            _both(detector, filler + value[cut:])  # the text starts inside (or just before) the identifier
            _both(detector, filler + " " + value[:cut])  # the text ends inside it
            _both(detector, value[:cut] + filler)
            _both(detector, value[cut:] + " " + filler + value)


def test_regions_reach_the_edges_without_falling_back_to_the_whole_text():
    text = "x" * 300 + "jane.doe@example.gov.uk" + "y" * 300
    assert d.candidate_regions(text, d._EMAIL_TRIGGER, 0) is None  # covers more than half: the whole text
    long = "会议。" * 2000 + "x" * 300 + "jane.doe@exam"
    assert d.candidate_regions(long, d._EMAIL_TRIGGER, 0) == [(len(long) - 314, len(long))]
    start = "ple.gov.uk" + "y" * 400 + "。" * 2000
    assert d.candidate_regions(start.replace("ple", "j@ple"), d._EMAIL_TRIGGER, 0) == [(0, 412)]


def test_every_match_of_a_gated_pattern_holds_its_character(detector):
    """`_analyze` skips a pattern of `_NEEDS` on a text without its character: each match of the pattern must hold it.
    Random text of what IP addresses are made of (hex digits, dots, colons, slashes, per cent, letters, spaces)."""
    import random

    import regex

    rng = random.Random(9)
    atoms = list("0123456789abcdefABCDEF.:/% x\n_") + ["::", "ffff", "::ffff:", "192.0.2.1", "1:2:3:4:5:6:7:8", "255", "::1",
                                                    " :: ", "1:2:3:4:5:6:", "fe80::"]
    names = set()
    matched: dict[str, int] = {}
    for _, recognizer, _ in detector._presidio:
        for pattern in recognizer.patterns:
            needed = d._NEEDS.get(pattern.name)
            if needed is None:
                continue
            names.add(pattern.name)
            compiled = regex.compile(pattern.regex, d._ascii_flags())
            for _ in range(3000):
                text = "".join(rng.choice(atoms) for _ in range(rng.randint(1, 40)))
                for m in compiled.finditer(text):
                    assert needed in m.group(), (pattern.name, text)
                    matched[pattern.name] = matched.get(pattern.name, 0) + 1
    assert names == set(d._NEEDS)
    assert set(matched) == names, matched  # the texts do reach every pattern
