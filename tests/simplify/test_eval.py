"""The simplification evaluation on the real-text corpus, and attacks on its measures."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.backends.offline import OfflineBackend
from drafter.errors import InputError
from drafter.service import DrafterService
from drafter.service.simplify_eval import evaluate_simplification, load_corpus, table
from drafter.settings import Settings
from tests.conftest import ROOT
from tests.fakes import ScriptedBackend

CORPUS = ROOT / "tests" / "data" / "simplify" / "corpus.yaml"


def test_the_corpus_is_real_text_with_its_source_and_licence() -> None:
    docs = load_corpus(CORPUS)
    assert {d["language"] for d in docs} == {"en", "zh"}
    for doc in docs:
        assert doc["source_url"].startswith(("http://", "https://")), doc["id"]
        assert doc["licence"].strip(), doc["id"]
        flat = " ".join(doc["text"].split())
        for expected in [*doc["expect"]["references"], *doc["expect"]["facts"]]:
            assert expected in flat, (doc["id"], expected)  # an expected answer is in the original as written


@pytest.fixture
def service(tmp_path: Path) -> DrafterService:
    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "data"))
    yield svc
    svc.store.engine.dispose()


def test_offline_simplification_of_the_corpus_keeps_every_fact_and_reference(service: DrafterService) -> None:
    rows = evaluate_simplification(service, CORPUS, backend="offline")
    assert len(rows) == 2 * len(load_corpus(CORPUS))
    for r in rows:
        where = f"{r.document}/{r.audience}"
        assert r.error is None, where
        assert r.facts_kept == r.facts_total, where
        assert r.refs_intact == r.refs_total, where
        assert r.expected_missing == [], where
        assert r.cut_at_abbreviation == 0 and r.duplicates == 0, where
        assert r.blocking_false == [], where
        # a missed target is said, never a bare "Simplified."
        if r.target_met is False:
            assert f"not simplified to the {r.audience} target" in r.outcome.lower(), (where, r.outcome)
    assert sum(r.refs_total for r in rows) >= 50  # the corpus really exercises references
    assert len(table(rows)) == len(rows) + 1
    # plain and child read differently on every real document: shorter sentences and other words for children
    for r in rows:
        if r.audience == "child":
            assert r.differs_from_plain is not None and r.differs_from_plain >= 0.25, (r.document, r.differs_from_plain)
        else:
            assert r.differs_from_plain is None


def test_the_difference_from_plain_counts_sentences_not_stated_word_for_word() -> None:
    from drafter.service.simplify_eval import sentences_differing

    plain = "You must file the form. We will reply within 30 days."
    assert sentences_differing(plain, plain, "en") == 0
    assert sentences_differing("You must file the form.  We will  reply within 30 days.", plain, "en") == 0
    assert sentences_differing("You must send the form. We will reply within 30 days.", plain, "en") == 0.5
    assert sentences_differing("", plain, "en") is None
    assert sentences_differing("你必须交表。我们三十日内答复。", "你必须交表。", "zh") == 0.5


def _breaks_references(request: object) -> str:
    return ("You must file on a prescribed form, as stated in §\n- 404.611. Someone described in § 404.612 may "
            "sign for you. You must be alive when you file, unless an exception in § 404.615 applies. "
            "See § 422.505 and §§ 404.611 and 404.614.")


def test_the_measures_see_a_broken_reference_and_count_its_finding_true(tmp_path: Path) -> None:
    svc = DrafterService.from_settings(
        Settings(data_dir=tmp_path / "data"),
        backends={"offline": OfflineBackend(), "scripted": ScriptedBackend(script=_breaks_references)},
    )
    one = tmp_path / "one.yaml"
    doc = next(d for d in load_corpus(CORPUS) if d["id"] == "us-20cfr-404.610")
    import yaml

    one.write_text(yaml.safe_dump({"documents": [doc]}, allow_unicode=True), encoding="utf-8")
    [row] = evaluate_simplification(svc, one, audiences=("plain",), backend="scripted")
    assert row.refs_intact < row.refs_total
    assert row.expected_missing == ["§ 422.505(a)"]  # "§ 404.611" is still stated, in "§§ 404.611 and 404.614"
    assert row.cut_at_abbreviation == 0  # "§\n- 404.611" is a broken reference, not an abbreviation
    assert row.blocking_true >= 2 and row.blocking_false == []
    svc.store.engine.dispose()


def test_a_missing_or_broken_corpus_is_one_clear_error(service: DrafterService, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        evaluate_simplification(service, tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("documents:\n  - id: x\n    text: y\n", encoding="utf-8")
    with pytest.raises(InputError, match="source_url and licence"):
        evaluate_simplification(service, bad)
