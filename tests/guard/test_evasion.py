"""The evasion corpus (issue 20): identifiers and markings written so a pattern matcher misses them.

Recall is reported (and recorded) over the whole corpus; each case is also its own test, so a regression
names the form that slipped through. Pseudonymisation must replace what was written, not a normalised copy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drafter.errors import RefusedError
from drafter.guard.engine import Guard
from drafter.guard.evasion import EXTERNAL, EvasionCase, case_found, load_corpus, score
from drafter.guard.normalise import normalise
from drafter.guard.pseudonymise import Pseudonymiser

CORPUS = Path(__file__).resolve().parent.parent / "data" / "guard" / "evasion.yaml"
CASES, CLEAN = load_corpus(CORPUS)
PII_CASES = [c for c in CASES if c.expect != "MARKING"]
MARKING_CASES = [c for c in CASES if c.expect == "MARKING"]


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard()


def test_evasion_corpus_recall(guard: Guard, record_property: Any) -> None:
    result = score(guard, CASES, CLEAN)
    print(f"\nevasion corpus recall: {result.found}/{len(result.cases)} = {result.recall:.3f}")
    record_property("guard_evasion_recall", round(result.recall, 3))
    assert len(CASES) >= 50 and {c.expect for c in CASES} >= {"MARKING", "UK_NINO", "CN_RESIDENT_ID",
                                                               "PAYMENT_CARD", "EMAIL", "PHONE", "SG_NRIC_FIN"}
    assert result.missed == [], [c.text for c in result.missed]
    assert result.flagged_clean == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.expect}:{c.text[:30]!r}")
def test_each_evasion_form_is_found(guard: Guard, case: EvasionCase) -> None:
    assert case_found(guard, case)


@pytest.mark.parametrize("text", CLEAN, ids=lambda t: t[:30])
def test_ordinary_prose_stays_unflagged_after_normalisation(guard: Guard, text: str) -> None:
    assert guard.scan(text, EXTERNAL).findings == []


@pytest.mark.parametrize("case", PII_CASES, ids=lambda c: f"{c.expect}:{c.text[:30]!r}")
def test_pseudonymisation_replaces_the_span_as_written(guard: Guard, case: EvasionCase) -> None:
    from drafter.guard.detectors import Detection

    findings = [f for f in guard.scan(case.text, EXTERNAL).findings if f.action == "redact"]
    p = Pseudonymiser()
    safe = p.apply(case.text, [Detection(f.type, f.start, f.end, f.score, f.text) for f in findings])
    assert case.value is not None and case.value not in safe
    assert normalise(case.value).text not in normalise(safe).text  # no normalised copy left either
    assert case.value in p.mapping.values()  # the original, as written, is what is restored
    assert p.restore(safe) == case.text


@pytest.mark.parametrize("case", MARKING_CASES, ids=lambda c: c.text[:30])
def test_each_marking_form_blocks_an_external_backend(guard: Guard, case: EvasionCase) -> None:
    with pytest.raises(RefusedError, match="Nothing was sent"):
        guard.check_parts([("source 'memo.txt'", case.text)], EXTERNAL)
    with pytest.raises(RefusedError):
        guard.check_markings([("source 'memo.txt'", case.text)], EXTERNAL)


def test_marking_offsets_and_lines_are_the_original_text() -> None:
    from drafter.guard.markings import find_markings

    text = "Notes\u200b\nＳＥ\u200bＣＲＥＴ\nbody"
    [m] = find_markings(text)
    assert (m.label, m.line, text[m.start : m.end]) == ("SECRET", 2, "ＳＥ\u200bＣＲＥＴ")


def test_normalised_offsets_map_back() -> None:
    text = "a\u200bb ＪＧ１０ x…y"
    n = normalise(text)
    assert n.text == "ab JG10 x...y"
    assert n.span(0, 2) == (0, 3)  # "ab" covers the zero-width space between
    j = n.text.index("JG10")
    assert text[slice(*n.span(j, j + 4))] == "ＪＧ１０"
    k = n.text.index("...")
    assert n.span(k, k + 3) == (text.index("…"), text.index("…") + 1)
    plain = normalise("plain ASCII text")
    assert plain.identity and plain.span(2, 5) == (2, 5)
