"""Prints how long drafting (offline), the 公文 rules and the GB/T 9704 export take for each zh sample."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import yaml

from bench.goals import figure
from drafter.gongwen import check_document
from drafter.models import Checklist, DraftRequest
from drafter.service import DrafterService
from drafter.settings import Settings

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "zh"
CHECKLIST = Checklist(facts_checked=True, no_sensitive_data=True, label_accurate=True)


def _inputs(name: str) -> dict[str, str]:
    raw = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    return {k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in raw.items()}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        svc = DrafterService.from_settings(Settings(data_dir=Path(tmp) / "data"))
        print(f"{'template':<16}{'draft ms':>10}{'rules ms':>10}{'export ms':>11}{'docx KB':>9}")
        drafts: list[float] = []
        exports: list[float] = []
        for path in sorted(EXAMPLES.glob("*.yaml")):
            name = path.stem
            t0 = time.perf_counter()
            draft = svc.create_draft(DraftRequest(template_id=f"zh-{name}", inputs=_inputs(name)), "alice")
            t1 = time.perf_counter()
            template = svc.catalog.template(draft.template_id)
            for _ in range(100):
                check_document(template, draft.request.inputs, draft.sections)
            t2 = time.perf_counter()
            svc.submit(draft.id, "alice")
            svc.approve(draft.id, "bob", CHECKLIST)
            out = Path(tmp) / f"{name}.docx"
            t3 = time.perf_counter()
            svc.export(draft.id, out, "alice")
            t4 = time.perf_counter()
            print(f"zh-{name:<13}{(t1 - t0) * 1000:>10.1f}{(t2 - t1) * 10:>10.3f}{(t4 - t3) * 1000:>11.1f}"
                  f"{out.stat().st_size / 1024:>9.1f}")
            drafts.append((t1 - t0) * 1000)
            exports.append((t4 - t3) * 1000)
        figure("公文 offline draft, per template", f"median {statistics.median(drafts):.0f} ms, max {max(drafts):.0f} ms")
        figure("公文 GB/T 9704 export, per template",
               f"median {statistics.median(exports):.0f} ms, max {max(exports):.0f} ms")
        svc.store.engine.dispose()


if __name__ == "__main__":
    main()
