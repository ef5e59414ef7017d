"""PDF export through LibreOffice: the label in the text and the metadata, read back by verify, and attacks on it.

One export per module (LibreOffice takes seconds); every attack works on its own copy of that PDF.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream, DecodedStreamObject, DictionaryObject, NameObject

from drafter.cli import main
from drafter.export import pdf
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import FULL_CHECKLIST, briefing_request

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DrafterService, str, Path]]:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.fail("LibreOffice (soffice) is required: install libreoffice-writer-nogui")
    root = tmp_path_factory.mktemp("pdf")
    svc = DrafterService.from_settings(Settings(data_dir=root / "data"))
    draft = svc.create_draft(briefing_request(), "alice")
    svc.edit_section(draft.id, "summary", "The Minister opens the barrier on 12 March 2026.", "alice")
    svc.submit(draft.id, "alice")
    svc.approve(draft.id, "bob", FULL_CHECKLIST)
    result = svc.export_pdf(draft.id, root / "briefing.pdf", "alice")
    assert result.path == root / "briefing.pdf" and result.docx_path == root / "briefing.docx"
    yield svc, draft.id, result.path
    svc.store.engine.dispose()


def _copy(src: Path, tmp_path: Path, name: str = "copy.pdf") -> Path:
    out = tmp_path / name
    shutil.copy(src, out)
    return out


def _rewrite(src: Path, out: Path, change: object) -> Path:
    writer = PdfWriter(clone_from=PdfReader(str(src)))
    change(writer)  # type: ignore[operator]
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def test_pdf_carries_label_in_text_info_and_xmp(exported: tuple[DrafterService, str, Path]) -> None:
    svc, draft_id, path = exported
    reader = PdfReader(str(path))
    info = reader.metadata
    assert info is not None
    statement = info["/Subject"]
    assert "reviewed and approved by bob" in statement
    assert pdf.normalise(statement) in pdf.normalise("".join(p.extract_text() for p in reader.pages))
    assert info["/Title"] == svc.get_draft(draft_id).title
    aigc = json.loads(info["/AIGC"])["AIGC"]
    assert aigc["Label"] == "1" and aigc["ReservedCode1"] == svc.get_draft(draft_id).content_sha256
    assert json.loads(info["/DrafterProvenance"])["draft_id"] == draft_id
    xmp = pdf.read_xmp(reader)
    assert xmp["aigc"] == info["/AIGC"] and xmp["description"] == statement and xmp["title"] == info["/Title"]
    assert "AIGC" in (reader.xmp_metadata.dc_subject or [])  # type: ignore[union-attr]


def test_clean_pdf_verifies_and_the_export_is_recorded(exported: tuple[DrafterService, str, Path]) -> None:
    svc, draft_id, path = exported
    report = svc.verify_file(path)
    assert report.ok, report.problems
    assert report.kind == "pdf" and report.content_matches and report.body_unchanged and report.signature_valid
    events = [e for e in svc.audit_trail(draft_id) if e.action == "exported"]
    assert [e.details.get("format", "docx") for e in events] == ["docx", "pdf"]
    assert events[-1].details["text_sha256"] == report.text_sha256
    # the .docx it was made from is there and verifies too
    assert svc.verify_file(path.with_suffix(".docx")).ok


def test_verify_with_only_the_public_key_and_no_database(exported: tuple[DrafterService, str, Path],
                                                         tmp_path: Path) -> None:
    svc, _, path = exported
    pem = tmp_path / "public.pem"
    pem.write_text(svc.public_key_pem())
    from drafter.export.verify_pdf import verify_pdf
    from drafter.signing import load_public_key

    report = verify_pdf(path, load_public_key(pem))
    assert report.ok and report.content_matches and report.notes


def test_metadata_stripped(exported: tuple[DrafterService, str, Path], tmp_path: Path) -> None:
    svc, _, path = exported

    def strip(writer: PdfWriter) -> None:
        writer._info = None  # type: ignore[assignment]
        writer.add_metadata({"/Title": "x"})
        del writer.root_object["/Metadata"]

    report = svc.verify_file(_rewrite(path, tmp_path / "stripped.pdf", strip))
    assert not report.ok and not report.content_matches
    joined = " ".join(report.problems)
    assert "no AIGC metadata" in joined and "no DrafterProvenance" in joined and "no XMP" in joined
    assert "carries no signature" in joined


def _drop_text(writer: PdfWriter) -> None:
    """Remove the second half of page 1's text-showing operations: the text changes, nothing else is redrawn."""
    page = writer.pages[0]
    content = ContentStream(page.get_contents(), writer)
    shown = [i for i, (_operands, op) in enumerate(content.operations) if op in (b"Tj", b"TJ")]
    for i in reversed(shown[len(shown) // 2:]):
        del content.operations[i]
    page.replace_contents(content)


def _add_text(writer: PdfWriter) -> None:
    """Draw a new sentence on page 1 in a standard font."""
    page = writer.pages[0]
    fonts = page["/Resources"].get_object().setdefault(NameObject("/Font"), DictionaryObject()).get_object()
    fonts[NameObject("/FX")] = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    content = page.get_contents()
    extra = DecodedStreamObject()
    extra.set_data((content.get_data() if content else b"")
                   + b"\nBT /FX 11 Tf 72 60 Td (The Minister also approved the budget.) Tj ET\n")
    page.replace_contents(extra)


@pytest.mark.parametrize("attack", [_drop_text, _add_text], ids=["text removed", "text added"])
def test_text_altered(exported: tuple[DrafterService, str, Path], tmp_path: Path, attack: object) -> None:
    svc, _, path = exported
    altered = _rewrite(path, tmp_path / "altered.pdf", attack)
    report = svc.verify_file(altered)
    assert not report.ok and not report.body_unchanged and not report.signature_valid
    assert any("text was changed after export" in p for p in report.problems), report.problems
    assert any("not the text the audit log recorded" in p for p in report.problems)


def test_text_altered_and_fingerprint_recomputed_without_signature(exported: tuple[DrafterService, str, Path],
                                                                    tmp_path: Path) -> None:
    """An editor who recomputes the text fingerprint cannot sign: and the approved text is looked for itself."""
    svc, _, path = exported
    altered = _rewrite(path, tmp_path / "a.pdf", _drop_text)
    reader = PdfReader(str(altered))
    info = dict(reader.metadata or {})
    sig = json.loads(info["/DrafterSignature"])
    sig["text_sha256"] = pdf.text_sha256(reader)

    def forge(writer: PdfWriter) -> None:
        writer.add_metadata({"/DrafterSignature": json.dumps(sig)})

    report = svc.verify_file(_rewrite(altered, tmp_path / "b.pdf", forge))
    joined = " ".join(report.problems)
    assert "signature does not match" in joined
    assert "does not hold the approved content" in joined and not report.content_matches


def test_aigc_forged(exported: tuple[DrafterService, str, Path], tmp_path: Path) -> None:
    svc, _, path = exported
    reader = PdfReader(str(path))
    aigc = json.loads(reader.metadata["/AIGC"])  # type: ignore[index]
    aigc["AIGC"]["Label"] = "0"
    aigc["AIGC"]["ContentProducer"] = "A person"

    def forge(writer: PdfWriter) -> None:
        writer.add_metadata({"/AIGC": json.dumps(aigc)})

    report = svc.verify_file(_rewrite(path, tmp_path / "forged.pdf", forge))
    joined = " ".join(report.problems)
    assert "AIGC Label is '0'" in joined and "ContentProducer" in joined
    assert "XMP AIGC differs" in joined and "signature does not match" in joined


def test_statement_removed_from_subject_and_xmp_replaced(exported: tuple[DrafterService, str, Path],
                                                         tmp_path: Path) -> None:
    svc, _, path = exported

    def forge(writer: PdfWriter) -> None:
        writer.add_metadata({"/Subject": "Written by a person."})

    report = svc.verify_file(_rewrite(path, tmp_path / "s.pdf", forge))
    joined = " ".join(report.problems)
    assert "Subject is not the AI-use statement" in joined and "XMP statement differs" in joined


def test_annotation_added(exported: tuple[DrafterService, str, Path], tmp_path: Path) -> None:
    """A white box drawn over the label as an annotation changes no text; it is still found."""
    svc, _, path = exported

    def cover(writer: PdfWriter) -> None:
        from pypdf.annotations import Rectangle

        box = Rectangle(rect=(0, 0, 600, 200))
        writer.add_annotation(page_number=len(writer.pages) - 1, annotation=box)

    report = svc.verify_file(_rewrite(path, tmp_path / "cover.pdf", cover))
    joined = " ".join(report.problems)
    assert "annotations the export did not write: /Square" in joined and "signature does not match" in joined


def test_not_a_pdf_or_broken(exported: tuple[DrafterService, str, Path], tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    svc, _, path = exported
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(path.read_bytes()[:400])
    code = main(["verify", str(broken)])
    err = capsys.readouterr().err
    assert code in (1, 3) and "Traceback" not in err and err.strip()


def test_cli_pdf_export_without_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "data"))
    draft = svc.create_draft(briefing_request(), "alice")
    svc.submit(draft.id, "alice")
    svc.approve(draft.id, "bob", FULL_CHECKLIST)
    svc.store.engine.dispose()
    monkeypatch.setenv("DRAFTER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no soffice anywhere
    out = tmp_path / "b.pdf"
    code = main(["export", draft.id, "--format", "pdf", "--output", str(out), "--user", "alice"])
    err = capsys.readouterr().err
    assert code == 3 and not out.exists()
    assert "LibreOffice is not installed" in err and str(out.with_suffix(".docx")) in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert out.with_suffix(".docx").is_file()
    assert main(["verify", str(out.with_suffix(".docx"))]) == 0
    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "data"))
    trail = [(e.action, e.details.get("format", "docx")) for e in svc.audit_trail(draft.id)]
    svc.store.engine.dispose()
    assert trail[-2:] == [("exported", "docx"), ("export_failed", "pdf")]
