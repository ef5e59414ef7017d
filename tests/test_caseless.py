"""The shared list of letters that IGNORECASE matches with ASCII letters is exactly what `re` does, derived here
from every character of Unicode: a fast path that trusts the list misses nothing."""

from __future__ import annotations

import re
import string
import sys

from drafter.caseless import ASCII_FOLDS, FOLDS_TO_ASCII


def test_the_list_is_what_re_matches_without_case() -> None:
    found: dict[str, set[str]] = {}
    for letter in string.ascii_lowercase:
        pattern = re.compile(letter, re.IGNORECASE)
        for code in range(128, sys.maxunicode + 1):
            if pattern.fullmatch(chr(code)):
                found.setdefault(chr(code), set()).add(letter)
    assert {ch: "".join(sorted(letters)) for ch, letters in found.items()} == ASCII_FOLDS
    assert all(FOLDS_TO_ASCII.fullmatch(ch) for ch in ASCII_FOLDS)
    assert not FOLDS_TO_ASCII.search(string.printable)
