"""Text that addresses an AI rather than the reader ("ignore previous instructions…").

It is data, never an instruction: the offline backend never quotes it, and the checks flag it when it
appears in a document. A bottom-layer module so backends and checks can share the one pattern.
"""

from __future__ import annotations

import re

from drafter.caseless import FOLDS_TO_ASCII

# Text in a source that addresses the AI rather than the reader: it is data, never an instruction, and it is
# never worth quoting in a document (the offline backend skips it; the checks flag it if it appears).
INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|your)\s+"
    r"(?:instructions|prompts?|rules)\b|忽略(?:之前|以上|上述|前面)的?(?:所有)?(?:指令|指示|要求)",
    re.IGNORECASE,
)

# Every match holds one of these words, matched without case. Under IGNORECASE a few non-ASCII letters match ASCII
# ones (drafter.caseless): a text holding one of them is always searched in full.
_MATCH_WORDS = ("ignore", "disregard", "forget", "忽略")


def may_hold_injection(text: str) -> bool:
    """False only when `INJECTION` matches nowhere in `text` nor in any part of it: a word every match holds is
    missing. A caller searching many parts of one text (its sentences) asks this once of the whole."""
    if FOLDS_TO_ASCII.search(text):
        return True
    lower = text.lower()
    return any(word in lower for word in _MATCH_WORDS)
