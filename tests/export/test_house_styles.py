"""House styles, protective marking, footnotes for citations, list items, header words and file names."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from bench.build_house_styles import build
from drafter.catalog import Catalog
from drafter.errors import CatalogError
from drafter.export import house_style
from drafter.export.footnotes import footnote_texts
from drafter.export.naming import file_name
from drafter.models import DraftRequest, DraftStatus
from drafter.service import DrafterService
from drafter.settings import Settings, packaged_data
from tests.conftest import FULL_CHECKLIST, briefing_request

SHIPPED = packaged_data("house_styles")


def _export(svc: DrafterService, request: DraftRequest, out: Path) -> tuple[str, Path]:
    draft = svc.create_draft(request, "alice")
    svc.submit(draft.id, "alice")
    svc.approve(draft.id, "bob", FULL_CHECKLIST)
    svc.export(draft.id, out, "alice")
    return draft.id, out


def _minutes(**extra: str) -> DraftRequest:
    inputs = {"meeting": "Flood board", "date": "3 March 2026", "chair": "Jane Doe",
              "attendees": "Alan Smith\nPriya Shah", "apologies": "Sara Khan", "notes": "Costs are within budget.",
              "actions": "Book the venue, Tom Lee, 12 March 2026", **extra}
    return DraftRequest(template_id="minutes", inputs=inputs)


@pytest.fixture
def briefing(sqlite_service: DrafterService, tmp_path: Path) -> tuple[DrafterService, str, Path]:
    svc = sqlite_service
    draft_id, out = _export(svc, briefing_request(), tmp_path / "briefing.docx")
    return svc, draft_id, out


def test_shipped_styles_are_what_the_build_script_writes(tmp_path: Path) -> None:
    build(tmp_path)
    for name in ("uk-gov", "us-letter", "gbt9704"):
        with zipfile.ZipFile(SHIPPED / f"{name}.docx") as a, zipfile.ZipFile(tmp_path / f"{name}.docx") as b:
            for part in ("word/styles.xml", "word/document.xml", "word/numbering.xml"):
                assert a.read(part) == b.read(part), f"{name}: {part} differs; run bench/build_house_styles.py"


def test_style_named_by_template_or_guide_or_default(sqlite_service: DrafterService) -> None:
    catalog: Catalog = sqlite_service.catalog
    briefing = catalog.template("briefing")
    guide = catalog.style_guide(briefing.default_style_guide)
    assert house_style.style_name(briefing, guide) == "uk-gov"
    assert house_style.style_name(catalog.template("zh-tongzhi"), None) == "gbt9704"
    assert house_style.style_name(briefing, guide.model_copy(update={"spelling": "american"})) == "us-letter"
    assert house_style.style_name(briefing, guide.model_copy(update={"house_style": "dept"})) == "dept"
    named = briefing.model_copy(update={"house_style": "mine"})
    assert house_style.style_name(named, guide.model_copy(update={"house_style": "dept"})) == "mine"


def test_uk_gov_briefing_looks_like_a_submission(briefing: tuple[DrafterService, str, Path]) -> None:
    svc, _, out = briefing
    doc = Document(str(out))
    section = doc.sections[0]
    assert (section.page_width, section.page_height) == (11906 * 635, 16838 * 635)  # A4 in twips
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(12) and normal.element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}").get(
        qn("w:ascii")) == "Arial"
    styles = [p.style.name for p in doc.paragraphs if p.style is not None]
    assert styles.count("Heading 1") == 5 and "Numbered Paragraph" in styles
    bullets = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "List Bullet"]
    assert bullets[0].startswith("The barrier protects 4,200 homes")
    texts = [p.text for p in doc.paragraphs]
    assert "From: Flood Resilience Team" in texts and not any("From (team)" in t for t in texts)
    # the default marking, centred in header and footer
    assert house_style.markings(doc).count("OFFICIAL") == 2
    header = section.header.paragraphs[0]
    assert header.text == "OFFICIAL" and header.alignment == 1
    report = svc.verify_file(out)
    assert report.ok, report.problems
    assert report.content_matches and report.signature_valid


def test_citations_become_footnotes_naming_source_and_paragraph(briefing: tuple[DrafterService, str, Path]) -> None:
    svc, draft_id, out = briefing
    doc = Document(str(out))
    notes = footnote_texts(doc)
    refs = list(doc.element.body.iter(qn("w:footnoteReference")))
    assert refs and len(notes) == len(refs)
    first = notes[refs[0].get(qn("w:id"))]
    assert first.startswith("[1] barrier-report.txt, paragraph ") and "\u201c" in first
    # the approved text keeps its [1] markers, once
    cited = next(p for p in doc.paragraphs if "£46.6 million" in p.text)
    assert cited.text.replace("\u200b", "").endswith("£48 million. [1]")
    sources = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Drafter Sources"]
    assert sources == ["Sources", "[1] barrier-report.txt"]
    assert svc.verify_file(out).ok


def test_a_changed_footnote_breaks_the_signature(briefing: tuple[DrafterService, str, Path], tmp_path: Path) -> None:
    svc, _, out = briefing
    tampered = tmp_path / "tampered.docx"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/footnotes.xml":
                data = data.replace(b"barrier-report.txt", b"another-report.txt")
            dst.writestr(item, data)
    report = svc.verify_file(tampered)
    assert not report.ok and not report.signature_valid


def test_marking_and_lists_in_minutes(sqlite_service: DrafterService, tmp_path: Path) -> None:
    _, out = _export(sqlite_service, _minutes(marking="OFFICIAL-SENSITIVE"), tmp_path / "minutes.docx")
    doc = Document(str(out))
    assert house_style.markings(doc).count("OFFICIAL-SENSITIVE") == 2
    bullets = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "List Bullet"]
    assert bullets[:3] == ["Alan Smith", "Priya Shah", "Sara Khan"]
    assert "Attendees:" in [p.text for p in doc.paragraphs]
    assert sqlite_service.verify_file(out).ok


def test_an_organisation_drops_in_its_own_style(tmp_path: Path) -> None:
    folder = tmp_path / "styles"
    folder.mkdir()
    own = Document(str(SHIPPED / "uk-gov.docx"))
    own.styles["Normal"].font.name = "Georgia"
    own.sections[0].header.paragraphs[0].runs[0].text = "Ministry of Floods — {marking}"
    own.save(str(folder / "uk-gov.docx"))
    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "data", house_styles_dir=folder))
    try:
        _, out = _export(svc, briefing_request(), tmp_path / "own.docx")
        doc = Document(str(out))
        assert doc.styles["Normal"].font.name == "Georgia"
        assert "Ministry of Floods — OFFICIAL" in house_style.markings(doc)
        assert svc.verify_file(out).ok
    finally:
        svc.store.engine.dispose()


def test_a_dotx_is_accepted(tmp_path: Path) -> None:
    with zipfile.ZipFile(SHIPPED / "uk-gov.docx") as src, zipfile.ZipFile(tmp_path / "dept.dotx", "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(house_style.DOCUMENT_CT, house_style.TEMPLATE_CT)
            dst.writestr(item, data)
    doc = house_style.open_reference(house_style.find("dept", tmp_path, "briefing"))
    assert doc.sections[0].page_width == 11906 * 635 and not doc.paragraphs


def _bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (60 * 1024 * 1024))


def _entities(path: Path) -> None:
    with zipfile.ZipFile(SHIPPED / "uk-gov.docx") as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/styles.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', 1)
            dst.writestr(item, data)


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.write_bytes(b"not a zip"), "not a Word file"),
    (_bomb, "zip bomb"),
    (_entities, "DTD or entities"),
])
def test_bad_reference_files_are_refused_and_the_draft_untouched(tmp_path: Path, make: object,
                                                                 message: str) -> None:
    folder = tmp_path / "styles"
    folder.mkdir()
    make(folder / "uk-gov.docx")  # type: ignore[operator]
    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "data", house_styles_dir=folder))
    try:
        draft = svc.create_draft(briefing_request(), "alice")
        svc.submit(draft.id, "alice")
        svc.approve(draft.id, "bob", FULL_CHECKLIST)
        out = tmp_path / "x.docx"
        with pytest.raises(CatalogError, match=message):
            svc.export(draft.id, out, "alice")
        assert not out.exists()
        assert svc.get_draft(draft.id).status == DraftStatus.approved
        assert "exported" not in [e.action for e in svc.store.audit_events(draft.id)]
    finally:
        svc.store.engine.dispose()


def test_a_missing_house_style_names_the_file_and_the_template(sqlite_service: DrafterService) -> None:
    template = sqlite_service.catalog.template("briefing").model_copy(update={"house_style": "nowhere"})
    with pytest.raises(CatalogError, match=r"'briefing'.*'nowhere'.*nowhere\.docx"):
        house_style.start_document(template, None, None)


@pytest.mark.parametrize(("title", "expected"), [
    ("Opening of the Riverside Flood Barrier: what it means for residents through the Tees valley",
     "Opening-of-the-Riverside-Flood-Barrier-what-it-means-for.docx"),
    ("CON", "d1.docx"),
    ('a<b>c:"d"/e\\f|g?h*', "a-b-c-d-e-f-g-h.docx"),
    ("...", "d1.docx"),
    ("关于做好防汛工作的通知", "关于做好防汛工作的通知.docx"),
])
def test_file_names_cut_at_a_word_and_safe_on_windows(title: str, expected: str) -> None:
    name = file_name(title, "d1")
    assert name == expected and len(name) <= 65


@pytest.mark.libreoffice
def test_libreoffice_shows_marking_and_footnotes(briefing: tuple[DrafterService, str, Path],
                                                 tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is required: install libreoffice-writer-nogui")
    _, _, out = briefing
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), str(out)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = tmp_path / "pdf" / "briefing.pdf"
    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(raw.split())
    assert text.count("OFFICIAL") >= 2
    assert "[1] barrier-report.txt, paragraph 2:" in text  # the footnote, at the foot of the page
    assert re.search(r"£48 million\. \[1\] \d+\. The barrier", text)  # the citation shown once, then the next numbered paragraph


@pytest.mark.parametrize(("make", "message"), [(_bomb, "zip bomb"), (_entities, "DTD or entities")])
def test_a_house_style_changed_after_a_good_export_is_checked_again(tmp_path: Path, make: object,
                                                                    message: str) -> None:
    # the check of a house style is remembered for the same bytes: the same path with new bytes is new
    folder = tmp_path / "styles"
    folder.mkdir()
    shutil.copy(SHIPPED / "uk-gov.docx", folder / "uk-gov.docx")
    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "data", house_styles_dir=folder))
    try:
        draft = svc.create_draft(briefing_request(), "alice")
        svc.submit(draft.id, "alice")
        svc.approve(draft.id, "bob", FULL_CHECKLIST)
        svc.export(draft.id, tmp_path / "good.docx", "alice")
        make(folder / "uk-gov.docx")  # type: ignore[operator]
        with pytest.raises(CatalogError, match=message):
            svc.export(draft.id, tmp_path / "bad.docx", "alice")
        assert not (tmp_path / "bad.docx").exists()
    finally:
        svc.store.engine.dispose()
