"""The guard's scan makes its findings at their offsets in the whole text straight from each window's hits
(`scanning.scan_pieces_at`), and a finding of personal data by `ScanFinding.of`: the same findings, field for field,
as making each hit moved to its offset and then a `ScanFinding` of it (the scan before), over texts of several
windows with markings and personal data on both sides of every window's edge."""

from __future__ import annotations

import dataclasses
import random

import pytest

from drafter.clearance import Clearance
from drafter.guard.engine import Guard
from drafter.guard.policy import BackendPolicy, ScanFinding, action_for
from drafter.guard.scanning import scan_pieces, split_text

POLICIES = [
    BackendPolicy("external", True, Clearance.public, "pseudonymise"),
    BackendPolicy("local", False, Clearance.secret, "allow"),
]
PIECES = ["jane.doe@example.gov.uk ", "13812345678 ", "SECRET\n", "AB 12 34 56 D ", "4111 1111 1111 1111 ",
          "Contact: Priya Shah ", "【机密】", "203.0.113.54 ", "文件编号为京政发〔2024〕15号。", "plain words ", "\n"]


def _before(guard: Guard, text: str, policy: BackendPolicy) -> list[ScanFinding]:
    out = []
    for h in scan_pieces(split_text(text), guard._scan_window):
        level = Clearance(h.level) if h.level else None
        out.append(ScanFinding(h.type, h.start, h.end, h.score, action_for(h.type, level, policy), h.text, h.line,
                               h.marking, level))
    return out


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.backend)
def test_findings_as_before_across_windows(seed, policy):
    rng = random.Random(seed)
    parts, size = [], 0
    while size < 600_000:  # three windows
        piece = rng.choice(PIECES)
        parts.append(piece)
        size += len(piece)
    text = "".join(parts)
    guard = Guard()
    new = list(guard.iter_findings(split_text(text), policy))
    old = _before(guard, text, policy)
    assert new == old
    assert [dataclasses.astuple(f) for f in new] == [dataclasses.astuple(f) for f in old]
    assert {f.type for f in new} >= {"EMAIL", "PHONE", "MARKING", "UK_NINO", "PAYMENT_CARD", "PERSON"}
    assert max(f.start for f in new) > 2 * 256 * 1024  # findings in the last window, at their offsets in the text


def test_a_finding_made_by_of_is_the_same_frozen_object():
    made = ScanFinding.of("EMAIL", 3, 9, 0.9, "redact", "a@b.cn")
    plain = ScanFinding("EMAIL", 3, 9, 0.9, "redact", "a@b.cn")
    assert made == plain and hash(made) == hash(plain) and repr(made) == repr(plain)
    assert dataclasses.astuple(made) == dataclasses.astuple(plain) and made.as_json() == plain.as_json()
    assert vars(made) == vars(plain)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.start = 4  # type: ignore[misc]


def test_window_hits_are_the_named_tuples_of_their_rows():
    from drafter.guard.normalise import normalise
    from drafter.guard.scanning import Hit

    guard = Guard()
    text = "".join(PIECES) * 3
    hits = guard._window_hits(text, 0)
    rows = guard.detector.detect_rows(normalise(text))
    personal = [h for h in hits if h.type != "MARKING"]
    assert personal == [Hit(*row) for row in rows] and all(type(h) is Hit for h in personal)
    assert [(h.marking, h.level, h.line) for h in personal] == [(None, None, None)] * len(rows) != []


@pytest.mark.parametrize("seed", range(100))
def test_overlaps_resolved_as_before(seed):
    """`resolve_overlaps` reads a Found's fields by index: the same findings kept, in the same order, as the frozen one
    (`detectors_v0`) keeps of the same rows as Detections: nested, equal, touching and overlapping spans of every type,
    with equal keys (same type, length and start) whose order decides which is kept."""
    from drafter.guard import detectors
    from tests.guard.reference import detectors_v0

    rng = random.Random(seed)
    rows = []
    for _ in range(rng.randint(0, 60)):
        start = rng.randint(0, 80)
        rows.append((rng.choice([*detectors.ENTITY_TYPES, "OTHER"]), start, start + rng.randint(1, 15),
                     rng.choice([0.6, 0.85, 0.9, 1.0]), f"t{rng.randint(0, 3)}"))
    new = detectors.resolve_overlaps([detectors.Found(*r) for r in rows])
    old = detectors_v0.resolve_overlaps([detectors_v0.Detection(*r) for r in rows])
    assert [tuple(f) for f in new] == [dataclasses.astuple(f) for f in old]


@pytest.mark.parametrize("seed", range(40))
def test_rows_are_the_findings_of_detect(seed):
    """`detect_rows` (the guard's scan) gives `detect`'s findings as rows, `detect` being held to the frozen detectors
    (`test_equivalence.py`): texts whose normalisation keeps every offset (full-width letters and digits, a full-width
    comma) and texts where it does not (a zero-width space, a ligature)."""
    from drafter.guard.detectors import PiiDetector
    from tests.guard.test_equivalence import _random_text

    detector = PiiDetector()
    for text in (_random_text(500 + seed, 0.6), _random_text(600 + seed, 0.3) + "，ｊａｎｅ＠ｅｘａｍｐｌｅ．ｏｒｇ",
                 "S\u200bECRET ﬁ " + _random_text(700 + seed, 0.5)):
        assert detector.detect_rows(text) == [dataclasses.astuple(f) for f in detector.detect(text)]
