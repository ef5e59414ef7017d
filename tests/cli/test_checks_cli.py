"""The checks' CLI contract: findings, waive, approve naming open blocking findings (exit 3), show, eval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drafter.cli import main
from tests.conftest import EXAMPLES


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_findings_waive_and_the_approval_gate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    inputs, source = str(EXAMPLES / "briefing-inputs.yaml"), str(EXAMPLES / "barrier-report.txt")
    code, out, err = run(capsys, "draft", "briefing", "--inputs", inputs, "--source", source, "--user", "alice")
    assert code == 0, err
    draft_id = out.strip()
    assert [f for f in json.loads(run(capsys, "findings", draft_id, "--json")[1]) if f["severity"] == "blocking"] == []

    text = tmp_path / "background.txt"
    text.write_text("The barrier was completed in January 2026 and utilised 310 local firms.")
    assert run(capsys, "edit", draft_id, "--section", "background", "--text-file", str(text), "--user", "alice")[0] == 0
    code, out, _ = run(capsys, "findings", draft_id, "--json")
    findings = json.loads(out)
    assert code == 0
    assert set(findings[0]) == {"id", "severity", "rule", "section", "span", "excerpt", "message", "suggestion",
                                "status", "waiver_reason", "waived_by", "waived_at", "message_id", "message_params"}
    blocking = [f for f in findings if f["severity"] == "blocking"]
    assert [(f["excerpt"], f["rule"], f["section"], f["status"]) for f in blocking] == [
        ("January 2026", "facts.unsupported", "background", "open")]
    start, end = blocking[0]["span"]
    assert text.read_text()[start:end] == "January 2026"
    assert any(f["rule"] == "style.plain_words" and f["suggestion"].startswith('Use "use"') for f in findings)

    code, out, _ = run(capsys, "findings", draft_id)
    assert code == 0 and blocking[0]["id"] in out and "facts.unsupported" in out

    shown = json.loads(run(capsys, "show", draft_id, "--json")[1])
    assert [f["id"] for f in shown["findings"]] == [f["id"] for f in findings]

    assert run(capsys, "submit", draft_id, "--user", "alice")[0] == 0
    code, _, err = run(capsys, "approve", draft_id, "--user", "bob", "--confirm-checklist")
    assert code == 3 and blocking[0]["id"] in err and "January 2026" in err and err.count("\n") == 1

    code, _, err = run(capsys, "waive", draft_id, blocking[0]["id"], "--reason", "", "--user", "bob")
    assert code == 3 and "reason" in err
    code, _, err = run(capsys, "waive", draft_id, "nope", "--reason", "Checked.", "--user", "bob")
    assert code == 3 and "no finding" in err
    code, out, _ = run(capsys, "waive", draft_id, blocking[0]["id"], "--reason",
                       "Completion month confirmed by the project board.", "--user", "bob")
    assert code == 0 and "waived by bob" in out
    assert run(capsys, "approve", draft_id, "--user", "bob", "--confirm-checklist")[0] == 0
    code, out, _ = run(capsys, "audit", "list", "--draft", draft_id, "--json")
    assert any(e["action"] == "finding_waived" and e["details"]["reason"].startswith("Completion month")
               for e in json.loads(out))


def test_eval_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "eval", str(EXAMPLES / "eval"), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] and report["totals"]["cases"] == len(report["cases"]) >= 6
    case = report["cases"][0]
    assert {"case", "template", "backend", "sections", "blocking", "unsupported_facts", "readability",
            "sections_within_target", "seconds", "input_tokens", "output_tokens", "error"} <= set(case)
    code, out, _ = run(capsys, "eval", str(EXAMPLES / "eval"))
    assert code == 0 and out.splitlines()[-1].startswith("total: ")
    code, _, err = run(capsys, "eval", str(EXAMPLES / "eval"), "--backend", "nope")
    assert code == 3 and "Unknown or unconfigured backend" in err
