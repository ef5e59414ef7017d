"""Snapshots of the CLI's stable JSON shapes: `templates --json`, `show --json`, `verify --json`, `register`.

`templates --json` is stored whole (it is data); the others are stored as their shape (keys and value types,
lists reduced to their first item), because ids and times change from run to run. A change of shape shows
in review as a change to tests/data/snapshots/. Regenerate with DRAFTER_UPDATE_SNAPSHOTS=1.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from drafter.cli import main
from tests.conftest import EXAMPLES, ROOT

SNAPSHOTS = ROOT / "tests" / "data" / "snapshots"
UPDATE = os.environ.get("DRAFTER_UPDATE_SNAPSHOTS") == "1"


def shape(value: Any) -> Any:
    """Keys and value types; a list becomes a list of its first item's shape."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def check(name: str, value: Any) -> None:
    path = SNAPSHOTS / f"{name}.json"
    text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}; run with DRAFTER_UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} changed; review it, then regenerate"


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return json.loads(out)


def test_shape_keeps_keys_and_types() -> None:
    assert shape({"b": [1, 2], "a": {"x": None}, "c": []}) == {"a": {"x": "NoneType"}, "b": ["int"], "c": []}


def test_json_snapshots(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    check("templates", run_json(capsys, "templates", "--json"))
    inputs, source = str(EXAMPLES / "briefing-inputs.yaml"), str(EXAMPLES / "barrier-report.txt")
    assert main(["draft", "briefing", "--inputs", inputs, "--source", source, "--user", "alice"]) == 0
    draft_id = capsys.readouterr().out.strip()
    assert main(["submit", draft_id, "--user", "alice"]) == 0
    assert main(["approve", draft_id, "--user", "bob", "--confirm-checklist"]) == 0
    out = tmp_path / "briefing.docx"
    assert main(["export", draft_id, "--output", str(out), "--user", "alice"]) == 0
    capsys.readouterr()
    check("show.shape", shape(run_json(capsys, "show", draft_id, "--json")))
    check("verify.shape", shape(run_json(capsys, "verify", str(out), "--json")))
    check("register.shape", shape(run_json(capsys, "register", "--format", "json")))
