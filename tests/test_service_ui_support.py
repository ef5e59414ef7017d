"""Service additions the UI relies on, and the rule that only drafter/ui imports Streamlit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drafter.errors import InputError
from drafter.models import DraftStatus
from drafter.service import DrafterService
from tests.conftest import ROOT, briefing_request


def test_start_draft_saves_the_request_before_any_generation(service: DrafterService) -> None:
    draft = service.start_draft(briefing_request(), "alice")
    saved = service.get_draft(draft.id)
    assert saved.status == DraftStatus.generating and saved.sections == []
    assert saved.request.inputs["subject"] == "Opening of the Riverside Flood Barrier"
    done = service.generate(draft.id, "alice")
    assert done.status == DraftStatus.draft and len(done.sections) == 5


def test_input_problems_name_each_missing_required_field(sqlite_service: DrafterService) -> None:
    request = briefing_request()
    inputs = {**request.inputs, "subject": "  ", "purpose": ""}
    assert sqlite_service.input_problems("briefing", inputs) == {
        "subject": "Subject is required.",
        "purpose": "Purpose is required.",
    }
    assert sqlite_service.input_problems("briefing", request.inputs) == {}
    with pytest.raises(InputError, match="Missing required input for briefing: Subject, Purpose."):
        sqlite_service.start_draft(request.model_copy(update={"inputs": inputs}), "alice")
    assert sqlite_service.list_drafts() == []


def test_example_label_statement_follows_the_backend_and_language(sqlite_service: DrafterService) -> None:
    en = sqlite_service.example_label_statement("en")
    assert "offline assembler, which uses no language model" in en and "approved by the reviewer" in en
    zh = sqlite_service.example_label_statement("zh")
    assert "人工智能" in zh and "生成" in zh
    with pytest.raises(InputError, match="Unknown or unconfigured backend 'nope'"):
        sqlite_service.example_label_statement("en", backend="nope")


def test_only_the_ui_package_imports_streamlit() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "drafter").rglob("*.py")
        if "ui" not in path.relative_to(ROOT / "drafter").parts[:1]
        and re.search(r"^\s*(import|from)\s+streamlit\b", path.read_text(encoding="utf-8"), re.M)
    ]
    assert offenders == []
    assert (ROOT / "drafter" / "ui" / "common.py").read_text().count("import streamlit") == 1


def test_ui_pages_call_the_service_not_the_layers_below() -> None:
    below = (
        "drafter.store",
        "drafter.backends.offline",
        "drafter.prompts",
        "drafter.review",
        "drafter.labeling",
        "drafter.export.docx_writer",
        "drafter.catalog",
    )
    for path in (ROOT / "drafter" / "ui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not [m for m in below if f"from {m} import" in text or f"import {m}" in text], path
        assert "service.catalog" not in text and "service.store" not in text, path
    assert Path(ROOT / "streamlit_app.py").read_text().count("import") == 1
