"""Readability figures are remembered per text (they are frozen): the remembered answer is the one the function
gives, for real English and Chinese texts, first and second time, and `as_dict` still drops only the empty ones."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest
import yaml

from drafter.checks import readability

DATA = Path(__file__).parents[1] / "data"
DOCS = [d for name in ("simplify/corpus.yaml", "segment/corpus.yaml")
        for d in yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["documents"]]


@pytest.mark.parametrize("doc", DOCS, ids=[d["id"] for d in DOCS])
def test_remembered_figures_are_the_functions_own(doc: dict[str, str]) -> None:
    text = doc["text"]
    fn = readability.chinese if doc["language"] == "zh" else readability.english
    plain = fn.__wrapped__(text)  # type: ignore[attr-defined]
    fn.cache_clear()  # type: ignore[attr-defined]
    first, again = fn(text), fn(text)
    assert first == plain and again is first
    assert readability.measure(text, doc["language"]) == readability.measure(text, doc["language"])
    # a different text is not answered from another's entry
    shorter = text[: len(text) // 2]
    assert fn(shorter) == fn.__wrapped__(shorter)  # type: ignore[attr-defined]
    assert first.as_dict() == {k: v for k, v in asdict(first).items() if v is not None}
