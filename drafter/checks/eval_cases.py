"""Evaluation cases and their report: a folder of cases is drafted by the service
(`drafter.service.evaluation`) and reported with what the checks find.

A case is a YAML file:

    template: briefing                 # template id
    style_guide: house-style           # optional; the template's default otherwise
    inputs: {subject: ..., ...}        # or  inputs_file: path/to/inputs.yaml  (relative to the case)
    sources:                           # optional
      - path: ../barrier-report.txt    # relative to the case file
      - name: note.txt
        text: Inline source text.
    expect:                            # optional: the expected answers
      facts: [4,200 homes, 12 March 2026]   # what a good draft states
    source_url: https://...            # optional notes: where a real document came from, its licence
    licence: Open Government Licence v3.0

Each case is drafted by the service (so exactly as a user's draft is) and reported with: sections
produced, blocking findings, unsupported facts, warnings, readability against the style guide's target,
time and tokens, and the figures of `eval_metrics` (sentences with verified evidence, unsupported figures
and names, duplicates, length against the limits, expected facts found). `EvalReport.by_template` adds
them up per template. A team runs the same folder against two backends or two prompt versions and compares.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from drafter.checks.style_lint import MIN_WORDS_FOR_READABILITY
from drafter.errors import InputError
from drafter.models import DraftRequest, SourceDoc, StyleGuide

EVAL_USER = "eval"


@dataclass
class CaseResult:
    case: str
    template: str | None = None
    backend: str | None = None
    model: str | None = None
    draft_id: str | None = None
    sections: int = 0
    blocking: int = 0
    unsupported_facts: int = 0
    warnings: int = 0
    info: int = 0
    sections_scored: int = 0
    sections_within_target: int = 0
    readability: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    evidence_sentences: int = 0
    evidence_verified: int = 0
    unsupported: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    sections_measured: int = 0
    sections_over_length: list[str] = field(default_factory=list)
    length: int = 0
    length_limit: int = 0
    expected: int = 0
    expected_found: int = 0
    expected_missing: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class EvalReport:
    folder: str
    backend: str | None
    cases: list[CaseResult]

    @property
    def ok(self) -> bool:
        return all(c.error is None for c in self.cases)

    def totals(self) -> dict[str, Any]:
        ran = [c for c in self.cases if c.error is None]
        keys = ("sections", "blocking", "unsupported_facts", "warnings", "info", "sections_scored",
                "sections_within_target", "input_tokens", "output_tokens")
        totals: dict[str, Any] = {k: sum(getattr(c, k) for c in ran) for k in keys}
        totals["cases"] = len(self.cases)
        totals["failed"] = len(self.cases) - len(ran)
        totals["seconds"] = round(sum(c.seconds for c in self.cases), 3)
        return totals

    def by_template(self) -> dict[str, dict[str, Any]]:
        """The evaluation figures added up per template, over the cases that ran."""
        out: dict[str, dict[str, Any]] = {}
        for c in self.cases:
            if c.error is not None or c.template is None:
                continue
            t = out.setdefault(c.template, {k: 0 for k in _TEMPLATE_SUMS} | {"cases": 0})
            t["cases"] += 1
            for k in _TEMPLATE_SUMS:
                value = getattr(c, k)
                t[k] += len(value) if isinstance(value, list) else value
        for t in out.values():
            n = t["evidence_sentences"]
            t["evidence_percent"] = round(100 * t["evidence_verified"] / n, 1) if n else None
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "backend": self.backend, "ok": self.ok,
                "cases": [asdict(c) for c in self.cases], "templates": self.by_template(), "totals": self.totals()}


_TEMPLATE_SUMS = ("sections", "evidence_sentences", "evidence_verified", "unsupported", "duplicates",
                  "sections_measured", "sections_over_length", "length", "length_limit", "sections_scored",
                  "sections_within_target", "expected", "expected_found")


def load_expected(path: Path) -> list[str]:
    """The expected facts of a case (`expect: {facts: [...]}`), or InputError naming the file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    expect = raw.get("expect") if isinstance(raw, dict) else None
    if expect is None:
        return []
    facts = expect.get("facts") if isinstance(expect, dict) else None
    if not isinstance(facts, list) or not all(isinstance(f, str | int | float) for f in facts):
        raise InputError("{name}: 'expect' needs 'facts', a list of the facts a good draft states.", name=path.name)
    return [str(f) for f in facts]


def load_case(path: Path) -> DraftRequest:
    """Read one case file into a DraftRequest, or raise InputError naming the file and the problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(
            "{path_name}: not valid YAML ({reason}).",
            path_name=path.name, reason=str(exc).splitlines()[0],
        ) from exc
    if not isinstance(raw, dict) or "template" not in raw:
        raise InputError(
            "{path_name}: a case is a mapping with at least a 'template' key.",
            path_name=path.name,
        )
    inputs = raw.get("inputs") or {}
    if "inputs_file" in raw:
        inputs_path = path.parent / str(raw["inputs_file"])
        if not inputs_path.is_file():
            raise InputError(
                "{path_name}: inputs_file {inputs_file} not found.",
                path_name=path.name, inputs_file=raw['inputs_file'],
            )
        inputs = yaml.safe_load(inputs_path.read_text(encoding="utf-8")) or {}
    if not isinstance(inputs, dict):
        raise InputError("{path_name}: inputs must be a mapping of field name to value.", path_name=path.name)
    sources = []
    for i, item in enumerate(raw.get("sources") or [], start=1):
        if isinstance(item, dict) and "path" in item:
            source_path = path.parent / str(item["path"])
            if not source_path.is_file():
                raise InputError(
                    "{path_name}: source {source} not found.",
                    path_name=path.name, source=item['path'],
                )
            sources.append(SourceDoc(name=source_path.name, text=source_path.read_text(encoding="utf-8")))
        elif isinstance(item, dict) and "text" in item:
            sources.append(SourceDoc(name=str(item.get("name") or f"source-{i}"), text=str(item["text"])))
        else:
            raise InputError(
                "{path_name}: source {number} needs a 'path' or a 'text'.",
                path_name=path.name, number=i,
            )
    return DraftRequest(
        template_id=str(raw["template"]),
        inputs={str(k): "\n".join(map(str, v)) if isinstance(v, list) else ("" if v is None else str(v))
                for k, v in inputs.items()},
        sources=sources,
        style_guide_id=raw.get("style_guide"),
    )


def within_target(metrics: dict[str, Any], guide: StyleGuide) -> bool | None:
    """Whether one section's readability meets the guide's target; None when it is too short to score."""
    target = guide.readability
    if metrics.get("language") == "zh":
        if not metrics.get("sentences"):
            return None
        ok = not target.max_avg_sentence_chars or metrics["avg_sentence_chars"] <= target.max_avg_sentence_chars
        if target.max_uncommon_char_share is not None:
            ok = ok and metrics["uncommon_char_share"] <= target.max_uncommon_char_share
        return ok
    if metrics.get("words", 0) < MIN_WORDS_FOR_READABILITY:
        return None
    ok = target.max_grade is None or metrics["flesch_kincaid_grade"] <= target.max_grade
    if target.min_reading_ease is not None:
        ok = ok and metrics["flesch_reading_ease"] >= target.min_reading_ease
    return ok
