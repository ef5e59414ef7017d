"""The fast paths of the pipeline give exactly what the plain algorithms they replace gave.

Each test runs the plain algorithm (kept here, or the same code with its shortcut switched off) and the fast one
over every text of the repository's corpora and seeded fuzz (tests/pipeline/corpus.py), and compares results.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from drafter import segment, spans
from drafter.backends import offline
from drafter.checks import facts
from drafter.injection import INJECTION
from tests.pipeline.corpus import all_texts, corpus_texts, fuzz_texts


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


# --- fact extraction: gates, lookaheads and the trie change no match ------------------------------------------


# The number words as they were written before the trie: one alternation, longest word first.
_PLAIN_WORDS = "|".join(sorted(facts._EN_WORDS, key=len, reverse=True))
_STARTING_WITH = re.compile(r"\(\?=(\[[^\]]*\]|\\d)\)\(\?:(.*)\)", re.S)


def _plain(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern as it was: without the lookahead of `_starting_with`, with the plain alternation of words."""
    source = pattern.pattern
    if (m := _STARTING_WITH.fullmatch(source)) is not None:
        source = m.group(2)
    return re.compile(source.replace(facts._EN_WORD, _PLAIN_WORDS), pattern.flags)


def test_the_plain_patterns_are_the_old_ones() -> None:
    assert _plain(facts._P_DURATION_EN).pattern.startswith(r"\b(\d+(?:,\d{3})*(?:\.\d+)?|(?:(?:seventeen|thirteen|")
    assert _plain(facts._P_NUMBER_WORDS).pattern == rf"\b(?:(?:{_PLAIN_WORDS})(?:[\s\-]+(?:and[\s\-]+)?(?:{_PLAIN_WORDS}))*)\b"
    assert _plain(facts._P_PHONE).pattern.startswith(r"(?<![\w+])")
    changed = [name for name, value in vars(facts).items()
               if isinstance(value, re.Pattern) and _plain(value).pattern != value.pattern]
    assert len(changed) >= 8, changed


def _plainly(m: pytest.MonkeyPatch) -> None:
    """Every shortcut off: no gate, every pattern as it was."""
    m.setattr(facts._Folded, "any", lambda self, words, cased=False: self.text)
    m.setattr(facts, "_han_only", lambda text: text)
    for name, value in list(vars(facts).items()):
        if isinstance(value, re.Pattern):
            m.setattr(facts, name, _plain(value))


def _extract_without_gates(monkeypatch: pytest.MonkeyPatch, text: str) -> tuple[facts.Fact, ...]:
    with monkeypatch.context() as m:
        _plainly(m)
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


def _plain_support(texts: tuple[str, ...]) -> set[str]:
    """The support keys as SupportIndex found them before (its loop verbatim), over the plain patterns."""
    keys: set[str] = set()
    for text in texts:
        if not text:
            continue
        for fact in facts._extract_facts.__wrapped__(text):
            keys |= facts._derived_keys(fact)
        for m in re.finditer(rf"\b{facts.EN_NUMBER_WORDS.replace(facts._EN_WORD, _PLAIN_WORDS)}\b", text, re.I):
            value = facts.en_words_to_int(m.group(0))
            if value is not None and m.group(0).lower() != "a":
                keys.add(f"number:{value}")
        for m in re.finditer(facts.CN_NUMERAL, text):
            value = facts.cn_to_int(m.group(0))
            if value is not None:
                keys.add(f"number:{value}")
        for m in re.finditer(r"\d+(?:,\d{3})*(?:\.\d+)?", text):
            digits = facts.to_number(m.group(0))
            if digits is not None:
                keys.add(facts._key_number(digits))
    return keys


def test_support_keys_equal_the_plain_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = (*corpus_texts(), *fuzz_texts(100, seed=5))
    with monkeypatch.context() as m:
        _plainly(m)
        plain = _plain_support(texts)
    assert facts.SupportIndex(texts).keys == plain
    assert len(plain) > 1000

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


def _any_repeat(sentences: list[str]) -> bool:
    return any(offline._Said((b,)).repeats(a) for i, a in enumerate(sentences)
               for j, b in enumerate(sentences) if i != j)


def test_extract_relevant_picks_what_it_picked_before() -> None:
    """The same picks as before, except that a sentence repeating one picked before it (a source stating it
    twice) is now left out and the next best taken: where the old picks held no repeat, they are identical."""
    texts = [t for t in corpus_texts() if len(t) > 200]
    assert len(texts) > 20
    queries = ["flood barrier homes cost", "housing delivery programme annual results", "the council budget",
               "会议 决定 资金", "", "recommendation minister announce"]
    compared = differed = 0
    for i in range(0, len(texts), 3):
        sources = texts[i:i + 3]
        for query in queries:
            for k in (0, 1, 4, 50):
                old = _extract_relevant_plain(query, sources, k)
                new = offline.extract_relevant(query, sources, k)
                said = [s for _, s in old]
                if _any_repeat(said):
                    differed += 1
                    assert not _any_repeat([s for _, s in new])
                    assert len(new) == len(old) or len(new) < k
                    continue
                compared += 1
                assert new == old
    assert compared > 100 and differed > 0


# --- the offline backend's test for a sentence already said ------------------------------------------------


def _said_plain(texts: tuple[str, ...]) -> list[tuple[str, list[tuple[str, frozenset[str]]]]]:
    """What was said, as the pairwise test below compares it (verbatim from before the index)."""
    out = []
    for text in texts:
        if text.strip():
            own = [(p, offline._tokens(p)) for line in text.splitlines()
                   for sentence in segment.split_sentences(line.strip())
                   if len((p := offline._plain(segment.CITATION_MARK.sub("", sentence))).split()) >= 3]
            out.append((offline._plain(text), own))
    return out


def _repeats_plain(sentence: str, said: list[tuple[str, list[tuple[str, frozenset[str]]]]]) -> bool:
    """Every said sentence compared with `sentence` in turn (verbatim from before the index)."""
    plain = offline._plain(sentence)
    tokens = offline._tokens(plain)
    if len(tokens) < 4:
        return False
    for whole, sentences in said:
        if plain in whole:
            return True
        for own, own_tokens in sentences:
            if len(own_tokens) >= 6 and own in plain:
                return True
            shared = len(tokens & own_tokens)
            if own_tokens and shared / len(tokens | own_tokens) >= offline._NEAR:
                return True
            if len(own_tokens) >= 6 and shared >= 0.9 * len(own_tokens) and len(tokens) <= 1.5 * len(own_tokens):
                return True
    return False


def _near_copies(sentence: str, rng: random.Random) -> list[str]:
    """The sentence with words dropped, added, swapped or doubled: the edges of "nearly all its words"."""
    words = sentence.split()
    out = []
    for _ in range(4):
        w = list(words)
        for _ in range(rng.randint(1, 3)):
            op = rng.random()
            i = rng.randrange(len(w)) if w else 0
            if op < 0.3 and w:
                del w[i]
            elif op < 0.6:
                w.insert(i, rng.choice(words or ["word"]))
            elif op < 0.8 and len(w) > 1:
                j = rng.randrange(len(w))
                w[i], w[j] = w[j], w[i]
            else:
                w.insert(i, rng.choice(["new", "extra", "其他", "and", "2026"]))
        out.append(" ".join(w))
    return out


def test_a_sentence_already_said_is_found_as_the_pairwise_comparison_found_it() -> None:
    rng = random.Random(17)
    texts = [t for t in all_texts() if t.strip()]
    sentences = [s for t in texts for line in t.splitlines() for s in segment.split_sentences(line.strip())]
    assert len(sentences) > 2000
    checked = found = near = 0
    for start in range(0, len(texts), 7):
        said = tuple(texts[start:start + rng.randint(1, 4)])
        plain, fast = _said_plain(said), offline._Said(said)
        said_sentences = [s for t in said for line in t.splitlines() for s in segment.split_sentences(line.strip())]
        probes = rng.sample(sentences, min(40, len(sentences))) + rng.sample(said_sentences, min(10, len(said_sentences)))
        probes += [c for s in rng.sample(said_sentences, min(5, len(said_sentences))) for c in _near_copies(s, rng)]
        for probe in probes:
            expected = _repeats_plain(probe, plain)
            assert fast.repeats(probe) == expected, (probe, said)
            assert fast.repeats(probe, offline._key(probe)) == expected
            checked += 1
            found += expected
            # found by the words it shares with a said sentence of under six tokens: the counting path, exercised
            near += expected and not _repeats_plain(probe, [(w, [o for o in own if len(o[1]) < 6]) for w, own in
                                                             [("", own) for _, own in plain]])
    assert checked > 5000 and 0.05 < found / checked < 0.95 and near > 100


def test_said_grows_as_said_once() -> None:
    """Adding texts one by one says what saying them together says."""
    texts = [t for t in corpus_texts() if 50 < len(t) < 3000][:40]
    whole, grown = offline._Said(tuple(texts)), offline._Said()
    for text in texts:
        grown.add((text,))
    probes = [s for t in corpus_texts()[:200] for s in segment.split_sentences(t)]
    assert probes and all(whole.repeats(p) == grown.repeats(p) for p in probes)


# --- spans: who wrote which part ------------------------------------------------------------------------------


def _match_plain(text: str, inputs: Any, sources: Any) -> list[Any]:
    """`spans._match` as it was: every needle's stretch checked for a label character by character."""
    labels: list[Any] = [None] * len(text)
    needles = [(n, 1, (spans.SpanOrigin.input, None, None)) for n in spans._input_needles(inputs)]
    needles += [(n, 0, (spans.SpanOrigin.quote, name, pi)) for n, name, pi in spans._source_needles(sources)]
    needles.sort(key=lambda item: (-len(item[0]), -item[1]))
    for needle, _, label in needles:
        pos = text.find(needle)
        while pos != -1:
            end = pos + len(needle)
            if all(lab is None for lab in labels[pos:end]) and spans._bounded(text, pos, end):
                labels[pos:end] = [label] * len(needle)
            pos = text.find(needle, pos + 1)
    return labels


def _to_spans_plain(text: str, labels: list[Any]) -> list[Any]:
    layout = spans._layout_mask(text)
    out = []
    i = 0
    while i < len(text):
        label = labels[i]
        j = i
        while j < len(text) and labels[j] == label:
            j += 1
        if label is not None and not all(layout[i:j]):
            chunk = text[i:j]
            s = i + len(chunk) - len(chunk.lstrip())
            e = j - (len(chunk) - len(chunk.rstrip()))
            origin, source, paragraph = label
            out.append(spans.Span(start=s, end=e, origin=origin, source=source, paragraph=paragraph))
        i = j
    return out


def _fill_plain(text: str, labels: list[Any], rest: Any) -> list[Any]:
    layout = spans._layout_mask(text)
    out = list(labels)
    i = 0
    while i < len(text):
        if out[i] is not None:
            i += 1
            continue
        j = i
        while j < len(text) and labels[j] is None:
            j += 1
        if not all(layout[i:j]):
            out[i:j] = [rest] * (j - i)
        i = j
    return out


def _span_cases() -> Iterator[tuple[str, list[str], list[tuple[str, str]]]]:
    """Each text of the corpora as a section, with inputs and sources that overlap it in many ways: its own
    sentences, a neighbour's, pieces cut at random places (overlapping needles, needles inside words)."""
    rng = random.Random(5)
    texts = [t for t in all_texts() if t.strip()]
    for n, text in enumerate(texts):
        neighbour = texts[(n + 1) % len(texts)]
        sentences = segment.split_sentences(text) or [text]
        pieces = []
        for _ in range(3):
            a = rng.randrange(len(text))
            pieces.append(text[a:a + rng.randint(3, 80)])
        inputs = [*rng.sample(sentences, min(2, len(sentences))), *pieces[:2]]
        sources = [("a.txt", "\n\n".join([*rng.sample(sentences, min(3, len(sentences))), pieces[2]])),
                   ("b.txt", neighbour)]
        yield text, inputs, sources


def test_spans_are_the_ones_the_character_by_character_labelling_found(monkeypatch: pytest.MonkeyPatch) -> None:
    checked = labelled = 0
    for text, inputs, sources in _span_cases():
        for language_model in (True, False):
            fast = spans.compute(text, inputs, sources, language_model=language_model)
            with monkeypatch.context() as m:
                m.setattr(spans, "_match", _match_plain)
                m.setattr(spans, "_to_spans", _to_spans_plain)
                m.setattr(spans, "_fill", _fill_plain)
                plain = spans.compute(text, inputs, sources, language_model=language_model)
            assert fast == plain, text[:200]
        checked += 1
        labelled += len({sp.origin for sp in fast}) > 1
        if checked % 4:
            continue
        # after an edit (every fourth text): its end cut and a sentence added, the old spans kept where the words
        # are the same
        edited = text.replace(" ", "  ", 1)[: max(1, len(text) - 7)] + " A new closing sentence."
        fast_edit = spans.after_edit(text, fast, edited, inputs, sources)
        with monkeypatch.context() as m:
            m.setattr(spans, "_match", _match_plain)
            m.setattr(spans, "_to_spans", _to_spans_plain)
            m.setattr(spans, "_fill", _fill_plain)
            plain_edit = spans.after_edit(text, fast, edited, inputs, sources)
        assert fast_edit == plain_edit, text[:200]
    assert checked > 500 and labelled > 100  # most cases mix quotes, inputs and the machine's own words
