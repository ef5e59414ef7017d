"""House styles: the reference .docx (or .dotx) an export starts from, like pandoc's --reference-doc.

A house style is a Word file named `<name>.docx` or `<name>.dotx`: its page size, margins, named styles
(Normal, Title, Heading 1, List Bullet, List Number, Numbered Paragraph…), header and footer become the
exported document's; its body is dropped. A header or footer paragraph holding `{marking}` is where the
protective marking is printed. Files in DRAFTER_HOUSE_STYLES_DIR come first, then those shipped in
drafter/house_styles/ (uk-gov, us-letter, gbt9704, built by bench/build_house_styles.py).

A template names its house style (`house_style`), else its style guide does, else the default for its layout
and language. A reference file is read with care: it must be a zip package of sane size, with no DTD or entity
declarations in any XML part; anything else is refused with an error naming the file.
"""

from __future__ import annotations

import functools
import io
import zipfile
from pathlib import Path

from docx import Document as open_document
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from drafter.errors import CatalogError
from drafter.models import StyleGuide, Template
from drafter.settings import packaged_data

MARKING_PLACEHOLDER = "{marking}"
SUFFIXES = (".docx", ".dotx")
MAX_MEMBERS = 500
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # a reference document is styles and a header, not a library
MAX_RATIO = 200  # compression ratio above which a member is treated as a zip bomb
TEMPLATE_CT = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
DOCUMENT_CT = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def style_name(template: Template, guide: StyleGuide | None = None) -> str:
    """The house style a document of `template` (written to `guide`) is exported in."""
    if template.house_style:
        return template.house_style
    if guide is not None and guide.house_style:
        return guide.house_style
    if template.layout == "gbt9704":
        return "gbt9704"
    return "us-letter" if guide is not None and guide.spelling == "american" else "uk-gov"


def folders(extra: Path | None) -> list[Path]:
    """Where house styles are looked for, in order: the organisation's folder, then the shipped ones."""
    return [p for p in (extra, packaged_data("house_styles")) if p is not None]


def find(name: str, extra: Path | None, template_id: str) -> Path:
    for folder in folders(extra):
        for suffix in SUFFIXES:
            path = folder / f"{name}{suffix}"
            if path.is_file():
                return path
    looked = " or ".join(str(f / f"{name}.docx") for f in folders(extra))
    raise CatalogError(
        "Template {template_id!r} names the house style {name!r}, but there is no file {looked}.",
        template_id=template_id, name=name, looked=looked,
    )


def _checked_bytes(path: Path) -> bytes:
    """The package's bytes, after refusing what no reference document needs: not a zip, a zip bomb, a DTD."""
    return _checked(path, path.read_bytes())


# Every export starts from its house style: the same bytes are checked once (a refusal is not remembered, and a
# changed file is new bytes, checked again).
@functools.lru_cache(maxsize=16)
def _checked(path: Path, data: bytes) -> bytes:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise CatalogError("House style {path} is not a Word file (not a zip package).", path=path)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = z.infolist()
            if len(members) > MAX_MEMBERS:
                raise CatalogError(
                    "House style {path} holds {parts} parts: too many for a reference document.",
                    path=path, parts=len(members),
                )
            total = 0
            content_types = None
            for m in members:
                total += m.file_size
                if total > MAX_UNCOMPRESSED or (m.compress_size and m.file_size / m.compress_size > MAX_RATIO
                                                and m.file_size > 1024 * 1024):
                    raise CatalogError(
                        "House style {path} unpacks to more than it should (a zip bomb?): refused.",
                        path=path,
                    )
                if m.filename.endswith((".xml", ".rels")):
                    head = z.read(m)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise CatalogError(
                            "House style {path} declares a DTD or entities in {part}: refused.",
                            path=path, part=m.filename,
                        )
                    if m.filename == "[Content_Types].xml":
                        content_types = head
    except zipfile.BadZipFile as exc:
        raise CatalogError(
            "House style {path} is a damaged zip package ({reason}).",
            path=path, reason=exc,
        ) from exc
    if content_types is not None and TEMPLATE_CT in content_types:
        # a .dotx: the same package with the template's content type; open it as a document
        buffer = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
            for m in src.infolist():
                blob = src.read(m)
                if m.filename == "[Content_Types].xml":
                    blob = blob.replace(TEMPLATE_CT, DOCUMENT_CT)
                dst.writestr(m, blob)
        data = buffer.getvalue()
    return data


def open_reference(path: Path) -> Document:
    """The reference document with its body emptied (page setup kept): the start of an export."""
    data = _checked_bytes(path)
    try:
        doc = open_document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for broken packages
        raise CatalogError(
            "House style {path} could not be read as a Word file ({reason}).",
            path=path, reason=exc,
        ) from exc
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    # comments and footnotes of the reference document are not the export's
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype in (RT.COMMENTS, RT.FOOTNOTES, RT.ENDNOTES):
            doc.part.drop_rel(rel_id)
    return doc


def start_document(template: Template, guide: StyleGuide | None, extra: Path | None) -> Document:
    return open_reference(find(style_name(template, guide), extra, template.id))


def _header_footer_parts(doc: Document) -> list[object]:
    return [rel.target_part for rel in doc.part.rels.values() if rel.reltype in (RT.HEADER, RT.FOOTER)]


def set_marking(doc: Document, marking: str) -> None:
    """Print `marking` where the house style's headers and footers hold `{marking}` (nothing when empty)."""
    for part in _header_footer_parts(doc):
        element = getattr(part, "element", None)
        if element is None:
            continue
        for p in element.iter(qn("w:p")):
            texts = list(p.iter(qn("w:t")))
            joined = "".join(t.text or "" for t in texts)
            if MARKING_PLACEHOLDER not in joined:
                continue
            if not any(MARKING_PLACEHOLDER in (t.text or "") for t in texts):
                # the placeholder split across runs (Word does this after edits): gather it into the first run
                texts[0].text = joined
                for t in texts[1:]:
                    t.text = ""
            for t in texts:
                if t.text and MARKING_PLACEHOLDER in t.text:
                    t.text = t.text.replace(MARKING_PLACEHOLDER, marking)


def markings(doc: Document) -> list[str]:
    """The text of every header and footer paragraph (for tests and verification)."""
    out = []
    for part in _header_footer_parts(doc):
        element = getattr(part, "element", None)
        if element is not None:
            out += ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in element.iter(qn("w:p"))]
    return out
