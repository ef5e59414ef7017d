"""Fact extraction and normalisation, and unsupported facts caught in real-looking English and Chinese texts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from drafter.checks.facts import SupportIndex, extract_facts, is_weak_name, unsupported_facts
from tests.conftest import EXAMPLES

DATA = Path(__file__).parent / "data" / "checks"


def keys(text: str) -> list[str]:
    return [f.key for f in extract_facts(text)]


@pytest.mark.parametrize(
    ("forms", "key"),
    [
        (["30 days", "thirty days", "30日", "三十日", "三十天"], "duration:30:day"),
        (["1 March 2026", "March 1, 2026", "2026-03-01", "2026年3月1日", "二〇二六年三月一日", "1st of March 2026"],
         "date:2026-03-01"),
        (["£48 million", "£48m", "£48,000,000", "48 million pounds"], "amount:GBP:48000000"),
        (["3%", "3 per cent", "three per cent", "3 percent", "百分之三", "3％"], "percent:3"),
        (["480万元", "4800000元", "人民币四百八十万元"], "amount:CNY:4800000"),
        (["§ 404.610", "§404.610", "section 404.610"], "ref:section:404.610"),
        (["第三条", "第3条", "Article 3"], "ref:article:3"),
        (["国办发〔2026〕7号", "〔2026〕7号", "[2026]7号"], "docno:2026:7"),
        (["15 working days", "fifteen working days", "15个工作日"], "duration:15:workday"),
    ],
)
def test_the_same_fact_written_differently_has_one_key(forms: list[str], key: str) -> None:
    for form in forms:
        assert keys(f"It is {form} here.") == [key], form


def test_facts_carry_their_spans() -> None:
    text = "The cost was £46.6 million, 3% under budget, by 12 March 2026 under section 12(3)."
    facts = extract_facts(text)
    assert [(f.kind, f.text) for f in facts] == [
        ("amount", "£46.6 million"), ("percent", "3%"), ("date", "12 March 2026"), ("reference", "section 12(3)"),
    ]
    assert all(text[f.start:f.end] == f.text for f in facts)


def test_markers_list_numbers_and_sentence_case_are_not_facts() -> None:
    text = "1. The barrier is open. [2]\n2. Residents were consulted.\nThe Minister met Priya Shah."
    assert [f.text for f in extract_facts(text)] == ["Minister", "Priya Shah"]


def test_names_people_and_organisations() -> None:
    facts = extract_facts("We met Dr John Smith of Harbour District Council and Raj Patel. Tom Reid agreed.")
    assert [(f.kind, f.text) for f in facts] == [
        ("organisation", "John Smith of Harbour District Council"), ("name", "Raj Patel"), ("name", "Tom Reid"),
    ]
    zh = extract_facts("出席：张伟、李娜\n会议听取了市财政局和市教育局的汇报，王芳副主任讲话。全部工作格局良好。")
    assert [(f.kind, f.text) for f in zh] == [
        ("name", "张伟"), ("name", "李娜"), ("organisation", "市财政局"), ("organisation", "市教育局"), ("name", "王芳"),
    ]


def test_a_lone_capitalised_word_is_a_weak_name() -> None:
    weak = [is_weak_name(f) for f in extract_facts("Then the Government met Priya Shah and the NHS.")]
    assert weak == [True, False, False]


def test_support_is_generous_about_form_and_parts() -> None:
    support = SupportIndex(["The barrier opened on 1 March 2026 and cost 48,000,000 pounds; see Article 3.",
                            "John Smith, leader of Harbour District Council"])
    ok = ("It opened in March 2026 (2026-03-01), on 1 March, in 2026, and cost £48m (48 million pounds). "
          "Article 3 applies. Mr John Smith of Harbour District Council agreed.")
    assert unsupported_facts(ok, support) == []
    bad = unsupported_facts("It opened on 2 March 2026 and cost £84m; Article 4; Mr John Smythe agreed.", support)
    assert [f.text for f in bad] == ["2 March 2026", "£84m", "Article 4", "John Smythe"]


def _case(name: str) -> dict[str, Any]:
    case: dict[str, Any] = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
    if "inputs_file" in case:
        raw = yaml.safe_load((EXAMPLES / case["inputs_file"]).read_text(encoding="utf-8"))
        case["inputs"] = raw
        case["sources"] = [(EXAMPLES / s).read_text(encoding="utf-8") for s in case["sources"]]
    return case


def _support(case: dict[str, Any]) -> SupportIndex:
    texts = []
    for value in case["inputs"].values():
        texts.append("\n".join(map(str, value)) if isinstance(value, list) else str(value))
    return SupportIndex(texts + list(case.get("sources", [])))


CASES = ["briefing-en.yaml", "minutes-en.yaml", "briefing-zh.yaml", "minutes-zh.yaml"]


@pytest.mark.parametrize("name", CASES)
def test_a_faithful_text_has_no_unsupported_facts(name: str) -> None:
    case = _case(name)
    text = case.get("text") or case["minutes"]
    assert extract_facts(text), "the text has facts to check"
    assert [f.text for f in unsupported_facts(text, _support(case)) if not is_weak_name(f)] == []


@pytest.mark.parametrize(
    ("name", "index"), [(name, i) for name in CASES for i in range(len(_case(name)["tamper"]))]
)
def test_each_invented_or_altered_fact_is_caught(name: str, index: int) -> None:
    case = _case(name)
    text = case.get("text") or case["minutes"]
    original, altered, introduced = case["tamper"][index]
    assert text.count(original) == 1
    tampered = text.replace(original, altered)
    caught = [f.text for f in unsupported_facts(tampered, _support(case)) if not is_weak_name(f)]
    assert caught == [introduced]


def test_chinese_organisation_after_a_verb_is_supported_by_its_own_name() -> None:
    """召开市政府常务会议: the candidate 开市政府 is the organisation 市政府 with the verb before it."""
    support = SupportIndex(["会议名称：市政府常务会议"])
    assert unsupported_facts("市长主持召开市政府常务会议。", support) == []
    assert [f.text for f in unsupported_facts("会议由省政府办公厅召开。", support)] != []


def test_letters_that_ignorecase_folds_to_ascii_do_not_break_extraction() -> None:
    # "ſ" (long s), "K" (Kelvin sign) and "ı" match s, k and i under IGNORECASE; their facts are read as such
    keys = {f.key for f in extract_facts("See ſection 4, 38 UſC 1310, £2 thouſand, 30 dayſ and 5 bıllion.")}
    assert {"ref:section:4", "ref:usc:38:1310", "amount:GBP:2000", "duration:30:day", "number:5000000000"} <= keys
    assert "amount:GBP:3000" in {f.key for f in extract_facts("£3K")}
