"""Genre guidance and a short worked example are data in the template file, and reach the stable prompt part."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.catalog import Catalog
from drafter.errors import DrafterError
from drafter.prompts import build_section_prompt
from drafter.settings import Settings


def _catalog() -> Catalog:
    s = Settings()
    return Catalog.load(s.templates_dir, s.style_guides_dir)


@pytest.mark.parametrize("template_id", ["briefing", "submission", "minutes", "press-release", "zh-tongzhi", "zh-jiyao",
                                         "zh-qingshi", "zh-han"])
def test_guidance_and_example_are_in_the_system_prompt(template_id: str) -> None:
    catalog = _catalog()
    t = catalog.template(template_id)
    assert t.guidance and t.example
    prompt = build_section_prompt(t, catalog.style_guide(t.default_style_guide), {}, [], t.sections[0])
    assert t.guidance.strip() in prompt.system_text
    assert f"<example>\n{t.example.strip()}\n</example>" in prompt.system_text
    assert "never use its facts" in prompt.system_text
    assert t.example.strip() not in prompt.prompt_text  # stable part only: cached with the rules


def test_minutes_guidance_asks_for_reported_speech_and_rules_anchor_dates() -> None:
    catalog = _catalog()
    t = catalog.template("minutes")
    prompt = build_section_prompt(t, catalog.style_guide("house-style"), {}, [], t.sections[0])
    assert "reported speech" in prompt.system_text
    assert "Never write a relative date" in prompt.system_text and "Spell out an abbreviation" in prompt.system_text


@pytest.mark.parametrize(("template_id", "required"), [
    # 《党政机关公文处理工作条例》第八条 and 第十五条: what each 文种 is for, and its fixed form
    ("zh-jiyao", ["记载会议主要情况和议定事项", "会议同意", "责任单位", "完成时限"]),
    ("zh-qingshi", ["向上级机关请求指示、批准", "一文一事", "只主送一个上级机关", "妥否，请批示。"]),
    ("zh-han", ["不相隶属机关", "商洽工作", "请予函复。"]),
])
def test_gongwen_guidance_follows_the_regulation(template_id: str, required: list[str]) -> None:
    t = _catalog().template(template_id)
    for phrase in required:
        assert phrase in t.guidance, phrase


def test_the_qingshi_closing_and_example_end_with_the_fixed_phrase() -> None:
    t = _catalog().template("zh-qingshi")
    assert t.sections[-1].offline_text == "妥否，请批示。"
    assert t.example.strip().endswith("妥否，请批示。")
    # 函 is a parallel document: its example never asks for 批示, and never orders
    han = _catalog().template("zh-han")
    assert "批示" not in han.example and "必须" not in han.example


def test_submission_leads_with_issue_recommendation_and_timing_in_numbered_paragraphs() -> None:
    t = _catalog().template("submission")
    assert [s.id for s in t.sections] == ["issue", "recommendation", "timing", "background", "argument", "handling",
                                          "contact"]
    assert t.numbered_paragraphs and t.language == "en"
    # sources go only to the sections that state facts from them
    assert [s.id for s in t.sections if s.use_sources] == ["background", "argument"]
    assert "That you agree" in t.guidance and "That you agree" in t.sections[1].instruction
    prompt = build_section_prompt(t, _catalog().style_guide("house-style"), {}, [], t.sections[1])
    plan = prompt.system_text
    assert plan.index("[issue] Issue") < plan.index("[recommendation]") < plan.index("[timing]") < plan.index("[handling]")


def test_unknown_template_keys_are_still_rejected(tmp_path: Path) -> None:
    s = Settings()
    source = (s.templates_dir / "en" / "briefing.yaml").read_text() if (s.templates_dir / "en").exists() else None
    if source is None:
        pytest.skip("templates are not laid out by language here")
    tdir = tmp_path / "t"
    tdir.mkdir()
    (tdir / "briefing.yaml").write_text(source + "genre_notes: not a field\n")
    with pytest.raises(DrafterError, match="genre_notes"):
        Catalog.load(tdir, s.style_guides_dir)


def test_a_submission_drafts_offline_end_to_end(tmp_path: Path) -> None:
    from drafter.models import DraftRequest
    from drafter.service import DrafterService

    service = DrafterService.from_settings(Settings(data_dir=tmp_path / "data"))
    inputs = {"subject": "Bus fare cap", "recipient": "Secretary of State", "author_unit": "Buses Team",
              "date": "2026-03-02", "issue": "Whether to extend the bus fare cap.",
              "recommendation": "That you agree to extend the cap to 31 December 2026.",
              "timing": "Routine: by 12 June 2026.", "arguments": "The cap costs £80 million a year.",
              "handling": "Communications: a written statement."}
    draft = service.create_draft(DraftRequest(template_id="submission", inputs=inputs), "author")
    texts = {s.id: s.text for s in draft.sections}
    assert list(texts)[:3] == ["issue", "recommendation", "timing"]
    assert texts["recommendation"] == "That you agree to extend the cap to 31 December 2026."
    assert "£80 million" in texts["argument"]
    service.store.engine.dispose()
