"""Prompt snapshots: the built prompts compared with tests/data/prompts/*.txt, so a prompt change shows in review.

After an intended change, regenerate them and review the diff:

    DRAFTER_UPDATE_SNAPSHOTS=1 python -m pytest tests/prompts/test_snapshots.py
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from drafter.backends.structured import CitedSection, instruction_for
from drafter.catalog import Catalog
from drafter.prompts import (
    HouseExample,
    PromptBundle,
    WrittenSection,
    build_document_prompt,
    build_refine_prompt,
    build_section_prompt,
    build_self_check_prompt,
    build_simplify_prompt,
)
from drafter.settings import Settings
from tests.conftest import briefing_request

SNAPSHOTS = Path(__file__).resolve().parent.parent / "data" / "prompts"
UPDATE = os.environ.get("DRAFTER_UPDATE_SNAPSHOTS") == "1"


def _catalog() -> Catalog:
    s = Settings()
    return Catalog.load(s.templates_dir, s.style_guides_dir)


def _render(prompt: PromptBundle) -> str:
    out = []
    for m in prompt.messages:
        out.append(f"=== {m.role} ===\n{m.content}")
    return "\n\n".join(out) + "\n"


def briefing_summary() -> str:
    c, r = _catalog(), briefing_request()
    t = c.template("briefing")
    return _render(build_section_prompt(t, c.style_guide("house-style"), r.inputs, r.sources, t.sections[0]))


def briefing_summary_house_style() -> str:
    c, r = _catalog(), briefing_request()
    t = c.template("briefing")
    example = HouseExample("a1b2c3d4e5f6", "Opening of Northtown Library",
                           "Summary\nThe Minister opens Northtown Library on 4 May 2026.\n\nContact\nLibraries Team.")
    return _render(build_section_prompt(t, c.style_guide("house-style"), r.inputs, r.sources, t.sections[0],
                                        examples=[example]))


def briefing_background() -> str:
    c, r = _catalog(), briefing_request()
    t = c.template("briefing")
    written = [WrittenSection("summary", "Summary", "The Minister opens the Riverside Flood Barrier on 12 March 2026.")]
    return _render(build_section_prompt(t, c.style_guide("house-style"), r.inputs, r.sources, t.sections[1], written))


def briefing_document() -> str:
    c, r = _catalog(), briefing_request()
    t = c.template("briefing")
    return _render(build_document_prompt(t, c.style_guide("house-style"), r.inputs, r.sources, t.sections))


def briefing_refine() -> str:
    c, r = _catalog(), briefing_request()
    t = c.template("briefing")
    others = [WrittenSection("summary", "Summary", "The Minister opens the barrier on 12 March 2026."),
              WrittenSection("contact", "Contact", "Priya Shah, Flood Resilience Team, 020 7946 0000")]
    return _render(build_refine_prompt(t, c.style_guide("house-style"), r.inputs, r.sources, t.sections[3],
                                       "Note the key facts and agree the press lines by 9 March 2026.",
                                       "make it shorter", others))


def tongzhi_section() -> str:
    c = _catalog()
    t = c.template("zh-tongzhi")
    inputs = {f.name: f"（{f.label}）" for f in t.fields}
    return _render(build_section_prompt(t, c.style_guide(t.default_style_guide), inputs, [], t.sections[0]))


def qingshi_section() -> str:
    c = _catalog()
    t = c.template("zh-qingshi")
    inputs = {f.name: f"（{f.label}）" for f in t.fields}
    return _render(build_section_prompt(t, c.style_guide(t.default_style_guide), inputs, [], t.sections[1]))


def submission_recommendation() -> str:
    c, r = _catalog(), briefing_request()
    t = c.template("submission")
    inputs = {"subject": "Riverside Flood Barrier opening", "recipient": "Minister for Flood Resilience",
              "author_unit": "Flood Resilience Team", "date": "2 March 2026",
              "issue": "Whether you open the Riverside Flood Barrier on 12 March 2026.",
              "recommendation": "That you agree to open the barrier and to the press lines at Annex A.",
              "timing": "Urgent: by 6 March 2026, so that the venue can be confirmed.",
              "arguments": "The barrier protects 4,200 homes.\nThe opening is a chance to announce the maintenance fund."}
    return _render(build_section_prompt(t, c.style_guide("house-style"), inputs, r.sources, t.sections[1]))


def simplify_child_retry() -> str:
    c = _catalog()
    t = c.template("simplified-en")
    spec = t.sections[0].model_copy(update={"id": "s2", "heading": "Paragraph 2"})
    return _render(build_simplify_prompt(
        t, c.style_guide("child-en"), spec, "(a) you have sent the application to the council within 30 days;",
        feedback=["fact missing from the simplified text: 30 days"], audience="child",
        parent="You can get help with your rent if:",
    ))


def self_check() -> str:
    c, r = _catalog(), briefing_request()
    t = c.template("briefing")
    written = [WrittenSection("background", "Background", "The barrier protects 4,200 homes [1]. It is the best.")]
    return _render(build_self_check_prompt(t, c.style_guide("house-style"), r.inputs, r.sources, written))


def structured_instruction() -> str:
    schema = json.dumps(CitedSection.model_json_schema(), ensure_ascii=False, indent=1)
    return instruction_for(CitedSection) + "\n\n=== schema, indented ===\n" + schema + "\n"


CASES: dict[str, Callable[[], str]] = {
    "briefing-summary": briefing_summary,
    "briefing-background": briefing_background,
    "briefing-summary-house-style": briefing_summary_house_style,
    "briefing-refine": briefing_refine,
    "briefing-document": briefing_document,
    "tongzhi-section": tongzhi_section,
    "qingshi-section": qingshi_section,
    "submission-recommendation": submission_recommendation,
    "simplify-child-retry": simplify_child_retry,
    "self-check": self_check,
    "structured-instruction": structured_instruction,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_prompt_matches_its_snapshot(name: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    built = CASES[name]()
    if UPDATE:
        path.write_text(built, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path.name}: run with DRAFTER_UPDATE_SNAPSHOTS=1 and review it"
    expected = path.read_text(encoding="utf-8")
    if built != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True), built.splitlines(keepends=True),
                                            f"snapshot/{path.name}", "built", n=1))
        pytest.fail(f"The prompt changed; if intended, run with DRAFTER_UPDATE_SNAPSHOTS=1 and commit:\n{diff}")


def test_no_stale_snapshots() -> None:
    assert {p.stem for p in SNAPSHOTS.glob("*.txt")} == set(CASES)
