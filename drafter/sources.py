"""Reading source documents: text, Markdown, .docx and PDF, with size limits and clear errors.

A source is read as a person sees it, since everything read is scanned by the guard and may be sent: every
part of a .docx a reader sees (headers, footers, tables, text boxes, notes, comments) and every PDF page.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from drafter.errors import InputError
from drafter.models import SourceDoc

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
DOCX_SUFFIX = ".docx"
PDF_SUFFIX = ".pdf"
UPLOAD_TYPES = ["docx", "txt", "md", "pdf"]
MAX_PDF_PAGES = 500
MAX_DOCX_EXPANSION = 10  # unpacked size may be at most this many times the upload limit (zip bombs)


def read_source(path: Path, max_bytes: int) -> SourceDoc:
    if not path.is_file():
        raise InputError("Source file not found: {path}", path=path)
    return source_from_bytes(path.name, path.read_bytes(), max_bytes)


def source_from_bytes(name: str, data: bytes, max_bytes: int) -> SourceDoc:
    """Turn an uploaded or read file into a SourceDoc, or raise InputError saying why not."""
    suffix = Path(name).suffix.lower()
    if len(data) > max_bytes:
        raise InputError(
            "Source {name} is {size_mb:.1f} MB; the limit is {limit_mb:.1f} MB.",
            name=name, size_mb=len(data) / 1048576, limit_mb=max_bytes / 1048576,
        )
    if suffix in TEXT_SUFFIXES:
        return SourceDoc(name=name, text=_decode(name, data))
    if suffix == DOCX_SUFFIX:
        return SourceDoc(name=name, text=_docx_text(name, data, max_bytes))
    if suffix == PDF_SUFFIX:
        return SourceDoc(name=name, text=_pdf_text(name, data))
    raise InputError("Source {name} is not a supported type; use .txt, .md, .docx or .pdf.", name=name)


def _decode(name: str, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise InputError("Source {name} looks like a binary file, not text.", name=name)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        "Source {name} is not UTF-8 (or GB 18030) text; save it as UTF-8 and try again.",
        name=name,
    )


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."
# Parts a person sees besides the body, in the order they are read out: headers above, notes and
# footers below, comments in the margin. Every kind of header and footer (default, first page, even pages)
# is its own part, so each is read.
_SIDE_PARTS = ("header+xml", "footnotes+xml", "endnotes+xml", "footer+xml", "comments+xml")


def _docx_text(name: str, data: bytes, max_bytes: int) -> str:
    """The text of a .docx as a person sees it: body (tables cell by cell, each paragraph of a cell on its own
    line, text boxes after their paragraph), then headers, footnotes, endnotes, footers and comments."""
    import io

    from docx import Document

    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise InputError("Source {name} is not a valid .docx file.", name=name)
    with zipfile.ZipFile(buffer) as zf:
        total = sum(info.file_size for info in zf.infolist())
    if total > max_bytes * MAX_DOCX_EXPANSION:
        raise InputError(
            "Source {name} expands to {size_mb:.0f} MB when unpacked; refused as unsafe.",
            name=name, size_mb=total / 1048576,
        )
    try:
        doc = Document(io.BytesIO(data))
        lines: list[str] = []
        _block_lines(doc.element.body, lines)
        side: dict[str, list[str]] = {kind: [] for kind in _SIDE_PARTS}
        for part in doc.part.package.iter_parts():
            kind = part.content_type.removeprefix(_CT)
            if kind in side and part.content_type.startswith(_CT):
                _block_lines(_part_root(part), side[kind])
    except Exception as exc:  # python-docx raises several types for broken packages
        raise InputError(
            "Source {name} could not be read as a .docx file ({reason}).",
            name=name, reason=exc,
        ) from exc
    for kind in _SIDE_PARTS:
        extra = [line for line in side[kind] if line.strip()]
        if extra:
            lines += ["", *extra]
    return "\n".join(lines)


def _part_root(part: Any) -> Any:
    """The XML of a package part: python-docx's parsed element where it has one, else parsed here with its
    safe parser (no entities, no network)."""
    element = getattr(part, "element", None)
    if element is not None:
        return element
    from docx.oxml.parser import parse_xml

    return parse_xml(part.blob)


def _block_lines(element: Any, out: list[str]) -> None:
    """Append one line per paragraph under `element`, in document order (table cells included)."""
    for child in element:
        tag = child.tag
        if tag == _MC_FALLBACK:  # the same content as its mc:Choice, for older readers
            continue
        if tag == f"{_W}p":
            _paragraph_lines(child, out)
        elif isinstance(tag, str):
            _block_lines(child, out)


def _paragraph_lines(p: Any, out: list[str]) -> None:
    """A paragraph's own text as one line, then the lines of any text box anchored in it."""
    parts: list[str] = []
    boxes: list[str] = []

    def walk(el: Any) -> None:
        for c in el:
            tag = c.tag
            if tag == f"{_W}t":
                parts.append(c.text or "")
            elif tag == f"{_W}tab":
                parts.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
            elif tag == f"{_W}noBreakHyphen":
                parts.append("-")
            elif tag == _MC_FALLBACK:
                continue
            elif tag == f"{_W}txbxContent":
                _block_lines(c, boxes)
            elif isinstance(tag, str):
                walk(c)

    walk(p)
    out.append("".join(parts))
    out.extend(boxes)


def _pdf_text(name: str, data: bytes) -> str:
    """The text layer of a PDF (pypdf). A scan without text, an encrypted or a broken file is refused clearly."""
    import io
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf logs every oddity it repairs
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError(
                "Source {name} is an encrypted PDF; save an unprotected copy and try again.",
                name=name,
            )
        if len(reader.pages) > MAX_PDF_PAGES:
            raise InputError(
                "Source {name} has {pages} pages; the limit is {limit}.",
                name=name, pages=len(reader.pages), limit=MAX_PDF_PAGES,
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except Exception as exc:  # a parser of untrusted files can fail in many ways
        raise InputError(
            "Source {name} could not be read as a PDF ({reason}).",
            name=name, reason=exc,
        ) from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise InputError(
            "Source {name} has no text layer (a scanned image?); Drafter does not read images.",
            name=name,
        )
    return text
