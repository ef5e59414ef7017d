"""Word footnotes, which python-docx does not model: a word/footnotes.xml part and references to it.

A citation `[n]` stays in the text as written (the approved content hash covers it) and anchors a footnote at
the foot of the page, which opens with the same `[n]` and names the source, the paragraph and the passage.
"""

from __future__ import annotations

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from lxml.etree import _Element

from drafter.export.common import text_run

PARTNAME = "/word/footnotes.xml"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
TEXT_STYLE = "Footnote Text"
REFERENCE_STYLE = "Footnote Reference"
HIDDEN_MARK = "\u200b"  # zero-width space: the footnote's own mark, so `[n]` is shown once
_EMPTY = (
    f"<w:footnotes {nsdecls('w')}>"
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
    "</w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>"
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


def ensure_styles(doc: Document) -> None:
    names = {s.name for s in doc.styles}
    if TEXT_STYLE not in names:
        text = doc.styles.add_style(TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        text.base_style = doc.styles["Normal"]
        text.font.size = Pt(10)
        text.paragraph_format.space_after = Pt(0)
        text.element.set(qn("w:styleId"), "FootnoteText")
    if REFERENCE_STYLE not in names:
        ref = doc.styles.add_style(REFERENCE_STYLE, WD_STYLE_TYPE.CHARACTER)
        ref.font.superscript = True
        ref.element.set(qn("w:styleId"), "FootnoteReference")


def _style_id(doc: Document, name: str) -> str:
    return str(doc.styles[name].style_id)


class Footnotes:
    """The footnotes part of one document, created on first use."""

    def __init__(self, doc: Document):
        self.doc = doc
        self._root: _Element | None = None
        self._next = 1
        self._ref_style: str | None = None
        self._text_style: str | None = None

    def _part_root(self) -> _Element:
        if self._root is None:
            ensure_styles(self.doc)
            root = parse_xml(_EMPTY)
            part = XmlPart(PackURI(PARTNAME), CONTENT_TYPE, root, self.doc.part.package)
            self.doc.part.relate_to(part, RT.FOOTNOTES)
            self._root = root
        return self._root

    @property
    def last_id(self) -> int:
        """The highest footnote id written so far (0 when there is none)."""
        return self._next - 1

    def add(self, paragraph: Paragraph | _Element, mark: str, text: str) -> list[_Element]:
        """Append `mark` to `paragraph` as ordinary text, anchoring a new footnote that says `mark text`; returns
        the two runs appended (the mark's text, then the footnote reference).

        The footnote's own reference mark is a custom one (`w:customMarkFollows`) holding a zero-width space: the
        visible `[n]` stays the approved text, shown once by Word and by LibreOffice alike (LibreOffice would
        print a printed custom mark twice), and the mark is not body text (`common.paragraph_text` skips it).
        """
        root = self._part_root()
        fid = str(self._next)
        self._next += 1
        p = paragraph._p if isinstance(paragraph, Paragraph) else paragraph
        if self._ref_style is None or self._text_style is None:
            self._ref_style, self._text_style = _style_id(self.doc, REFERENCE_STYLE), _style_id(self.doc, TEXT_STYLE)
        shown = text_run(p, mark)
        run = p.makeelement(qn("w:r"), {})
        rpr = run.makeelement(qn("w:rPr"), {})
        rpr.append(run.makeelement(qn("w:rStyle"), {qn("w:val"): self._ref_style}))
        run.append(rpr)
        run.append(run.makeelement(qn("w:footnoteReference"), {qn("w:customMarkFollows"): "1", qn("w:id"): fid}))
        t = run.makeelement(qn("w:t"), {})
        t.text = HIDDEN_MARK
        run.append(t)
        p.append(shown)
        p.append(run)

        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), fid)
        p = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        pstyle = OxmlElement("w:pStyle")
        pstyle.set(qn("w:val"), self._text_style)
        ppr.append(pstyle)
        p.append(ppr)
        r = OxmlElement("w:r")
        rt = OxmlElement("w:t")
        rt.set(qn("xml:space"), "preserve")
        rt.text = f"{mark} {text}"
        r.append(rt)
        p.append(r)
        note.append(p)
        root.append(note)
        return [shown, run]


def footnote_texts(doc: Document) -> dict[str, str]:
    """Footnote id → its text, read from the document's footnotes part (separators left out)."""
    for rel in doc.part.rels.values():
        if rel.reltype == RT.FOOTNOTES and not rel.is_external:
            part = rel.target_part
            element = getattr(part, "element", None)
            if element is None:
                from lxml import etree

                element = etree.fromstring(part.blob, etree.XMLParser(resolve_entities=False, no_network=True))
            return {
                str(n.get(qn("w:id"))): "".join(t.text or "" for t in n.iter(qn("w:t")))
                for n in element.findall(qn("w:footnote")) if n.get(qn("w:type")) is None
            }
    return {}
