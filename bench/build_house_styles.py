"""Build the reference .docx files shipped in drafter/house_styles/ (like pandoc's --reference-doc).

    python bench/build_house_styles.py            # writes drafter/house_styles/*.docx
    python bench/build_house_styles.py OUT_DIR    # writes them elsewhere

Each file holds page size and margins, the named styles the export uses (Normal, Title, Heading 1-2,
List Bullet, List Number, Numbered Paragraph, Drafter Meta/Label/Sources) and a header and footer. A
paragraph holding `{marking}` in a header or footer is where the export prints the protective marking;
an organisation edits these files in Word (or drops its own into DRAFTER_HOUSE_STYLES_DIR), no code change.
The build is deterministic: the same script gives the same styles, so the files can be reviewed as diffs of
their XML.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document as new_document
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from drafter.export import footnotes, gbt9704
from drafter.export.common import LABEL_STYLE, META_STYLE, SECTION_STYLE, SOURCES_STYLE, ensure_styles

OUT = Path(__file__).resolve().parent.parent / "drafter" / "house_styles"
MARKING_PLACEHOLDER = "{marking}"
NUMBERED_PARAGRAPH = "Numbered Paragraph"
BLACK = RGBColor(0, 0, 0)


def _font(style_name: str, doc: Document, *, face: str, pt: float, bold: bool = False) -> None:
    style = doc.styles[style_name]
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), face)
    style.font.size = Pt(pt)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = BLACK


def _clear_borders(style_name: str, doc: Document) -> None:
    ppr = doc.styles[style_name].element.get_or_add_pPr()
    for el in ppr.findall(qn("w:pBdr")):
        ppr.remove(el)


def _numbered_paragraph_style(doc: Document) -> None:
    """Paragraphs numbered 1, 2, 3… across the document (a submission's numbered paragraphs)."""
    numbering = doc.part.numbering_part.element
    abstract_ids = [int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))]
    num_ids = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
    abstract_id, num_id = max(abstract_ids, default=0) + 1, max(num_ids, default=0) + 1
    abstract = OxmlElement("w:abstractNum")
    abstract.set(qn("w:abstractNumId"), str(abstract_id))
    multi = OxmlElement("w:multiLevelType")
    multi.set(qn("w:val"), "singleLevel")
    abstract.append(multi)
    lvl = OxmlElement("w:lvl")
    lvl.set(qn("w:ilvl"), "0")
    for tag, val in (("w:start", "1"), ("w:numFmt", "decimal"), ("w:pStyle", "NumberedParagraph"),
                     ("w:lvlText", "%1."), ("w:lvlJc", "left")):
        el = OxmlElement(tag)
        el.set(qn("w:val"), val)
        lvl.append(el)
    ppr = OxmlElement("w:pPr")
    ind = OxmlElement("w:ind")
    ind.set(qn("w:left"), "567")
    ind.set(qn("w:hanging"), "567")
    ppr.append(ind)
    lvl.append(ppr)
    abstract.append(lvl)
    # w:abstractNum elements come before every w:num
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), str(num_id))
    ref = OxmlElement("w:abstractNumId")
    ref.set(qn("w:val"), str(abstract_id))
    num.append(ref)
    numbering.append(num)
    style = doc.styles.add_style(NUMBERED_PARAGRAPH, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.element.set(qn("w:styleId"), "NumberedParagraph")
    spr = style.element.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    numid = OxmlElement("w:numId")
    numid.set(qn("w:val"), str(num_id))
    numpr.append(numid)
    spr.insert(0, numpr)


def _field(p: Paragraph, instruction: str, shown: str) -> None:
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, shown), ("end", None)):
        run = p.add_run()
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == instruction:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        else:
            run.text = shown


def _marking_paragraph(p: Paragraph) -> None:
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(MARKING_PLACEHOLDER)
    run.bold = True


def western(page: str) -> Document:
    """uk-gov (A4) or us-letter (Letter): sans-serif 12 pt, black headings, marking centred top and bottom."""
    doc = new_document()
    section = doc.sections[0]
    if page == "a4":
        section.page_width, section.page_height = Mm(210), Mm(297)
        margin = Mm(25)
    else:
        section.page_width, section.page_height = Mm(215.9), Mm(279.4)
        margin = Mm(25.4)
    section.top_margin = section.bottom_margin = section.left_margin = section.right_margin = margin
    section.header_distance = section.footer_distance = Mm(12.5)
    ensure_styles(doc)
    names = {s.name for s in doc.styles}
    for name in (SECTION_STYLE, SOURCES_STYLE):
        if name not in names:
            doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH).base_style = doc.styles["Normal"]
    face = "Arial"
    _font("Normal", doc, face=face, pt=12)
    normal = doc.styles["Normal"].paragraph_format
    normal.space_after, normal.line_spacing = Pt(6), 1.15
    _font("Title", doc, face=face, pt=18, bold=True)
    _clear_borders("Title", doc)
    doc.styles["Title"].paragraph_format.space_after = Pt(12)
    _font("Heading 1", doc, face=face, pt=14, bold=True)
    _font("Heading 2", doc, face=face, pt=12, bold=True)
    for name in ("Heading 1", "Heading 2"):
        doc.styles[name].paragraph_format.space_before = Pt(12)
        doc.styles[name].paragraph_format.space_after = Pt(6)
    for name in ("List Bullet", "List Number"):
        doc.styles[name].paragraph_format.space_after = Pt(3)
    _font(META_STYLE, doc, face=face, pt=12)
    _font(LABEL_STYLE, doc, face=face, pt=10)
    doc.styles[LABEL_STYLE].font.italic = True
    _font(SOURCES_STYLE, doc, face=face, pt=10)
    footnotes.ensure_styles(doc)
    _font(footnotes.TEXT_STYLE, doc, face=face, pt=10)
    _numbered_paragraph_style(doc)
    header = section.header.paragraphs[0]
    _marking_paragraph(header)
    footer = section.footer
    _marking_paragraph(footer.paragraphs[0])
    pages = footer.add_paragraph()
    pages.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(pages, "PAGE", "1")
    return doc


def gongwen() -> Document:
    """GB/T 9704-2012: the page, grid, styles, fonts with fallbacks and 「— 1 —」 page numbers of the layout."""
    doc = new_document()
    gbt9704.prepare(doc)
    return doc


def build(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, doc in (("uk-gov", western("a4")), ("us-letter", western("letter")), ("gbt9704", gongwen())):
        doc.core_properties.title = f"Drafter house style: {name}"
        doc.core_properties.author = "Drafter"
        doc.core_properties.revision = 1
        path = out / f"{name}.docx"
        doc.save(str(path))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(path)
