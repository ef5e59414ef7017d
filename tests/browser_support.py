"""Real-browser test support: a `streamlit run` server on a free port, Debian's Chromium, axe-core.

Follows Streamlit's own e2e pattern: start the server headless, poll its health endpoint, then wait in the
browser until the app reports that its script has finished running. Never a fixed sleep.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
OUTPUT = ROOT / "test-output" / "ui"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Violations in Streamlit's own markup that the app cannot change: (rule id, CSS selector fragment, why).
AXE_EXCLUSIONS: list[tuple[str, str, str]] = []


def require_browser_tools() -> None:
    """Skip (locally) or fail (in CI) when Chromium or axe-core is missing; install axe-core if npm can."""
    missing = []
    if not CHROMIUM.is_file():
        missing.append("Debian's chromium package (/usr/bin/chromium)")
    if not AXE.is_file() and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=False, capture_output=True)
    if not AXE.is_file():
        missing.append("the npm package axe-core (run `npm ci`)")
    if missing:
        message = "Browser tests need " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def streamlit_server(data_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Run the app as `make run` does (`streamlit run` through drafter.ui.serve) on a free port; yield its base
    URL once it is healthy."""
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DRAFTER_") or k == "DRAFTER_TEST_POSTGRES_URL"
    }
    env.update({"DRAFTER_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **(extra_env or {})})
    log_path = data_dir.parent / f"streamlit-{port}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "drafter.ui.serve",  # what `make run` runs: `streamlit run`, with the app imported first
                str(ROOT / "streamlit_app.py"),
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(base, proc, log_path)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)  # polling interval, not a wait for the app: the loop ends as soon as it is healthy
    raise RuntimeError(f"streamlit did not become healthy in {timeout:.0f} s:\n{log_path.read_text()}")


def wait_for_app(page: Any) -> None:
    """Wait until the app has finished running its script (Streamlit marks stApp with the state)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)


# A field's new value reaches the server when the field loses focus, and the rerun it causes starts a moment later:
# `wait_for_app` at once can see the app idle before that rerun has begun, and the next click then lands in it.
# The page's own run state cannot count runs: under load React renders "running" and "notRunning" together, so the
# attribute never changes for a short run (seen 3 times in 80 on a busy 2-core machine). So the runs are counted on
# the wire: the rerun requests the page sends and the finished runs the server reports, read from the top-level
# fields of Streamlit's protobuf messages. The page's socket exists already; patching `WebSocket.prototype.send`
# reaches it, and the first send after the patch adds a listener for what the server sends back.
def _field_number(message: Any, name: str) -> int:
    return int(message.DESCRIPTOR.fields_by_name[name].number)


def _wire_fields() -> dict[str, int]:
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    finished = ForwardMsg.DESCRIPTOR.fields_by_name["script_finished"]
    return {
        "rerun": _field_number(BackMsg, "rerun_script"),
        "finished": finished.number,
        "early": finished.enum_type.values_by_name["FINISHED_EARLY_FOR_RERUN"].number,
    }


_COUNT_RUNS = """(fields) => {
  const top = (data) => {  // [field number, varint value or null] for each top-level field of a protobuf message
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
      : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
    const out = [];
    if (bytes === null) return out;
    let i = 0;
    const varint = () => { let v = 0, m = 1, b; do { b = bytes[i++]; v += (b & 0x7f) * m; m *= 128; } while (b & 0x80); return v; };
    while (i < bytes.length) {
      const key = varint(), field = Math.floor(key / 8), wire = key % 8;
      if (wire === 0) out.push([field, varint()]);
      else if (wire === 2) { const n = varint(); i += n; out.push([field, null]); }
      else if (wire === 1) { i += 8; out.push([field, null]); }
      else if (wire === 5) { i += 4; out.push([field, null]); }
      else break;
    }
    return out;
  };
  window.__drafterRuns = {requested: 0, finished: 0};
  if (window.__drafterSend) return;
  window.__drafterSend = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (!this.__drafterHeard) {
      this.__drafterHeard = true;
      this.addEventListener("message", (event) => {
        for (const [field, value] of top(event.data))
          if (field === fields.finished && value !== fields.early) window.__drafterRuns.finished += 1;
      });
    }
    if (top(data).some(([field]) => field === fields.rerun)) window.__drafterRuns.requested += 1;
    return window.__drafterSend.call(this, data);
  };
}"""
_RUN_SETTLED = """async (grace) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const runs = window.__drafterRuns;
  const start = performance.now();
  for (;;) {
    const idle = app.dataset.testScriptState === "notRunning";
    if (runs.requested > 0 && runs.finished >= runs.requested && idle) return true;
    if (runs.requested === 0 && performance.now() - start > grace) return false;
    if (performance.now() - start > 120000) throw new Error("the app was still running after 120 s");
    await new Promise((done) => setTimeout(done, 5));
  }
}"""


def count_runs(page: Any) -> None:
    """Count the app's script runs from now on: `runs_counted` gives the reruns the page asks the server for."""
    page.evaluate(_COUNT_RUNS, _wire_fields())


def runs_counted(page: Any) -> int:
    return int(page.evaluate("() => window.__drafterRuns.requested"))


def runs_finished(page: Any) -> int:
    return int(page.evaluate("() => window.__drafterRuns.finished"))


def commit_field(page: Any, field: Any, grace_ms: int = 500) -> bool:
    """Leave `field` (Tab) so its value is sent, and wait until the rerun that causes has finished and the page
    shows it; True when one ran (the page asks for none within `grace_ms` when the value did not change)."""
    count_runs(page)
    field.press("Tab")
    return bool(page.evaluate(_RUN_SETTLED, grace_ms))


# A tooltip or menu fading in is measured at its end state: axe reads colours with the opacity of the moment, so a
# tooltip caught half-way (focus left on a help icon) would fail contrast it meets once shown. Running and endless
# animations (spinners) are not waited for; at most 3 s.
_SETTLE = """() => Promise.race([
  Promise.all(document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .map(a => a.finished.catch(() => null))),
  new Promise(done => setTimeout(done, 3000)),
])"""


def settle_animations(page: Any) -> None:
    """Wait until the page's finite animations and transitions have finished."""
    page.evaluate(_SETTLE)


def check_accessibility(page: Any, name: str) -> None:
    """Run axe-core on the page; fail on WCAG 2.1 A/AA violations (minus documented Streamlit ones)."""
    settle_animations(page)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    # axe really ran its WCAG rules on this page (an empty run would pass vacuously)
    assert result["testEngine"]["name"] == "axe-core" and len(result["passes"]) >= 10, result.get("passes")
    problems = []
    for violation in result["violations"]:
        nodes = [
            n
            for n in violation["nodes"]
            if not any(
                rule == violation["id"] and fragment in " ".join(map(str, n["target"]))
                for rule, fragment, _ in AXE_EXCLUSIONS
            )
        ]
        if nodes:
            problems.append(
                {
                    "rule": violation["id"],
                    "help": violation["help"],
                    "targets": [n["target"] for n in nodes][:5],
                    "html": [n["html"][:200] for n in nodes][:3],
                }
            )
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"{name}.axe.json").write_text(json.dumps(problems, indent=2))
    assert not problems, f"axe found WCAG 2.1 AA violations on {name}:\n{json.dumps(problems, indent=2)}"


def screenshot(page: Any, name: str, folder: Path = OUTPUT) -> Path:
    """Save the whole page: Streamlit scrolls inside its own container, so grow the viewport to fit it."""
    folder.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...Array.from(document.querySelectorAll('[data-testid=stMain], "
        "[data-testid=stAppViewContainer], [data-testid=stSidebarContent]'), e => e.scrollHeight), 600)"
    )
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 8000)})
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path
