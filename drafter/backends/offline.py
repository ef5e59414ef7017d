"""The offline backend: no network, no model.

It assembles each section from the template's `offline_text` filled with the user's inputs and, where the
section uses sources, adds the source sentences that share the most content words with the section's
heading, instruction and inputs. It writes nothing that is not in the inputs or sources, and the label
says that the text was assembled by rule, not written by a language model.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from itertools import chain
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import BaseModel

from drafter import segment
from drafter.backends.base import (
    Backend,
    CallReport,
    Capabilities,
    ChatRequest,
    Generation,
    GenerationOptions,
)
from drafter.errors import RefusedError
from drafter.injection import INJECTION, may_hold_injection
from drafter.memo import text_cache
from drafter.simplify_rules import substitute_plain_words
from drafter.textfill import cn_numeral, fill, placeholders

T = TypeVar("T", bound=BaseModel)

MODEL_NAME = "drafter-offline-extractive-1"
_SENTENCES_BY_LENGTH = {"short": 2, "medium": 4, "long": 6}
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+|\d[\d,.%]*|[\u4e00-\u9fff]")
_STOP = frozenset(
    ["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with", "which", "who", "what", "when", "where", "why", "how", "not", "no", "but", "if", "then", "than", "there", "their", "they", "them", "we", "you", "your", "our"]
)


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences (English and Chinese punctuation), dropping empties."""
    return segment.split_sentences(text, semicolons=True)


def _terms(text: str) -> list[str]:
    return [word for w in _WORD.findall(text) if (word := w.lower()) not in _STOP]


_DIGIT = re.compile(r"\d")


_Candidates = tuple[
    tuple[tuple[int, int, str, bool], ...], tuple[frozenset[str], ...], Mapping[str, int],
    tuple[tuple[str, frozenset[str]], ...],
]


# A source is read once, when it is added (`read_source`), and every draft drawing on it picks from what was read:
# each source's sentences, term bags and keys are found once, and a request's candidates are those of its sources.
@text_cache(max_chars=4_000_000, max_items=64)
def _source_candidates(text: str) -> _Candidates:
    """`_candidates` of one source (source index 0)."""
    candidates: list[tuple[int, int, str, bool]] = []
    injection = may_hold_injection(text)  # one look at the whole source, not a search of each sentence
    for sentence in split_sentences(text):
        # headings and fragments carry no sentence punctuation: not worth quoting
        if injection and INJECTION.search(sentence):  # addressed to an AI, not to the reader: never quoted
            continue
        if len(sentence) >= 20 and sentence[-1] in ".!?。！？；;\"'”)":
            candidates.append((0, len(candidates), sentence, _DIGIT.search(sentence) is not None))
    doc_freq: Counter[str] = Counter()
    bags = []
    for _, _, sentence, _ in candidates:
        bag = frozenset(_terms(sentence))
        bags.append(bag)
        doc_freq.update(bag)
    keys = tuple(_key(sentence) for _, _, sentence, _ in candidates)
    return tuple(candidates), tuple(bags), MappingProxyType(dict(doc_freq)), keys


def read_source(text: str) -> None:
    """Read a source ahead of the drafts that will quote it (when a person adds it)."""
    _source_candidates(text)


# Every section of a draft picks from the same sources: their candidates are put together once per request.
@text_cache(max_chars=4_000_000, max_items=16)
def _candidates(sources: tuple[str, ...]) -> _Candidates:
    """The quotable sentences of the sources (source index, order, sentence, carries a figure), the set of
    terms of each, in how many sentences each term occurs, and each sentence's `_key`."""
    if len(sources) == 1:
        return _source_candidates(sources[0])
    candidates: list[tuple[int, int, str, bool]] = []
    bags: list[frozenset[str]] = []
    keys: list[tuple[str, frozenset[str]]] = []
    doc_freq: Counter[str] = Counter()
    for si, text in enumerate(sources):
        own, own_bags, own_freq, own_keys = _source_candidates(text)
        candidates += [(si, len(candidates) + order, sentence, figures) for _, order, sentence, figures in own]
        bags += own_bags
        keys += own_keys
        doc_freq.update(own_freq)
    return tuple(candidates), tuple(bags), MappingProxyType(dict(doc_freq)), tuple(keys)


_NOT_WORD = re.compile(r"[\W_]+")


def _plain(text: str) -> str:
    """Lower case words separated by single spaces: how a repeated sentence is recognised."""
    return " " + _NOT_WORD.sub(" ", text.lower()).strip() + " "


_HAN_CHAR = re.compile(r"[\u3400-\u9fff]")
_NEAR = 0.8  # the share of words two sentences share for one to repeat the other (as drafter eval counts them)


def _tokens(plain: str) -> frozenset[str]:
    """Words, or for Chinese the pairs of characters: what two sentences are compared by."""
    han = "".join(_HAN_CHAR.findall(plain))
    if len(han) > 1:
        return frozenset(han[i:i + 2] for i in range(len(han) - 1))
    return frozenset(plain.split())


# The author's inputs are said again in every request drafted from them, and each section once written: each text's
# sentences are read once.
@text_cache(max_chars=2_000_000, max_items=1024)
def _said_sentences(text: str) -> tuple[str, tuple[tuple[str, frozenset[str]], ...]]:
    """A said text plain, and its sentences of three words or more, each plain with its tokens."""
    out = []
    for line in text.splitlines():
        for sentence in segment.split_sentences(line.strip()):
            p = _plain(segment.CITATION_MARK.sub("", sentence))
            if len(p.split()) >= 3:
                out.append((p, _tokens(p)))
    return _plain(text), tuple(out)


_FEW_LONG = 24  # below this many long said sentences, each is looked for in a sentence without splitting it


class _Said:
    """What is already said, indexed so that `repeats` compares a sentence only with the said sentences that
    share enough of its words to be repeated by it."""

    def __init__(self, texts: tuple[str, ...] = ()) -> None:
        self._wholes: list[str] = []
        self._joined = ""
        self._own: list[tuple[int, str]] = []  # each said sentence: its number of tokens, plain
        self._postings: dict[str, list[int]] = {}  # token -> the said sentences holding it
        self._long: dict[str, list[str]] = {}  # first word -> the plain said sentences of six tokens or more
        self._longs: list[str] = []  # the same sentences, in one list
        self.add(texts)

    def add(self, texts: tuple[str, ...]) -> None:
        """Say `texts` too: each text plain, with each of its sentences of three words or more."""
        for text in texts:
            if not text.strip():
                continue
            whole, sentences = _said_sentences(text)
            self._wholes.append(whole)
            for p, tokens in sentences:
                index = len(self._own)
                self._own.append((len(tokens), p))
                for token in tokens:
                    self._postings.setdefault(token, []).append(index)
                if len(tokens) >= 6:
                    # a plain sentence found in another starts at one of its words: looked for from there
                    self._long.setdefault(p.split(" ", 2)[1], []).append(p)
                    self._longs.append(p)
        # plain texts and sentences hold no line break, so a match in the joined text is a match in one of them
        self._joined = "\n".join(self._wholes)

    def _contains_long(self, plain: str) -> bool:
        """Whether a said sentence of six tokens or more is in `plain`."""
        if len(self._longs) <= _FEW_LONG:
            # a said sentence in `plain` has its first word among plain's words: a few are looked for directly
            return any(own in plain for own in self._longs)
        if self._long:
            for word in self._long.keys() & plain.split():  # only the words a long said sentence starts with
                for own in self._long[word]:
                    if own in plain:
                        return True
        return False

    def repeats(self, sentence: str, key: tuple[str, frozenset[str]] | None = None) -> bool:
        """Whether `sentence` says again what is already said: it appears in a text already written, contains a
        sentence of six words or more already said (a source sentence quoting the author's own input), or shares
        nearly all its words with one. `key` is the sentence's `_key`, when the caller has it."""
        plain, tokens = key or _key(sentence)
        m = len(tokens)
        if m < 4 or not self._wholes:
            return False
        if plain in self._joined or self._contains_long(plain):
            return True
        postings = self._postings
        # either test below needs at least 0.6 m shared tokens (80 % of the larger set, or 90 % of n >= m / 1.5):
        # a sentence sharing fewer is not compared (one token of slack for rounding)
        least = 0.6 * m - 1
        known = tokens & postings.keys()  # no said sentence shares more tokens than all of them together
        if len(known) < least:
            return False
        shared_by = Counter(chain.from_iterable([postings[t] for t in known]))
        if max(shared_by.values()) < least:
            return False
        for index, shared in shared_by.items():
            if shared < least:
                continue
            size = self._own[index][0]
            if shared / (m + size - shared) >= _NEAR:
                return True
            # nearly every word of a point already made, in a sentence not much longer: the same point again
            if size >= 6 and shared >= 0.9 * size and m <= 1.5 * size:
                return True
        return False


def _key(sentence: str) -> tuple[str, frozenset[str]]:
    """A sentence plain, and its tokens: what `_Said.repeats` compares."""
    plain = _plain(sentence)
    return plain, _tokens(plain)


# Every section of a draft is checked against the author's inputs, the same in every section: indexed once.
@text_cache(max_chars=2_000_000, max_items=16)
def _said_once(texts: tuple[str, ...]) -> _Said:
    return _Said(texts)


def extract_relevant(
    query: str, sources: list[str], k: int, said: tuple[str, ...] = (), inputs: tuple[str, ...] = ()
) -> list[tuple[int, str]]:
    """Top-k sentences of the sources by TF-IDF overlap with the query, returned in source order. A sentence
    that repeats one of `said` (the sections already written) or of `inputs` (the author's inputs, the same in
    every section of a draft) is never picked.

    Returns (source index, sentence) pairs.
    """
    candidates, bags, doc_freq, keys = _candidates(tuple(sources))
    if not candidates or k <= 0:
        return []
    n = len(candidates)
    query_terms = set(_terms(query))
    scored = []
    for (si, order, sentence, figures), bag in zip(candidates, bags, strict=True):
        score = sum(math.log(1 + n / doc_freq[t]) for t in bag & query_terms)
        # a light preference for sentences carrying figures, which briefings need
        if figures:
            score += 0.5
        scored.append((score, -order, si, sentence))
    scored.sort(reverse=True)
    # A sentence that repeats what is said is never picked: asked only of the sentences reached, best first, which
    # leaves the same sentences in the same order as leaving them all out first. Whether a sentence repeats one said
    # sentence or another is asked of each said sentence alone (and each said text whole): the inputs' index and the
    # one of the rest, asked in turn, answer as one index of both.
    already, given = _Said(said), _said_once(inputs)
    best: list[tuple[float, int, int, str]] = []
    chosen_said = _Said()
    for item in scored:  # a source that states a sentence twice gives it once
        if len(best) == k:
            break
        key = keys[-item[1]]  # -item[1] is the sentence's place among the candidates
        if given.repeats(item[3], key) or already.repeats(item[3], key) or chosen_said.repeats(item[3], key):
            continue
        if best:
            mine = _Said((item[3],))
            if any(mine.repeats(b[3], keys[-b[1]]) for b in best):
                continue
        best.append(item)
        chosen_said.add((item[3],))
    chosen = sorted(best, key=lambda item: -item[1])
    return [(si, sentence) for _, _, si, sentence in chosen]


def _format_value(value: str) -> str:
    lines = [ln.strip() for ln in value.splitlines() if ln.strip()]
    return "\n".join(lines)


_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．]|（\d+）)")


def _zh_values(
    line: str, names: list[str], values: dict[str, str], lists: set[str], *, level1: bool
) -> dict[str, str]:
    """Chinese list inputs: inside a sentence ("出席：{attendees}") items are joined with 「、」; on a line
    of their own they become numbered paragraphs, 「一、」 in a section without a heading, 「（一）」 under one."""
    alone = line.strip() == f"{{{names[0]}}}" if len(names) == 1 else False
    out = dict(values)
    for name in names:
        items = [item for item in values.get(name, "").split("\n") if item.strip()]
        if len(items) < 2:
            continue
        if not alone:
            out[name] = "、".join(item.rstrip("。；;，,、") for item in items)
        elif name in lists and not any(_NUMBERED.match(item) for item in items):
            marks = [f"{cn_numeral(i)}、" if level1 else f"（{cn_numeral(i)}）" for i in range(1, len(items) + 1)]
            out[name] = "\n".join(m + item for m, item in zip(marks, items, strict=True))
    return out


class OfflineBackend(Backend):
    """Reads the task from the request's plain-data context; the messages are for language models."""

    name = "offline"
    model = MODEL_NAME
    external = False
    description = (
        "Built-in offline assembler: fills the template from your inputs and quotes the most relevant "
        "sentences of your sources. It uses no language model and sends nothing off this machine."
    )

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(streaming=False, structured=True, local=True, language_model=False)

    def generate(
        self, request: ChatRequest, options: GenerationOptions, report: CallReport | None = None
    ) -> Generation:
        ctx = request.context
        if request.task == "simplify":
            text = self._simplify(ctx)
        elif request.task == "refine":
            text = self._refine(ctx)
        else:
            text = self._section(ctx)
        if report is not None:
            report.raw.append(text)
            report.add_usage(0, 0)
        return Generation(text=text, model=self.model, input_tokens=0, output_tokens=0)

    def structured(
        self, request: ChatRequest, schema: type[T], options: GenerationOptions, report: CallReport | None = None
    ) -> T:
        text = self.generate(request, options, report).text
        return schema.model_validate({"text": text})

    def _section(self, ctx: Any) -> str:
        section = ctx["section"]
        inputs: dict[str, str] = ctx["inputs"]
        values = {k: _format_value(v) for k, v in inputs.items()}
        zh = ctx["language"] == "zh"
        lists = set(ctx["list_fields"])
        parts: list[str] = []
        for line in section["offline_text"].splitlines():
            names = placeholders(line)
            # a line whose every input is empty ("Apologies: {apologies}") is left out, not printed bare
            if names and not any(values.get(n, "").strip() for n in names):
                continue
            if zh:
                line_values = _zh_values(line, names, values, lists, level1=not section["heading_visible"])
            else:
                line_values = values
            filled = fill(line, line_values).strip()
            if filled:
                parts.append(filled)
        sources = ctx["sources"]
        if section["use_sources"] and sources:
            query = " ".join(
                [section["heading"], section["instruction"], ctx["template_title"]]
                + [inputs.get(n, "") for n in section["inputs"]]
                + [inputs.get(ctx["title_field"] or "", "")]
            )
            k = _SENTENCES_BY_LENGTH[section["length"]]
            said = tuple(w["text"] for w in ctx.get("written") or ()) + tuple(parts)
            given = tuple(v for v in inputs.values() if v)
            picked = extract_relevant(query, [s["text"] for s in sources], k, said, given)
            for si, sentence in picked:
                parts.append(f"{sentence} [{si + 1}]")
        if not parts:
            # Say plainly what is missing rather than leave a silent gap or invent text.
            if zh:
                return f"【待补充：{section['heading']}。{section['instruction']}】"
            return f"[To complete: {section['heading']}. {section['instruction']}]"
        return "\n".join(parts).strip()

    def _simplify(self, ctx: Any) -> str:
        """Rule-based simplification: plain words, clause splitting, lists; never drops a fact."""
        from drafter.simplify_rules import simplify_offline

        style = ctx["style"]
        target = style["readability"]
        limit = target.get("max_sentence_words") or target.get("max_avg_sentence_chars") or 25
        return simplify_offline(ctx["current_text"] or "", style["plain_words"], limit, style["language"])

    def _refine(self, ctx: Any) -> str:
        """A refinement by rule: only the operations in `REFINE_OPERATIONS`; any other instruction is refused.

        Plain words are substituted as well, except in quoted source sentences: a quote is never changed.
        """
        text = ctx["current_text"] or ""
        language = ctx["style"]["language"]
        operation = refine_operation(ctx["instruction"] or "")
        if operation is None:
            raise RefusedError(
                "The offline backend cannot follow this instruction; nothing was changed. Without a "
                "language model it can only {operations}.",
                operations=REFINE_OPERATIONS,
            )
        sources = [s["text"] for s in ctx.get("sources", [])]
        sentences = split_sentences(text)
        kind, n = operation
        if kind == "keep":
            sentences = sentences[:n]
        elif kind == "shorten":
            sentences = sentences[: max(1, math.ceil(len(sentences) / 2))]
        elif kind == "remove" and len(sentences) > 1:
            index = len(sentences) - 1 if n == -1 else n - 1
            sentences = [x for i, x in enumerate(sentences) if i != index]
        plain = [x if _is_quote(x, sources) else
                 substitute_plain_words(x, ctx["style"]["plain_words"], language) for x in sentences]
        if kind == "list":
            return "\n".join(f"- {x}" for x in plain)
        joiner = "" if language == "zh" else " "
        if kind == "plain" and "\n" in text:  # keep the lines as they were; only words change
            return "\n".join(x if _is_quote(x, sources) else
                             substitute_plain_words(x, ctx["style"]["plain_words"], language)
                             for x in text.split("\n"))
        return joiner.join(plain)


REFINE_OPERATIONS = (
    "shorten (\"make it shorter\", \"keep 2 sentences\"), remove a sentence (\"remove the last sentence\", "
    "\"remove sentence 2\"), turn it into a bullet list, or use plain words"
)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "一": 1, "两": 2, "二": 2, "三": 3,
            "四": 4, "五": 5}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
_COUNT = r"(\d+|one|two|three|four|five|six)"


def refine_operation(instruction: str) -> tuple[str, int] | None:
    """The deterministic operation an instruction asks for, as (kind, n), or None when it needs a language model.

    Kinds: `keep` the first n sentences, `shorten` to half, `remove` sentence n (-1: the last), `list`, `plain`.
    An instruction that asks for anything more ("keep only the decisions") is not guessed at.
    """
    text = " ".join(instruction.lower().split())
    m = re.fullmatch(rf"(?:please )?(?:shorten|cut|reduce|trim|keep|limit)(?: it| this| the text)?(?: down)? "
                     rf"(?:to |at )?(?:the first |only |just )?{_COUNT} sentences?\.?", text)
    if m:
        return "keep", _NUMBERS.get(m.group(1)) or int(m.group(1))
    m = re.fullmatch(r"(?:please )?(?:remove|delete|drop)(?: the)? (first|second|third|fourth|fifth|last) "
                     r"sentence\.?", text)
    if m:
        return "remove", _ORDINALS[m.group(1)]
    m = re.fullmatch(r"(?:please )?(?:remove|delete|drop) sentence (\d+)\.?", text)
    if m:
        return "remove", int(m.group(1))
    m = re.fullmatch(r"(?:保留|只保留|缩短为|精简为)前?([一二两三四五\d])句。?", text)
    if m:
        return "keep", _NUMBERS.get(m.group(1)) or int(m.group(1))
    m = re.fullmatch(r"删除?(?:掉)?第([一二三四五\d])句。?", text)
    if m:
        return "remove", _NUMBERS.get(m.group(1)) or int(m.group(1))
    if re.fullmatch(r"(?:please )?(?:make it |make this )?(?:shorter|more concise|briefer|shorten(?: it)?|"
                    r"be (?:brief|concise)|cut it down)\.?|(?:缩短|精简|简短一些|更简短)。?", text):
        return "shorten", 0
    if re.fullmatch(r"(?:please )?(?:make it |turn it into |format (?:it )?as |use )?(?:a )?(?:bullet(?:ed)? list|"
                    r"bullet points|bullets|a list)\.?|(?:改为|分条)列(?:表|出)。?", text):
        return "list", 0
    if re.fullmatch(r"(?:please )?(?:use )?(?:plain words|plain english|plainer words|simpler words|plain language)"
                    r"\.?|(?:用)?通俗(?:的)?(?:语言|词语)。?", text):
        return "plain", 0
    return None


def _is_quote(sentence: str, sources: list[str]) -> bool:
    """A sentence carrying a `[n]` citation, or found word for word in a source, is a quote: no rule changes it."""
    bare = re.sub(r"(?:\s*\[\d{1,3}\])+\s*$", "", sentence).strip()
    return bool(re.search(r"\[\d{1,3}\]\s*$", sentence)) or (len(bare) >= 12 and any(bare in s for s in sources))
