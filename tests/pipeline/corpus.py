"""Texts for the equivalence tests of the fast paths: every text in the repository's corpora, plus seeded fuzz.

The corpora are the real ones (tests/data, examples, the shipped templates and style guides, the bench's
briefings). The fuzz strings mix the forms each fast path has to treat exactly as the plain path does: facts
in every notation, abbreviations before full stops, and the letters that IGNORECASE folds to ASCII although
their lower case is not ASCII (ſ, K, ı, İ).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bench.bench_core import _briefing_request

ROOT = Path(__file__).resolve().parent.parent.parent

FUZZ_TOKENS = [
    "30 days", "thirty days", "twenty-one working days", "one hundred and five", "a year", "seventeen", "seventy",
    "£48 million", "£48m", "US$5", "S$3m", "GBP 4bn", "48,000,000", "12 pounds", "ſeven dollars", "3.5",
    "3%", "3 per cent", "five percent", "百分之三", "百分之三点五",
    "1 March 2026", "March 2026", "Sept. 23, 2022", "2026-03-01", "1/3/2026", "3rd of May", "Jan.",
    "section 404.610", "s. 12", "ss. 3", "Sec. 4", "ſection 5(1)(b)", "§ 617.3(m)(2) and (3)", "paragraph (a) or (b)",
    "Article 3", "art. 7", "Part IV", "Schedule 2", "Annex B", "Appendix 1", "rule 9", "clause 4", "chapter 11",
    "38 U.S.C. 1310(a)", "38 USC 1310(a)", "7 CFR 273.2", "20 C.F.R. § 404.610", "U. S. C.", "c. f. r.",
    "第三条第二款", "第（二）、（三）项", "国办发〔2026〕7号", "2026年3月1日", "三十日", "三万元", "市财政局",
    "张伟局长", "出席：张伟、李娜", "020 7946 0000", "+44 20 7946 0000",
    "Priya Shah", "Harbour Council", "John Smith and Raj Patel", "Canal and River Trust", "Mr. Smith", "Dr. Jones",
    "e.g.", "i.e.", "etc.", "Inc.", "U.S.", "St. Johns", "J. R. Smith", "No.", "K", "İ", "ı", "ſ", "KELVIN",
    "Council", "The", "However", "and", "or", "the", "of", "a", "an", ".", ".", ",", ";", ":", "!", "?", "。",
    "“", "”", '"', "(", ")", "[1]", "[12]", "-", "—", " ", " ", " ", "\n", "\n\n", "\t", "1.", "(a)", "- ",
    "homes", "budget", "million", "thousand", "billion", "万", "亿", "per", "cent", "days", "weeks", "years",
]


def fuzz_texts(count: int = 400, seed: int = 17) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        words = rng.choices(FUZZ_TOKENS, k=rng.randint(1, 40))
        out.append("".join(w + rng.choice(["", " ", " ", " ", "\n", ". ", ", "]) for w in words))
    return out


def long_strings(node: Any) -> list[str]:
    """Every string of more than 20 characters in a parsed YAML or JSON document, in document order."""
    return [text for text in _strings(node) if len(text) > 20]


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        if len(node.strip()) >= 2:
            yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


@lru_cache(maxsize=1)
def corpus_texts() -> tuple[str, ...]:
    """Every text of the repository's corpora, templates and examples, and the bench's briefings."""
    texts: list[str] = []
    for folder in (ROOT / "tests" / "data", ROOT / "examples", ROOT / "drafter" / "templates",
                   ROOT / "drafter" / "style_guides"):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".yaml", ".yml"):
                texts.extend(_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
            elif path.suffix in (".txt", ".md"):
                texts.append(path.read_text(encoding="utf-8"))
    for n in (-1, 0, 7):
        request = _briefing_request(n)
        texts.extend(request.inputs.values())
        texts.extend(s.text for s in request.sources)
    return tuple(dict.fromkeys(texts))


def all_texts() -> list[str]:
    return [*corpus_texts(), *fuzz_texts()]
