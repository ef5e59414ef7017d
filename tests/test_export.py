"""Exported .docx files read back with python-docx, open in LibreOffice, and fail verification when edited."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from drafter.export.docx_writer import LABEL_STYLE
from drafter.export.properties import get_custom_properties
from drafter.service import DrafterService
from tests.conftest import FULL_CHECKLIST, briefing_request


@pytest.fixture
def exported(sqlite_service: DrafterService, tmp_path: Path) -> tuple[DrafterService, str, Path]:
    svc = sqlite_service
    draft = svc.create_draft(briefing_request(), "alice")
    svc.edit_section(draft.id, "contact", "Priya Shah, 020 7946 0000.", "alice")
    svc.edit_section(draft.id, "summary", "The Minister opens the barrier on 12 March 2026.", "alice")
    svc.submit(draft.id, "alice")
    svc.approve(draft.id, "bob", FULL_CHECKLIST)
    out = tmp_path / "out" / "briefing.docx"
    out.parent.mkdir()
    svc.export(draft.id, out, "alice")
    return svc, draft.id, out


def test_statement_comments_and_properties_read_back(exported: tuple[DrafterService, str, Path]) -> None:
    svc, draft_id, out = exported
    draft = svc.get_draft(draft_id)
    doc = Document(str(out))
    labels = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == LABEL_STYLE]
    assert len(labels) == 1
    assert "offline assembler, which uses no language model" in labels[0]
    assert "reviewed and approved by bob" in labels[0] and "Facts were checked" in labels[0]

    # only the sections with machine text carry a comment: Key points, Recommendation and Contact are the
    # author's own inputs (the contact then edited by the author), so the label does not claim 5 of 5
    assert "2 of 5 sections contain text it assembled or quoted" in labels[0] and "5 of 5" not in labels[0]
    comments = list(doc.comments)
    # one comment per machine-written passage (quotes and rule-assembled text), none on the author's words
    commented = {c.text.split(":")[0] for c in comments}
    assert len(comments) >= 2 and commented <= {"Assembled by a rule"} | {
        t.split(":")[0] for t in (c.text for c in comments) if t.startswith("Quoted from ")}
    texts = [c.text for c in comments]
    assert all("offline / drafter-offline-extractive-1" in t for t in texts)

    props = get_custom_properties(doc)
    raw = props["AIGC"]
    assert all(0x20 <= ord(c) <= 0x7E for c in raw)
    aigc = json.loads(raw)["AIGC"]
    assert list(aigc) == ["Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator",
                          "PropagateID", "ReservedCode2"]
    assert aigc["Label"] == "1" and aigc["ReservedCode1"] == draft.content_sha256
    prov = json.loads(props["DrafterProvenance"])
    assert prov["author"] == "alice" and prov["reviewer"] == "bob"
    assert prov["content_sha256"] == draft.content_sha256
    assert [s["origin"] for s in prov["sections"]] == ["ai_edited", "ai", "human", "human", "human"]
    assert prov["sections"][2]["spans"] == {"input": len(draft.sections[2].text)}


def test_each_export_has_a_unique_produce_id(exported: tuple[DrafterService, str, Path], tmp_path: Path) -> None:
    svc, draft_id, out = exported
    second = svc.export(draft_id, tmp_path / "again.docx", "alice")
    first = json.loads(get_custom_properties(Document(str(out)))["AIGC"])["AIGC"]["ProduceID"]
    assert second.produce_id != first


def test_a_paragraph_edited_in_the_saved_file_fails_verification(
    exported: tuple[DrafterService, str, Path], tmp_path: Path
) -> None:
    svc, _, out = exported
    doc = Document(str(out))
    target = next(p for p in doc.paragraphs if "£48 million" in p.text)
    target.runs[0].text = target.runs[0].text.replace("48", "84")
    tampered = tmp_path / "tampered.docx"
    doc.save(str(tampered))
    report = svc.verify_file(tampered)
    assert not report.ok and not report.content_matches
    assert "changed after approval" in " ".join(report.problems)


def test_a_document_without_labels_fails_verification(tmp_path: Path, sqlite_service: DrafterService) -> None:
    plain = tmp_path / "plain.docx"
    doc = Document()
    doc.add_paragraph("Hello")
    doc.save(str(plain))
    report = sqlite_service.verify_file(plain)
    assert not report.ok
    assert "no visible AI-use statement" in report.problems[0]


@pytest.mark.libreoffice
def test_libreoffice_opens_the_export(exported: tuple[DrafterService, str, Path], tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is required: install libreoffice-writer-nogui")
    outdir = tmp_path / "pdf"
    _, _, docx_path = exported
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(outdir), str(docx_path)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = outdir / "briefing.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 1000
    if shutil.which("pdftotext"):
        raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        text = " ".join(raw.split())  # lines wrap differently from one font set to another
        assert "Opening of the Riverside Flood" in text and "reviewed and approved by bob" in text


def test_failed_write_leaves_no_partial_file(exported: tuple[DrafterService, str, Path], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from drafter.errors import InputError

    svc, draft_id, _ = exported
    target = tmp_path / "full" / "doc.docx"
    target.parent.mkdir()

    def disk_full(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", disk_full)
    with pytest.raises(InputError, match="No space left on device"):
        svc.export(draft_id, target, "alice")
    assert list(target.parent.iterdir()) == []
