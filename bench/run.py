"""`make bench`: runs every benchmark module and prints its figures. Timings are never asserted in tests."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.goals import table  # noqa: E402

MODULES = ["bench.bench_cli", "bench.bench_core", "bench.bench_llm", "bench.bench_guard", "bench.bench_checks",
           "bench.bench_gongwen", "bench.bench_review_copy", "bench.bench_simplify", "bench.bench_simplify_eval",
           "bench.bench_register", "bench.bench_stats", "bench.bench_concurrency", "bench.bench_browser"]


def main() -> None:
    failed: list[str] = []
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            print(f"{name}: skipped ({exc})")
            continue
        print(f"\n== {name} ==", flush=True)
        try:
            module.main()
        except Exception as exc:  # one broken benchmark should not hide the others' figures
            failed.append(name)
            print(f"{name} FAILED: {type(exc).__name__}: {exc}", flush=True)
    print("\n== every figure against its goal (timings vary with the load on this machine: compare ratios and "
          "back-to-back runs) ==")
    print(table())
    if failed:
        raise SystemExit(f"benchmarks failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
