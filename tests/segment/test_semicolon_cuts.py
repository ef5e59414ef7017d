"""Splitting with `semicolons=True` reuses a line's plain cut when the line holds no semicolon end: the result
must be what cutting every line with semicolons gives (`_line_cuts.__wrapped__`, nothing remembered)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from drafter import segment

DATA = Path(__file__).resolve().parent.parent / "data"
CORPUS = yaml.safe_load((DATA / "segment" / "corpus.yaml").read_text(encoding="utf-8"))["documents"]
SIMPLIFY = yaml.safe_load((DATA / "simplify" / "corpus.yaml").read_text(encoding="utf-8"))


def _texts_of(node: object) -> list[str]:
    if isinstance(node, str):
        return [node] if len(node) > 40 else []
    if isinstance(node, dict):
        return [t for v in node.values() for t in _texts_of(v)]
    if isinstance(node, list):
        return [t for v in node for t in _texts_of(v)]
    return []


def _reference(text: str, language: str) -> list[tuple[int, int, str]]:
    """Every line cut with semicolons, as before the reuse."""
    out = []
    for line in segment.lines(text):
        for a, b in segment._line_cuts.__wrapped__(line.text, language, True):
            piece = segment._piece(text, line.start + a, line.start + b)
            if piece is not None:
                out.append((piece.start, piece.end, piece.text))
    return out


def _split(text: str, language: str) -> list[tuple[int, int, str]]:
    return [(p.start, p.end, p.text) for p in segment.sentences(text, language, semicolons=True)]


REAL = [(d["text"], d["language"]) for d in CORPUS] + [(t, "zh" if segment.detect_language(t) == "zh" else "en")
                                                       for t in _texts_of(SIMPLIFY)]


def test_the_real_texts_hold_semicolons_and_lines_without() -> None:
    """The corpus exercises both ways: lines with a semicolon end and lines with none."""
    lines = [line.text for text, _ in REAL for line in segment.lines(text)]
    assert any("；" in line or ";" in line for line in lines)
    assert any("；" not in line and ";" not in line for line in lines)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_real_texts_split_as_every_line_cut_with_semicolons(language: str) -> None:
    # each text in both languages: a Chinese text read as English and the reverse are cut differently too
    for text, _ in REAL:
        assert _split(text, language) == _reference(text, language)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_random_texts_split_as_every_line_cut_with_semicolons(language: str) -> None:
    rng = random.Random(17)
    alphabet = list("ab Cd.;；。！？!?\"“”「」()[1] \n") + ["St.", "Jr.", "No.", "的", "，", "  "]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        assert _split(text, language) == _reference(text, language), repr(text)
