"""Start-up time of the command line: `drafter --help` and `drafter templates` against a bare `python -c pass`.

Each is a fresh process (what a person at the terminal waits for), run from a temporary folder with a temporary
data folder; the figure is the median of several runs, and the ratio says how many bare Python starts it costs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.goals import figure

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
GOAL_HELP_S = 0.5  # `drafter --help` should feel instant


def _median_seconds(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(args, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DRAFTER_DATA_DIR": str(cwd / "data")}
        drafter = [sys.executable, "-c", "import sys; from drafter.cli import main; sys.exit(main())"]
        bare = _median_seconds([sys.executable, "-c", "pass"], cwd, env)
        subprocess.run([*drafter, "templates"], cwd=cwd, env=env, check=True, capture_output=True)  # create the store
        print(f"python -c pass        {bare:6.3f} s (median of {RUNS})")
        for label, args in (("drafter --help", ["--help"]), ("drafter templates", ["templates"])):
            seconds = _median_seconds([*drafter, *args], cwd, env)
            print(f"{label:21} {seconds:6.3f} s  = {seconds / bare:5.1f} x python -c pass")
            if args == ["--help"]:
                figure("CLI start-up, drafter --help", f"{seconds:.3f} s (x{seconds / bare:.1f} python -c pass)",
                       f"<= {GOAL_HELP_S} s", seconds <= GOAL_HELP_S)
            else:
                figure(f"CLI, {label}", f"{seconds:.3f} s = x{seconds / bare:.1f} python -c pass")


if __name__ == "__main__":
    main()
