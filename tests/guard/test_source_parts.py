"""Sources read as a person sees them (issue 20): a marking in any part of a .docx a reader sees, or on any
page of a PDF, is read into the source text and blocks an external backend."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.parser import parse_xml

from drafter.errors import RefusedError
from drafter.guard.engine import Guard
from drafter.guard.evasion import EXTERNAL
from drafter.sources import source_from_bytes

LIMIT = 5 * 1024 * 1024
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MARK = "SECRET"


def _header(kind: str, footer: bool = False) -> Callable[[DocumentObject], None]:
    def put(doc: DocumentObject) -> None:
        section = doc.sections[0]
        if kind == "first":
            section.different_first_page_header_footer = True
        if kind == "even":
            doc.settings.odd_and_even_pages_header_footer = True
        name = {"default": "", "first": "first_page_", "even": "even_page_"}[kind] + ("footer" if footer else "header")
        getattr(section, name).paragraphs[0].text = MARK

    return put


def _table_cell(doc: DocumentObject) -> None:
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = MARK, "Handling: UK EYES ONLY"
    table.cell(1, 0).text, table.cell(1, 1).text = "Budget", "£48 million"


def _text_box(doc: DocumentObject) -> None:
    """A DrawingML text box inside mc:AlternateContent, with the VML copy in mc:Fallback (as Word writes)."""
    box = (
        '<w:txbxContent><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:txbxContent>'
    )
    run_xml = (
        f'<w:r xmlns:w="{W_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml">'
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>'
        + box.format(MARK) +
        '</wps:txbx></wps:wsp></w:drawing></mc:Choice>'
        '<mc:Fallback><w:pict><v:shape><v:textbox>' + box.format(MARK) + '</v:textbox></v:shape></w:pict>'
        '</mc:Fallback></mc:AlternateContent></w:r>'
    )
    p = doc.add_paragraph("A paragraph with a text box: ")
    p._p.append(parse_xml(run_xml))


def _notes(kind: str) -> Callable[[DocumentObject], None]:
    def put(doc: DocumentObject) -> None:
        tag = kind[:-1]  # footnote / endnote
        xml = (
            f'<w:{kind} xmlns:w="{W_NS}">'
            f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
            f'<w:{tag} w:id="1"><w:p><w:r><w:t>{MARK}</w:t></w:r></w:p></w:{tag}></w:{kind}>'
        )
        content_type = CT.WML_FOOTNOTES if kind == "footnotes" else CT.WML_ENDNOTES
        rel = RT.FOOTNOTES if kind == "footnotes" else RT.ENDNOTES
        part = Part(PackURI(f"/word/{kind}.xml"), content_type, xml.encode(), doc.part.package)
        doc.part.relate_to(part, rel)

    return put


def _comment(doc: DocumentObject) -> None:
    p = doc.add_paragraph("Commented text.")
    doc.add_comment(p.runs, text=MARK, author="reviewer")


PARTS: dict[str, Callable[[DocumentObject], None]] = {
    "default header": _header("default"), "first-page header": _header("first"),
    "even-page header": _header("even"), "default footer": _header("default", footer=True),
    "first-page footer": _header("first", footer=True), "even-page footer": _header("even", footer=True),
    "table cell": _table_cell, "text box": _text_box, "footnote": _notes("footnotes"),
    "endnote": _notes("endnotes"), "comment": _comment,
}


def _docx(put: Callable[[DocumentObject], None]) -> bytes:
    doc = Document()
    doc.add_paragraph("Briefing on the barrier budget.")
    put(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("where", list(PARTS))
def test_a_marking_in_any_docx_part_is_read_and_blocks(where: str) -> None:
    src = source_from_bytes("annex.docx", _docx(PARTS[where]), LIMIT)
    assert "Briefing on the barrier budget." in src.text
    assert MARK in src.text.splitlines(), f"the marking in the {where} is alone on its line"
    with pytest.raises(RefusedError, match=r"source 'annex.docx' is marked SECRET"):
        Guard().check_parts([(f"source '{src.name}'", src.text)], EXTERNAL)


def test_text_box_is_read_once_and_cells_one_per_line() -> None:
    box = source_from_bytes("a.docx", _docx(_text_box), LIMIT).text
    assert box.count(MARK) == 1  # the VML fallback copy is not read twice
    assert box.splitlines()[1:3] == ["A paragraph with a text box: ", MARK]
    cells = source_from_bytes("b.docx", _docx(_table_cell), LIMIT).text
    assert cells.splitlines()[1:] == [MARK, "Handling: UK EYES ONLY", "Budget", "£48 million"]


def _pdf(pages: list[str]) -> bytes:
    """A minimal PDF with one line of Helvetica text per page (offsets in the xref table computed)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = []
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        page_no, content_no = len(objects) + 1, len(objects) + 2
        kids.append(f"{page_no} 0 R")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_no} 0 R "
                       f"/Resources << /Font << /F1 {len(pages) * 2 + 3} 0 R >> >> >>")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream.decode()}\nendstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>"
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_a_marking_on_any_pdf_page_is_read_and_blocks() -> None:
    src = source_from_bytes("annex.pdf", _pdf(["Briefing on the barrier.", "Annex", "SECRET"]), LIMIT)
    assert "Briefing on the barrier." in src.text and "SECRET" in src.text.splitlines()
    with pytest.raises(RefusedError, match="SECRET"):
        Guard().check_parts([("source 'annex.pdf'", src.text)], EXTERNAL)
