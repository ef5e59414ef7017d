"""Spelling follows the document's locale and leaves verbatim quotes alone; readability measures the body only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from drafter.catalog import Catalog
from drafter.checks import readability
from drafter.checks.style_lint import lint_section, spelling_of
from drafter.models import Origin, Provenance, Section, Span, SpanOrigin, StyleGuide
from drafter.settings import Settings

US_REGULATION = ("The State agency must offer a program of counseling to each applicant. The agency will honor "
                 "a written request and analyze the applicant's behavior before the program starts.")


@pytest.fixture(scope="module")
def plain() -> StyleGuide:
    s = Settings()
    return Catalog.load(s.templates_dir, s.style_guides_dir).style_guide("plain-english")


def _section(text: str, *, original: str | None = None, spans: list[Span] | None = None) -> Section:
    return Section(id="s1", heading="Body", text=text, original=original, spans=spans or [],
                   provenance=Provenance(origin=Origin.ai, author="alice", generated_at=datetime.now(UTC)))


def _spelling(section: Section, guide: StyleGuide, spelling: str | None = None) -> list[str]:
    return [i.excerpt for i in lint_section(section, guide, "en", spelling=spelling) if i.rule_id == "style.spelling"]


def test_a_us_regulation_keeps_its_locale_when_simplified(plain: StyleGuide) -> None:
    assert plain.spelling == "british"
    assert spelling_of(US_REGULATION) == "american"
    simplified = "The State agency must offer a program of counseling. It will honor a written request."
    assert _spelling(_section(simplified, original=US_REGULATION), plain) == []
    # a British spelling the simplifier brought into the US text is the one reported
    assert _spelling(_section(simplified + " It will organise the visit.", original=US_REGULATION), plain) == [
        "organise"]


def test_the_template_locale_overrides_the_guide(plain: StyleGuide) -> None:
    text = "We will organise the centre and analyze the colour of the signs."
    assert _spelling(_section(text), plain) == ["analyze"]
    assert _spelling(_section(text), plain, "american") == ["organise", "centre", "colour"]


def test_verbatim_quotes_from_sources_are_not_linted(plain: StyleGuide) -> None:
    quote = "The center will honor every request."
    text = f"We agree. {quote} We will color the map."
    start = text.index(quote)
    spans = [Span(start=0, end=start - 1, origin=SpanOrigin.model),
             Span(start=start, end=start + len(quote), origin=SpanOrigin.quote, source="rule.txt", paragraph=1),
             Span(start=start + len(quote) + 1, end=len(text), origin=SpanOrigin.model)]
    assert _spelling(_section(text, spans=spans), plain) == ["color"]
    # the same words, written by the model, are reported
    assert _spelling(_section(text), plain) == ["center", "honor", "color"]


def test_readability_leaves_out_headings_and_source_notes() -> None:
    prose = ("The council pays the grant to each household that applies before the end of March. "
             "You can apply online or by post, and we will reply within ten working days.")
    decorated = ("# Housing grant\n\nWho can apply\n" + prose + "\n\nSources\n[1] Housing grant scheme rules\n"
                 "[Source: 45 FR 12345, Mar. 1, 1980]\nAuthority: 42 U.S.C. 5121 et seq.")
    assert readability.measure(decorated, "en") == readability.measure(prose, "en")
    zh_prose = "申请人应当在三十日内提交材料，逾期不予受理。"
    assert readability.measure("一、总体要求\n" + zh_prose + "\n来源：国务院办公厅", "zh") == readability.measure(zh_prose, "zh")


def test_list_items_and_sentences_are_still_measured() -> None:
    text = "You can apply if:\n- you live in the area\n- you are over 18"
    assert readability.measure(text, "en").sentences == 3


def test_a_verbatim_quote_gets_no_advice_to_reword_or_split_it(plain: StyleGuide) -> None:
    """Splitting, rewording or de-passivising a quote would make it stop being a quote: the style rules leave it
    alone, and still apply to the writer's own sentences around it, with the same words."""
    quote = ("The grant was approved by the committee in order to utilise the funds that had been allocated to the "
             "scheme before the end of the financial year in which the application was made. [1]")
    own = ("The money was utilised in order to repair homes, and the work was finished by the council in the spring "
           "after the storms that had damaged the roofs of many houses in the district that winter.")
    text = f"{quote} {own} The report was written. We met residents."
    start = text.index(quote)
    spans = [Span(start=start, end=start + len(quote) - len(" [1]"), origin=SpanOrigin.quote, source="r.txt",
                  paragraph=2),
             Span(start=len(quote) + 1, end=len(text), origin=SpanOrigin.model)]
    guide = plain.model_copy(update={"max_passive_share": 0.25})
    found = lint_section(_section(text, spans=spans), guide, "en")
    in_quote = [i for i in found if i.start is not None and i.start < len(quote)]
    assert in_quote == []
    # the writer's own sentence with the same faults is still reported, every rule of it
    rules = {i.rule_id for i in found}
    assert {"style.plain_words", "style.sentence_length", "style.passive_voice"} <= rules
    voice = next(i for i in found if i.rule_id == "style.passive_voice")
    assert "2 of 3 sentences" in voice.message  # the quote is not counted among the writer's sentences
    # without the quote span, the same text is linted throughout
    unquoted = lint_section(_section(text), guide, "en")
    assert [i for i in unquoted if i.start is not None and i.start < len(quote)]
