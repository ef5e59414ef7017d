"""Guard scan throughput and recall on a generated 5 MB mixed English / Chinese text, against Presidio's
default pattern recognizers alone (default regions and flags, no NLP engine), and the guard's recall on the
evasion corpus (tests/data/guard/evasion.yaml: identifiers and markings written to slip past a matcher).
Prints figures; asserts none."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

from bench.goals import figure
from drafter.clearance import Clearance
from drafter.guard.detectors import Detection, PiiDetector, presidio_default_detect
from drafter.guard.engine import Guard
from drafter.guard.evasion import load_corpus, score
from drafter.guard.policy import BackendPolicy
from drafter.guard.scanning import split_text

TARGET_BYTES = 5 * 1024 * 1024
GOAL_MB_S = 5.0  # issue 17: at today's recall (1.000 on this corpus and on the evasion corpus)
EVASION_CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "guard" / "evasion.yaml"
FILLER_EN = [
    "The barrier protects 4,200 homes and was completed in 2024 at a cost of £48 million.",
    "Officials met residents in March to explain the new timetable for the works.",
    "Version 2.4 of the guidance replaces paragraph 12.3 of the 2019 edition.",
]
FILLER_ZH = [
    "2024年全市新增就业岗位123456个，同比增长8.5%。",
    "会议强调要做好防汛准备工作，确保群众生命财产安全。",
    "文件编号为京政发〔2024〕15号，自2024年3月1日起施行。",
]
PLANTED = [  # (type, value, English frame, Chinese frame)
    ("EMAIL", "jane.doe@example.gov.uk", "Write to {} today.", "请发送邮件至{}。"),
    ("PHONE", "13812345678", "Her mobile is {}.", "联系电话{}。"),
    ("PHONE", "+44 20 7946 0958", "Call {} after six.", "请致电{}。"),
    ("CN_RESIDENT_ID", "110101199003074514", "ID {} was checked.", "身份证号{}已核实。"),
    ("PAYMENT_CARD", "4111 1111 1111 1111", "Card {} was charged.", "卡号{}已扣款。"),
    ("IBAN", "GB29 NWBK 6016 1331 9268 19", "Pay IBAN {} now.", "汇入账户{}。"),
    ("SG_NRIC_FIN", "S1234567D", "NRIC {} was shown.", "新加坡身份证{}。"),
    ("UK_NINO", "AB 12 34 56 D", "NI number {} is on file.", "英国社保号{}。"),
    ("US_SSN", "536-22-1234", "SSN {} was given.", "美国社保号{}。"),
    ("IP_ADDRESS", "203.0.113.54", "Logins from {} were blocked.", "访问来自{}。"),
]


def build_text(seed: int = 7) -> tuple[str, list[tuple[str, int, int]]]:
    rng = random.Random(seed)
    parts: list[str] = []
    truth: list[tuple[str, int, int]] = []
    size = pos = 0
    while size < TARGET_BYTES:
        if rng.random() < 0.15:
            kind, value, en, zh = rng.choice(PLANTED)
            frame = en if rng.random() < 0.5 else zh
            before = frame.split("{}")[0]
            piece = frame.format(value) + " "
            truth.append((kind, pos + len(before), pos + len(before) + len(value)))
        else:
            piece = rng.choice(FILLER_EN + FILLER_ZH) + " "
        if rng.random() < 0.1:
            piece += "\n"
        parts.append(piece)
        pos += len(piece)
        size += len(piece.encode("utf-8"))
    return "".join(parts), truth


def recall(found: list[Detection], truth: list[tuple[str, int, int]]) -> float:
    spans = {(d.type, d.start, d.end) for d in found}
    return sum(1 for t in truth if t in spans) / len(truth)


def timed(
    label: str, fn: Callable[[], list[Detection]], mb: float, truth: list[tuple[str, int, int]]
) -> tuple[float, float]:
    started, cpu_started = time.perf_counter(), time.process_time()
    found = fn()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # CPU time too: on a machine shared with other work the wall clock measures the machine as much as the code
    print(f"{label:44} {mb / seconds:7.2f} MB/s  ({mb / cpu:.2f} MB/s of CPU time)  recall "
          f"{recall(found, truth):.3f}  ({len(found)} findings)")
    return mb / seconds, recall(found, truth)


def main() -> None:
    text, truth = build_text()
    mb = len(text.encode("utf-8")) / 1e6
    print(f"guard bench: {mb:.1f} MB mixed English/Chinese text, {len(truth)} planted identifiers")
    guard = Guard()
    policy = BackendPolicy("bench", True, Clearance.public, "pseudonymise")
    PiiDetector()  # load Presidio before timing

    def drafter_scan() -> list[Detection]:
        return [Detection(f.type, f.start, f.end, f.score, f.text)
                for f in guard.iter_findings(split_text(text), policy) if f.type != "MARKING"]

    speed, found = timed("drafter guard (windowed, markings + PII)", drafter_scan, mb, truth)
    base, base_recall = timed("presidio default pattern recognizers alone", lambda: presidio_default_detect(text),
                              mb, truth)
    cases, clean = load_corpus(EVASION_CORPUS)
    result = score(guard, cases, clean)
    print(f"{'evasion corpus recall (found / expected)':44} {result.found}/{len(result.cases)} = {result.recall:.3f}"
          f"  (clean sentences flagged: {len(result.flagged_clean)}/{len(clean)})")
    for case in result.missed:
        print(f"  missed {case.expect}: {case.text!r}")
    figure("guard scan throughput (markings + personal data)",
           f"{speed:.2f} MB/s, recall {found:.3f} (x{speed / base:.1f} Presidio's recognizers, recall {base_recall:.3f})",
           f">= {GOAL_MB_S:.0f} MB/s at recall 1.000", speed >= GOAL_MB_S and found == 1.0)
    figure("guard evasion corpus recall", f"{result.found}/{len(result.cases)}, clean flagged "
           f"{len(result.flagged_clean)}/{len(clean)}", "all found, no clean sentence flagged",
           result.recall == 1.0 and not result.flagged_clean)


if __name__ == "__main__":
    main()
