"""The letters outside ASCII that a pattern compiled with IGNORECASE matches with ASCII letters.

Python's `re` matches "İ" and "ı" with i, "ſ" with s and the Kelvin sign "K" with k, although their lower case is
not that ASCII letter (İ's is even two characters). A fast path that looks for a pattern's words in a text's lower
case, instead of searching the text with the pattern, must search in full when one of them is present; a word a
pattern matched is looked up after folding them. A bottom-layer module: the guard's markings, the fact checks and
the injection pattern share the one list (tests/test_caseless.py derives it from `re` itself).
"""

from __future__ import annotations

import re

ASCII_FOLDS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
FOLDS_TO_ASCII = re.compile("[" + "".join(ASCII_FOLDS) + "]")
