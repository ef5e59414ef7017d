"""Quotations from a source are protected: an import that changes one is refused whole, nothing applied."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from docx import Document

from drafter.cli.app import main
from drafter.errors import InputError
from drafter.export.review_import import changed_quote
from drafter.models import DraftRequest, Span, SpanOrigin
from drafter.service import DrafterService
from drafter.sources import read_source
from tests.conftest import EXAMPLES, briefing_request
from tests.word.support import WordEdit

COST = "The final cost was £46.6 million against a budget of £48 million."


@pytest.fixture
def quoted(service: DrafterService) -> tuple[DrafterService, str]:
    """On SQLite and PostgreSQL: a briefing whose background section is quotations from the barrier report,
    submitted for review."""
    return _submitted(service)


@pytest.fixture
def quoted_sqlite(sqlite_service: DrafterService) -> tuple[DrafterService, str]:
    return _submitted(sqlite_service)


def _submitted(svc: DrafterService) -> tuple[DrafterService, str]:
    draft = svc.create_draft(briefing_request(), "alice")
    background = next(s for s in draft.sections if s.id == "background")
    assert COST in [background.text[q.start:q.end] for q in background.spans if q.origin == SpanOrigin.quote]
    svc.submit(draft.id, "alice")
    return svc, draft.id


def _reviewed(svc: DrafterService, draft_id: str, tmp_path: Path, change: Callable[[WordEdit], None]) -> Path:
    edit = WordEdit(svc.review_copy(draft_id, tmp_path / "copy.docx", "bob"))
    change(edit)
    return edit.save(tmp_path / "reviewed.docx")


def _refused(svc: DrafterService, draft_id: str, path: Path, source: str = "barrier-report.txt") -> None:
    before = svc.get_draft(draft_id)
    events = len(svc.audit_trail(draft_id))
    for apply in (False, True):
        with pytest.raises(InputError) as refused:
            svc.import_review(draft_id, path, "bob", apply=apply)
        message = str(refused.value)
        assert f"quoted verbatim from {source}" in message and "nothing was imported" in message
        assert message.count(". ") == 0 and message.endswith(".")  # one sentence
    after = svc.get_draft(draft_id)
    assert (after.version, after.content_sha256, after.status) == (before.version, before.content_sha256,
                                                                   before.status)
    assert len(svc.audit_trail(draft_id)) == events
    assert svc.verify_audit()[1] is None


def test_the_review_copy_marks_each_quotation_as_protected(
    quoted_sqlite: tuple[DrafterService, str], tmp_path: Path
) -> None:
    svc, draft_id = quoted_sqlite
    path = svc.review_copy(draft_id, tmp_path / "copy.docx", "bob")
    notes = [c for c in Document(str(path)).comments if c.author == "Drafter sources"]
    background = next(s for s in svc.get_draft(draft_id).sections if s.id == "background")
    assert len(notes) == sum(1 for q in background.spans if q.origin == SpanOrigin.quote) >= 2
    assert any(n.text.startswith("Quoted verbatim from barrier-report.txt, paragraph ") for n in notes)
    # Drafter's own comments are not taken for the reviewer's
    assert svc.import_review(draft_id, path, "bob", apply=False).comments == []


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda e: e.replace("£46.6 million", "£47 million", "bob"), id="middle"),
        pytest.param(lambda e: e.delete("The final", "bob"), id="first-words"),
        pytest.param(lambda e: e.delete("£48 million.", "bob"), id="last-words"),
        pytest.param(lambda e: e.insert_before("million against", "roughly ", "bob"), id="insert-inside"),
        pytest.param(lambda e: e.insert_after("budget of £48 million", " (audited)", "bob"), id="insert-before-full-stop"),
        pytest.param(lambda e: e.delete("£48 million. [1]", "bob"), id="across-quote-and-marker"),
    ],
)
def test_a_change_inside_a_quotation_refuses_the_whole_import(
    quoted: tuple[DrafterService, str], tmp_path: Path, change: Callable[[WordEdit], None]
) -> None:
    svc, draft_id = quoted

    def with_a_fine_change_too(edit: WordEdit) -> None:
        edit.replace("speak to the press", "speak to reporters", "bob")  # outside any quote: still not applied
        change(edit)

    _refused(svc, draft_id, _reviewed(svc, draft_id, tmp_path, with_a_fine_change_too))
    assert "speak to the press" in svc.get_draft(draft_id).sections[0].text


def test_text_added_at_a_quotations_edges_is_imported_and_the_quote_stays_whole(
    quoted: tuple[DrafterService, str], tmp_path: Path
) -> None:
    svc, draft_id = quoted

    def around(edit: WordEdit) -> None:
        edit.insert_before(COST, "In short: ", "bob")
        edit.insert_after(COST, " Audited in 2026.", "bob")

    result = svc.import_review(draft_id, _reviewed(svc, draft_id, tmp_path, around), "bob", apply=True)
    assert [s.section_id for s in result.changed_sections] == ["background"]
    section = next(s for s in svc.get_draft(draft_id).sections if s.id == "background")
    assert f"In short: {COST} Audited in 2026." in section.text
    assert COST in [section.text[q.start:q.end] for q in section.spans if q.origin == SpanOrigin.quote]
    assert section.provenance.edited_by == "bob"


def test_the_cli_refuses_with_exit_code_3(
    quoted_sqlite: tuple[DrafterService, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    svc, draft_id = quoted_sqlite
    monkeypatch.setenv("DRAFTER_DATA_DIR", str(svc.settings.data_dir))
    path = _reviewed(svc, draft_id, tmp_path, lambda e: e.replace("£46.6 million", "£47 million", "bob"))
    capsys.readouterr()
    assert main(["import-review", draft_id, str(path), "--user", "bob", "--apply"]) == 3
    err = capsys.readouterr().err
    assert "quoted verbatim from barrier-report.txt" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("new", "changed"),
    [
        ("Intro. Quoted words here. Outro.", False),
        ("Intro. Quoted words here. Outro and more.", False),
        ("Intro! Quoted words here. Outro.", False),
        ("Intro. Quoted words there. Outro.", True),
        ("Intro. Quoted  words here. Outro.", True),  # even white space inside a quote
        ("Intro. Quoted words here Outro.", True),
        ("Intro. Outro.", True),  # a quotation removed
        ("Intro. Outro. Quoted words here.", False),  # moved, word for word
        ("", True),
    ],
)
def test_changed_quote_on_plain_text(new: str, changed: bool) -> None:
    old = "Intro. Quoted words here. Outro."
    quote = Span(start=7, end=25, origin=SpanOrigin.quote, source="s", paragraph=1)
    assert old[7:25] == "Quoted words here."
    assert (changed_quote(old, [quote], new) is not None) is changed


def test_a_chinese_quotation_is_protected_too(sqlite_service: DrafterService, tmp_path: Path) -> None:
    """Chinese has no spaces between words: the check compares the quoted passage itself, not word positions."""
    svc = sqlite_service
    raw = yaml.safe_load((EXAMPLES / "zh" / "baogao.yaml").read_text(encoding="utf-8"))
    inputs = {k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in raw.items()}
    source = read_source(EXAMPLES / "zh" / "flood-season-report.txt", 5_000_000)
    draft = svc.create_draft(DraftRequest(template_id="zh-baogao", inputs=inputs, sources=[source]), "alice")
    assert any("2860万元" in s.text[q.start:q.end] for s in draft.sections for q in s.spans
               if q.origin == SpanOrigin.quote)
    copy = svc.review_copy(draft.id, tmp_path / "copy.docx", "bob")
    assert any(c.text.startswith("原文引用（flood-season-report.txt第 ") for c in Document(str(copy)).comments)
    edit = WordEdit(copy)
    edit.replace("2860万元", "2900万元", "bob")
    _refused(svc, draft.id, edit.save(tmp_path / "reviewed.docx"), "flood-season-report.txt")
