"""JSON logs carry ids and actions, never names, inputs or generated text."""

from __future__ import annotations

import json

import pytest

from drafter.cli import main
from tests.conftest import EXAMPLES


def test_json_logs_have_no_personal_data(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAFTER_LOG_FORMAT", "json")
    monkeypatch.setenv("DRAFTER_LOG_LEVEL", "INFO")
    code = main(["draft", "briefing", "--inputs", str(EXAMPLES / "briefing-inputs.yaml"), "--user", "alice.smith"])
    assert code == 0
    first = capsys.readouterr()
    draft_id = first.out.strip()
    assert main(["approve", draft_id, "--user", "alice.smith", "--confirm-checklist"]) == 3
    err = first.err + capsys.readouterr().err
    records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert {r["event"] for r in records} >= {"backend call", "refused"}
    assert all(r.get("draft_id") == draft_id for r in records)
    text = "\n".join(line for line in err.splitlines() if line.startswith("{"))
    for personal in ("alice", "Priya", "020 7946", "Riverside"):
        assert personal not in text
