"""Reading source documents: text, Markdown and .docx, with size limits and clear errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

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
        raise InputError(f"Source file not found: {path}")
    return source_from_bytes(path.name, path.read_bytes(), max_bytes)


def source_from_bytes(name: str, data: bytes, max_bytes: int) -> SourceDoc:
    """Turn an uploaded or read file into a SourceDoc, or raise InputError saying why not."""
    suffix = Path(name).suffix.lower()
    if len(data) > max_bytes:
        raise InputError(
            f"Source {name} is {len(data) / 1_048_576:.1f} MB; the limit is {max_bytes / 1_048_576:.1f} MB."
        )
    if suffix in TEXT_SUFFIXES:
        return SourceDoc(name=name, text=_decode(name, data))
    if suffix == DOCX_SUFFIX:
        return SourceDoc(name=name, text=_docx_text(name, data, max_bytes))
    if suffix == PDF_SUFFIX:
        return SourceDoc(name=name, text=_pdf_text(name, data))
    raise InputError(f"Source {name} is not a supported type; use .txt, .md, .docx or .pdf.")


def _decode(name: str, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise InputError(f"Source {name} looks like a binary file, not text.")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"Source {name} is not UTF-8 (or GB 18030) text; save it as UTF-8 and try again.")


def _docx_text(name: str, data: bytes, max_bytes: int) -> str:
    import io

    from docx import Document

    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise InputError(f"Source {name} is not a valid .docx file.")
    with zipfile.ZipFile(buffer) as zf:
        total = sum(info.file_size for info in zf.infolist())
    if total > max_bytes * MAX_DOCX_EXPANSION:
        raise InputError(f"Source {name} expands to {total / 1_048_576:.0f} MB when unpacked; refused as unsafe.")
    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for broken packages
        raise InputError(f"Source {name} could not be read as a .docx file ({exc}).") from exc
    paragraphs = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            paragraphs.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(paragraphs)


def _pdf_text(name: str, data: bytes) -> str:
    """The text layer of a PDF (pypdf). A scan without text, an encrypted or a broken file is refused clearly."""
    import io
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf logs every oddity it repairs
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError(f"Source {name} is an encrypted PDF; save an unprotected copy and try again.")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise InputError(f"Source {name} has {len(reader.pages)} pages; the limit is {MAX_PDF_PAGES}.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except Exception as exc:  # a parser of untrusted files can fail in many ways
        raise InputError(f"Source {name} could not be read as a PDF ({exc}).") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise InputError(f"Source {name} has no text layer (a scanned image?); Drafter does not read images.")
    return text
