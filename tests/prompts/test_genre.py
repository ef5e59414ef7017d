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


@pytest.mark.parametrize("template_id", ["briefing", "minutes", "press-release", "zh-tongzhi"])
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
