"""The one place that runs the pipeline: draft, refine, edit, simplify, submit, approve, request changes, export.

The CLI and the UI call this package and nothing below it. The rules that matter (review gate, four-eyes,
export only at the approved hash, the guard) are enforced here or in the domain, whatever the caller.
Each use case lives in its own module; `DrafterService` is the thin front that puts them together.
"""

from __future__ import annotations

from drafter.service.base import SectionCallback, default_backends, options_from_settings
from drafter.service.drafting import DraftingUseCases
from drafter.service.evaluation import EvaluationUseCases
from drafter.service.export import ExportResult, ExportUseCases
from drafter.service.preferences import PreferenceUseCases
from drafter.service.queries import Queries
from drafter.service.review import ReviewUseCases
from drafter.service.simplification import SimplificationUseCases
from drafter.service.word_review import ReviewImport, WordReviewUseCases


class DrafterService(
    WordReviewUseCases,  # builds on drafting and review, so it comes before them
    DraftingUseCases, SimplificationUseCases, ReviewUseCases, ExportUseCases, EvaluationUseCases, Queries,
    PreferenceUseCases,
):
    """Settings, store, catalog and backends, with every use case (see the modules of this package)."""


__all__ = [
    "DrafterService", "ExportResult", "ReviewImport", "SectionCallback", "default_backends", "options_from_settings",
]
