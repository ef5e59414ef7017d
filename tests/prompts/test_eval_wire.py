"""`drafter eval --backend openai` on the wire: a corpus case drafted by a scripted model through the real client,
and the figures per template computed from what the model really said."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from drafter.cli import main
from tests.conftest import EXAMPLES
from tests.fake_openai import FakeOpenAI, Reply, Request, json_reply, text

CORPUS = EXAMPLES / "eval-corpus"
LONG = " ".join(f"item{i}" for i in range(230)) + "."  # one run-on sentence of 230 words: over a 200-word limit
SENTENCES = [
    # evidence really in the source
    {"text": "In total, 60 flood and coastal risk schemes will begin construction this year.", "source": 1,
     "evidence": "In total, 60 flood and coastal risk schemes will begin construction this year."},
    # real evidence, invented figure
    {"text": "Over 25,000 more homes will be better protected, at a cost of £99 million.", "source": 1,
     "evidence": "Over 25,000 more homes will be better protected from the devastating effects of flooding"},
    # invented evidence and date
    {"text": "Partnership funding began in March 2010.", "source": 1, "evidence": "introduced in March 2010"},
    # the first sentence again
    {"text": "In total, 60 flood and coastal risk schemes will begin construction this year.", "source": 1,
     "evidence": "In total, 60 flood and coastal risk schemes will begin construction this year."},
]
PLAIN = {
    "summary": "The Minister is asked to note the schemes; partnership funding secured £72 million.",
    "key_points": LONG,
    "recommendation": "Note the schemes and agree the announcement.",
    "contact": "Flood and Coastal Erosion Risk Management.",
}


def _model(req: Request) -> Reply:
    human = str(req.messages[-1]["content"])
    if "Reply with one JSON object" in human:
        return json_reply({"sentences": SENTENCES})
    section = re.findall(r"Write section \[(\w+)\]", human)[-1]
    return text(PLAIN[section])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def openai_env(monkeypatch: pytest.MonkeyPatch, fake_openai: FakeOpenAI) -> FakeOpenAI:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("DRAFTER_MODEL", "fake-model")
    monkeypatch.setenv("DRAFTER_MAX_RETRIES", "0")
    fake_openai.fallback = _model
    return fake_openai


def test_eval_with_a_language_model_reports_evidence_unsupported_figures_duplicates_length_and_expected_facts(
    capsys: pytest.CaptureFixture[str], openai_env: FakeOpenAI, tmp_path: Path
) -> None:
    folder = tmp_path / "corpus"
    (folder / "sources").mkdir(parents=True)
    shutil.copy(CORPUS / "briefing-flood-schemes-2012.yaml", folder)
    shutil.copy(CORPUS / "sources" / "defra-25000-homes-2012.txt", folder / "sources")
    code, out, err = run(capsys, "eval", str(folder), "--backend", "openai", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert {c["backend"] for c in report["cases"]} == {"openai"} and report["cases"][0]["model"] == "fake-model"
    assert len(openai_env.chat_requests()) == 5  # every section went through the real client
    t = report["templates"]["briefing"]
    # background: 4 sentences, 3 with their passage found in the source (the duplicate's too), 1 invented
    assert (t["evidence_verified"], t["evidence_sentences"], t["evidence_percent"]) == (3, 4, 75.0)
    case = report["cases"][0]
    assert case["unsupported"] == ["March 2010", "£99 million"]
    assert case["duplicates"] == ["In total, 60 flood and coastal risk schemes will begin construction this year. [1]"]
    assert case["sections_over_length"] == ["key_points"] and t["sections_over_length"] == 1
    assert case["length"] >= 230 + 4 * 5
    # the expected answers of the case: what the draft states, by the checks' fact matching
    expected = yaml.safe_load((folder / "briefing-flood-schemes-2012.yaml").read_text())["expect"]["facts"]
    assert case["expected"] == len(expected) == 5
    assert case["expected_missing"] == ["£2.17 billion", "145,000 homes"] and t["expected_found"] == 3

    code, out, _ = run(capsys, "eval", str(folder), "--backend", "openai")
    assert code == 0
    line = next(x for x in out.splitlines() if x.strip().startswith("briefing ("))
    assert "3/4 sentences with verified evidence (75.0%)" in line
    assert "2 figures and names without support" in line and "1 duplicate sentence;" in line
    assert "(1 of 5 sections over their limit)" in line and "expected facts 3/5" in line


def test_every_corpus_case_names_its_source_and_licence_and_runs_offline(capsys: pytest.CaptureFixture[str]) -> None:
    cases = sorted(CORPUS.glob("*.yaml"))
    assert len(cases) >= 4
    for path in cases:
        raw = yaml.safe_load(path.read_text())
        assert raw["source_url"].startswith("http") and raw["licence"], path.name
        assert raw["expect"]["facts"], path.name
    code, out, err = run(capsys, "eval", str(CORPUS), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] and {c["template"] for c in report["cases"]} >= {"briefing", "press-release", "public-notice",
                                                                         "zh-tongzhi"}
    for case in report["cases"]:
        # the offline backend quotes its sources: it never states a figure or name without support
        assert case["unsupported"] == [] and case["expected"] > 0, case["case"]


def test_a_malformed_expectation_is_one_clear_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("template: email\nexpect: {facts: 12}\n")
    code, out, _ = run(capsys, "eval", str(tmp_path), "--json")
    assert code == 1
    assert "bad.yaml: 'expect' needs 'facts'" in json.loads(out)["cases"][0]["error"]
