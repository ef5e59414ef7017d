"""Statistics for 10,000 exported documents in the store (SQLite): time to compute them and to write the CSVs."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.bench_register import DOCUMENTS, _seed
from bench.goals import figure
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.stats import to_csv


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        service = DrafterService.from_settings(Settings(data_dir=Path(tmp)))
        _seed(service)  # the same bulk rows as the register benchmark: drafts, approvals, exports
        start = time.perf_counter()
        stats = service.statistics()
        computed = time.perf_counter() - start
        start = time.perf_counter()
        size = sum(len(to_csv(rows)) for rows in stats.tables().values())
        written = time.perf_counter() - start
        print(f"statistics over {DOCUMENTS} exported documents (SQLite): computed in {computed * 1000:.0f} ms "
              f"(including the register), {len(stats.tables())} CSV tables ({size / 1e6:.2f} MB) in "
              f"{written * 1000:.0f} ms")
        figure(f"statistics over {DOCUMENTS} exported documents", f"computed {computed * 1000:.0f} ms "
               f"({computed * 1e6 / DOCUMENTS:.0f} us per document)")
        service.store.engine.dispose()


if __name__ == "__main__":
    main()
