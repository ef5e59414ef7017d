"""The fact extraction's fast paths give exactly what the extraction gave before them.

`tests/pipeline/facts_before.py` is drafter/checks/facts.py as it was before the anchored scans and the rewritten
patterns; every text of the corpora and the seeded fuzz, and texts built to attack each shortcut, must give the
same facts (kind, text, span, keys, in order) and the same support keys.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from drafter.checks import facts
from tests.pipeline import facts_before
from tests.pipeline.corpus import FUZZ_TOKENS, all_texts, fuzz_texts

Row = tuple[str, str, int, int, str, str | None]


def _rows(found: tuple[object, ...]) -> list[Row]:
    return [(f.kind, f.text, f.start, f.end, f.key, f.alt_key) for f in found]  # type: ignore[attr-defined]


def _new(text: str) -> list[Row]:
    return _rows(facts._extract_facts.__wrapped__(text))


def _old(text: str) -> list[Row]:
    return _rows(facts_before._extract_facts.__wrapped__(text))


def _same(text: str) -> list[Row]:
    new = _new(text)
    assert new == _old(text), text[:300]
    assert facts._support_keys.__wrapped__(text) == facts_before._support_keys.__wrapped__(text), text[:300]
    return new


def test_facts_and_support_keys_are_the_ones_found_before_on_every_text() -> None:
    kinds = Counter[str]()
    for text in all_texts():
        kinds.update(row[0] for row in _same(text))
    assert set(kinds) >= {"number", "date", "amount", "percent", "duration", "reference", "docno", "phone",
                          "name", "organisation"}


def test_the_anchored_scans_find_what_a_scan_of_the_whole_text_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = all_texts()
    anchored = [_new(t) for t in texts]
    monkeypatch.setattr(facts, "_ANCHORED", False)
    assert [_new(t) for t in texts] == anchored


# Pieces built to meet at the edges of each shortcut: tokens with and without a number before them, number words
# that run into the token, tokens inside longer words, currency signs after letters, Chinese amounts and units.
ATTACK_TOKENS = [
    "%", "％", " per cent", " percent", "per", "perhaps", "百分之", "百分之三点五", "百分之十", "of 5%", "5 %", "5.5%",
    "twenty-one%", "one hundred and five per cent", "a%", "the%", "data year", "the year", "a year", "one year",
    "5 years", "5-year", "five-day", "today", "Monday", "working days", "business day", "5 working days",
    "fifteen business days", "thirty\nhours", "30-minute", "minutes", "thousand", "million", "5million",
    "5 million", "5  million", "1,000 billion", "bn", "5bn", "2.5 bn", "万", "3万", "3 万", "亿", "5亿元", "£",
    "£5", "£ 5", "$", "US$5", "us$ 5", "S$5", "USD 5", "usd5", "EUR5", "Europe", "neural 5", "GBP", "gbp 12", "¥3",
    "￥3", "元", "三万元", "人民币 3 万元", "美元", "5美元", "欧元", "港元", "英镑", "5英镑", "单元", "元旦", "二〇二六年",
    "2026-03-01", "12026-03-01", "a2026-03-01", "2026-03-011", "3.5", ".5", "1,000,000", "1,00", "3年", "年3",
    "第3条", "张伟局长", "; ", ": ", "\n", "“", "(", "[1]", "—", "The", "Council", "İ", "ı", "ſ", "K", "KELVIN", "5 ſ",
    "FIVE DAYS", "Twenty Percent", "FIFTY PER CENT", "1/3/2026", "March 2026", " ", " ", "",
]


def _attack_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pieces = ATTACK_TOKENS + FUZZ_TOKENS
    out = []
    for _ in range(count):
        words = rng.choices(pieces, k=rng.randint(1, 30))
        out.append("".join(w + rng.choice(["", "", " ", " ", "\n", ". ", ", ", "-", "、"]) for w in words))
    return out


def test_texts_built_to_meet_the_shortcuts_edges_give_the_same_facts() -> None:
    found = Counter[str]()
    for text in _attack_texts(3000, seed=8):
        found.update(row[0] for row in _same(text))
    assert found["percent"] > 100 and found["duration"] > 100 and found["amount"] > 100


@pytest.mark.parametrize("text", [
    # letters IGNORECASE folds to ASCII: the lower case is longer (İ) or differs, so the text is scanned in full
    "İ 5 million and 5% of 30 days, US$5", "ſeven days and 5 ſ 3 per cent", "KELVIN 5 billion", "ı 12 pounds",
    "İİİİ thirty days",
    # tokens with no number before them, then a real one far after
    "the year " * 50 + "30 days", "perhaps per " * 40 + "3 per cent", "Europe " * 30 + "EUR 5",
    # mixed Chinese and English
    "会议决定拨款三万元（USD 5 million），期限30个工作日，占百分之三点五；另 3 万 元 in 5 years.",
    "单元元旦元" * 20 + "人民币5万元",
])
def test_attack_texts_give_the_same_facts(text: str) -> None:
    assert _same(text)


def test_fuzz_is_still_seeded() -> None:
    assert fuzz_texts(3, seed=1) == fuzz_texts(3, seed=1)
