"""Service additions the UI relies on, and the rule that only drafter/ui imports Streamlit."""

from __future__ import annotations

import ast
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


# What the UI may import from drafter: the service, the shared types and settings, and the pure review rules.
UI_ALLOWED = {"drafter.service", "drafter.models", "drafter.settings", "drafter.errors", "drafter.review",
              "drafter.i18n"}  # messages in the reader's language: no behaviour below the service
# Types the UI reads, with no behaviour below the service: the role names and role map, statistics rows and CSV.
UI_PENDING = {"drafter.roles", "drafter.stats"}


def _drafter_imports(path: Path) -> set[str]:
    """Every drafter module `path` imports: module level, in functions and under TYPE_CHECKING."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_ui_pages_call_the_service_not_the_layers_below() -> None:
    below = (
        "drafter.store",
        "drafter.backends.offline",
        "drafter.prompts",
        "drafter.labeling",
        "drafter.export.docx_writer",
        "drafter.catalog",
    )
    for path in [*(ROOT / "drafter" / "ui").rglob("*.py"), ROOT / "streamlit_app.py"]:
        text = path.read_text(encoding="utf-8")
        assert not [m for m in below if f"from {m} import" in text or f"import {m}" in text], path
        assert "service.catalog" not in text and "service.store" not in text, path
        assert "service.backends" not in text and "service.options" not in text, path
        imports = _drafter_imports(path)
        assert not {m for m in imports if m.split(".")[0] == "sqlalchemy"}, path
        drafter = {m for m in imports if m.split(".")[0] == "drafter" and not m.startswith("drafter.ui")}
        assert drafter <= UI_ALLOWED | UI_PENDING, (path, drafter - UI_ALLOWED - UI_PENDING)
    assert Path(ROOT / "streamlit_app.py").read_text().count("import") == 1


def test_no_ui_code_compares_a_backend_name_or_repeats_review_rules() -> None:
    for path in (ROOT / "drafter" / "ui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert '"offline"' not in text and "'offline'" not in text, path
        assert "author == user" not in text and "user != draft.author" not in text, path
        assert "FindingSeverity.blocking and" not in text, path  # open blocking findings: review.open_blocking
        assert not re.search(r"status (not )?in \(DraftStatus", text), path
