"""The review copy from the history page ("My drafts"): AppTest for the page, Chromium for the download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drafter.export.review_import import read_review_file
from drafter.service import DrafterService
from tests.browser_support import check_accessibility
from tests.conftest import briefing_request
from tests.test_ui_browser import app, browser, expect_text, go_to, page, sign_in, submitted_draft  # noqa: F401
from tests.ui_support import app_for
from tests.word.test_review_page import ui_service  # noqa: F401

HISTORY = "drafter/ui/pages/history.py"


def test_the_history_page_offers_a_review_copy_at_any_status(ui_service: DrafterService) -> None:  # noqa: F811
    draft = ui_service.create_draft(briefing_request(backend="offline"), "alice")  # a draft, not approved
    at = app_for(ui_service, "alice").switch_page(HISTORY).run()
    assert not at.exception, [e.value for e in at.exception]
    buttons = [b for b in at.get("download_button") if b.proto.label == "Download review copy"]
    assert len(buttons) == 1
    # nothing is written or logged until someone downloads it
    assert not any(e.action == "review_copy_exported" for e in ui_service.audit_trail(draft.id))


@pytest.mark.browser
def test_alice_downloads_a_review_copy_from_my_drafts(
    app: tuple[str, DrafterService], page: Any, tmp_path: Path  # noqa: F811
) -> None:
    base, svc = app
    draft_id = submitted_draft(svc)
    draft = svc.get_draft(draft_id)
    sign_in(page, base, "alice")
    go_to(page, "My drafts")
    expect_text(page, "Review in Word")
    check_accessibility(page, "history-review-copy")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download review copy").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert target.name == f"review-copy-{draft_id}-v{draft.version}.docx"
    review = read_review_file(target)
    assert (review.draft_id, review.version, review.content_sha256) == (draft_id, draft.version,
                                                                        draft.content_sha256)
    assert {sid: s.text for sid, s in review.sections.items()} == {s.id: s.text for s in draft.sections}
    made = [e for e in svc.audit_trail(draft_id) if e.action == "review_copy_exported"]
    assert [e.actor for e in made] == ["alice"]
