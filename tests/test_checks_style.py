"""Style-guide lint and readability measures (English with textstat, Chinese with the shipped character set)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from drafter.catalog import Catalog
from drafter.checks import readability
from drafter.checks.style_lint import lint_section, required_elements
from drafter.models import Origin, Provenance, ReadabilityTarget, Section, StyleGuide
from drafter.settings import Settings


def section(text: str, sid: str = "body", heading: str = "Body") -> Section:
    return Section(id=sid, heading=heading, text=text,
                   provenance=Provenance(origin=Origin.ai, author="alice", generated_at=datetime.now(UTC)))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    s = Settings()
    return Catalog.load(s.templates_dir, s.style_guides_dir)


def rules(issues: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(i.rule_id, i.excerpt) for i in issues]


def test_plain_words_banned_phrases_and_spelling(catalog: Catalog) -> None:
    guide = catalog.style_guide("plain-english")
    text = "We will utilise the new centre to empower residents. Prior to opening, we will organize a visit."
    found = lint_section(section(text), guide, "en")
    assert ("style.plain_words", "utilise") in rules(found)
    assert ("style.plain_words", "Prior to") in rules(found)
    assert ("style.banned_phrase", "empower") in rules(found)
    assert ("style.spelling", "organize") in rules(found)
    plain = next(i for i in found if i.excerpt == "utilise")
    assert plain.suggestion == 'Use "use".' and text[plain.start:plain.end] == "utilise"  # type: ignore[misc]
    spelling = next(i for i in found if i.rule_id == "style.spelling")
    assert spelling.suggestion == 'Use "organise".'
    american = guide.model_copy(update={"spelling": "american"})
    assert ("style.spelling", "centre") in rules(lint_section(section(text), american, "en"))
    # a capitalised word mid-sentence is a name, not a spelling
    assert rules(lint_section(section("We met the Harbor Center team."), guide, "en")) == []


def test_sentence_length_and_passive_voice(catalog: Catalog) -> None:
    guide = catalog.style_guide("plain-english").model_copy(update={"max_passive_share": 0.25})
    long = " ".join(["word"] * 30) + "."
    found = lint_section(section(f"Short one. {long}"), guide, "en")
    assert [(i.rule_id, i.start) for i in found if i.rule_id == "style.sentence_length"] == [
        ("style.sentence_length", 11)]
    passive = ("The road was closed by the council. The bins were collected on Monday. "
               "The report was written quickly. We met residents.")
    found = lint_section(section(passive), guide, "en")
    voice = [i for i in found if i.rule_id == "style.passive_voice"]
    assert len(voice) == 1 and "3 of 4 sentences" in voice[0].message
    active = "The council closed the road. We collected the bins on Monday. We wrote the report. We met residents."
    assert not [i for i in lint_section(section(active), guide, "en") if i.rule_id == "style.passive_voice"]


def test_required_elements_by_document_kind(catalog: Catalog) -> None:
    press = catalog.template("press-release")
    with_both = [section("Riverside, 12 March 2026 — The barrier opened.", "lead", "Lead"),
                 section("Media contact: Press Office, 020 7946 0001", "notes", "Notes to editors")]
    assert required_elements(with_both, press) == []
    without = [section("The barrier opened today.", "lead", "Lead"), section("Thanks.", "notes", "Notes")]
    assert sorted(i.subject for i in required_elements(without, press)) == ["contact", "date_line"]

    minutes = catalog.template("minutes")
    ok = [section("Attendees: Tom Reid, Fatima Khan", "attendance", "Attendance"),
          section("Return £1.4 million to the reserve.", "decisions", "Decisions")]
    assert required_elements(ok, minutes) == []
    missing = [section("Attendees: Tom Reid", "attendance", "Attendance"),
               section("[To complete: Decisions. List each decision taken.]", "decisions", "Decisions")]
    assert [i.subject for i in required_elements(missing, minutes)] == ["decisions"]
    assert ("style.placeholder", "[To complete: Decisions. List each decision taken.]") in rules(
        lint_section(missing[1], catalog.style_guide("house-style"), "en"))


def test_english_readability_with_textstat() -> None:
    easy = readability.english("The cat sat on the mat. It was warm. We like cats. [1]")
    hard = readability.english(
        "Notwithstanding the aforementioned considerations, the implementation of comprehensive infrastructural "
        "modernisation necessitates interdepartmental coordination and substantial supplementary appropriations."
    )
    assert easy.sentences == 3 and easy.words == 12
    assert easy.flesch_kincaid_grade is not None and hard.flesch_kincaid_grade is not None
    assert easy.flesch_kincaid_grade < 3 < 15 < hard.flesch_kincaid_grade
    assert easy.flesch_reading_ease is not None and hard.flesch_reading_ease is not None
    assert easy.flesch_reading_ease > 90 > 0 > hard.flesch_reading_ease
    assert hard.smog is not None and hard.smog > 15


def test_readability_target_findings(catalog: Catalog) -> None:
    hard = " ".join([
        "Notwithstanding the aforementioned considerations, the implementation of comprehensive infrastructural "
        "modernisation necessitates interdepartmental coordination."] * 4)
    issues = lint_section(section(hard), catalog.style_guide("plain-english"), "en")
    assert "readability.grade" in [i.rule_id for i in issues]
    short = lint_section(section("Notwithstanding interdepartmental appropriations."),
                         catalog.style_guide("plain-english"), "en")
    assert "readability.grade" not in [i.rule_id for i in short]  # too short to score


def test_chinese_readability_and_the_common_character_set() -> None:
    chars = readability.common_chars()
    assert len(chars) == 3755 and "的" in chars and "国" in chars and "鑫" not in chars
    header = readability.COMMON_CHARSET_FILE.read_text(encoding="utf-8").splitlines()[:5]
    assert any("STAND-IN" in line and "通用规范汉字表" in line for line in header)
    assert "".join(readability.gb2312_level1()) == "".join(
        line for line in readability.COMMON_CHARSET_FILE.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#"))
    r = readability.chinese("市水务局负责运行管理。经费由市财政局安排！鑫淼焱垚。")
    assert (r.sentences, r.max_sentence_chars) == (3, 10)
    assert r.avg_sentence_chars == pytest.approx((10 + 9 + 4) / 3, abs=0.05)
    assert r.uncommon_char_share == pytest.approx(4 / 23, abs=0.001)
    assert readability.measure("会议决定。").language == "zh" and readability.measure("We met.").language == "en"


def test_chinese_style_targets() -> None:
    guide = StyleGuide(id="zh-plain", title="简明", language="zh", audience="公众",
                       readability=ReadabilityTarget(max_avg_sentence_chars=15, max_sentence_chars=20,
                                                     max_uncommon_char_share=0.05))
    text = "根据有关规定，经研究决定，自二〇二六年四月一日起由市水务局统一负责滨江防洪闸的日常运行管理和维护工作。鑫淼焱垚。"
    found = {i.rule_id for i in lint_section(section(text), guide, "zh")}
    assert found == {"style.sentence_length", "readability.sentence_chars", "readability.uncommon_chars"}
    assert lint_section(section("防洪闸已建成。四月起由水务局管理。"), guide, "zh") == []


def test_a_template_can_add_required_elements(catalog: Catalog) -> None:
    from pydantic import ValidationError

    from drafter.models import RequiredElement

    email = catalog.template("email").model_copy(update={"required_elements": (
        RequiredElement(id="deadline", description="a reply-by date", pattern=r"\breply by\b", sections=("ask",)),
    )})
    sections = [section("Dear Owen,", "body", "Message"), section("Please confirm.", "ask", "Next steps")]
    assert [(i.subject, i.section_id) for i in required_elements(sections, email)] == [("deadline", "ask")]
    sections[1] = section("Please reply by 14 March 2026.", "ask", "Next steps")
    assert required_elements(sections, email) == []
    with pytest.raises(ValidationError, match="not a valid regular expression"):
        RequiredElement(id="bad", description="x", pattern="(unclosed")
