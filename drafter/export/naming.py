"""The default file name of an export: built from the title, cut at a word boundary, safe on Windows."""

from __future__ import annotations

import re
import unicodedata

MAX_STEM = 60
_UNSAFE = re.compile(r"[^\w\-]+", flags=re.UNICODE)
# names Windows reserves whatever the extension
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def file_stem(title: str, fallback: str, max_chars: int = MAX_STEM) -> str:
    """`title` as a file name stem: words joined by '-', cut after the last whole word within `max_chars`.

    Characters Windows refuses (<>:"/\\|?*, control characters) and trailing dots or spaces never appear; a
    title with no usable character, or one naming a reserved device (CON, NUL…), gives `fallback`.
    """
    text = unicodedata.normalize("NFC", title)
    words = [w for w in _UNSAFE.sub(" ", text).replace("_", " ").split() if w]
    stem = ""
    for word in words:
        candidate = f"{stem}-{word}" if stem else word
        if len(candidate) > max_chars:
            break
        stem = candidate
    if not stem and words:
        # one word longer than the limit (a long Chinese title has no spaces): cut it, it has no boundary
        stem = words[0][:max_chars]
    stem = stem.strip("-. ")
    if not stem or stem.lower() in _RESERVED:
        return fallback
    return stem


def file_name(title: str, fallback: str, suffix: str = ".docx") -> str:
    return f"{file_stem(title, fallback)}{suffix}"
