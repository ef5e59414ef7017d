"""Minutes: the actions as a table (action, owner, due) that verify accepts as the export's own, and attacks on it."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import pytest
import yaml
from docx import Document
from docx.oxml.ns import qn

from drafter.export import actions
from drafter.models import DraftRequest
from drafter.service import DrafterService
from tests.conftest import EXAMPLES, FULL_CHECKLIST

ROWS = [
    ("Confirm the Minister's attendance at the opening", "Priya Shah", "5 March 2026"),
    ("Circulate the revised budget", "Tom Okafor", "6 March 2026"),
    ("Publish the barrier operating manual", "Marcus Webb", "10 March 2026"),
]


def minutes_inputs(**overrides: str) -> dict[str, str]:
    raw = yaml.safe_load((EXAMPLES / "minutes-inputs.yaml").read_text(encoding="utf-8"))
    return {**{k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in raw.items()}, **overrides}


@pytest.fixture
def minutes(sqlite_service: DrafterService, tmp_path: Path) -> tuple[DrafterService, str, Path]:
    svc = sqlite_service
    draft = svc.create_draft(DraftRequest(template_id="minutes", inputs=minutes_inputs()), "alice")
    svc.submit(draft.id, "alice")
    svc.approve(draft.id, "bob", FULL_CHECKLIST)
    out = tmp_path / "minutes.docx"
    svc.export(draft.id, out, "alice")
    return svc, draft.id, out


def _tables(path: Path) -> list[list[tuple[str, ...]]]:
    return [[tuple(c.text for c in row.cells) for row in t.rows] for t in Document(str(path)).tables]


def test_actions_become_one_table_that_verifies(minutes: tuple[DrafterService, str, Path]) -> None:
    svc, draft_id, out = minutes
    assert _tables(out) == [[("Action", "Owner", "Due"), *ROWS]]
    report = svc.verify_file(out)
    assert report.ok and report.content_matches and report.body_unchanged, report.problems
    # the table stands under the Actions heading, and the section's comment still marks it
    doc = Document(str(out))
    body = list(doc.element.body.iterchildren())
    table = body.index(doc.tables[0]._tbl)
    heading = body[table - 1]
    assert "".join(t.text or "" for t in heading.iter(qn("w:t"))) == "Actions"


def test_lines_not_in_three_parts_stay_a_list(sqlite_service: DrafterService, tmp_path: Path) -> None:
    inputs = minutes_inputs(actions="Finance Director to circulate the revised budget by 14 June")
    svc = sqlite_service
    draft = svc.create_draft(DraftRequest(template_id="minutes", inputs=inputs), "alice")
    svc.submit(draft.id, "alice")
    svc.approve(draft.id, "bob", FULL_CHECKLIST)
    out = tmp_path / "m.docx"
    svc.export(draft.id, out, "alice")
    assert _tables(out) == [] and svc.verify_file(out).ok


def _save(doc: object, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    doc.save(str(path))  # type: ignore[attr-defined]
    return path


def test_a_table_inserted_afterwards_is_refused(minutes: tuple[DrafterService, str, Path], tmp_path: Path) -> None:
    svc, _, out = minutes
    doc = Document(str(out))
    extra = doc.add_table(rows=1, cols=2)
    extra.cell(0, 0).text, extra.cell(0, 1).text = "Approve the budget", "Minister"
    doc.paragraphs[3]._p.addnext(extra._tbl)
    report = svc.verify_file(_save(doc, tmp_path, "inserted.docx"))
    assert not report.ok
    assert any("content the export did not write: a table" in p and "Approve the budget" in p for p in report.problems)


@pytest.mark.parametrize("where", ["before the first heading", "inside a section"])
def test_a_forged_action_table_with_the_caption_is_refused(minutes: tuple[DrafterService, str, Path],
                                                          tmp_path: Path, where: str) -> None:
    svc, _, out = minutes
    doc = Document(str(out))
    forged = copy.deepcopy(doc.tables[0]._tbl)
    for t in forged.iter(qn("w:t")):
        if t.text == "Tom Okafor":
            t.text = "Marcus Webb"
    anchor = doc.paragraphs[1] if where == "before the first heading" else \
        next(p for p in doc.paragraphs if p.text == "Discussion")
    anchor._p.addnext(forged)
    report = svc.verify_file(_save(doc, tmp_path, "forged.docx"))
    assert not report.ok and not report.body_unchanged and not report.signature_valid
    if where == "inside a section":
        assert not report.content_matches  # its rows are read as text the approval did not cover
    else:
        assert any("content the export did not write: a table" in p for p in report.problems)


@pytest.mark.parametrize("change", ["owner", "row removed", "caption removed", "header changed"])
def test_the_exported_table_changed(minutes: tuple[DrafterService, str, Path], tmp_path: Path, change: str) -> None:
    svc, _, out = minutes
    doc = Document(str(out))
    table = doc.tables[0]
    if change == "owner":
        table.cell(2, 1).paragraphs[0].runs[0].text = "Sarah Lin"
    elif change == "row removed":
        table._tbl.remove(table.rows[3]._tr)
    elif change == "caption removed":
        table._tbl.tblPr.remove(table._tbl.tblPr.find(qn("w:tblCaption")))
    else:
        table.cell(0, 2).paragraphs[0].runs[0].text = "Whenever"
    report = svc.verify_file(_save(doc, tmp_path, f"{change}.docx"))
    assert not report.ok and not report.content_matches, report.problems
    if change in ("caption removed", "header changed"):
        assert any("content the export did not write: a table" in p for p in report.problems)


def test_split_round_trips() -> None:
    for line in ("Fix the gate, Ann Lee, 1 May", "Fix the gate, north side, Ann Lee, 1 May", "A | B | C",
                 "Fix it; Ann; May"):
        found = actions.split(line)
        assert found is not None and found[0].join(found[1]) == line
    assert actions.split("Ann to fix the gate by 1 May") is None
    assert actions.split("Fix the gate, Ann Lee") is None


@pytest.mark.libreoffice
def test_libreoffice_opens_the_minutes_with_the_table(minutes: tuple[DrafterService, str, Path],
                                                      tmp_path: Path) -> None:
    from drafter.export.libreoffice import convert_to_pdf

    pdf = convert_to_pdf(minutes[2], tmp_path / "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in text.splitlines()]
    assert ["Action", "Owner", "Due"] in rows
    for _action, owner, due in ROWS:
        assert any(owner in line and due in line for line in text.splitlines()), (owner, text)
