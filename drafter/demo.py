"""A guided run of the whole loop on embedded defaults: draft → edit → review → export → verify.

`make demo` runs it; it needs no network and no configuration.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from drafter.models import Checklist, DraftRequest
from drafter.service import DrafterService
from drafter.settings import PROJECT_ROOT, get_settings
from drafter.sources import read_source

EXAMPLES = PROJECT_ROOT / "examples"


def main() -> int:
    settings = get_settings()
    service = DrafterService.from_settings(settings)
    raw = yaml.safe_load((EXAMPLES / "briefing-inputs.yaml").read_text(encoding="utf-8"))
    inputs = {k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in raw.items()}
    source = read_source(EXAMPLES / "barrier-report.txt", settings.max_source_bytes)
    print(f"Data folder: {settings.data_dir}")
    print("1. alice drafts a ministerial briefing with the offline backend (no network, no model)…")
    draft = service.create_draft(
        DraftRequest(template_id="briefing", inputs=inputs, sources=[source]),
        "alice",
        on_section=lambda i, n, s: print(f"   [{i}/{n}] {s.heading}"),
    )
    print("2. alice rewrites the summary in her own words (the AI original is kept)…")
    draft = service.edit_section(
        draft.id, "summary",
        "The Minister opens the Riverside Flood Barrier on 12 March 2026 and will speak to the press.", "alice",
    )
    print("3. alice submits it; bob reviews it against the checklist and approves…")
    service.submit(draft.id, "alice")
    service.approve(draft.id, "bob", Checklist(facts_checked=True, no_sensitive_data=True, label_accurate=True))
    out = Path(settings.data_dir) / "exports" / f"briefing-{draft.id}.docx"
    out.parent.mkdir(parents=True, exist_ok=True)
    result = service.export(draft.id, out, "alice")
    print(f"4. Exported {result.path}")
    print(f"   Label: {result.label_statement}")
    report = service.verify_file(out)
    print(f"5. drafter verify: {'verified' if report.ok else 'NOT VERIFIED'}")
    count, problem = service.verify_audit()
    print(f"6. Audit chain: {problem or f'intact ({count} events)'}")
    print(f"\nTry: drafter show {draft.id}   ·   drafter verify {out}")
    return 0 if report.ok and problem is None else 1


if __name__ == "__main__":
    sys.exit(main())
