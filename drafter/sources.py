"""Reading source documents: text, Markdown and .docx, with size limits and clear errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

from drafter.errors import InputError
from drafter.models import SourceDoc

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
DOCX_SUFFIX = ".docx"
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
    raise InputError(f"Source {name} is not a supported type; use .txt, .md or .docx.")


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
