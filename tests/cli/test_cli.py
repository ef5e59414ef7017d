"""The CLI contract: commands, --json shapes, exit codes (2 usage, 3 refused/invalid, 1 verify failed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from drafter.cli import main
from tests.conftest import EXAMPLES, ROOT


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_templates_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "templates", "--language", "en", "--json")
    assert code == 0
    items = json.loads(out)
    assert {"briefing", "minutes", "public-notice", "press-release", "email", "report"} <= {t["id"] for t in items}
    for t in items:
        assert set(t) == {"id", "title", "language", "kind", "description", "fields"}
        for f in t["fields"]:
            assert set(f) == {"name", "label", "type", "required"}


def test_full_cli_loop(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    inputs = str(EXAMPLES / "briefing-inputs.yaml")
    source = str(EXAMPLES / "barrier-report.txt")
    code, out, err = run(capsys, "draft", "briefing", "--inputs", inputs, "--source", source, "--user", "alice")
    assert code == 0, err
    draft_id = out.strip()
    assert "[5/5] Contact" in err

    code, out, _ = run(capsys, "show", draft_id, "--json")
    shown = json.loads(out)
    assert {"id", "template", "status", "author", "version", "content_sha256", "sections"} <= set(shown)
    assert shown["status"] == "draft" and shown["author"] == "alice"
    assert set(shown["sections"][0]) == {"id", "heading", "text", "origin", "backend", "model", "citations", "spans"}

    text = tmp_path / "summary.txt"
    text.write_text("The Minister opens the barrier on 12 March 2026.")
    assert run(capsys, "edit", draft_id, "--section", "summary", "--text-file", str(text), "--user", "alice")[0] == 0
    assert run(capsys, "submit", draft_id, "--user", "alice")[0] == 0

    code, _, err = run(capsys, "approve", draft_id, "--user", "alice", "--confirm-checklist")
    assert code == 3 and "cannot approve" in err and err.count("\n") == 1
    code, _, err = run(capsys, "approve", draft_id, "--user", "bob")
    assert code == 3 and "checklist" in err
    out_path = tmp_path / "b.docx"
    code, _, err = run(capsys, "export", draft_id, "--output", str(out_path), "--user", "alice")
    assert code == 3 and "not approved" in err and not out_path.exists()
    assert run(capsys, "approve", draft_id, "--user", "bob", "--confirm-checklist")[0] == 0

    code, _, err = run(capsys, "export", draft_id, "--output", str(tmp_path / "nodir" / "b.docx"), "--user", "alice")
    assert code == 3 and "does not exist" in err
    assert run(capsys, "export", draft_id, "--output", str(out_path), "--user", "alice")[0] == 0

    code, out, _ = run(capsys, "verify", str(out_path), "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["content_matches_approved_hash"]
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and "audit chain intact" in out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["draft"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["draft", "briefing", "--inputs", str(EXAMPLES / "briefing-inputs.yaml")])
    assert exc.value.code == 2
    assert "--user" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: p.write_text("subject: [unclosed"), "not a valid YAML inputs file"),
        (lambda p: p.write_text("- a\n- b\n"), "must be a mapping"),
        (lambda p: p.write_text("subject: Only a subject\n"), "Missing required input"),
    ],
)
def test_bad_inputs_files_exit_3_and_store_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, setup: object, message: str
) -> None:
    bad = tmp_path / "inputs.yaml"
    setup(bad)  # type: ignore[operator]
    code, _, err = run(capsys, "draft", "briefing", "--inputs", str(bad), "--user", "alice")
    assert code == 3 and message in err
    assert json.loads(run(capsys, "list", "--json")[1]) == []


def test_bad_sources_exit_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    inputs = str(EXAMPLES / "briefing-inputs.yaml")
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    code, _, err = run(capsys, "draft", "briefing", "--inputs", inputs, "--source", str(binary), "--user", "a")
    assert code == 3 and "not a supported type" in err
    big = tmp_path / "big.txt"
    big.write_text("x" * (5 * 1024 * 1024 + 1))
    code, _, err = run(capsys, "draft", "briefing", "--inputs", inputs, "--source", str(big), "--user", "a")
    assert code == 3 and "the limit is 5.0 MB" in err
    corrupt = tmp_path / "corrupt.docx"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    code, _, err = run(capsys, "draft", "briefing", "--inputs", inputs, "--source", str(corrupt), "--user", "a")
    assert code == 3 and "not a valid .docx" in err
    assert json.loads(run(capsys, "list", "--json")[1]) == []


def test_verify_of_unlabelled_file_exits_nonzero(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from docx import Document

    path = tmp_path / "plain.docx"
    Document().save(str(path))
    code, _, err = run(capsys, "verify", str(path))
    assert code == 1 and "no visible AI-use statement" in err


def test_console_script_runs(tmp_path: Path) -> None:
    # PYTHONPATH: run this checkout's drafter, whichever checkout an editable install points at
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "drafter.cli", "templates"], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0 and "briefing" in result.stdout
