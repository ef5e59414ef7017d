"""The fast paths of the pipeline give exactly what the plain algorithms they replace gave.

Each test runs the plain algorithm (kept here, or the same code with its shortcut switched off) and the fast one
over every text of the repository's corpora and seeded fuzz (tests/pipeline/corpus.py), and compares results.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest

from drafter import segment
from drafter.backends import offline
from drafter.checks import facts
from drafter.injection import INJECTION
from tests.pipeline.corpus import all_texts, corpus_texts


def test_the_corpus_is_real_and_large() -> None:
    texts = corpus_texts()
    assert len(texts) > 300
    assert sum(map(len, texts)) > 150_000
    assert any(re.search("[\u4e00-\u9fff]", t) for t in texts)


# --- segmentation: the word before a full stop ---------------------------------------------------------------


def test_word_before_a_full_stop_is_what_the_search_from_the_line_start_found() -> None:
    checked = 0
    for text in all_texts():
        for line in text.split("\n"):
            for end in range(len(line) + 1):
                old = segment._WORD_BEFORE.search(line[:end])
                assert segment._word_before(line, end) == (old.group(1) if old else None), (line, end)
                checked += 1
    assert checked > 100_000


def test_sentences_split_per_line_match_a_split_of_the_whole_text() -> None:
    # the per-line cache shares lines between texts: a paragraph's sentences are the text's sentences inside it
    for text in corpus_texts():
        whole = segment.sentences(text, "en", semicolons=True)
        for block in segment.blocks(text):
            inside = [p.text for p in whole if block.start <= p.start and p.end <= block.end]
            assert segment.split_sentences(block.text, "en", semicolons=True) == inside


# --- fact extraction: the gates skip only patterns that cannot match -------------------------------------------


def _extract_without_gates(monkeypatch: pytest.MonkeyPatch, text: str) -> tuple[facts.Fact, ...]:
    with monkeypatch.context() as m:
        m.setattr(facts._Folded, "any", lambda self, words, cased=False: self.text)
        m.setattr(facts, "_if", lambda needed, text: text)
        m.setattr(facts, "_han_only", lambda text: text)
        return facts._extract_facts.__wrapped__(text)


def test_fact_extraction_equals_the_ungated_extraction(monkeypatch: pytest.MonkeyPatch) -> None:
    found = Counter[str]()
    for text in all_texts():
        fast = facts._extract_facts.__wrapped__(text)
        assert fast == _extract_without_gates(monkeypatch, text), text
        found.update(f.kind for f in fast)
    # every kind of fact was met, so every gate was both opened and closed somewhere
    assert set(found) >= {"number", "date", "amount", "percent", "duration", "reference", "docno", "phone",
                          "name", "organisation"}


def test_each_gate_opens_for_its_own_pattern_and_for_letters_that_fold_to_ascii(monkeypatch: pytest.MonkeyPatch) -> None:
    for text in ["see ſection 4 and ſ. 12", "38 UſC 1310", "20 C.F.R. 404", "3 March 2026", "1/3/2026", "£4bn",
                 "US$5 million", "Part IV", "Appendix 2", "KELVIN 5 billion", "İ section 7"]:
        fast = facts._extract_facts.__wrapped__(text)
        assert fast == _extract_without_gates(monkeypatch, text), text
        assert fast, text


# --- support index -----------------------------------------------------------------------------------------


def test_support_keys_equal_the_ungated_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = corpus_texts()
    facts._extract_facts.cache_clear()
    fast = facts.SupportIndex(texts)
    facts._extract_facts.cache_clear()
    with monkeypatch.context() as m:
        m.setattr(facts._Folded, "any", lambda self, words, cased=False: self.text)
        m.setattr(facts, "_if", lambda needed, text: text)
        m.setattr(facts, "_han_only", lambda text: text)
        plain = facts.SupportIndex(texts)
    facts._extract_facts.cache_clear()
    assert fast.keys == plain.keys
    assert (fast.text, fast.cjk) == (plain.text, plain.cjk)


# --- the offline backend's pick of source sentences ---------------------------------------------------------


def _extract_relevant_plain(query: str, sources: list[str], k: int) -> list[tuple[int, str]]:
    """extract_relevant as it was before its candidates were cached (verbatim)."""
    candidates: list[tuple[int, int, str]] = []
    for si, text in enumerate(sources):
        for sentence in offline.split_sentences(text):
            if INJECTION.search(sentence):
                continue
            if len(sentence) >= 20 and sentence[-1] in ".!?。！？；;\"'”)":
                candidates.append((si, len(candidates), sentence))
    if not candidates or k <= 0:
        return []
    doc_freq: Counter[str] = Counter()
    bags = []
    for _, _, sentence in candidates:
        bag = set(offline._terms(sentence))
        bags.append(bag)
        doc_freq.update(bag)
    n = len(candidates)
    query_terms = set(offline._terms(query))
    scored = []
    for (si, order, sentence), bag in zip(candidates, bags, strict=True):
        score = sum(math.log(1 + n / doc_freq[t]) for t in bag & query_terms)
        if re.search(r"\d", sentence):
            score += 0.5
        scored.append((score, -order, si, sentence))
    scored.sort(reverse=True)
    chosen = sorted(scored[:k], key=lambda item: -item[1])
    return [(si, sentence) for _, _, si, sentence in chosen]


def test_extract_relevant_picks_what_it_picked_before() -> None:
    texts = [t for t in corpus_texts() if len(t) > 200]
    assert len(texts) > 20
    queries = ["flood barrier homes cost", "housing delivery programme annual results", "the council budget",
               "会议 决定 资金", "", "recommendation minister announce"]
    for i in range(0, len(texts), 3):
        sources = texts[i:i + 3]
        for query in queries:
            for k in (0, 1, 4, 50):
                assert offline.extract_relevant(query, sources, k) == _extract_relevant_plain(query, sources, k)
