"""Scoring the guard against an evasion corpus: identifiers and markings written to slip past a matcher.

A case is found when the guard reports a finding of the expected type whose span, in the original text,
covers the expected value (when one is given), so what is replaced is what was written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drafter.clearance import Clearance
from drafter.guard.engine import Guard
from drafter.guard.policy import BackendPolicy

EXTERNAL = BackendPolicy("evasion", True, Clearance.public, "pseudonymise")


@dataclass(frozen=True)
class EvasionCase:
    text: str
    expect: str
    value: str | None = None


@dataclass(frozen=True)
class EvasionResult:
    cases: list[EvasionCase]
    missed: list[EvasionCase]
    flagged_clean: list[str]

    @property
    def found(self) -> int:
        return len(self.cases) - len(self.missed)

    @property
    def recall(self) -> float:
        return self.found / len(self.cases) if self.cases else 1.0


def load_corpus(path: Path) -> tuple[list[EvasionCase], list[str]]:
    import yaml

    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = [EvasionCase(str(c["text"]), str(c["expect"]), c.get("value")) for c in data["cases"]]
    return cases, [str(t) for t in data.get("clean", [])]


def case_found(guard: Guard, case: EvasionCase) -> bool:
    for f in guard.scan(case.text, EXTERNAL).findings:
        if f.type != case.expect:
            continue
        if case.value is None:
            return True
        at = case.text.find(case.value)
        if at >= 0 and f.start <= at and f.end >= at + len(case.value):
            return True
    return False


def score(guard: Guard, cases: list[EvasionCase], clean: list[str]) -> EvasionResult:
    missed = [c for c in cases if not case_found(guard, c)]
    flagged = [t for t in clean if guard.scan(t, EXTERNAL).findings]
    return EvasionResult(cases, missed, flagged)
