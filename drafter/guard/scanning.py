"""Scanning text of any size in bounded memory: windows aligned to line starts, with overlap.

A window is scanned whole; findings that end before the next window's start are emitted, the rest are
found again (complete) in the next window, which starts at a line start at least `overlap` characters
before the end, so a line-anchored marking never sees a false line start and no identifier is cut in two.
"""

from __future__ import annotations

import codecs
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from drafter.errors import InputError

WINDOW_CHARS = 256 * 1024
OVERLAP_CHARS = 1024
READ_BYTES = 64 * 1024


class Hit(NamedTuple):
    """A raw finding at window-relative or absolute offsets. (A named tuple: a
    scan of a text dense with personal data makes several for each finding, and a tuple is made several times faster
    than a frozen dataclass.)"""

    type: str
    start: int
    end: int
    score: float
    text: str
    marking: str | None = None
    level: str | None = None
    line: int | None = None

    def moved(self, by: int) -> Hit:
        """The same hit `by` characters further on (a window's hit at its offsets in the whole text)."""
        if not by:
            return self
        return Hit(self.type, self.start + by, self.end + by, self.score, self.text, self.marking, self.level, self.line)


def _start(h: Hit) -> int:
    return h.start


WindowScanner = Callable[[str, int], list[Hit]]  # (window text, lines before it) -> hits


class WindowCache:
    """Remembers the hits of recently scanned windows, so a prompt re-sent per section is scanned once."""

    def __init__(self, scanner: WindowScanner, size: int = 64):
        self.scanner = scanner
        self.size = size
        self._cache: OrderedDict[tuple[str, int], list[Hit]] = OrderedDict()

    def __call__(self, window: str, line_base: int) -> list[Hit]:
        key = (hashlib.sha256(window.encode("utf-8", "surrogatepass")).hexdigest(), line_base)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        hits = self.scanner(window, line_base)
        self._cache[key] = hits
        if len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return hits


def scan_pieces(
    pieces: Iterable[str], scanner: WindowScanner, *, window: int = WINDOW_CHARS, overlap: int = OVERLAP_CHARS
) -> Iterator[Hit]:
    """Scan a text given in pieces; yield hits with absolute character offsets, in window order."""
    for hit, by in scan_pieces_at(pieces, scanner, window=window, overlap=overlap):
        yield hit.moved(by)


def scan_pieces_at(
    pieces: Iterable[str], scanner: WindowScanner, *, window: int = WINDOW_CHARS, overlap: int = OVERLAP_CHARS
) -> Iterator[tuple[Hit, int]]:
    """`scan_pieces`' hits as (window-relative hit, its window's offset in the text): for a caller that makes records
    of its own at the absolute offsets, so no moved hit is made only to be read once."""
    buf = ""
    buf_start = 0
    line_base = 0
    emitted_until = 0
    it = iter(pieces)
    done = False
    while not done:
        while len(buf) < window:
            piece = next(it, None)
            if piece is None:
                done = True
                break
            buf += piece
        if not buf:
            return
        hits = scanner(buf, line_base)
        if done:
            for h in sorted(hits, key=_start):
                if buf_start + h.start >= emitted_until:
                    yield h, buf_start
            return
        cut = buf.rfind("\n", 0, len(buf) - overlap) + 1
        if cut <= 0:
            cut = len(buf) - overlap
        for h in hits:  # never cut through a finding
            if h.start < cut < h.end:
                cut = h.start
        if cut <= 0:  # one finding fills the window: emit it and move on
            cut = max(h.end for h in hits)
        for h in sorted(hits, key=_start):
            if h.end <= cut and buf_start + h.start >= emitted_until:
                yield h, buf_start
        emitted_until = buf_start + cut
        line_base += buf.count("\n", 0, cut)
        buf = buf[cut:]
        buf_start += cut


def split_text(text: str, size: int = WINDOW_CHARS) -> Iterator[str]:
    for i in range(0, len(text), size):
        yield text[i : i + size]


def read_text_pieces(path: Path, *, read_bytes: int = READ_BYTES) -> Iterator[str]:
    """Decode a UTF-8 file incrementally; refuse binary or non-UTF-8 files with one clear sentence."""
    if not path.is_file():
        raise InputError("{path}: no such file.", path=path)
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    offset = 0
    with path.open("rb") as fh:
        while True:
            block = fh.read(read_bytes)
            if b"\x00" in block:
                raise InputError("{path} is a binary file, not text; nothing was scanned or sent.", path=path)
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                raise InputError(
                    "{path} is not UTF-8 text (invalid byte at offset {offset}); save it as UTF-8 and scan "
                    "again.",
                    path=path, offset=offset + exc.start,
                ) from None
            if text:
                yield text
            if not block:
                return
            offset += len(block)
