"""The digit group and the phone candidates are scanned only in the stretches around digit clusters
(`detectors.digit_regions`). These tests try to make a stretch miss or change a finding: identifiers at the very
start or end of a text, against letters, punctuation, '@' and '_', in every kind of digit and separator, next to
long and short words, in long runs, overlapping. Each text is checked three ways: against the frozen guard
(`tests/guard/reference`), and against the same recognizers run over the whole text, which the stretches must
reproduce exactly, however dense the text."""

from __future__ import annotations

import dataclasses
import itertools
import random

import pytest

from drafter.guard import detectors as d
from drafter.guard.normalise import normalise
from tests.guard.reference import detectors_v0


@pytest.fixture(scope="module")
def detectors() -> tuple[d.PiiDetector, detectors_v0.PiiDetector]:
    return d.PiiDetector(), detectors_v0.PiiDetector()


def _whole_text(det: d.PiiDetector, text: str) -> list[tuple]:
    """The digit group and phones run over the whole normalised text (no stretches), as plain rows."""
    norm = normalise(text).text
    found = d.in_regions(norm, d._EMAIL_TRIGGER, 0, lambda t: det._presidio_found(t, ("EMAIL",)))
    found += d.in_regions(norm, d._IP_TRIGGER, 0, lambda t: det._presidio_found(t, ("IP_ADDRESS",)))
    found += d.in_regions(norm, d._IBAN_TRIGGER, d._IBAN_MARGIN, lambda t: det._presidio_found(t, ("IBAN",)))
    assert d._scan_digits(norm)[1:] == (  # the digit pass gives the IBAN and IPv4 triggers their own patterns give
        [m.span() for m in d._IBAN_TRIGGER.finditer(norm)], [m.span() for m in d._IPV4_TRIGGER.finditer(norm)]
    )
    found += det._digit_ids(norm)
    found += d._phones(norm, found)
    found += d._labelled_names(norm)
    return [(x.type, x.start, x.end, x.score, x.text) for x in d.resolve_overlaps(found)]


def _stretch_rows(det: d.PiiDetector, text: str) -> list[tuple]:
    return [(x.type, x.start, x.end, x.score, x.text) for x in det._detect_normalised(normalise(text).text)]


EDGES = [
    # at the very start and end of the text, alone and with a letter or word before or after
    "4111 1111 1111 1111", "4111111111111111", "x4111 1111 1111 1111", "4111 1111 1111 1111x",
    "110101199003074514", "11010119900307451X", "A110101199003074514", "110101199003074514Z",
    "AB 12 34 56 D", "AB123456D", "xAB 12 34 56 D", "AB 12 34 56 Dx", "S1234567D", "xS1234567D", "S1234567Dx",
    "536-22-1234", "536 22 1234", "536.22.1234", "536221234", "13812345678", "+44 20 7946 0958",
    # against punctuation, '@', '_' and CJK
    "@4111 1111 1111 1111", "4111 1111 1111 1111@", "_4111 1111 1111 1111", "4111 1111 1111 1111_",
    "a@AB 12 34 56 D", "AB 12 34 56 D@b", "_AB 12 34 56 D", "卡号4111111111111111。", "（13812345678）",
    "(020) 7946 0958", "tel:+44 20 7946 0958;", "call+44 20 7946 0958", "id.110101199003074514.",
    "号110105 19491231 002X号", "JG-10-37-59-A", "x JG-10-37-59-A y", "JG/10/37/59/A", "JG_10_37_59_A",
    # every kind of separator, and separators that no pattern crosses
    "4111\t1111\t1111\t1111", "4111-1111-1111-1111", "4111.1111.1111.1111", "4111/1111/1111/1111",
    "4111_1111_1111_1111", "4111 - 1111 - 1111 - 1111", "4111    1111 1111 1111", "138 1234 5678",
    "138\n1234\n5678", "138 (1234) 5678", "+86 138-1234-5678", "0086 138 1234 5678", "138" + " " * 19 + "12345678",
    "138" + " " * 25 + "12345678", "4111\u00a01111\u00a01111\u00a01111", "4111\u20031111\u20031111\u20031111",
    "4111\u200b1111\u200b1111\u200b1111", "4111\u30001111\u30001111\u30001111",
    # full-width, mathematical and other Unicode digits
    "４１１１ １１１１ １１１１ １１１１", "１３８１２３４５６７８", "𝟒𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏",
    "١١٠١٠١١٩٩٠٠٣٠٧٤٥١٤", "११०१०११९९००३०७४५१४", "٤١١١١١١١١١١١١١١١", "AB ١٢ ٣٤ ٥٦ D", "S١٢٣٤٥٦٧D",
    "١٣٨١٢٣٤٥٦٧٨", "x١١٠١٠١١٩٩٠٠٣٠٧٤٥١٤y", "4111 ١١١١ 1111 ١١١١",
    # next to long and short words, in prose
    "Card 4111 1111 1111 1111 was charged", "The card number 4111 1111 1111 1111 expired yesterday",
    "NI number AB 12 34 56 D is on file", "ID JG 10 37 59 A ok", "a b c d 4111 1111 1111 1111 e f g h",
    "abcd efgh ijkl 536 22 1234 mnop qrst", "Applicant AB 12 34 56 D Smith", "x1 AB 12 34 56 C",
    "JG 10 37 A 4111 1111 1111 1111", "4111 1111 1111 1111 JG 10 37 59 A", "A1 B2 C3 4111 1111 1111 1111",
    "verylongword 4111 1111 1111 1111 anotherlongword", "word1 4111 1111 1111 1111 2word",
    # long runs and overlapping candidates
    "1" * 200, "4111 " * 40, "1 2 3 4 5 6 7 8 9 0 " * 10, "110101199003074514110101199003074514",
    "110101199003074514 110101199003074514", "4111 1111 1111 1111 4111 1111 1111 1111",
    "13812345678 13812345678 13812345678", "536-22-1234-536-22-1234", "1-2-3-4-5-6-7-8-9-0-1-2-3-4-5-6",
    "S1234567D1234567D", "AB 12 34 56 D 12 34 56 D", "+44 20 7946 0958 +44 20 7946 0958",
    "12345 12345 12345 12345 12345", "2024年3月1日 123456 2024 〔2024〕15号 4,200 12.3.4.5.6.7",
]


@pytest.mark.parametrize("text", EDGES)
def test_edges_same_as_reference_and_whole_text(detectors, text):
    new, old = detectors
    rows = [dataclasses.astuple(f) for f in new.detect(text)]
    assert rows == [dataclasses.astuple(f) for f in old.detect(text)]
    assert _stretch_rows(new, text) == _whole_text(new, text)
    for before, after in [("The ", " ok."), ("电话", "。"), ("\n", "\n"), ("(", ")"), ("x", "y"), ("@", "@")]:
        framed = before + text + after
        assert _stretch_rows(new, framed) == _whole_text(new, framed), framed


# Pieces chosen to sit on every boundary a stretch can stop at: long and short words, tokens with digits, each
# separator, runs of separators, characters no pattern reads, Unicode digits, '@' and '_'.
PIECES = [
    "4111", "1111", "110101", "19900307", "4514", "X", "AB", "D", "S", "1234567", "12", "34", "56", "536", "22",
    "138", "7946", "0958", "+44", "(020)", "00", "JG", "A", "abcd", "word", "longer", "identifier", "Card",
    "١٢٣", "４５６", "𝟕", "x1", "1x", "@", "_", "，", "。", "号", "£", "%", ":", "#",
]
SEPARATORS = ["", " ", "  ", "   ", "    ", "\t", "-", ".", "/", "_", "\n", " - ", "(", ")", "+", " " * 21, "\u00a0"]


@pytest.mark.parametrize("seed", range(300))
def test_random_stretches_find_what_the_whole_text_holds(detectors, seed):
    rng = random.Random(seed)
    text = "".join(rng.choice(PIECES) + rng.choice(SEPARATORS) for _ in range(rng.randint(1, 60)))
    assert _stretch_rows(detectors[0], text) == _whole_text(detectors[0], text), text


def test_stretches_are_small_on_prose_dense_with_identifiers():
    """What makes the scan fast: on the benchmark text (an identifier every ~220 characters) the stretches hold a
    small part of it (the whole text was scanned before)."""
    from bench.bench_guard import build_text

    text, _ = build_text(seed=3)
    text = normalise(text[:100_000]).text
    regions = d.digit_regions(text)
    assert sum(b - a for a, b in regions) < len(text) // 4
    assert all(a < b for a, b in regions) and all(b1 < a2 for (_, b1), (a2, _) in itertools.pairwise(regions))


@pytest.mark.parametrize("seed", range(300))
def test_digit_pass_gives_the_iban_and_ip_triggers_their_own_patterns_give(seed):
    """The IBAN trigger and the IPv4 half of the IP trigger come from the digit pass; the IP trigger's spans are those
    halves merged, exactly the spans of `_IP_TRIGGER.finditer` (which the stretches are built from)."""
    rng = random.Random(seed)
    alphabet = list("0123456789" * 3 + "..:: -abAB") + ["GB29", "de89", "x1.2.3", "1.2.3.4.5", "::ffff:", "١٢", "_", "1" * 8]
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120)))
    _, iban, ipv4 = d._scan_digits(text)
    assert iban == [m.span() for m in d._IBAN_TRIGGER.finditer(text)], text
    assert ipv4 == [m.span() for m in d._IPV4_TRIGGER.finditer(text)], text
    ip = sorted(ipv4 + [m.span() for m in d._IPV6_TRIGGER.finditer(text)])
    assert ip == [m.span() for m in d._IP_TRIGGER.finditer(text)], text
