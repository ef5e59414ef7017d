"""The PDF button beside the .docx download: a real LibreOffice conversion, verified, recorded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.backends.offline import OfflineBackend
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.ui import history_page
from tests.conftest import FULL_CHECKLIST, briefing_request
from tests.ui_support import app_for

pytestmark = pytest.mark.libreoffice
HISTORY = "drafter/ui/pages/history.py"


@pytest.fixture
def ui_service(tmp_path: Path) -> Iterator[DrafterService]:
    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "data", backend="offline"),
                                       backends={"offline": OfflineBackend()})
    yield svc
    svc.store.engine.dispose()


def test_pdf_button_beside_the_docx_download(ui_service: DrafterService) -> None:
    draft = ui_service.create_draft(briefing_request(backend="offline"), "alice")
    ui_service.submit(draft.id, "alice")
    ui_service.approve(draft.id, "bob", FULL_CHECKLIST)
    at = app_for(ui_service, "alice").switch_page(HISTORY).run()
    [b for b in at.button if b.label == "Export to Word (.docx)"][0].click().run()
    at.default_timeout = 240
    [b for b in at.button if b.label == "Make a PDF"][0].click().run(timeout=240)
    assert not at.exception, [e.value for e in at.exception]
    assert [b.label for b in at.get("download_button")] == ["Download the .docx", "Download the PDF"]
    name, data, report = at.session_state[history_page.EXPORT_KEY + "pdf-" + draft.id]
    assert name.endswith(".pdf") and data.startswith(b"%PDF-") and report.ok and report.kind == "pdf"
    formats = [e.details.get("format", "docx") for e in ui_service.audit_trail(draft.id) if e.action == "exported"]
    assert formats == ["docx", "docx", "pdf"]
