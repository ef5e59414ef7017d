"""The style lint is remembered per exact input; remembering changes no finding.

Each section of the corpora (the checks' and the simplification's, English and Chinese), under every shipped style
guide, with and without quoted stretches, an original in another locale and a template's spelling, is linted by
the remembered `lint_section` in a cold and a warm memo and held to the function as it was before
(`style_lint_plain.py`): the same issues, in the same order, with the same message ids and parameters. The memo's
key is attacked: a changed guide with the same id, another section id, other quotes or another original must not
get a remembered answer, and a caller changing the list it got cannot change the next caller's.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from drafter.catalog import Catalog
from drafter.checks.style_lint import Issue, _lint_remembered, lint_section
from drafter.i18n import message_id, message_params
from drafter.models import Origin, Provenance, Section, Span, SpanOrigin, StyleGuide
from drafter.settings import Settings
from tests.checks.style_lint_plain import plain_lint_section
from tests.pipeline.corpus import long_strings

DATA = Path(__file__).resolve().parent.parent / "data"
US_REGULATION = ("The State agency must offer a program of counseling to each applicant. The agency will honor "
                 "a written request and analyze the applicant's behavior before the program starts.")
UK_TEXT = "The council will organise the centre's programme and analyse the colour of the signs."




def _corpus() -> list[str]:
    files = [*sorted((DATA / "checks").glob("*.yaml")), DATA / "simplify" / "corpus.yaml"]
    texts = [t for f in files for t in long_strings(yaml.safe_load(f.read_text(encoding="utf-8")))]
    # what lint rules fire on: placeholders, American spellings, passive voice, long sentences, plain words
    texts += [
        "[To complete: the date] The road will be closed. It was built in 1990. The bridge is being repaired. "
        "We will utilise the centre to analyze the color of the sign.",
        "【待补充：日期】" + "会议认为，" * 30 + "。",
        " ".join(["The applicant must commence the procedure in accordance with the regulations"] * 4) + ".",
    ]
    return list(dict.fromkeys(texts))


def _section(text: str, sid: str, *, original: str | None = None, spans: list[Span] | None = None) -> Section:
    return Section(id=sid, heading="Body", text=text, original=original, spans=spans or [],
                   provenance=Provenance(origin=Origin.ai, author="alice", generated_at=datetime(2026, 3, 1, tzinfo=UTC)))


def _quoted(text: str, rng: random.Random) -> list[Span]:
    a = rng.randrange(0, max(1, len(text) // 2))
    return [Span(start=a, end=min(len(text), a + len(text) // 3 + 1), origin=SpanOrigin.quote, source="s", paragraph=1)]


def _shape(issues: list[Issue]) -> list[tuple[object, ...]]:
    """Everything a finding is made of, the messages' ids and parameters included (a str compare sees only the
    English text)."""
    return [(i, message_id(i.message), message_params(i.message), message_id(i.suggestion),
             message_params(i.suggestion)) for i in issues]


@pytest.fixture(scope="module")
def guides() -> list[StyleGuide]:
    s = Settings()
    catalog = Catalog.load(s.templates_dir, s.style_guides_dir)
    return [catalog.style_guide(g) for g in sorted(catalog.style_guides)]


def _cases(guides: list[StyleGuide]) -> list[tuple[Section, StyleGuide, str, str | None]]:
    rng = random.Random(17)
    cases = []
    for n, text in enumerate(_corpus()):
        language = "zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en"
        for guide in (g for g in guides if g.language == language):
            cases.append((_section(text, f"s{n}"), guide, language, None))
        guide = next(g for g in guides if g.language == language)
        cases += [
            (_section(text, f"s{n}", spans=_quoted(text, rng)), guide, language, None),
            (_section(text, f"s{n}", original=US_REGULATION), guide, language, None),
            (_section(text, f"s{n}", original=UK_TEXT), guide, language, "american"),
            (_section(text, f"t{n}"), guide, language, "american"),
            (_section(text, f"t{n}"), guide, language, "british"),
        ]
    return cases


def test_the_remembered_lint_gives_the_plain_functions_answers(guides: list[StyleGuide]) -> None:
    cases = _cases(guides)
    assert len(cases) > 200
    expected = [_shape(plain_lint_section(s, g, lang, spelling=sp)) for s, g, lang, sp in cases]
    rules = {shape[0].rule_id for found in expected for shape in found}
    # the corpus exercises the rules (an equivalence over sections with no finding would prove nothing)
    assert {"style.plain_words", "style.sentence_length", "style.spelling", "style.placeholder",
            "style.passive_voice"} <= rules, rules
    assert any(r.startswith("readability.") for r in rules)
    _lint_remembered.cache_clear()  # type: ignore[attr-defined]
    for _ in ("cold", "warm"):
        assert [_shape(lint_section(s, g, lang, spelling=sp)) for s, g, lang, sp in cases] == expected
    # and in another order (what one case remembered cannot leak into a neighbour's answer)
    order = list(range(len(cases)))
    random.Random(3).shuffle(order)
    for i in order:
        s, g, lang, sp = cases[i]
        assert _shape(lint_section(s, g, lang, spelling=sp)) == expected[i]


def test_a_changed_guide_with_the_same_id_is_not_answered_from_memory(guides: list[StyleGuide]) -> None:
    guide = next(g for g in guides if g.id == "plain-english")
    section = _section("We will utilise the new system and commence work.", "s1")
    before = lint_section(section, guide, "en")
    assert any(i.rule_id == "style.plain_words" for i in before)
    changed = guide.model_copy(update={"plain_words": {}})
    assert changed.id == guide.id
    assert not any(i.rule_id == "style.plain_words" for i in lint_section(section, changed, "en"))
    assert lint_section(section, guide, "en") == before


def test_the_key_holds_every_input_lint_reads(guides: list[StyleGuide]) -> None:
    guide = next(g for g in guides if g.id == "plain-english")
    text = "The program will analyze the color of the center. It was built in 1990."
    base = lint_section(_section(text, "s1"), guide, "en")
    assert {i.excerpt for i in base if i.rule_id == "style.spelling"} == {"analyze", "color", "center"}
    assert {i.section_id for i in lint_section(_section(text, "s2"), guide, "en")} == {"s2"}
    quoted = [Span(start=0, end=text.index(" It"), origin=SpanOrigin.quote, source="s", paragraph=1)]
    assert not [i for i in lint_section(_section(text, "s1", spans=quoted), guide, "en") if i.rule_id == "style.spelling"]
    assert not [i for i in lint_section(_section(text, "s1", original=US_REGULATION), guide, "en")
                if i.rule_id == "style.spelling"]
    assert not [i for i in lint_section(_section(text, "s1"), guide, "en", spelling="american")
                if i.rule_id == "style.spelling"]
    assert lint_section(_section(text, "s1"), guide, "en") == base


def test_a_caller_changing_its_list_does_not_change_the_next_answer(guides: list[StyleGuide]) -> None:
    guide = next(g for g in guides if g.id == "plain-english")
    section = _section("We will utilise the centre.", "s1")
    first = lint_section(section, guide, "en")
    assert first
    kept = list(first)
    first.clear()
    assert lint_section(section, guide, "en") == kept
