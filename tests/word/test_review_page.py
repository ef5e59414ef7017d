"""The review page's Word flow through AppTest: download button, upload, summary first, then apply."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drafter.backends.offline import OfflineBackend
from drafter.models import DraftStatus
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import briefing_request
from tests.ui_support import app_for, texts
from tests.word.support import WordEdit

REVIEW = "drafter/ui/pages/review.py"


@pytest.fixture
def ui_service(tmp_path: Path) -> Iterator[DrafterService]:
    settings = Settings(data_dir=tmp_path / "data", backend="offline")
    svc = DrafterService.from_settings(settings, backends={"offline": OfflineBackend()})
    yield svc
    svc.store.engine.dispose()


def test_reviewer_uploads_a_reviewed_copy_sees_the_summary_then_applies(
    ui_service: DrafterService, tmp_path: Path
) -> None:
    draft = ui_service.create_draft(briefing_request(backend="offline"), "alice")
    ui_service.submit(draft.id, "alice")
    copy = ui_service.review_copy(draft.id, tmp_path / "copy.docx", "bob")
    edit = WordEdit(copy)
    edit.replace("speak to the press", "speak to reporters", "bob")
    edit.comment("This briefing is for", "*Check* <b>the date</b>.", "bob")
    reviewed = edit.save(tmp_path / "reviewed.docx").read_bytes()

    at = app_for(ui_service, "bob").switch_page(REVIEW).run()
    assert not at.exception
    assert "Download review copy" in [b.proto.label for b in at.get("download_button")]
    uploader = next(u for u in at.file_uploader if u.key == f"review-upload-{draft.id}")
    uploader.set_value(("reviewed.docx", reviewed, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Sections that change: 1; comments: 1." in texts(at)
    assert "*Check* <b>the date</b>." in [t.value for t in at.text]  # the comment as plain text, never markdown
    assert ui_service.get_draft(draft.id).version == draft.version + 1  # submitted; the summary changed nothing
    apply = next(b for b in at.button if b.label == "Apply the reviewed changes")
    apply.click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = ui_service.get_draft(draft.id)
    assert after.status == DraftStatus.draft and "speak to reporters" in after.sections[0].text
    assert after.sections[0].provenance.edited_by == "bob"
    assert any(e.action == "review_comment" for e in ui_service.audit_trail(draft.id))


def test_a_reviewed_copy_that_changes_a_quotation_is_refused_on_the_page(
    ui_service: DrafterService, tmp_path: Path
) -> None:
    draft = ui_service.create_draft(briefing_request(backend="offline"), "alice")
    ui_service.submit(draft.id, "alice")
    edit = WordEdit(ui_service.review_copy(draft.id, tmp_path / "copy.docx", "bob"))
    edit.replace("£46.6 million", "£47 million", "bob")
    reviewed = edit.save(tmp_path / "reviewed.docx").read_bytes()
    before = ui_service.get_draft(draft.id)

    at = app_for(ui_service, "bob").switch_page(REVIEW).run()
    uploader = next(u for u in at.file_uploader if u.key == f"review-upload-{draft.id}")
    uploader.set_value(("reviewed.docx", reviewed, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("quoted verbatim from barrier-report.txt" in e.value and "nothing was imported" in e.value
               for e in at.error)
    assert not [b for b in at.button if b.label == "Apply the reviewed changes"]
    after = ui_service.get_draft(draft.id)
    assert (after.version, after.status) == (before.version, before.status)
