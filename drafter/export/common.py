"""What every .docx layout shares: style names, the metadata properties, comments on AI passages, the body
hash, and writing a file safely. Layouts (docx_writer, gbt9704) and verify import this; it imports neither."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt, RGBColor
from lxml.etree import _Element

from drafter.errors import InputError
from drafter.export.properties import set_custom_properties
from drafter.labeling import aigc_json, origin_text
from drafter.models import Label, Provenance

META_STYLE = "Drafter Meta"
LABEL_STYLE = "Drafter Label"
ORIGINAL_STYLE = "Drafter Original"  # the source text beside a simplified section: not part of the content hash
SECTION_STYLE = "Drafter Section"  # first paragraph of a section printed without a heading (公文, a headless part)
SOURCES_STYLE = "Drafter Sources"  # the closing list of sources the footnotes name: not part of the content hash
PROVENANCE_PROPERTY = "DrafterProvenance"
AIGC_PROPERTY = "AIGC"
_P, _R, _T, _TAB, _BR, _CR = qn("w:p"), qn("w:r"), qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_NOTE_REF = qn("w:footnoteReference")
_SPACE, _PPR, _PSTYLE, _VAL = qn("xml:space"), qn("w:pPr"), qn("w:pStyle"), qn("w:val")


def paragraph_text(p: _Element) -> str:
    """All the text a w:p holds, read from the XML: runs inside hyperlinks, content controls, fields and tracked
    insertions included (python-docx's Paragraph.text skips some of them); deleted text left out."""
    out = []
    for el in p.iter(_T, _TAB, _BR, _CR):
        parent = el.getparent()
        if parent is not None and parent.find(_NOTE_REF) is not None:
            continue  # a footnote's custom reference mark, not text (drafter.export.footnotes)
        if el.tag == _T:
            out.append(el.text or "")
        elif el.getparent() is not None and el.getparent().tag == _R:  # not the tab stops of w:pPr
            out.append("\t" if el.tag == _TAB else "\n")
    return "".join(out)


_RUN, _RUN_T = parse_xml(f"<w:r {nsdecls('w')}/>"), parse_xml(f"<w:r {nsdecls('w')}><w:t/></w:r>")
_LAYOUT_CHARS = re.compile(r"[\t\r\n]")


def text_run(parent: _Element, text: str, rpr: _Element | None = None) -> _Element:
    """A new `w:r` holding `text`, as python-docx's `Run.text` writes it (a tab is `w:tab`, a line break `w:br`,
    `xml:space="preserve"` on text with outer white space), with a copy of `rpr` as its formatting. It is not
    yet placed: the caller appends it where it belongs. Copying a ready-made run is several times faster than
    building one element by element."""
    if not text or _LAYOUT_CHARS.search(text):
        r = copy.copy(_RUN)
        pieces = re.split(r"([\t\r\n])", text)
    else:
        r = copy.copy(_RUN_T)
        pieces = []
        _set_text(r[0], text)
    if rpr is not None:
        r.insert(0, copy.deepcopy(rpr))
    for piece in pieces:
        if piece in ("\t", "\r", "\n"):
            r.append(r.makeelement(_TAB if piece == "\t" else _BR, {}))
        elif piece:
            t = r.makeelement(_T, {})
            _set_text(t, piece)
            r.append(t)
    return r


def _set_text(t: _Element, text: str) -> None:
    t.text = text
    if len(text.strip()) < len(text):
        t.set(_SPACE, "preserve")


class BodyWriter:
    """Paragraphs appended to the body as XML, as python-docx's `add_paragraph(text, style)` writes them (before the
    body's final `w:sectPr`), with each style looked up once: python-docx looks the style up by name on every call
    and writes text one character at a time, which dominated a long export."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.body = doc.element.body
        self._sect = self.body.find(qn("w:sectPr"))  # python-docx puts every new paragraph before it
        self._styles: dict[str, str | None] = {}

    def style_id(self, name: str | None) -> str | None:
        """The paragraph style's id, None for the default style (python-docx then writes no w:pStyle)."""
        if name is None:
            return None
        if name not in self._styles:
            self._styles[name] = self.doc.part.get_style_id(name, WD_STYLE_TYPE.PARAGRAPH)
        return self._styles[name]

    def paragraph(self, style: str | None = None, text: str | None = None) -> _Element:
        """A new `w:p` at the end of the body, in `style`, holding `text` in one run when given."""
        p = self.body.makeelement(_P, {})
        if style is not None:  # python-docx writes a w:pPr even for the default style, with no w:pStyle in it
            ppr = p.makeelement(_PPR, {})
            sid = self.style_id(style)
            if sid is not None:
                ppr.append(p.makeelement(_PSTYLE, {_VAL: sid}))
            p.append(ppr)
        if text:
            p.append(text_run(p, text))
        if self._sect is not None:
            self._sect.addprevious(p)
        else:
            self.body.append(p)
        return p


def body_paragraph_texts(doc: Document) -> list[str]:
    """The text of every paragraph in the body, in document order: top-level, in tables, content controls and
    text boxes alike."""
    return [paragraph_text(p) for p in doc.element.body.iter(_P)]


def body_sha256(doc: Document) -> str:
    """Hash of every body paragraph's text, in order (tables and content controls too); any edit changes it."""
    text = "\n".join(body_paragraph_texts(doc))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _ensure_styles(doc: Document) -> None:
    styles = doc.styles
    names = {s.name for s in styles}
    if META_STYLE not in names:
        meta = styles.add_style(META_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        meta.base_style = styles["Normal"]
        meta.font.size = Pt(10)
        meta.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
    if ORIGINAL_STYLE not in names:
        original = styles.add_style(ORIGINAL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        original.base_style = styles["Normal"]
        original.font.size = Pt(9)
        original.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        original.paragraph_format.left_indent = Pt(18)
    if LABEL_STYLE not in names:
        label = styles.add_style(LABEL_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        label.base_style = styles["Normal"]
        label.font.size = Pt(9)
        label.font.italic = True
        label.paragraph_format.space_before = Pt(18)
    if SOURCES_STYLE not in names:
        sources = styles.add_style(SOURCES_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        sources.base_style = styles["Normal"]
        sources.font.size = Pt(10)
    if SECTION_STYLE not in names:  # looks like body text; marks where a section without a heading starts
        styles.add_style(SECTION_STYLE, WD_STYLE_TYPE.PARAGRAPH).base_style = styles["Normal"]


ensure_styles = _ensure_styles


def comment_text(p: Provenance, language: str) -> str:
    """The Word comment marking an AI passage, in the document's language."""
    if language == "zh":
        text = f"{origin_text(p.origin, 'zh')}：{p.backend} / {p.model}"
        return text + (f"；经{p.edited_by}修改" if p.edited_by else "")
    text = f"{origin_text(p.origin, language)}: {p.backend} / {p.model}"
    return text + (f"; edited by {p.edited_by}" if p.edited_by else "")


def embed_metadata(doc: Document, label: Label, passages: dict[int, list[dict[str, object]]] | None = None) -> None:
    """The machine-readable label: AIGC (GB 45438-2025 Annex E) and DrafterProvenance with the body hash.

    `passages`: section index → the machine-written passages the export commented on (drafter.export.passages),
    recorded in that section's provenance so `drafter verify` can check each passage's comment.
    """
    provenance = dict(label.provenance)
    if passages:
        sections = [dict(s) if isinstance(s, dict) else s for s in provenance.get("sections", [])]  # type: ignore[attr-defined]
        for i, found in passages.items():
            if i < len(sections) and isinstance(sections[i], dict):
                sections[i]["passages"] = found
        provenance["sections"] = sections
    provenance["body_sha256"] = body_sha256(doc)
    set_custom_properties(
        doc,
        {
            AIGC_PROPERTY: aigc_json(label.aigc),
            PROVENANCE_PROPERTY: json.dumps(provenance, ensure_ascii=False, separators=(",", ":")),
        },
    )


def check_writable(path: Path) -> None:
    """Fail early, before anything is recorded, if `path` cannot be written."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.suffix.lower() != ".docx":
        raise InputError("The output file must end in .docx: {path}", path=path)
    if not folder.is_dir():
        raise InputError(
            "The folder {folder} does not exist; create it or choose another output path.",
            folder=folder,
        )
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError("Cannot write to {path}: permission denied.", path=path)


def save_atomically(doc: Document, path: Path) -> None:
    """Write to a temporary file beside `path`, flush to disk, then rename: never a partial .docx."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            doc.save(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
