"""The built wheel works on its own: templates and style guides are inside it, `drafter templates` runs anywhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.packaging


def _run(*cmd: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{cmd}: {result.stdout}\n{result.stderr}"
    return result


def test_wheel_installs_and_lists_templates_from_any_folder(tmp_path: Path) -> None:
    # Build from a copy, so the checkout gets no build/ or egg-info; offline, with the installed setuptools.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "drafter", src / "drafter", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, src)
    (wheel,) = dist.glob("drafter-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "drafter/templates/en/briefing.yaml" in names and "drafter/style_guides/plain-english.yaml" in names

    # A fresh virtualenv holding only the wheel; the runtime dependencies come from this environment's
    # site-packages through a .pth line (a plain path: its own .pth files, e.g. an editable install, are not run).
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel)
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "zz_project_deps.pth").write_text("\n".join(sorted(deps)) + "\n", encoding="utf-8")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("DRAFTER_")}
    env["DRAFTER_DATA_DIR"] = str(tmp_path / "data")
    where = _run(python, "-c", "import drafter; print(drafter.__file__)", cwd=elsewhere, env=env).stdout
    assert where.startswith(str(site)), where
    out = _run(venv / "bin" / "drafter", "templates", cwd=elsewhere, env=env).stdout
    assert {"briefing", "minutes", "zh-tongzhi"} <= {line.split()[0] for line in out.splitlines() if line.strip()}
