"""The evaluation harness: run a folder of cases through drafting, in a scratch store that is thrown away."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from drafter.checks.eval_cases import (
    EVAL_USER,
    CaseResult,
    EvalReport,
    load_case,
    load_expected,
    within_target,
)
from drafter.checks.eval_metrics import draft_metrics
from drafter.errors import DrafterError, InputError, shown
from drafter.models import FindingSeverity
from drafter.service.base import ServiceBase


class EvaluationUseCases(ServiceBase):
    def evaluate(self, folder: Path, backend: str | None = None) -> EvalReport:
        """Run a folder of evaluation cases through drafting, in a scratch store that is thrown away."""
        if not folder.is_dir():
            raise InputError("Evaluation folder not found: {folder}", folder=folder)
        cases = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if not cases:
            raise InputError("{folder} has no case files (*.yaml).", folder=folder)
        if backend:
            self.backend(backend)  # an unknown backend is one clear error, not one per case
        with self.scratch("drafter-eval-") as scratch:
            return EvalReport(folder=str(folder), backend=backend, cases=[_run_case(scratch, p, backend) for p in cases])


def _run_case(service: Any, path: Path, backend: str | None) -> CaseResult:
    result = CaseResult(case=path.stem)
    started = time.perf_counter()
    try:
        request = load_case(path)
        expected = load_expected(path)
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
        metrics = draft_metrics(draft, service.catalog.template(draft.template_id), findings, expected)
        for key, value in metrics.as_dict().items():
            setattr(result, key, value)
        calls = service.llm_calls(draft.id)
        result.input_tokens = sum(c.input_tokens or 0 for c in calls)
        result.output_tokens = sum(c.output_tokens or 0 for c in calls)
    except DrafterError as exc:
        result.error = shown(exc)
    result.seconds = round(time.perf_counter() - started, 3)
    return result
