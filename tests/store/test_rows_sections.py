"""Sections to stored JSON and back in one call each: the same text and the same sections as one per section."""

from __future__ import annotations

import json

from drafter.models import Section
from drafter.service import DrafterService
from drafter.store import rows
from tests.conftest import briefing_request


def _old_json(sections: list[Section]) -> str:
    """How sections were serialised before: each one's model_dump, then json.dumps."""
    return json.dumps([s.model_dump(mode="json") for s in sections], ensure_ascii=False)


def _old_parse(text: str) -> list[Section]:
    return [Section.model_validate(s) for s in json.loads(text)]


def _all_sections(service: DrafterService) -> list[list[Section]]:
    out = []
    draft = service.create_draft(briefing_request(), "alice")
    out.append(draft.sections)
    out.append(service.edit_section(draft.id, "summary", "Edited: “quotes”, 中文, \\ and \U0001F600.", "bob").sections)
    out.append(service.refine_section(draft.id, "background", "make it shorter", "alice").sections)
    simplified = service.simplify(
        "Section 1. The applicant shall furnish the documentation prior to the commencement of the assessment. "
        "Unless the department decides otherwise, the applicant must attend in person.", title="Rules",
        audience="child", user="alice")
    out.append(simplified.sections)
    out += [v["sections"] for v in service.versions(draft.id)]
    return out


def test_sections_serialise_to_the_same_text_and_read_back_equal(sqlite_service: DrafterService) -> None:
    cases = _all_sections(sqlite_service)
    assert any(s.metrics or s.original for sections in cases for s in sections)  # simplification fields covered
    assert any(s.spans for sections in cases for s in sections) and any(s.citations for sections in cases for s in sections)
    for sections in cases:
        text = rows.sections_json(sections)
        assert text == _old_json(sections)  # byte for byte what was stored before
        assert rows.sections_from_json(text) == _old_parse(text) == sections
    old_format = json.loads(_old_json(cases[0]))  # a row saved before spans and citations existed
    for s in old_format:
        s.pop("spans"), s.pop("citations"), s.pop("metrics"), s.pop("original")
    text = json.dumps(old_format, ensure_ascii=False)
    assert rows.sections_from_json(text) == _old_parse(text)
    assert rows.sections_from_json("[]") == []
