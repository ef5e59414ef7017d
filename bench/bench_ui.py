"""UI figures: how long each page takes to run its script (Streamlit AppTest, offline backend).

Prints figures; asserts nothing. `bench/run.py` calls `main()`.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from drafter.models import Checklist, DraftRequest  # noqa: E402
from drafter.service import DrafterService  # noqa: E402
from drafter.settings import Settings  # noqa: E402
from drafter.sources import read_source  # noqa: E402
from drafter.ui.common import SERVICE_OVERRIDE_KEY, USER_KEY  # noqa: E402

APP = ROOT / "streamlit_app.py"
PAGES = {
    "draft": "drafter/ui/pages/draft.py",
    "review": "drafter/ui/pages/review.py",
    "history": "drafter/ui/pages/history.py",
    "settings": "drafter/ui/pages/settings.py",
}


def _request() -> DraftRequest:
    import yaml

    raw = yaml.safe_load((ROOT / "examples" / "briefing-inputs.yaml").read_text())
    inputs = {k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in raw.items()}
    source = read_source(ROOT / "examples" / "barrier-report.txt", 5_000_000)
    return DraftRequest(template_id="briefing", inputs=inputs, sources=[source])


def _timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="drafter-bench-ui-") as folder:
        service = DrafterService.from_settings(Settings(data_dir=Path(folder) / "data"))
        drafts = 20
        for _ in range(drafts):
            d = service.create_draft(_request(), "alice")
            service.submit(d.id, "alice")
        approved = service.create_draft(_request(), "alice")
        service.submit(approved.id, "alice")
        service.approve(
            approved.id, "bob", Checklist(facts_checked=True, no_sensitive_data=True, label_accurate=True)
        )
        print(f"UI page script runs (AppTest, offline backend, {drafts + 1} drafts in the store), ms:")
        for name, path in PAGES.items():
            at = AppTest.from_file(str(APP), default_timeout=120)
            at.session_state[SERVICE_OVERRIDE_KEY] = service
            at.session_state[USER_KEY] = "bob" if name == "review" else "alice"
            at.run()
            at.switch_page(path)
            runs = _timed(at.run, 5)
            print(f"  {name:<9} median {statistics.median(runs):7.1f}  max {max(runs):7.1f}")
        at = AppTest.from_file(str(APP), default_timeout=120)
        at.session_state[SERVICE_OVERRIDE_KEY] = service
        at.session_state[USER_KEY] = "alice"
        at.run()
        at.switch_page(PAGES["history"]).run()
        at.selectbox(key="keep.history.selected").set_value(approved.id).run()
        export = [b for b in at.button if b.label.startswith("Export")][0]
        start = time.perf_counter()
        export.click().run()
        print(
            f"  export + verify of one approved briefing through the History page: "
            f"{(time.perf_counter() - start) * 1000:.1f}"
        )
        service.store.engine.dispose()


if __name__ == "__main__":
    main()
