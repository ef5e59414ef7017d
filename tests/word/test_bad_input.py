"""Bad files for import-review: each refused in one sentence, exit code 3, draft and audit chain untouched."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from drafter.cli.app import main
from drafter.errors import InputError
from drafter.service import DrafterService
from tests.conftest import briefing_request
from tests.word.support import WordEdit

MB = 1024 * 1024


@pytest.fixture
def submitted(sqlite_service: DrafterService) -> tuple[DrafterService, str]:
    svc = sqlite_service
    draft = svc.create_draft(briefing_request(), "alice")
    svc.submit(draft.id, "alice")
    return svc, draft.id


def _untouched(svc: DrafterService, draft_id: str, attempt: Callable[[], object], message: str) -> str:
    """Run `attempt`, which must be refused with `message`; nothing about the draft may change."""
    before = svc.get_draft(draft_id)
    events = len(svc.audit_trail(draft_id))
    with pytest.raises(InputError, match=message) as refused:
        attempt()
    after = svc.get_draft(draft_id)
    assert (after.version, after.content_sha256, after.status) == (before.version, before.content_sha256,
                                                                   before.status)
    assert len(svc.audit_trail(draft_id)) == events and svc.verify_audit()[1] is None
    return str(refused.value)


def _fifty_mb_copy(svc: DrafterService, draft_id: str, tmp_path: Path) -> Path:
    """A real review copy padded to 50 MB (zip readers still open it: the padding trails the archive)."""
    copy = svc.review_copy(draft_id, tmp_path / "copy.docx", "bob")
    big = tmp_path / "big.docx"
    with big.open("wb") as f:
        f.write(copy.read_bytes())
        chunk = b"\0" * MB
        for _ in range(50):
            f.write(chunk)
    assert big.stat().st_size > 50 * MB
    return big


def test_a_50_mb_file_is_refused_from_its_size_without_reading_it(
    submitted: tuple[DrafterService, str], tmp_path: Path
) -> None:
    svc, draft_id = submitted
    big = _fifty_mb_copy(svc, draft_id, tmp_path)
    tracemalloc.start()
    try:
        message = _untouched(svc, draft_id, lambda: svc.import_review(draft_id, big, "bob", apply=True),
                             r"The file is 50 MB; a review copy is refused above 20 MB\.")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * MB, f"refusing a 50 MB file allocated {peak / MB:.1f} MB"
    assert message.count(".") == 1


def test_a_50_mb_upload_is_refused(submitted: tuple[DrafterService, str], tmp_path: Path) -> None:
    """The page hands the service the uploaded bytes (Streamlit caps uploads at 5 MB before that)."""
    svc, draft_id = submitted
    data = _fifty_mb_copy(svc, draft_id, tmp_path).read_bytes()
    _untouched(svc, draft_id, lambda: svc.import_review(draft_id, data, "bob", apply=False),
               "The file is 50 MB; a review copy is refused above 20 MB.")


def test_an_endless_device_or_a_folder_is_refused_without_reading(submitted: tuple[DrafterService, str],
                                                                  tmp_path: Path) -> None:
    svc, draft_id = submitted
    tracemalloc.start()
    try:
        _untouched(svc, draft_id, lambda: svc.import_review(draft_id, Path("/dev/zero"), "bob", apply=True),
                   "/dev/zero is not a file")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * MB
    _untouched(svc, draft_id, lambda: svc.import_review(draft_id, tmp_path, "bob", apply=True), "is not a file")
    _untouched(svc, draft_id, lambda: svc.import_review(draft_id, tmp_path / "missing.docx", "bob", apply=True),
               "Cannot read .*missing.docx")


def _zip(**parts: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in parts.items():
            z.writestr(name.replace("__", "/").replace("_dot_", "."), blob)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "not a readable zip package", id="empty"),
        pytest.param(b"Dear reviewer, the text is fine.\n", "not a readable zip package", id="text"),
        pytest.param(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "not a readable zip package", id="pdf"),
        pytest.param(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504, "not a readable zip package", id="word-97"),
        pytest.param(_zip(hello_dot_txt=b"hello"), "not a Drafter review copy", id="other-zip"),
        pytest.param(_zip(mimetype=b"application/vnd.oasis.opendocument.text",
                          content_dot_xml=b"<office:document-content/>"), "not a Drafter review copy", id="odt"),
    ],
)
def test_files_that_are_not_a_docx_are_refused(
    submitted: tuple[DrafterService, str], tmp_path: Path, data: bytes, message: str,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    svc, draft_id = submitted
    path = tmp_path / "reviewed.docx"
    path.write_bytes(data)
    _untouched(svc, draft_id, lambda: svc.import_review(draft_id, path, "bob", apply=True), message)
    monkeypatch.setenv("DRAFTER_DATA_DIR", str(svc.settings.data_dir))
    capsys.readouterr()
    assert main(["import-review", draft_id, str(path), "--user", "bob", "--apply"]) == 3
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_the_cli_refuses_a_50_mb_file_with_exit_code_3(
    submitted: tuple[DrafterService, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    svc, draft_id = submitted
    big = _fifty_mb_copy(svc, draft_id, tmp_path)
    monkeypatch.setenv("DRAFTER_DATA_DIR", str(svc.settings.data_dir))
    capsys.readouterr()
    assert main(["import-review", draft_id, str(big), "--user", "bob", "--apply"]) == 3
    err = capsys.readouterr().err
    assert "50 MB" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


# --- comments and their anchors ---------------------------------------------------------------------------------


def test_a_comment_at_a_point_in_a_section_is_kept_with_its_section(
    submitted: tuple[DrafterService, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """LibreOffice and Word both allow a comment with nothing selected: its place is its anchor."""
    svc, draft_id = submitted
    edit = WordEdit(svc.review_copy(draft_id, tmp_path / "copy.docx", "bob"))
    edit.comment("The Riverside Flood Barrier was completed", "Add the opening date here.", "bob", point=True)
    path = edit.save(tmp_path / "point.docx")
    summary = svc.import_review(draft_id, path, "bob", apply=False)
    assert [(c.text, c.anchor, c.section_id) for c in summary.comments] == [
        ("Add the opening date here.", "", "background")
    ]
    monkeypatch.setenv("DRAFTER_DATA_DIR", str(svc.settings.data_dir))
    capsys.readouterr()
    assert main(["import-review", draft_id, str(path), "--user", "bob"]) == 0
    assert "comment by bob at a point in background: Add the opening date here." in capsys.readouterr().out


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda e: e.comment("", "Floating remark", "bob", anchored=False), id="no-range-no-reference"),
        pytest.param(lambda e: e.comment("Opening of the Riverside", "On the title.", "bob", point=True),
                     id="point-outside-every-section"),
        pytest.param(lambda e: (e.comment("This briefing is for", "Half a range.", "bob"),
                                [x.getparent().remove(x) for x in list(e.doc.iter("{*}commentRangeEnd",
                                                                                  "{*}commentReference"))
                                 if x.get(f"{{{_W}}}id") == str(e.next_id)]),
                     id="range-start-only"),
    ],
)
def test_a_comment_attached_to_nothing_is_refused(
    submitted: tuple[DrafterService, str], tmp_path: Path, damage: Callable[[WordEdit], object]
) -> None:
    svc, draft_id = submitted
    edit = WordEdit(svc.review_copy(draft_id, tmp_path / "copy.docx", "bob"))
    edit.replace("speak to the press", "speak to reporters", "bob")  # a fine change: not applied either
    damage(edit)
    path = edit.save(tmp_path / "floating.docx")
    message = _untouched(svc, draft_id, lambda: svc.import_review(draft_id, path, "bob", apply=True),
                         "is not attached to any text of a section; nothing was imported")
    assert message.startswith("The comment by bob (“")


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
