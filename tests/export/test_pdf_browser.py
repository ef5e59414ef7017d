"""The PDF button in a real browser: Chromium clicks it, downloads the PDF, and the file verifies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drafter.service import DrafterService
from tests.browser_support import check_accessibility
from tests.conftest import FULL_CHECKLIST
from tests.test_ui_browser import app, browser, expect_text, go_to, page, sign_in, submitted_draft  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.libreoffice]


def test_drafter_downloads_the_pdf_and_it_verifies(app: tuple[str, DrafterService], page: Any,  # noqa: F811
                                                   tmp_path: Path) -> None:
    base, svc = app
    draft_id = submitted_draft(svc)
    svc.approve(draft_id, "bob", FULL_CHECKLIST)
    sign_in(page, base, "alice")
    go_to(page, "My drafts")
    page.get_by_role("button", name="Export to Word (.docx)").click()
    expect_text(page, "Verified:")
    page.get_by_role("button", name="Make a PDF").click()
    expect_text(page, "Download the PDF")
    check_accessibility(page, "history-pdf")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the PDF").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.name == "Opening-of-the-Riverside-Flood-Barrier.pdf"
    report = svc.verify_file(target)
    assert report.ok and report.kind == "pdf", report.problems
    assert report.provenance and report.provenance["draft_id"] == draft_id
