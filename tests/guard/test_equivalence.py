"""The faster guard (issue 17) finds exactly what the guard before it found. The old detectors and marking
finder are kept, frozen, in `tests/guard/reference/` as the oracle; both are run over the benchmark corpus,
the evasion corpus and random text mixing identifiers, labels, markings, look-alikes and ordinary prose."""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path

import pytest

from drafter.caseless import ASCII_FOLDS
from drafter.guard import markings
from drafter.guard.detectors import PiiDetector
from drafter.guard.evasion import load_corpus
from drafter.guard.markings import find_markings
from tests.guard.reference import detectors_v0, markings_v0

EVASION = Path(__file__).resolve().parent.parent / "data" / "guard" / "evasion.yaml"

IDENTIFIERS = [
    "jane.doe@example.gov.uk", "13812345678", "+44 20 7946 0958", "110101199003074514", "4111 1111 1111 1111",
    "GB29 NWBK 6016 1331 9268 19", "S1234567D", "AB 12 34 56 D", "536-22-1234", "203.0.113.54",
    "2001:db8::ff00:42:8329", "JG-10-37-59-A", "110105 19491231 002X", "4111.1111.1111.1111",
    "6222 0210 0123 4567 870", "ｊａｎｅ＠ｅｘａｍｐｌｅ．ｏｒｇ", "２０３．０．１１３．５４", "13812345670",
    "4111 1111 1111 1112", "123456", "2024年3月1日", "+1 202 555 0143", "020 7946 0958", "::ffff:192.0.2.128",
    "fe80::1%eth0", "::", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "10.0.0.1/24", "1.2.3", "a::b:c",
    "DE89 3704 0044 0532 0130 00", "de89370400440532013000", "GB82-WEST-1234-5698-7654-32", "T1234567J", "f1234567n",
    "AB123456C", "ab 12 34 56 c", "536 22 1234", "536.22.1234", "536221234", "53622-1234", "5362-21234",
]
LABELS = [
    "Contact: Priya Shah", "Dear Mr John Smith", "Full name: Ann Lee-Wong", "姓名：张伟", "联系人：李娜",
    "Name Ann", "ContactPriya Shah", "Applicant\">Bob Jones", "Claimant: dr who", "经办人 王五",
]
MARKINGS = [
    "TOP SECRET", "Secret//NOFORN", "S E C R E T", "s.e.c.r.e.t", "[secret]", "(CONFIDENTIAL)", "【机 密】",
    "〔内部〕", "Classification: Secret", "密级：机密", "机密★5年", "★绝密", "内部资料", "OFFICIAL-SENSITIVE",
    "| SECRET | Handling", "SECRET\tHandling", "PROTECTED B", "p r e s t r i c t e d", "ＳＥＣＲＥＴ", "S\u200bECRET",
    "SЕCRЕT", "Secret - UK Eyes Only", "# OFFICIAL-SENSITIVE", "R E S T R I C T E D", "o f f i c i a l sensitive",
    "\u0130nternal SECRET", "\u017fecret", "\u212aey: TOP \u017fECRET", "restrıcted",
]
PROSE = [
    "The barrier protects 4,200 homes and was completed in 2024. ", "会议强调要做好防汛准备工作。",
    "文件编号为京政发〔2024〕15号。", "Version 2.4 replaces paragraph 12.3. ", "the secret of good drafting ",
    "Secretary of State ", "a confidential chat ", "The SECRET service budget ", "机密文件的管理规定", "内部管理 ",
    "Officials met residents. ", "protected areas ", "restricted access ", "x" * 300, "长" * 300, "\n", "\n\n",
    " ", "a-b/c.d_e ", "time 12:30:45 ", "s e ", "t o p ", "p r ", "| ", "\t", "Name", "Contact ", "姓名",
]


def _rows(found: list) -> list[tuple]:
    """Findings as plain tuples: the old and new modules have their own (equal-shaped) classes."""
    return [dataclasses.astuple(f) for f in found]


def _random_text(seed: int, density: float) -> str:
    rng = random.Random(seed)
    parts = []
    for _ in range(rng.randint(20, 200)):
        r = rng.random()
        if r < density:
            pool = rng.choice([IDENTIFIERS, LABELS, MARKINGS])
            glue = rng.choice(["", " ", "电话", "，", "(", "\n", "x", "|", "\t"])
            parts.append(glue + rng.choice(pool) + rng.choice(["", " ", "。", ")", "\n", "y", "|"]))
        else:
            parts.append(rng.choice(PROSE))
    return "".join(parts)


@pytest.fixture(scope="module")
def detectors() -> tuple[PiiDetector, detectors_v0.PiiDetector]:
    return PiiDetector(), detectors_v0.PiiDetector()


def _evasion_texts() -> list[str]:
    cases, clean = load_corpus(EVASION)
    return [c.text for c in cases] + clean


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("density", [0.05, 0.3, 0.8])
def test_random_text_same_findings(detectors, seed, density):
    new, old = detectors
    text = _random_text(seed * 7 + int(density * 100), density)
    assert _rows(new.detect(text)) == _rows(old.detect(text))
    assert _rows(find_markings(text)) == _rows(markings_v0.find_markings(text))
    assert _rows(find_markings(text, line_offset=9)) == _rows(markings_v0.find_markings(text, line_offset=9))


def test_evasion_corpus_same_findings(detectors):
    new, old = detectors
    for text in _evasion_texts():
        assert _rows(new.detect(text)) == _rows(old.detect(text)), text
        assert _rows(find_markings(text)) == _rows(markings_v0.find_markings(text)), text


def test_benchmark_corpus_same_findings(detectors):
    from bench.bench_guard import build_text

    new, old = detectors
    text, _ = build_text(seed=11)
    text = text[:200_000]
    assert _rows(new.detect(text)) == _rows(old.detect(text))
    assert _rows(find_markings(text)) == _rows(markings_v0.find_markings(text))
    marked = text[:50_000] + "\nSECRET\n" + text[50_000:100_000] + " [restricted] " + text[100_000:]
    assert _rows(find_markings(marked)) == _rows(markings_v0.find_markings(marked)) != []


@pytest.mark.parametrize("seed", range(300))
def test_marking_word_probe_answers_as_the_slow_search(seed):
    rng = random.Random(seed)
    alphabet = list("secrtopfidnalSECRTOPFIDNAL .-_*·\t/\n|") + ["\u0130", "\u0131", "\u017f", "\u212a", "内部", "机", "密"]
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
    assert markings._has_marking_word(text) == (markings._ANY_MARKING_WORD.search(text) is not None), text


def test_every_character_a_case_insensitive_pattern_reads_as_an_ascii_letter_is_known():
    """The probe lower-cases the text with `str.lower`; a character that `re` (?i) pairs with an ASCII letter
    but `str.lower` does not map to it must be one the probe sends to the slow, exact search."""
    letter = re.compile("(?i)[a-z]")
    odd = [
        chr(c) for c in range(0x80, 0x30000)
        if not 0xD800 <= c <= 0xDFFF and letter.fullmatch(chr(c)) and not re.fullmatch("[a-z]", chr(c).lower())
    ]
    assert set(odd) <= set(ASCII_FOLDS), odd


def test_labelled_names_are_the_matches_of_the_whole_pattern():
    from drafter.guard import detectors as d

    for seed in range(60):
        text = _random_text(seed, 0.6)
        assert [m.span() for m in d._labelled_matches(text)] == [m.span() for m in d._NAME_LABELLED.finditer(text)]


def test_joined_forms_lengths_are_the_patterns_own():
    """`_JOINED_BY_LENGTH` skips a form for a value of a length its pattern cannot match: the bounds in the table
    must be the pattern's own shortest and longest match."""
    from re import _parser  # type: ignore[attr-defined]

    from drafter.guard import detectors as d

    for kind, pattern, _, _, bounds in d._JOINED:
        assert _parser.parse(pattern.pattern).getwidth() == bounds, kind


@pytest.mark.parametrize("seed", range(20))
def test_pattern_recognizers_answer_as_presidio_does(detectors, seed):
    """`_analyze` runs Presidio's own patterns and validators without its analyzer: same results, same order."""
    from drafter.guard import detectors as d

    text = _random_text(1000 + seed, 0.5)
    for _, recognizer, _ in detectors[0]._presidio:
        ours = [(r.entity_type, r.start, r.end, r.score) for r in d._analyze(recognizer, text)]
        theirs = [(r.entity_type, r.start, r.end, r.score) for r in recognizer.analyze(text, recognizer.supported_entities)]
        assert ours == theirs


def test_every_iban_match_holds_its_trigger():
    """The IBAN recognizer scans only around its trigger: each of its matches must hold one, and be no longer than
    the margin. (The NRIC recognizer runs in the digit group's stretches, tested in test_digit_regions.py.)"""
    from drafter.guard import detectors as d

    recognizer = next(r for kind, r, _ in PiiDetector()._presidio if kind == "IBAN")
    for seed in range(30):
        text = _random_text(2000 + seed, 0.7) + " de89 3704 0044 0532 0130 00 GB82-WEST-1234-5698-7654-32 t1234567z"
        for r in recognizer.analyze(text, recognizer.supported_entities):
            assert r.end - r.start <= d._IBAN_MARGIN and d._IBAN_TRIGGER.search(text[r.start : r.end]), text[r.start : r.end]


@pytest.mark.parametrize("seed", range(200))
def test_duplicates_removed_as_presidio_removes_them(seed):
    """`_remove_duplicates` on plain tuples answers as Presidio's `EntityRecognizer.remove_duplicates`: overlapping,
    nested, equal and zero-score results of one type."""
    from presidio_analyzer import EntityRecognizer, RecognizerResult

    from drafter.guard import detectors as d

    rng = random.Random(seed)
    rows = []
    for _ in range(rng.randint(0, 25)):
        start = rng.randint(0, 30)
        rows.append((start, start + rng.randint(1, 12), rng.choice([0, 0.05, 0.3, 0.5, 0.6, 0.85, 1.0])))
    rows += rng.sample(rows, min(len(rows), 3))  # equal results too
    theirs = EntityRecognizer.remove_duplicates([RecognizerResult("X", a, b, s) for a, b, s in rows])
    ours = d._remove_duplicates([d._Result("X", a, b, s) for a, b, s in rows])
    assert [(r.start, r.end, r.score) for r in ours] == [(r.start, r.end, r.score) for r in theirs]


IBANS = [
    "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "de89370400440532013000", "GB29 NWBK 6016 1331 9268 19",
    "GB29NWBK60161331926819", "GB82-WEST-1234-5698-7654-32", "GB82 WEST 1234 5698 7654 33", "FR14 2004 1010 0505 0001 3M02 606",
    "MT84 MALT 0110 0001 2345 MTLC AST0 01S", "NO93 8601 1117 947", "XX00 0000 0000 0000", "AB12 CDEF GHIJ KLMN OP",
]


@pytest.mark.parametrize("seed", range(60))
def test_iban_recognizer_answers_as_presidio_does(detectors, seed):
    """`_analyze_iban` follows IbanRecognizer's own matching (the span shortened group by group until it validates):
    IBANs followed by more digits or words ("… 2 days"), in any case, with check digits wrong, glued to text."""
    from drafter.guard import detectors as d

    rng = random.Random(seed)
    parts = []
    for _ in range(rng.randint(1, 12)):
        iban = rng.choice(IBANS)
        parts.append(rng.choice(["", " ", "x", "IBAN ", "(", "1"]) + iban + rng.choice(["", " 2 days", " 12", "Z", ") ", "-1234"]))
    text = rng.choice([" ", "", "\n"]).join(parts)
    recognizer = next(r for kind, r, _ in detectors[0]._presidio if kind == "IBAN")
    ours = [(r.entity_type, r.start, r.end, r.score) for r in d._analyze(recognizer, text)]
    theirs = [(r.entity_type, r.start, r.end, r.score) for r in recognizer.analyze(text, recognizer.supported_entities)]
    assert ours == theirs, text
