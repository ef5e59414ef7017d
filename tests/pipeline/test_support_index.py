"""The supporting material's normalised text is put together from each part's own, remembered per part: it must
be exactly `normalise_text` of the parts joined by line breaks, and the joined text without white space."""

from __future__ import annotations

import random
import re

from drafter.checks import facts
from tests.pipeline.corpus import all_texts

_WHITE = ["", " ", "\n", "\t", "  \n ", "\u00a0", "\u3000", "\x1c", "\u2028", "\r\n"]
_EDGES = ["ΑΣ", "ΣΑ Σ", "İx", "a’b", "Word", "中文", "’"]  # final sigma, İ lowering to two characters, curly quote


def _plain(parts: list[str]) -> tuple[str, str]:
    joined = "\n".join(parts)
    return facts.normalise_text(joined), re.sub(r"\s+", "", joined)


def test_the_material_normalised_part_by_part_is_the_material_normalised_whole() -> None:
    texts = all_texts()
    rng = random.Random(3)
    for _ in range(3000):
        parts = []
        for _ in range(rng.randint(0, 5)):
            kind = rng.random()
            if kind < 0.15:
                part = rng.choice(_WHITE[1:])
            elif kind < 0.5:
                part = rng.choice(_WHITE) + rng.choice(_EDGES) + rng.choice(_WHITE)
            else:
                text = rng.choice(texts)
                at = rng.randrange(len(text) + 1)
                part = rng.choice(_WHITE) + text[at:at + rng.randint(0, 200)] + rng.choice(_WHITE)
            if part:
                parts.append(part)
        index = facts.SupportIndex(parts)
        assert (index.text, index.cjk) == _plain(parts), parts


def test_whole_corpus_texts_and_white_space_only_material() -> None:
    texts = all_texts()
    for i in range(0, len(texts) - 3, 3):
        parts = [t for t in texts[i:i + 3] if t]
        index = facts.SupportIndex(parts)
        assert (index.text, index.cjk) == _plain(parts)
    for parts in ([], [" "], [" ", "\n"], ["\t", "a"], ["a", " "], [" a ", " b "]):
        index = facts.SupportIndex(parts)
        assert (index.text, index.cjk) == _plain(parts), parts
