"""Evidence per sentence, on the wire: a scripted model returns each sentence with the passage supporting it;
invented evidence and figures the evidence does not state become findings on the sentence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.backends.structured import CitedSection, parse_structured
from drafter.citations import find_passage, normalise_passage, sentence_citations
from drafter.models import FindingSeverity, SourceDoc
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import EXAMPLES, briefing_request
from tests.fake_openai import FakeOpenAI, Reply, Request, json_reply, text

REPORT = SourceDoc(name="barrier-report.txt", text=(EXAMPLES / "barrier-report.txt").read_text())

SENTENCES = [
    # verified although re-spaced, re-punctuated and re-cased
    {"text": "The barrier protects 4,200 homes and 310 businesses.", "source": 1,
     "evidence": "the barrier protects  4,200 homes and 310 businesses — in the Riverside and Eastfield wards"},
    # invented evidence for a figure: blocking
    {"text": "The final cost was £46.6 million.", "source": 1,
     "evidence": "The barrier cost £46.6 million in total, well under budget."},
    # invented evidence, nothing checkable in the sentence: a warning
    {"text": "Local people were consulted twice.", "source": 1, "evidence": "Residents loved every minute of it."},
    # real evidence, but the sentence adds a figure it does not state (the figure is elsewhere in the source,
    # so the document-wide fact check cannot see the problem)
    {"text": "The gates are tested monthly at a cost of £31 million.", "source": 1,
     "evidence": "The barrier's gates are tested monthly."},
    # cites a source that was never supplied
    {"text": "It won an award.", "source": 2, "evidence": "It won an award."},
    # rests on the inputs: no evidence needed
    {"text": "This section gives the background.", "source": None, "evidence": ""},
]


def _reply(req: Request) -> Reply:
    if "Reply with one JSON object" in str(req.messages[-1]["content"]):
        return json_reply({"sentences": SENTENCES})
    return text("Text from the inputs.")


@pytest.fixture
def llm(fake_openai: FakeOpenAI, tmp_path: Path) -> Iterator[DrafterService]:
    fake_openai.fallback = _reply
    settings = Settings(data_dir=tmp_path / "data", backend="openai", openai_base_url=fake_openai.base_url,
                        openai_api_key="sk-test", model="fake-model", max_retries=0, timeout_s=5)
    svc = DrafterService.from_settings(settings)
    yield svc
    svc.store.engine.dispose()


def test_sentences_with_invented_evidence_or_figures_become_findings(
    llm: DrafterService, fake_openai: FakeOpenAI
) -> None:
    draft = llm.create_draft(briefing_request(), "alice")
    # the structured request asked for sentences with their evidence
    [asked] = [r for r in fake_openai.chat_requests() if "response_format" in r.body]
    schema = asked.body["response_format"]["json_schema"]["schema"]
    assert "sentences" in schema["properties"] and "evidence" in schema["$defs"]["CitedSentence"]["properties"]
    background = next(s for s in draft.sections if s.id == "background")
    assert background.text.startswith("The barrier protects 4,200 homes and 310 businesses. [1] The final cost")
    assert "This section gives the background." in background.text
    # each sentence's evidence stored on the section, resolved to source and paragraph when it is really there
    per = {c.sentence: c for c in background.citations if c.verified is not None}
    assert len(per) == 5
    first = per[SENTENCES[0]["text"]]  # type: ignore[index]
    assert first.verified and first.source == "barrier-report.txt" and first.paragraph == 3
    assert per[SENTENCES[3]["text"]].verified and per[SENTENCES[3]["text"]].paragraph == 5  # type: ignore[index]
    assert not per[SENTENCES[1]["text"]].verified and per[SENTENCES[1]["text"]].paragraph is None  # type: ignore[index]
    assert not per["It won an award."].verified and per["It won an award."].source == ""

    found = {(f.rule_id, f.excerpt): f for f in llm.findings(draft.id) if f.rule_id.startswith("evidence.")}
    assert found[("evidence.not_found", "The final cost was £46.6 million.")].severity == FindingSeverity.blocking
    assert found[("evidence.not_found", "Local people were consulted twice.")].severity == FindingSeverity.warning
    assert ("evidence.not_found", "It won an award.") in found
    figure = found[("evidence.fact_not_in_evidence", "£31 million")]
    assert figure.severity == FindingSeverity.blocking and figure.section_id == "background"
    assert background.text[figure.start : figure.end] == "£31 million"  # type: ignore[misc]
    # the well-supported sentence and the one resting on the inputs raise nothing
    assert not any("4,200" in f.excerpt or "background." in f.excerpt for f in found.values())
    assert len(found) == 4

    # a person deletes the invented figure's sentence: its finding resolves
    edited = background.text.replace(" The gates are tested monthly at a cost of £31 million. [1]", "")
    llm.edit_section(draft.id, "background", edited, "alice")
    still = {f.excerpt for f in llm.findings(draft.id) if f.rule_id.startswith("evidence.") and f.status == "open"}
    assert "£31 million" not in still and "The final cost was £46.6 million." in still


def test_passages_match_after_normalising_whitespace_and_punctuation() -> None:
    assert normalise_passage("  The “final” cost—was £46.6\nmillion!") == "the final cost was 46 6 million"
    assert find_passage('The final cost was "£46.6 million" against a budget', REPORT.text) == 2
    assert find_passage("The final cost was £47 million", REPORT.text) is None
    # a passage over a paragraph break resolves to the paragraph it starts in
    assert find_passage("against a budget of £48 million. The barrier protects 4,200 homes", REPORT.text) == 2
    [c] = sentence_citations([("It cost £46.6m.", 1, "final cost was £46.6 million")], [REPORT])
    assert c.verified and c.paragraph == 2 and c.evidence == "final cost was £46.6 million"


def test_section_level_text_and_evidence_still_read() -> None:
    value, _ = parse_structured('{"text": "Hi [1].", "evidence": [{"source": 1, "quote": "Hi"}]}', CitedSection)
    assert value is not None and value.text == "Hi [1]." and value.all_evidence() == [(1, "Hi")]
    value, _ = parse_structured('{"sentences": [{"text": "它完成了。", "source": 1, "evidence": "完成"}, '
                                '{"text": "很好。"}]}', CitedSection)
    assert value is not None and value.text == "它完成了。 [1]很好。"
    value, problem = parse_structured('{"evidence": []}', CitedSection)
    assert value is None and "did not match the schema" in problem
