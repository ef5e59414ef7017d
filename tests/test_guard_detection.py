"""Guard detection: checksums, the labelled corpus (per-type recall and precision), markings, offline use,
bounded-memory scanning of large and bad files, pseudonymisation and the decision-purpose rule."""

from __future__ import annotations

import socket
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from drafter.clearance import Clearance
from drafter.errors import InputError
from drafter.guard import checksums, detectors, risk
from drafter.guard.detectors import Detection, PiiDetector
from drafter.guard.engine import Guard
from drafter.guard.markings import find_markings
from drafter.guard.policy import BackendPolicy
from drafter.guard.pseudonymise import Pseudonymiser
from drafter.guard.scanning import scan_pieces, split_text

CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "guard_corpus.yaml").read_text(encoding="utf-8"))
EXTERNAL = BackendPolicy("ext", True, Clearance.public, "pseudonymise")


@pytest.fixture(scope="module")
def detector() -> PiiDetector:
    return PiiDetector()


# --- checksums -------------------------------------------------------------------------------------


def test_checksums_accept_valid_and_reject_look_alikes() -> None:
    assert checksums.cn_resident_id_valid("110101199003074514")
    assert checksums.cn_resident_id_valid("44030419851231002x")
    assert not checksums.cn_resident_id_valid("110101199003074515")  # wrong check digit
    assert not checksums.cn_resident_id_valid("110101199002304518")  # 30 February
    assert not checksums.cn_resident_id_valid("110101209901014517")  # born in the future
    assert checksums.sg_nric_valid("S1234567D") and checksums.sg_nric_valid("G1122334L")
    assert not checksums.sg_nric_valid("S1234567A")
    assert checksums.uk_nino_valid("AB 12 34 56 D")
    assert not checksums.uk_nino_valid("BG123456A") and not checksums.uk_nino_valid("DA123456A")
    assert not checksums.uk_nino_valid("AB123456E")
    assert checksums.us_ssn_valid("536-22-1234")
    for bad in ("000-12-3456", "666-12-3456", "912-12-3456", "536-00-1234", "536-22-0000", "078-05-1120"):
        assert not checksums.us_ssn_valid(bad), bad
    assert checksums.luhn_valid("4111 1111 1111 1111") and not checksums.luhn_valid("4111 1111 1111 1112")
    assert checksums.iban_valid("GB29 NWBK 6016 1331 9268 19") and not checksums.iban_valid("GB29NWBK60161331926818")


# --- the labelled corpus ---------------------------------------------------------------------------


def _score_corpus(detector: PiiDetector) -> dict[str, dict[str, float]]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for item in CORPUS["items"]:
        expected = Counter((t, str(v)) for t, v in item["expect"])
        found = Counter((d.type, d.text) for d in detector.detect(item["text"]))
        for key in expected | found:
            hit = min(expected[key], found[key])
            tp[key[0]] += hit
            fp[key[0]] += found[key] - hit
            fn[key[0]] += expected[key] - hit
    out = {}
    for kind in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else 1.0
        r = tp[kind] / (tp[kind] + fn[kind]) if tp[kind] + fn[kind] else 1.0
        out[kind] = {"precision": p, "recall": r, "support": tp[kind] + fn[kind]}
    total_tp, total_fp, total_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    out["ALL"] = {"precision": total_tp / (total_tp + total_fp), "recall": total_tp / (total_tp + total_fn),
                  "support": total_tp + total_fn}
    return out


def test_corpus_recall_and_precision_per_type(detector: PiiDetector, record_property: Any) -> None:
    scores = _score_corpus(detector)
    print("\nguard corpus: type, precision, recall, support")
    for kind, s in scores.items():
        print(f"  {kind:16} P={s['precision']:.2f} R={s['recall']:.2f} n={s['support']:.0f}")
        record_property(f"guard_{kind}_precision", round(s["precision"], 3))
        record_property(f"guard_{kind}_recall", round(s["recall"], 3))
    assert set(detectors.ENTITY_TYPES) <= set(scores), "the corpus covers every entity type"
    assert scores["ALL"]["recall"] >= 0.95 and scores["ALL"]["precision"] >= 0.95
    for kind in detectors.ENTITY_TYPES:
        assert scores[kind]["recall"] >= 0.8, (kind, scores[kind])
        assert scores[kind]["precision"] >= 0.8, (kind, scores[kind])


@pytest.mark.parametrize("item", [i for i in CORPUS["items"] if not i["expect"]], ids=lambda i: i["text"][:40])
def test_look_alikes_and_ordinary_text_are_not_flagged(detector: PiiDetector, item: dict[str, Any]) -> None:
    assert detector.detect(item["text"]) == []


@pytest.mark.parametrize(("text", "labels"), CORPUS["markings"], ids=lambda v: str(v)[:30])
def test_markings_as_markings_not_as_words(text: str, labels: list[str]) -> None:
    assert [m.label for m in find_markings(text)] == labels


def test_marking_levels_and_lines() -> None:
    marks = find_markings("Subject: visit\n\n机密★5年\nTOP SECRET//NOFORN")
    assert [(m.label, m.level, m.line) for m in marks] == [
        ("机密", Clearance.secret, 3), ("TOP SECRET", Clearance.top_secret, 4)]
    assert Clearance.restricted.allows(Clearance.public) and not Clearance.public.allows(Clearance.restricted)


# --- offline ---------------------------------------------------------------------------------------


def test_detection_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Presidio's email recognizer would fetch the public-suffix list; ours uses the bundled snapshot."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the guard tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    detectors._offline_tld_extractor.cache_clear()
    found = PiiDetector().detect("Write to ops@agency.gov.sg or 张三 at zhang@example.cn.")
    assert [(d.type, d.text) for d in found] == [("EMAIL", "ops@agency.gov.sg"), ("EMAIL", "zhang@example.cn")]
    assert PiiDetector().detect("not-an-email@localhost") == []


# --- bounded-memory scanning -----------------------------------------------------------------------


def test_windowed_scan_finds_the_same_as_a_whole_scan(detector: PiiDetector) -> None:
    guard = Guard()
    line = "Case 12: write to jane.doe@example.gov.uk, call 13812345678, ID 110101199003074514.\n"
    text = "SECRET\n" + line * 40 + "x" * 500 + "4111111111111111" + "y" * 300 + "\n机密★5年\n" + line
    whole = [(h.type, h.start, h.end) for h in guard._window_hits(text, 0)]
    windowed = [(h.type, h.start, h.end) for h in scan_pieces(split_text(text, 37), guard._window_hits,
                                                                window=400, overlap=60)]
    assert sorted(windowed) == sorted(whole)
    assert len(windowed) == len(set(windowed)), "no finding reported twice across windows"
    for kind, start, end in windowed:
        if kind == "EMAIL":
            assert text[start:end] == "jane.doe@example.gov.uk"
    marks = [h for h in scan_pieces(split_text(text, 37), guard._window_hits, window=400, overlap=60)
             if h.type == "MARKING"]
    assert [(m.marking, m.line) for m in marks] == [("SECRET", 1), ("机密", 43)]


def test_file_scan_refuses_binary_and_non_utf8_files(tmp_path: Path) -> None:
    guard = Guard()
    binary = tmp_path / "photo.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Café notes\n".encode("latin-1"))
    with pytest.raises(InputError, match="binary file"):
        list(guard.scan_file(binary, EXTERNAL))
    with pytest.raises(InputError, match=r"not UTF-8 text \(invalid byte at offset 3\)"):
        list(guard.scan_file(latin, EXTERNAL))
    good = tmp_path / "bom.txt"
    good.write_bytes("\ufeffmail a.b@example.org".encode())
    [finding] = list(guard.scan_file(good, EXTERNAL))
    assert (finding.type, finding.start, finding.end, finding.action) == ("EMAIL", 5, 20, "redact")


# --- pseudonymisation ------------------------------------------------------------------------------


def test_placeholders_are_stable_and_restored(detector: PiiDetector) -> None:
    p = Pseudonymiser()
    text = "Mail jane@example.org, call 13812345678, then mail jane@example.org again; bob@example.org too."
    safe = p.apply(text, detector.detect(text))
    assert safe == "Mail [EMAIL_1], call [PHONE_1], then mail [EMAIL_1] again; [EMAIL_2] too."
    # a later call for the same draft reuses the mapping
    again = Pseudonymiser(p.mapping, p.types)
    assert again.apply("cc bob@example.org", detector.detect("cc bob@example.org")) == "cc [EMAIL_2]"
    assert again.new == []
    reply = "Write to [EMAIL_1] (or EMAIL_2), phone ［PHONE_1］; [email_1] again. [EMAIL_9] is unknown."
    assert again.restore(reply) == (
        "Write to jane@example.org (or bob@example.org), phone 13812345678; jane@example.org again. "
        "[EMAIL_9] is unknown.")


def test_streamed_placeholders_are_restored_across_token_boundaries() -> None:
    p = Pseudonymiser({"[EMAIL_1]": "jane@example.org", "[PHONE_12]": "13812345678"})
    tokens = ["Contact ", "[EM", "AIL", "_1", "] or ", "[PHONE_1", "2]", " today", "."]
    out = list(p.restore_stream(tokens))
    assert "".join(out) == "Contact jane@example.org or 13812345678 today."
    assert all("[" not in piece for piece in out)


# --- decisions about individuals ---------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Decide whether the applicant is eligible for housing benefit.",
    "Draft the letter refusing her claim for disability allowance.",
    "Assess the claimant's entitlement to a pension and grant or refuse it.",
    "审核申请人是否符合低保资格并作出决定。",
    "决定是否给予该户家庭住房补贴。",
])
def test_decisions_on_individuals_are_recognised(text: str) -> None:
    assert risk.decision_sentence(text)


@pytest.mark.parametrize("text", [
    "Inform a decision or prepare the reader for a meeting.",
    "The Minister opens the Riverside Flood Barrier on 12 March 2026 and will speak to the press.",
    "Explain the new housing benefit rules to residents in plain language.",
    "向社会公众解读低保政策调整的主要内容。",
    "The committee will decide on the budget for the flood barrier.",
])
def test_ordinary_purposes_are_not_refused(text: str) -> None:
    assert risk.decision_sentence(text) is None


def test_detection_is_typed() -> None:
    d = Detection("EMAIL", 0, 3, 1.0, "a@b")
    assert (d.type, d.end) == ("EMAIL", 3)
