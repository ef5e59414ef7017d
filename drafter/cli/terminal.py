"""What reaches the terminal: author-controlled text with its control characters made visible, never obeyed.

A title or section holding ESC could otherwise recolour the terminal, move the cursor, rewrite earlier lines
or set the window title; a direction override could make text read differently from what it is.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

# C0 and C1 controls except tab and newline, DEL, and the bidirectional embedding / override / isolate marks.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """`text` with each control character written as a visible escape (ESC becomes the four characters \\x1b)."""
    return _UNSAFE.sub(_visible, text)


class EscapingStream:
    """A text stream that escapes control characters in everything written to it, then passes it on."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(escape(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
