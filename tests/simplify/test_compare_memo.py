"""A simplified section's lost facts and broken references are remembered per (original, simplified) pair, so the
checks at the end of a batch do not redo each section's comparison. Remembering changes no answer: each is held
to the plain function over the simplification corpus and altered copies of it, in a cold and a warm cache, and a
caller that changes the list it was given cannot change what the next caller gets."""

from __future__ import annotations

import random
import re
from pathlib import Path

import yaml

from drafter.simplification import _broken_references, _missing_facts, broken_references, missing_facts
from tests.pipeline.corpus import long_strings

CORPUS = Path(__file__).resolve().parent.parent / "data" / "simplify" / "corpus.yaml"
HAND = [
    ("A claim under paragraph (a) or (b) of this section.", "A claim under paragraph (a) or\n- (b) of this section."),
    ("Paid under 38 U.S.C. 1310(a) to the spouse.", "Paid under 38 U.S.C. 1310 to the spouse."),
    ("As set out in §§ 617.3(m)(2).", "As set out in §§ 617.3(m)\n- (2)."),
    ("有第（二）、（三）项情形之一的，不予受理。", "有第（二）、\n-（三）项情形之一的，不予受理。"),
    ("依照第十二条第二款办理。", "依照有关规定办理。"),
    ("The applicant must pay £50 within 14 days of the notice dated 1 March 2026.",
     "You must pay £50 within 14 days. The notice is dated 1 March 2026."),
    ("The applicant must pay £50 within 14 days of the notice dated 1 March 2026.", "You must pay soon."),
]




def _pairs() -> list[tuple[str, str]]:
    """Hand-made pairs, and each corpus text against itself and against copies that drop, change or split its
    numbers and references (the ways a model breaks them)."""
    rng = random.Random(17)
    texts = long_strings(yaml.safe_load(CORPUS.read_text(encoding="utf-8")))
    assert len(texts) >= 10
    pairs = list(HAND)
    for text in texts:
        pairs.append((text, text))
        numbers = list(re.finditer(r"\d+", text))
        for _ in range(3):
            if not numbers:
                break
            m = rng.choice(numbers)
            pairs.append((text, text[: m.start()] + str(int(m.group(0)) + 1) + text[m.end():]))
            pairs.append((text, text[: m.start()] + text[m.end():]))
            pairs.append((text, text[: m.start()] + "\n- " + text[m.start():]))
        pairs.append((text, " ".join(text.split()[: max(1, len(text.split()) // 2)])))
    return pairs


def test_remembered_comparisons_give_the_plain_functions_answers() -> None:
    pairs = _pairs()
    _broken_references.cache_clear()  # type: ignore[attr-defined]
    _missing_facts.cache_clear()  # type: ignore[attr-defined]
    expected = [(list(_broken_references.__wrapped__(o, s)), list(_missing_facts.__wrapped__(o, s)))  # type: ignore[attr-defined]
                for o, s in pairs]
    assert any(b for b, _ in expected) and any(m for _, m in expected)  # the corpus does break some
    for _ in ("cold", "warm"):
        assert [(broken_references(o, s), missing_facts(o, s)) for o, s in pairs] == expected


def test_a_caller_changing_its_list_does_not_change_the_next_answer() -> None:
    original, simplified = HAND[1]
    first = missing_facts(original, simplified)
    assert first
    first.append("invented")
    first_refs = broken_references(original, simplified)
    first_refs.clear()
    assert missing_facts(original, simplified) == [f for f in first if f != "invented"]
    assert broken_references(original, simplified) != []
