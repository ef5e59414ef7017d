"""The guard's fast path (scanning only the stretches around what an identifier needs) must find exactly what
a scan of the whole text finds: sparse and dense text, identifiers at the edges of stretches, next to Chinese
characters, split by separators, written in full-width forms, and look-alikes that must stay unfound."""

from __future__ import annotations

import random

import pytest

from drafter.guard import detectors
from drafter.guard.detectors import PiiDetector

IDENTIFIERS = [
    "jane.doe@example.gov.uk", "13812345678", "+44 20 7946 0958", "110101199003074514", "4111 1111 1111 1111",
    "GB29 NWBK 6016 1331 9268 19", "S1234567D", "AB 12 34 56 D", "536-22-1234", "203.0.113.54",
    "2001:db8::ff00:42:8329", "JG-10-37-59-A", "110105 19491231 002X", "4111.1111.1111.1111",
    "6222 0210 0123 4567 870", "ｊａｎｅ＠ｅｘａｍｐｌｅ．ｏｒｇ", "２０３．０．１１３．５４", "Contact: Priya Shah",
    "姓名：张伟", "13812345670", "4111 1111 1111 1112", "123456", "2024年3月1日",
]
FILLER = [
    "The barrier protects 4,200 homes and was completed in 2024. ", "会议强调要做好防汛准备工作。",
    "文件编号为京政发〔2024〕15号。", "Version 2.4 replaces paragraph 12.3. ", "x" * 700, "长" * 700, "\n", "\n\n",
    " ", "a-b/c.d_e ", "time 12:30:45 ",
]


@pytest.fixture(scope="module")
def detector() -> PiiDetector:
    return PiiDetector()


def _whole(detector: PiiDetector, text: str, monkeypatch: pytest.MonkeyPatch) -> list[detectors.Detection]:
    with monkeypatch.context() as m:
        m.setattr(detectors, "candidate_regions", lambda *args: None)
        real = detectors._scan_digits

        def whole(text: str, *flags: bool) -> tuple:
            _, iban, ip = real(text, *flags)
            return [(0, len(text))] if text else [], iban, ip

        m.setattr(detectors, "_scan_digits", whole)  # the digit group over the whole text too
        return detector.detect(text)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("density", [0.02, 0.2, 0.6])
def test_fast_path_finds_what_a_whole_scan_finds(detector, monkeypatch, seed, density):
    rng = random.Random(seed * 100 + int(density * 10))
    parts = []
    for _ in range(rng.randint(20, 160)):
        if rng.random() < density:
            value = rng.choice(IDENTIFIERS)
            glue = rng.choice(["", " ", "电话", "，", "(", "\n", "x"])
            parts.append(glue + value + rng.choice(["", " ", "。", ")", "\n", "y"]))
        else:
            parts.append(rng.choice(FILLER))
    text = "".join(parts)
    assert detector.detect(text) == _whole(detector, text, monkeypatch)


def test_regions_are_used_on_sparse_text():
    text = ("会议强调要做好防汛准备工作。" * 300) + "请发送邮件至jane.doe@example.gov.uk。" + ("Officials met residents. " * 300)
    regions = detectors.candidate_regions(text, detectors._EMAIL_TRIGGER, 0)
    assert regions is not None and len(regions) == 1
    a, b = regions[0]
    assert "jane.doe@example.gov.uk" in text[a:b] and b - a < 200
    assert detectors.digit_regions(text) == []


def test_no_safe_edge_means_a_whole_scan():
    text = "q" * 2000 + "jane.doe@example.gov.uk" + "q" * 2000
    assert detectors.candidate_regions(text, detectors._EMAIL_TRIGGER, 0) is None


# --- a prompt to a backend allowed personal data is searched for markings only: every message still is ---------


def _prompt(*contents: str):
    from drafter.backends.base import ChatRequest, Message

    return ChatRequest(messages=tuple(Message("human", c) for c in contents), context={"inputs": {"subject": "x"}})


@pytest.mark.parametrize("marked", [
    "Background written earlier:\nTOP SECRET\nThe plan.",  # a line marking in text that is no input or source
    "See [secret] attached.", "S E C R E T", "密级：机密", "ＳＥＣＲＥＴ//NOFORN",
])
def test_a_marking_anywhere_in_a_prompt_still_blocks_a_backend_allowed_personal_data(marked):
    from drafter.clearance import Clearance
    from drafter.errors import RefusedError
    from drafter.guard.engine import Guard
    from drafter.guard.policy import BackendPolicy
    from drafter.guard.pseudonymise import Pseudonymiser

    policy = BackendPolicy("local", False, Clearance.public, "allow")
    with pytest.raises(RefusedError):
        Guard().prepare_prompt(_prompt("System rules.", marked), policy, Pseudonymiser({}, {}))


def test_personal_data_is_sent_unchanged_to_a_backend_allowed_it():
    from drafter.clearance import Clearance
    from drafter.guard.engine import Guard
    from drafter.guard.policy import BackendPolicy
    from drafter.guard.pseudonymise import Pseudonymiser

    request = _prompt("Write to jane.doe@example.gov.uk or call 13812345678.")
    sent, report = Guard().prepare_prompt(
        request, BackendPolicy("local", False, Clearance.public, "allow"), Pseudonymiser({}, {})
    )
    assert sent == request and not report.findings
    sent, report = Guard().prepare_prompt(
        request, BackendPolicy("remote", True, Clearance.public, "pseudonymise"), Pseudonymiser({}, {})
    )
    assert "jane.doe@example.gov.uk" not in sent.messages[0].content and len(report.findings) == 2


@pytest.mark.parametrize("seed", range(12))
def test_rows_are_the_findings(detector, seed):
    """The guard's scan reads `detect_rows`: the same findings as `detect`, field for field, with and without
    characters that normalisation changes."""
    import dataclasses

    rng = random.Random(500 + seed)
    text = "".join(rng.choice(IDENTIFIERS + FILLER + ["，", "\u200b", "ＳＥＣＲＥＴ"]) for _ in range(rng.randint(1, 80)))
    for t in (text, "".join(c for c in text if c.isascii())):  # (the second is its own normal form)
        assert detector.detect_rows(t) == [dataclasses.astuple(f) for f in detector.detect(t)]


LABEL_PIECES = ["Name", "Full name", "Contact", "Applicant", "Claimant", "Dear", "姓名", "联系人", "申请人", "当事人", "经办人",
                "Nam", "Dea", "Ful", "姓", "联系", ": ", "：", " ", "\">", "Mr ", "Dr. ", "Priya Shah", "Ann Lee-Wong", "张伟",
                "李娜", "x", "N", "\n", "Name: ", "DearDear ", "NameName", "Contact:Contact: Bob Jones"]


@pytest.mark.parametrize("seed", range(200))
def test_labels_side_by_side_are_all_tried(seed):
    """Labels are found by their first character with the rest looked ahead: labels inside, after and overlapping
    one another give the matches of the whole pattern."""
    rng = random.Random(700 + seed)
    text = "".join(rng.choice(LABEL_PIECES) for _ in range(rng.randint(1, 30)))
    assert [m.span() for m in detectors._labelled_matches(text)] == [m.span() for m in detectors._NAME_LABELLED.finditer(text)]
