"""The pipeline's memory of texts is bounded by their size, and gives what the plain function gives."""

from __future__ import annotations

import threading

from bench.bench_core import _briefing_request
from drafter import segment
from drafter.backends import offline
from drafter.checks import facts
from drafter.memo import text_cache


def test_the_total_size_of_remembered_texts_stays_within_its_budget() -> None:
    calls: list[str] = []

    @text_cache(max_chars=100, max_items=50)
    def upper(text: str) -> str:
        calls.append(text)
        return text.upper()

    for i in range(40):
        assert upper(f"{i:02d}" * 10) == (f"{i:02d}" * 10).upper()  # 20 characters each
        cache = upper.cache  # type: ignore[attr-defined]
        assert cache.chars <= 100 and cache.chars == sum(len(k[0]) for k in cache.entries)
    assert len(upper.cache.entries) == 5  # type: ignore[attr-defined]
    upper("39" * 10)  # the most recent is remembered
    assert calls.count("39" * 10) == 1
    upper("00" * 10)  # the oldest was let go, and is computed again
    assert calls.count("00" * 10) == 2


def test_a_text_larger_than_the_budget_is_computed_every_time_and_never_kept() -> None:
    calls = []

    @text_cache(max_chars=1000, max_items=50)
    def length(text: str) -> int:
        calls.append(1)
        return len(text)

    big = "x" * 5000
    assert length(big) == 5000 and length(big) == 5000
    assert len(calls) == 2 and length.cache.chars == 0  # type: ignore[attr-defined]


def test_the_number_of_remembered_calls_is_bounded_too() -> None:
    @text_cache(max_chars=10**9, max_items=3)
    def same(text: str) -> str:
        return text

    for i in range(10):
        same(str(i))
    assert list(same.cache.entries) == [("7",), ("8",), ("9",)]  # type: ignore[attr-defined]


def test_tuples_of_texts_are_weighed_by_all_their_texts() -> None:
    @text_cache(max_chars=50, max_items=50)
    def joined(texts: tuple[str, ...], sep: str) -> str:
        return sep.join(texts)

    joined(("a" * 20, "b" * 20), "-")
    assert joined.cache.chars == 41  # type: ignore[attr-defined]
    joined(("c" * 30,), "+")
    assert joined.cache.chars == 31  # type: ignore[attr-defined]


def test_threads_calling_at_once_get_the_plain_results_and_keep_the_books_straight() -> None:
    texts = [_briefing_request(n).sources[0].text[: 2000 + 37 * n] for n in range(12)]
    expected = {t: facts._extract_facts.__wrapped__(t) for t in texts}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(60):
                t = texts[(i * (k + 1)) % len(texts)]
                assert facts._extract_facts(t) == expected[t]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    cache = facts._extract_facts.cache  # type: ignore[attr-defined]
    assert cache.chars == sum(len(k[0]) for k in cache.entries) <= cache.max_chars


def test_a_pasted_source_without_line_breaks_is_split_as_before_and_its_line_not_kept() -> None:
    line = " ".join(_briefing_request(3).sources[0].text.split())  # one line of ~24,000 characters
    assert len(line) > segment._REMEMBERED_LINE
    before = segment._line_cuts.cache_info().currsize
    assert segment.split_sentences(line) == [
        line[a:b].strip() for a, b in segment._line_cuts.__wrapped__(line, "en", False) if line[a:b].strip()]
    assert segment._line_cuts.cache_info().currsize == before


def test_the_offline_candidates_of_many_large_sources_are_not_all_kept() -> None:
    sources = [(_briefing_request(n).sources[0].text * 60,) for n in range(3)]  # ~1.5 million characters each
    for s in sources:
        offline._candidates(s)
    cache = offline._candidates.cache  # type: ignore[attr-defined]
    assert cache.chars <= cache.max_chars
    assert (sources[-1],) in cache.entries and (sources[0],) not in cache.entries
