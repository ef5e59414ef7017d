"""Regenerate the PNG renderings in docs/renderings (`make docs-renderings`).

Four sample documents are drafted on the offline backend in a scratch data folder, approved by a second person,
exported as labelled PDFs through LibreOffice (`DrafterService.export_pdf`, the same path as `drafter export
--format pdf`), verified, and each page is rendered with pdftoppm: an English briefing, minutes with an action
table, a press release and a 通知 (GB/T 9704).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafter.export.libreoffice import render_pages  # noqa: E402
from drafter.models import Checklist, DraftRequest  # noqa: E402
from drafter.service import DrafterService  # noqa: E402
from drafter.settings import Settings  # noqa: E402
from drafter.sources import read_source  # noqa: E402

EXAMPLES = ROOT / "examples"
OUT = ROOT / "docs" / "renderings"
CHECKLIST = Checklist(facts_checked=True, no_sensitive_data=True, label_accurate=True)
PRESS = {
    "headline": "Riverside Flood Barrier opens on 12 March",
    "date_line": "Riverside, 3 March 2026",
    "news": "The Riverside Flood Barrier opens on 12 March 2026 and protects 4,200 homes from tidal flooding.",
    "quote": "The barrier gives thousands of families the security they have waited a decade for.",
    "quote_by": "Dr Helen Park, Director of Flood Resilience",
    "media_contact": "Press Office, 020 7946 0001, press@riverside.example.gov.uk",
}


def _inputs(path: Path) -> dict[str, str]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in raw.items()}


def samples() -> dict[str, DraftRequest]:
    barrier = read_source(EXAMPLES / "barrier-report.txt", 5_000_000)
    flood = read_source(EXAMPLES / "zh" / "flood-season-report.txt", 5_000_000)
    return {
        "briefing": DraftRequest(template_id="briefing", inputs=_inputs(EXAMPLES / "briefing-inputs.yaml"),
                                 sources=[barrier], backend="offline"),
        "minutes": DraftRequest(template_id="minutes", inputs=_inputs(EXAMPLES / "minutes-inputs.yaml"),
                                backend="offline"),
        "press-release": DraftRequest(template_id="press-release", inputs=PRESS, sources=[barrier],
                                      backend="offline"),
        "tongzhi": DraftRequest(template_id="zh-tongzhi", inputs=_inputs(EXAMPLES / "zh" / "tongzhi.yaml"),
                                sources=[flood], backend="offline"),
    }


def build(out: Path, names: list[str] | None = None, dpi: int = 60) -> list[Path]:
    """Export and render the samples named (all by default) into `out`; returns the PNGs written."""
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="drafter-renderings-") as scratch:
        svc = DrafterService.from_settings(Settings(data_dir=Path(scratch) / "data"))
        try:
            for name, request in samples().items():
                if names and name not in names:
                    continue
                draft = svc.create_draft(request, "alice")
                svc.submit(draft.id, "alice")
                svc.approve(draft.id, "bob", CHECKLIST)
                result = svc.export_pdf(draft.id, Path(scratch) / f"{name}.pdf", "alice")
                report = svc.verify_file(result.path)
                if not report.ok:
                    raise SystemExit(f"{name}: the exported PDF does not verify: {report.problems}")
                for old in out.glob(f"{name}-page*.png"):
                    old.unlink()
                written += render_pages(result.path, out, name, dpi=dpi)
        finally:
            svc.store.engine.dispose()
    return written


if __name__ == "__main__":
    for path in build(OUT):
        print(path.relative_to(ROOT))
