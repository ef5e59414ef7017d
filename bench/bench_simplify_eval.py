"""Simplification quality on the real-text corpus (tests/data/simplify/corpus.yaml), offline backend.

Per document and audience: facts kept, references intact, expected answers missing, lines cut at an
abbreviation, duplicated sentences, readability before → after against the target, share of words changed,
and blocking findings that are true / false. See drafter/service/simplify_eval.py for the definitions.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.service import DrafterService  # noqa: E402
from drafter.service.simplify_eval import evaluate_simplification, table  # noqa: E402
from drafter.settings import Settings  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "simplify" / "corpus.yaml"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        service = DrafterService.from_settings(Settings(data_dir=Path(tmp), backend="offline"))
        try:
            rows = evaluate_simplification(service, CORPUS, backend="offline")
        finally:
            service.store.engine.dispose()
    print(f"corpus: {CORPUS.relative_to(ROOT)} (real public texts; sources and licences in the file)")
    for line in table(rows):
        print(line)
    for r in rows:
        for what in r.expected_missing:
            print(f"  {r.document}/{r.audience}: expected answer missing: {what}")
        for what in r.blocking_false:
            print(f"  {r.document}/{r.audience}: false blocking finding: {what}")
        print(f"  {r.document}/{r.audience}: {r.outcome}")


if __name__ == "__main__":
    main()
