"""The sentence corpus (tests/data/segment): expected splits of public-sector texts, English and Chinese."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from drafter import segment
from drafter.simplify_rules import enumerations_to_list, simplify_offline

CORPUS = Path(__file__).resolve().parent.parent / "data" / "segment" / "corpus.yaml"
DOCUMENTS: list[dict[str, Any]] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["documents"]


@pytest.mark.parametrize("doc", DOCUMENTS, ids=[d["id"] for d in DOCUMENTS])
def test_corpus_sentences(doc: dict[str, Any]) -> None:
    got = segment.split_sentences(doc["text"], doc["language"])
    assert got == doc["sentences"]
    # offsets point back into the text
    for piece in segment.sentences(doc["text"], doc["language"]):
        assert doc["text"][piece.start : piece.end] == piece.text


@pytest.mark.parametrize("doc", [d for d in DOCUMENTS if d.get("references")], ids=lambda d: d["id"])
def test_legal_references_stay_whole(doc: dict[str, Any]) -> None:
    language = doc["language"]
    for ref in doc["references"]:
        assert any(ref in s for s in segment.split_sentences(doc["text"], language)), ref
        assert any(ref in line for line in enumerations_to_list(doc["text"], language).splitlines()), ref
        simplified = simplify_offline(doc["text"], {}, 12, language)
        assert any(ref in line for line in simplified.splitlines()), ref
