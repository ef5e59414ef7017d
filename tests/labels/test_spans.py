"""Labels are computed from spans: who wrote which part of each section, found by matching the text."""

from __future__ import annotations

import pytest

from drafter.errors import RefusedError
from drafter.labeling import origin_from_spans, statement
from drafter.models import Checklist, Origin, Review, SpanOrigin, utcnow
from drafter.service import DrafterService
from drafter.spans import after_edit, compute
from tests.conftest import EXAMPLES, briefing_request

REPORT = ("report.txt", "The barrier was finished in 2026 after two years of work.\n\nIt cost £46.6 million in all.")


def _approval(draft_id: str, version: int) -> Review:
    return Review(draft_id=draft_id, reviewer="bob", decision="approved", checklist=Checklist(facts_checked=True),
                  content_sha256="0" * 64, version=version, created_at=utcnow())


def test_spans_name_inputs_quotes_and_the_rest() -> None:
    text = "This note is for Jo Bloggs. The barrier was finished in 2026 after two years of work. [1]"
    spans = compute(text, ["Jo Bloggs"], [REPORT], language_model=False)
    got = [(sp.origin, text[sp.start:sp.end]) for sp in spans]
    assert got == [
        (SpanOrigin.assembled, "This note is for"),
        (SpanOrigin.input, "Jo Bloggs"),
        (SpanOrigin.quote, "The barrier was finished in 2026 after two years of work."),
    ]  # ". " and the "[1]" marker are layout, in no span
    quote = spans[-1]
    assert (quote.source, quote.paragraph) == ("report.txt", 1)
    assert origin_from_spans(spans) == Origin.ai
    # a language model's words are `model`, not `assembled`
    assert compute("Jo Bloggs agrees.", ["Jo Bloggs"], [], language_model=True)[-1].origin == SpanOrigin.model


def test_a_section_that_is_only_the_authors_input_is_human() -> None:
    text = "- First point.\n- Second point."
    spans = compute(text, ["First point.\nSecond point."], [], language_model=True)
    assert {sp.origin for sp in spans} == {SpanOrigin.input}
    assert origin_from_spans(spans) == Origin.human


def test_an_edited_quote_stops_being_a_quote() -> None:
    old = "The barrier was finished in 2026 after two years of work. [1]"
    spans = compute(old, [], [REPORT], language_model=False)
    new = "The barrier was finished in 2026 after three years of work. [1]"
    edited = after_edit(old, spans, new, [], [REPORT])
    assert SpanOrigin.quote not in {sp.origin for sp in edited}
    assert {sp.origin for sp in edited} == {SpanOrigin.edited}
    assert origin_from_spans(edited, machine_before=True, edited=True) == Origin.ai_edited


def test_offline_briefing_labels_the_authors_words_as_theirs(sqlite_service: DrafterService) -> None:
    draft = sqlite_service.create_draft(briefing_request(), "alice")
    by_id = {s.id: s for s in draft.sections}
    for sid in ("key_points", "recommendation"):
        section = by_id[sid]
        assert section.provenance.origin == Origin.human, sid
        assert section.spans and all(sp.origin == SpanOrigin.input for sp in section.spans)
    summary = by_id["summary"]
    assert summary.provenance.origin == Origin.ai
    assert [summary.text[sp.start:sp.end] for sp in summary.spans if sp.origin == SpanOrigin.assembled] == [
        "This briefing is for:", "Subject:"]
    background = by_id["background"]
    assert background.spans and all(sp.origin == SpanOrigin.quote for sp in background.spans)
    assert all(sp.source == "barrier-report.txt" and sp.paragraph for sp in background.spans)

    text = statement(draft, _approval(draft.id, draft.version), "Drafter")
    assert "5 of 5" not in text
    assert "2 of 5 sections contain text it assembled or quoted" in text
    assert "the rest is alice's own words" in text

    # a person's edit of the author's own words keeps the section theirs; of a machine's, makes it ai_edited
    draft = sqlite_service.edit_section(draft.id, "recommendation", "Agree the press lines by 9 March 2026.", "alice")
    draft = sqlite_service.edit_section(draft.id, "summary", "The Minister opens the barrier on 12 March.", "alice")
    by_id = {s.id: s for s in draft.sections}
    assert by_id["recommendation"].provenance.origin == Origin.human
    assert by_id["summary"].provenance.origin == Origin.ai_edited
    assert SpanOrigin.edited in {sp.origin for sp in by_id["summary"].spans}


def test_offline_refine_refuses_what_it_cannot_do(sqlite_service: DrafterService) -> None:
    draft = sqlite_service.create_draft(briefing_request(), "alice")
    with pytest.raises(RefusedError, match="The offline backend cannot follow this instruction; nothing was changed"):
        sqlite_service.refine_section(draft.id, "background", "keep only the decisions and actions", "alice")
    assert sqlite_service.get_draft(draft.id).version == draft.version  # no new version

    refined = sqlite_service.refine_section(draft.id, "background", "keep 2 sentences", "alice")
    background = next(s for s in refined.sections if s.id == "background")
    before = next(s for s in draft.sections if s.id == "background")
    assert background.text.split(" [1]")[0] == before.text.split(" [1]")[0]
    assert background.text.count("[1]") == 2
    assert all(sp.origin == SpanOrigin.quote for sp in background.spans)  # still the sources' own words


def test_offline_press_release_quotes_no_source_sentence_twice(sqlite_service: DrafterService) -> None:
    from collections import Counter

    import yaml

    from drafter import segment
    from drafter.models import DraftRequest
    from drafter.sources import read_source

    case = yaml.safe_load((EXAMPLES / "eval" / "press-release-opening.yaml").read_text())
    request = DraftRequest(template_id="press-release", inputs=case["inputs"],
                           sources=[read_source(EXAMPLES / "barrier-report.txt", 5_000_000)])
    draft = sqlite_service.create_draft(request, "alice")
    quoted = Counter(s for sec in draft.sections for s in segment.split_sentences(sec.text) if "[1]" in s)
    assert quoted and max(quoted.values()) == 1  # before: two sentences in both Lead and Details
    details = next(s for s in draft.sections if s.id == "details")
    assert details.text.strip() and details.provenance.ai_text == details.text
