"""Drafting offline loads no LLM client library: importing it costs seconds of CPU on the first draft."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from drafter.backends.registry import configured_backends
from drafter.settings import Settings

ROOT = Path(__file__).resolve().parent.parent.parent


def test_offline_drafting_does_not_import_the_openai_client(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from drafter.service import DrafterService\n"
        "from drafter.settings import Settings\n"
        "from drafter.models import DraftRequest\n"
        f"s = DrafterService.from_settings(Settings(data_dir=Path({str(tmp_path)!r})))\n"
        "print(sorted(s.backends))\n"
        "print(sorted(m for m in ('langchain_openai', 'openai', 'drafter.backends.openai_compat') if m in sys.modules))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                         check=True, timeout=120).stdout.splitlines()
    assert out == ["['offline']", "[]"]


@pytest.mark.parametrize("field", [
    {"openai_api_key": "sk-test"}, {"openai_base_url": "http://127.0.0.1:9/v1"},
    {"azure_openai_endpoint": "https://example.openai.azure.com/", "azure_openai_api_key": "k"},
])
def test_each_openai_setting_still_configures_the_backend(tmp_path: Path, field: dict[str, str]) -> None:
    backends = configured_backends(Settings(data_dir=tmp_path, **field))  # type: ignore[arg-type]
    assert len(backends) == 2 and "offline" in backends
