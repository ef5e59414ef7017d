"""Source documents: limits, encodings, corrupt files and zip bombs get clear errors."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document

from drafter.errors import InputError
from drafter.sources import source_from_bytes

LIMIT = 5 * 1024 * 1024


def _docx_bytes(*paragraphs: str) -> bytes:
    doc = Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Budget", "£48 million"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_docx_text_and_tables_are_read() -> None:
    src = source_from_bytes("report.docx", _docx_bytes("First paragraph.", "Second."), LIMIT)
    # each cell on its own line, as a reader sees it (a marking in a cell is alone on its line)
    assert "First paragraph.\nSecond." in src.text and "Budget\n£48 million" in src.text


def test_gb18030_text_is_decoded_and_binary_refused() -> None:
    assert source_from_bytes("通知.txt", "关于做好防汛工作的通知".encode("gb18030"), LIMIT).text == "关于做好防汛工作的通知"
    with pytest.raises(InputError, match="binary"):
        source_from_bytes("x.txt", b"abc\x00\x01\x02", LIMIT)


def test_fifty_megabyte_upload_is_refused_with_the_limit() -> None:
    with pytest.raises(InputError, match=r"is 50\.0 MB; the limit is 5\.0 MB"):
        source_from_bytes("big.txt", b"a" * (50 * 1024 * 1024), LIMIT)


def test_zip_bomb_docx_is_refused_before_unpacking() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\x00" * (80 * 1024 * 1024))  # compresses to ~80 KB
    data = buf.getvalue()
    assert len(data) < LIMIT
    with pytest.raises(InputError, match="refused as unsafe"):
        source_from_bytes("bomb.docx", data, LIMIT)


def test_corrupt_docx_is_refused() -> None:
    with pytest.raises(InputError, match="not a valid .docx"):
        source_from_bytes("x.docx", b"PK\x03\x04garbage", LIMIT)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not a word document")
    with pytest.raises(InputError, match="could not be read as a .docx"):
        source_from_bytes("y.docx", buf.getvalue(), LIMIT)


@pytest.mark.libreoffice
def test_pdf_text_layer_is_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A real PDF, made by LibreOffice from a text file, gives back its text."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is required: install libreoffice-writer-nogui")
    txt = tmp_path / "report.txt"
    txt.write_text("The barrier cost £46.6 million.\n\nIt protects 4,200 homes.\n")
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(txt)], check=True, capture_output=True, timeout=180)
    src = source_from_bytes("report.pdf", (tmp_path / "report.pdf").read_bytes(), LIMIT)
    assert "The barrier cost £46.6 million." in src.text and "4,200 homes" in src.text


def test_broken_pdf_is_refused() -> None:
    with pytest.raises(InputError, match="could not be read as a PDF"):
        source_from_bytes("x.pdf", b"%PDF-1.7\nthis is not really a pdf", LIMIT)
