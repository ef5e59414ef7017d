"""`drafter show --json` lists each section's spans: who wrote which stretch of its text."""

from __future__ import annotations

import json

import pytest

from drafter.cli import main
from tests.conftest import EXAMPLES


def _show(capsys: pytest.CaptureFixture[str], draft_id: str) -> dict:
    assert main(["show", draft_id, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_show_json_spans_match_the_text_and_the_origin(capsys: pytest.CaptureFixture[str]) -> None:
    inputs, source = str(EXAMPLES / "briefing-inputs.yaml"), str(EXAMPLES / "barrier-report.txt")
    assert main(["draft", "briefing", "--inputs", inputs, "--source", source, "--user", "alice"]) == 0
    draft_id = capsys.readouterr().out.strip()
    shown = _show(capsys, draft_id)
    origins = set()
    for section in shown["sections"]:
        spans = section["spans"]
        assert spans, section["id"]
        for span in spans:
            assert set(span) == {"start", "end", "origin", "source", "paragraph"}
            assert 0 <= span["start"] < span["end"] <= len(section["text"])
            origins.add(span["origin"])
            if span["origin"] == "quote":
                assert span["source"] and span["paragraph"] >= 1
            else:
                assert span["source"] is None and span["paragraph"] is None
        # spans never overlap
        ordered = sorted((s["start"], s["end"]) for s in spans)
        assert all(a[1] <= b[0] for a, b in zip(ordered, ordered[1:], strict=False))
        # a section made only of the author's input is human
        if {s["origin"] for s in spans} == {"input"}:
            assert section["origin"] == "human"
        if any(s["origin"] in ("quote", "assembled", "model") for s in spans):
            assert section["origin"] != "human"
    assert {"input", "quote"} <= origins


def test_show_json_spans_follow_a_person_s_edit(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    inputs, source = str(EXAMPLES / "briefing-inputs.yaml"), str(EXAMPLES / "barrier-report.txt")
    assert main(["draft", "briefing", "--inputs", inputs, "--source", source, "--user", "alice"]) == 0
    draft_id = capsys.readouterr().out.strip()
    before = _show(capsys, draft_id)
    machine = next(s for s in before["sections"] if s["origin"] == "ai")
    new_text = machine["text"] + "\n\nAlice added this sentence herself."
    edit = tmp_path / "edit.txt"
    edit.write_text(new_text, encoding="utf-8")
    assert main(["edit", draft_id, "--section", machine["id"], "--text-file", str(edit), "--user", "alice"]) == 0
    capsys.readouterr()
    after = next(s for s in _show(capsys, draft_id)["sections"] if s["id"] == machine["id"])
    edited = [s for s in after["spans"] if s["origin"] == "edited"]
    assert edited, after["spans"]
    assert any("Alice added this sentence herself" in after["text"][s["start"]:s["end"]] for s in edited)
    assert after["origin"] == "ai_edited"
