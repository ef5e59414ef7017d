"""The evaluation harness: run a folder of cases through drafting and report what the checks find.

A case is a YAML file:

    template: briefing                 # template id
    style_guide: house-style           # optional; the template's default otherwise
    inputs: {subject: ..., ...}        # or  inputs_file: path/to/inputs.yaml  (relative to the case)
    sources:                           # optional
      - path: ../barrier-report.txt    # relative to the case file
      - name: note.txt
        text: Inline source text.

Each case is drafted by the service (so exactly as a user's draft is) and reported with: sections
produced, blocking findings, unsupported facts, warnings, readability against the style guide's target,
time and tokens. A team runs the same folder against two backends or two prompt versions and compares.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from drafter.checks.style_lint import MIN_WORDS_FOR_READABILITY
from drafter.errors import DrafterError, InputError
from drafter.models import DraftRequest, FindingSeverity, SourceDoc, StyleGuide

if TYPE_CHECKING:
    from drafter.service import DrafterService

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

    def as_dict(self) -> dict[str, Any]:
        return {"folder": self.folder, "backend": self.backend, "ok": self.ok,
                "cases": [asdict(c) for c in self.cases], "totals": self.totals()}


def load_case(path: Path) -> DraftRequest:
    """Read one case file into a DraftRequest, or raise InputError naming the file and the problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name}: not valid YAML ({str(exc).splitlines()[0]}).") from exc
    if not isinstance(raw, dict) or "template" not in raw:
        raise InputError(f"{path.name}: a case is a mapping with at least a 'template' key.")
    inputs = raw.get("inputs") or {}
    if "inputs_file" in raw:
        inputs_path = path.parent / str(raw["inputs_file"])
        if not inputs_path.is_file():
            raise InputError(f"{path.name}: inputs_file {raw['inputs_file']} not found.")
        inputs = yaml.safe_load(inputs_path.read_text(encoding="utf-8")) or {}
    if not isinstance(inputs, dict):
        raise InputError(f"{path.name}: inputs must be a mapping of field name to value.")
    sources = []
    for i, item in enumerate(raw.get("sources") or [], start=1):
        if isinstance(item, dict) and "path" in item:
            source_path = path.parent / str(item["path"])
            if not source_path.is_file():
                raise InputError(f"{path.name}: source {item['path']} not found.")
            sources.append(SourceDoc(name=source_path.name, text=source_path.read_text(encoding="utf-8")))
        elif isinstance(item, dict) and "text" in item:
            sources.append(SourceDoc(name=str(item.get("name") or f"source-{i}"), text=str(item["text"])))
        else:
            raise InputError(f"{path.name}: source {i} needs a 'path' or a 'text'.")
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


def run_case(service: DrafterService, path: Path, backend: str | None) -> CaseResult:
    result = CaseResult(case=path.stem)
    started = time.perf_counter()
    try:
        request = load_case(path)
        if backend:
            request = request.model_copy(update={"backend": backend})
        result.template = request.template_id
        draft = service.create_draft(request, EVAL_USER)
        result.draft_id, result.backend = draft.id, draft.backend
        result.model = service.backend(draft.backend).model
        result.sections = len(draft.sections)
        findings = service.findings(draft.id)
        result.blocking = sum(1 for f in findings if f.severity == FindingSeverity.blocking)
        result.unsupported_facts = sum(1 for f in findings if f.rule_id == "facts.unsupported")
        result.warnings = sum(1 for f in findings if f.severity == FindingSeverity.warning)
        result.info = sum(1 for f in findings if f.severity == FindingSeverity.info)
        guide = service.catalog.style_guide(draft.style_guide_id)
        result.readability = service.readability(draft.id)
        verdicts = [within_target(m, guide) for m in result.readability.values()]
        result.sections_scored = sum(1 for v in verdicts if v is not None)
        result.sections_within_target = sum(1 for v in verdicts if v)
        calls = service.llm_calls(draft.id)
        result.input_tokens = sum(c.input_tokens or 0 for c in calls)
        result.output_tokens = sum(c.output_tokens or 0 for c in calls)
    except DrafterError as exc:
        result.error = str(exc)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def run_eval(service: DrafterService, folder: Path, backend: str | None = None) -> EvalReport:
    if not folder.is_dir():
        raise InputError(f"Evaluation folder not found: {folder}")
    cases = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not cases:
        raise InputError(f"{folder} has no case files (*.yaml).")
    if backend:
        service.backend(backend)  # an unknown backend is one clear error, not one per case
    return EvalReport(folder=str(folder), backend=backend, cases=[run_case(service, p, backend) for p in cases])
