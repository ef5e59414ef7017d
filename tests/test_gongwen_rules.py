"""The 公文 style-guide rules (drafter.gongwen), the Chinese offline assembly and the zh catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.catalog import Catalog
from drafter.errors import CatalogError
from drafter.gongwen import check_date, check_doc_number, check_document, cn_numeral
from drafter.models import Origin, Provenance, Section
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.gongwen_support import zh_inputs, zh_request


def _sections(*texts: str) -> list[Section]:
    prov = Provenance(origin=Origin.human, author="alice")
    return [Section(id=f"s{i}", heading=f"h{i}", text=t, provenance=prov) for i, t in enumerate(texts)]


def _catalog() -> Catalog:
    s = Settings()
    return Catalog.load(s.templates_dir, s.style_guides_dir)


def _rules(issues: list) -> list[str]:
    return [i.rule for i in issues]


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (21, "二十一")])
def test_cn_numeral(n: int, text: str) -> None:
    assert cn_numeral(n) == text


@pytest.mark.parametrize("good", ["2026年3月5日", "2026年12月31日"])
def test_dates_in_arabic_numerals_without_padding_pass(good: str) -> None:
    assert check_date(good) == []


@pytest.mark.parametrize(("bad", "hint"), [("2026年03月05日", "虚位"), ("二〇二六年三月五日", "阿拉伯数字"),
                                           ("2026-3-5", "阿拉伯数字"), ("2026年13月5日", "有效日期")])
def test_bad_dates_are_reported(bad: str, hint: str) -> None:
    issues = check_date(bad)
    assert _rules(issues) == ["GW-DATE"] and hint in issues[0].message and issues[0].severity == "error"


@pytest.mark.parametrize(("bad", "hint"), [("京政发[2026]7号", "六角括号"), ("京政发（2026）7号", "六角括号"),
                                           ("京政发〔2026〕007号", "虚位"), ("京政发〔2026〕第7号", "第"),
                                           ("京政发2026-7", "格式应为")])
def test_doc_numbers(bad: str, hint: str) -> None:
    assert check_doc_number("京政发〔2026〕7号") == []
    issues = check_doc_number(bad)
    assert _rules(issues) == ["GW-DOCNO"] and hint in issues[0].message


def test_request_needs_one_matter_and_a_closing_request() -> None:
    template = _catalog().template("zh-qingshi")
    inputs = zh_inputs("qingshi")
    assert check_document(template, inputs, _sections("缘由。", "拟追加经费。", "妥否，请批示。")) == []
    no_ask = check_document(template, inputs, _sections("缘由。", "拟追加经费。"))
    assert "GW-REQUEST-END" in _rules(no_ask)
    two = check_document(template, inputs, _sections("拟追加经费，请批准。", "另拟增加编制。", "妥否，请批示。"))
    assert "GW-ONE-MATTER" in _rules(two)
    assert next(i for i in two if i.rule == "GW-ONE-MATTER").section == "s2"


def test_closing_phrase_must_match_the_type() -> None:
    template = _catalog().template("zh-tongzhi")
    inputs = zh_inputs("tongzhi")
    assert check_document(template, inputs, _sections("现将有关事项通知如下：", "特此通知。")) == []
    issues = check_document(template, inputs, _sections("现将有关事项通知如下：", "特此报告。"))
    assert _rules(issues) == ["GW-CLOSING"] and "报告" in issues[0].message


def test_report_may_not_carry_a_request() -> None:
    template = _catalog().template("zh-baogao")
    issues = check_document(template, zh_inputs("baogao"), _sections("拟追加经费，请批准。", "特此报告。"))
    assert "GW-REPORT-REQUEST" in _rules(issues)


def test_head_fields_are_checked() -> None:
    template = _catalog().template("zh-tongzhi")
    inputs = {**zh_inputs("tongzhi"), "date": "2026年03月05日", "doc_number": "江政办发[2026]7号",
              "mi_ji": "机密1年", "fen_hao": "", "jinji": "很急", "recipients": ""}
    rules = _rules(check_document(template, inputs, _sections("特此通知。")))
    assert {"GW-DATE", "GW-DOCNO", "GW-CLASSIFICATION", "GW-COPY-NUMBER", "GW-URGENCY", "GW-RECIPIENTS"} <= set(rules)


def test_numbering_forms() -> None:
    template = _catalog().template("zh-yijian")
    issues = check_document(template, zh_inputs("yijian"),
                            _sections("（一）、加强领导。\n1、明确责任。\n(二)落实经费。", "一、总体要求\n三、主要措施"))
    assert _rules(issues).count("GW-NUMBERING") == 4


def test_non_gongwen_templates_have_no_gongwen_issues() -> None:
    catalog = _catalog()
    assert check_document(catalog.template("zh-xinwengao"), {}, _sections("特此报告。")) == []
    assert check_document(catalog.template("briefing"), {}, _sections("特此报告。")) == []


def test_offline_backend_writes_chinese_lists(sqlite_service: DrafterService) -> None:
    minutes = sqlite_service.create_draft(zh_request("jiyao"), "alice")
    by_id = {s.id: s.text for s in minutes.sections}
    assert by_id["attendance"].splitlines() == [
        "出席：李明、王芳、赵刚、陈静、刘洋", "请假：周敏（出差）", "列席：市水务局张华、市应急管理局孙伟、市财政局吴涛"]
    assert [line[:2] for line in by_id["decisions"].splitlines()] == ["一、", "二、", "三、"]
    assert by_id["opening"].startswith("2026年3月4日上午，市长李明在市政府第一会议室主持召开市政府第12次常务会议")
    notice = sqlite_service.create_draft(zh_request("tongzhi", contact=""), "alice")
    tasks = {s.id: s.text for s in notice.sections}
    assert [line[:3] for line in tasks["tasks"].splitlines()] == ["（一）", "（二）", "（三）"]
    assert "联系人及电话" not in tasks["requirements"]  # an empty input drops its line
    assert tasks["closing"] == "特此通知。"


def test_a_role_filled_twice_is_rejected(tmp_path: Path) -> None:
    s = Settings()
    tdir = tmp_path / "t"
    tdir.mkdir()
    text = (s.templates_dir / "zh" / "han.yaml").read_text(encoding="utf-8")
    (tdir / "han.yaml").write_text(text.replace("role: note", "role: date"), encoding="utf-8")
    with pytest.raises(CatalogError, match="more than one field"):
        Catalog.load(tdir, s.style_guides_dir)
    (tdir / "han.yaml").write_text(text.replace("role: note", "role: footnote"), encoding="utf-8")
    with pytest.raises(CatalogError, match="role"):
        Catalog.load(tdir, s.style_guides_dir)


def test_gongwen_rules_become_findings(sqlite_service) -> None:  # type: ignore[no-untyped-def]
    """A 请示 without its request phrase shows up among the draft's findings, for the reviewer to see."""
    import yaml

    from drafter.models import DraftRequest
    from tests.conftest import EXAMPLES

    raw = yaml.safe_load((EXAMPLES / "zh" / "qingshi.yaml").read_text(encoding="utf-8"))
    inputs = {k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in raw.items()}
    draft = sqlite_service.create_draft(DraftRequest(template_id="zh-qingshi", inputs=inputs), "alice")
    closing = next(s for s in draft.sections if "请" in s.text and s.text.rstrip().endswith(("批示。", "批准。", "批复。")))
    sqlite_service.edit_section(draft.id, closing.id, "以上情况，特此报告。", "alice")
    rules = {f.rule_id for f in sqlite_service.findings(draft.id)}
    assert any(r.startswith("gongwen.") for r in rules), rules
