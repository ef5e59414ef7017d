"""`drafter --help` and `drafter templates` start without the heavy libraries (LLM clients, Streamlit, pandas...)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

HEAVY = ["langchain", "langchain_core", "langchain_openai", "openai", "streamlit", "pandas", "altair",
         "presidio_analyzer", "docx"]

# Runs the CLI, then reports its exit code and every module loaded, as the last line on stderr.
REPORT = "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}), file=sys.stderr)"
PROBE = f"""
import json, sys
from drafter.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
{REPORT}
"""


def _loaded(tmp_path: Path, *code_and_args: str) -> tuple[int, list[str], str]:
    """Run Python in a fresh process from another folder; return its exit code, the heavy modules loaded, stdout."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DRAFTER_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run([sys.executable, "-c", *code_and_args], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return report["code"], [m for m in HEAVY if m in report["modules"]], result.stdout


def test_help_imports_nothing_heavy(tmp_path: Path) -> None:
    code, heavy, out = _loaded(tmp_path, PROBE, "--help")
    assert code == 0 and "templates" in out
    assert heavy == []


def test_command_help_imports_nothing_heavy(tmp_path: Path) -> None:
    code, heavy, out = _loaded(tmp_path, PROBE, "draft", "--help")
    assert code == 0 and "--inputs" in out
    assert heavy == []


def test_templates_imports_nothing_heavy(tmp_path: Path) -> None:
    code, heavy, out = _loaded(tmp_path, PROBE, "templates")
    assert code == 0 and "briefing" in out
    if heavy:
        probe = f"import json, sys, drafter.service\ncode = 0\n{REPORT}"
        _, from_service, _ = _loaded(tmp_path, probe)
        if set(heavy) <= set(from_service):
            pytest.xfail(f"drafter.service imports {from_service} at import time; the service split makes it light")
    assert heavy == []
