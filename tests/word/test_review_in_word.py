"""Review in Word: a review copy out, a reviewer's tracked changes and comments back in, nothing applied silently."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document

from drafter.cli.app import main
from drafter.errors import InputError
from drafter.export.properties import get_custom_properties
from drafter.export.review_import import read_review_file
from drafter.models import DraftStatus, Origin, SpanOrigin
from drafter.service import DrafterService
from tests.conftest import FULL_CHECKLIST, briefing_request
from tests.word.support import WordEdit

CONTACT = "Priya Shah, 020 7946 0000."


@pytest.fixture
def in_review(sqlite_service: DrafterService) -> tuple[DrafterService, str]:
    """A briefing drafted by alice, her edit of a machine-written section, submitted for review.

    (The contact section is the author's own words, so an edit there is not a change to machine text.)"""
    svc = sqlite_service
    draft = svc.create_draft(briefing_request(), "alice")
    svc.edit_section(draft.id, "background", CONTACT, "alice")
    svc.submit(draft.id, "alice")
    return svc, draft.id


def reviewed(svc: DrafterService, draft_id: str, tmp_path: Path) -> Path:
    """bob's review copy, changed in 'Word': one word replaced in the summary and one comment."""
    copy = svc.review_copy(draft_id, tmp_path / "copy.docx", "bob")
    edit = WordEdit(copy)
    edit.replace("speak to the press", "speak to reporters", "bob")
    edit.comment("This briefing is for", "Check the date with the press office.", "bob")
    return edit.save(tmp_path / "reviewed.docx")


def test_the_review_copy_tracks_the_persons_changes_and_carries_no_approval(
    in_review: tuple[DrafterService, str], tmp_path: Path
) -> None:
    svc, draft_id = in_review
    draft = svc.get_draft(draft_id)
    path = svc.review_copy(draft_id, tmp_path / "copy.docx", "bob")
    doc = Document(str(path))
    assert any("not the labelled final export and carries no approval" in p.text for p in doc.paragraphs)
    props = get_custom_properties(doc)
    assert props["DrafterDraftId"] == draft_id and props["DrafterVersion"] == str(draft.version)
    assert props["DrafterContentSha256"] == draft.content_sha256
    assert "AIGC" not in props and "DrafterProvenance" not in props
    xml = doc.element.xml
    assert 'w:author="alice"' in xml and "<w:del " in xml and "<w:ins " in xml
    for section in draft.sections:
        assert f'w:name="drafter_{section.id}"' in xml
    comments = [c.text for c in doc.comments]
    machine = [s for s in draft.sections if s.provenance.origin == Origin.ai]
    assert sum(t.startswith("AI-generated: offline /") for t in comments) == len(machine) >= 1
    assert sum(t.startswith("AI-generated, then edited by a person") for t in comments) == 1
    # read back unchanged: rejecting every change gives the machine text, accepting gives the current text
    review = read_review_file(path)
    edited = next(s for s in draft.sections if s.id == "background")
    assert review.sections["background"].text == CONTACT
    assert review.sections["background"].original == (edited.provenance.ai_text or "").strip()
    assert all(review.sections[s.id].text == s.text for s in draft.sections)
    assert review.comments == []
    assert not svc.verify_file(path).ok  # never taken for a labelled export
    assert svc.audit_trail(draft_id)[-1].action == "review_copy_exported"


def test_open_findings_are_comments_on_their_text(in_review: tuple[DrafterService, str], tmp_path: Path) -> None:
    svc, draft_id = in_review
    found = [f for f in svc.findings(draft_id) if f.status.value == "open" and f.section_id]
    assert found, "the briefing example has an open finding to show"
    doc = Document(str(svc.review_copy(draft_id, tmp_path / "copy.docx", "bob")))
    by_checks = [c for c in doc.comments if c.author == "Drafter checks"]
    assert any(found[0].message in c.text for c in by_checks)


def test_import_summarises_without_changing_anything(in_review: tuple[DrafterService, str], tmp_path: Path) -> None:
    svc, draft_id = in_review
    path = reviewed(svc, draft_id, tmp_path)
    before = svc.get_draft(draft_id)
    events = len(svc.audit_trail(draft_id))
    summary = svc.import_review(draft_id, path, "bob", apply=False)
    assert not summary.applied
    assert [s.section_id for s in summary.changed_sections] == ["summary"]
    change = summary.changed_sections[0]
    assert "speak to the press" in change.old_text and "speak to reporters" in change.new_text
    assert [(r.kind, r.author, r.text) for r in change.revisions] == [
        ("del", "bob", "speak to the press"), ("ins", "bob", "speak to reporters")
    ]
    assert [(c.author, c.text, c.anchor, c.section_id) for c in summary.comments] == [
        ("bob", "Check the date with the press office.", change.new_text.split("\n")[0], "summary")
    ]
    after = svc.get_draft(draft_id)
    assert after.version == before.version and after.content_sha256 == before.content_sha256
    assert len(svc.audit_trail(draft_id)) == events


def test_apply_records_edits_by_the_importing_user_and_comments_as_change_requests(
    in_review: tuple[DrafterService, str], tmp_path: Path
) -> None:
    svc, draft_id = in_review
    path = reviewed(svc, draft_id, tmp_path)
    result = svc.import_review(draft_id, path, "bob", apply=True)
    assert result.applied and result.changes_requested
    draft = svc.get_draft(draft_id)
    assert draft.status == DraftStatus.draft
    summary = next(s for s in draft.sections if s.id == "summary")
    assert "speak to reporters" in summary.text
    assert summary.provenance.origin == Origin.ai_edited and summary.provenance.edited_by == "bob"
    actions = [(e.action, e.actor) for e in svc.audit_trail(draft_id)]
    assert ("review_comment", "bob") in actions and ("changes_requested", "bob") in actions
    assert ("edited", "bob") in actions and ("review_imported", "bob") in actions
    comment = next(e for e in svc.audit_trail(draft_id) if e.action == "review_comment")
    assert comment.details["comment"] == "Check the date with the press office."
    assert svc.reviews(draft_id)[-1].decision == "changes_requested"
    assert "Check the date with the press office." in svc.reviews(draft_id)[-1].comment
    assert svc.verify_audit()[1] is None


def test_apply_on_an_approved_draft_voids_the_approval(
    in_review: tuple[DrafterService, str], tmp_path: Path
) -> None:
    svc, draft_id = in_review
    svc.approve(draft_id, "bob", FULL_CHECKLIST)
    path = reviewed(svc, draft_id, tmp_path)
    svc.import_review(draft_id, path, "carol", apply=True)
    draft = svc.get_draft(draft_id)
    assert draft.status == DraftStatus.draft
    edited = next(e for e in svc.audit_trail(draft_id) if e.action == "edited" and e.actor == "carol")
    assert edited.details["voided"] == "approved"
    assert any(e.action == "review_comment" and e.actor == "carol" for e in svc.audit_trail(draft_id))
    with pytest.raises(Exception, match="not approved"):
        svc.export(draft_id, tmp_path / "final.docx", "alice")


def test_a_copy_of_another_draft_or_an_older_version_is_refused(
    in_review: tuple[DrafterService, str], tmp_path: Path
) -> None:
    svc, draft_id = in_review
    path = reviewed(svc, draft_id, tmp_path)
    other = svc.create_draft(briefing_request(), "alice")
    with pytest.raises(InputError, match=f"made from draft {draft_id}, not draft {other.id}"):
        svc.import_review(other.id, path, "bob", apply=True)
    svc.request_changes(draft_id, "bob", "Shorter, please.")
    with pytest.raises(InputError, match="made from version .* make a new review copy"):
        svc.import_review(draft_id, path, "alice", apply=True)
    assert not any(e.action == "review_imported" for e in svc.audit_trail(draft_id))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.write_bytes(b"not a zip"), "not a readable zip"),
        (lambda p: p.write_bytes(b"PK" + b"\0" * (21 * 1024 * 1024)), "refused above 20 MB"),
    ],
)
def test_bad_files_are_refused(in_review: tuple[DrafterService, str], tmp_path: Path, damage, message) -> None:  # noqa: ANN001
    svc, draft_id = in_review
    path = tmp_path / "bad.docx"
    damage(path)
    with pytest.raises(InputError, match=message):
        svc.import_review(draft_id, path, "bob", apply=True)


def test_a_plain_docx_a_missing_marker_and_an_unanchored_comment_are_refused(
    in_review: tuple[DrafterService, str], tmp_path: Path
) -> None:
    svc, draft_id = in_review
    plain = tmp_path / "plain.docx"
    Document().save(str(plain))
    with pytest.raises(InputError, match="not a Drafter review copy"):
        svc.import_review(draft_id, plain, "bob", apply=False)
    copy = svc.review_copy(draft_id, tmp_path / "copy.docx", "bob")
    edit = WordEdit(copy)
    for start in list(edit.doc.iter("{*}bookmarkStart")):
        if start.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}name") == "drafter_summary":
            start.getparent().remove(start)
    with pytest.raises(InputError, match="marker of section 'summary'.*missing"):
        svc.import_review(draft_id, edit.save(tmp_path / "unmarked.docx"), "bob", apply=False)
    edit = WordEdit(copy)
    edit.comment("", "Floating remark", "bob", anchored=False)
    with pytest.raises(InputError, match="not attached to any text"):
        svc.import_review(draft_id, edit.save(tmp_path / "floating.docx"), "bob", apply=False)


def test_external_entities_are_refused(in_review: tuple[DrafterService, str], tmp_path: Path) -> None:
    svc, draft_id = in_review
    copy = svc.review_copy(draft_id, tmp_path / "copy.docx", "bob")
    evil = tmp_path / "evil.docx"
    with zipfile.ZipFile(copy) as src, zipfile.ZipFile(evil, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "word/document.xml":
                blob = blob.replace(b"?>", b'?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>', 1)
            dst.writestr(info.filename, blob)
    with pytest.raises(InputError, match="declares a DTD"):
        svc.import_review(draft_id, evil, "bob", apply=False)


# --- the command line -------------------------------------------------------------------------------------------


def test_cli_prints_the_summary_then_applies(
    in_review: tuple[DrafterService, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    svc, draft_id = in_review
    monkeypatch.setenv("DRAFTER_DATA_DIR", str(svc.settings.data_dir))
    copy = tmp_path / "cli-copy.docx"
    assert main(["export", draft_id, "--review-copy", "--output", str(copy), "--user", "bob"]) == 0
    edit = WordEdit(copy)
    edit.replace("speak to the press", "speak to reporters", "bob")
    edit.comment("This briefing is for", "Check the date.", "bob")
    path = edit.save(tmp_path / "cli-reviewed.docx")
    capsys.readouterr()
    assert main(["import-review", draft_id, str(path), "--user", "bob", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["applied"] is False and data["status"] == "in_review"
    assert [s["id"] for s in data["sections"] if s["changed"]] == ["summary"]
    assert set(data["sections"][0]) == {"id", "heading", "changed", "old_text", "new_text", "revisions"}
    assert data["comments"] == [{"section": "summary", "author": "bob", "date": "2026-03-02T10:15:00Z",
                                 "anchor": data["sections"][0]["new_text"].split("\n")[0], "text": "Check the date."}]
    assert svc.get_draft(draft_id).status == DraftStatus.in_review
    assert main(["import-review", draft_id, str(path), "--user", "bob"]) == 0
    out = capsys.readouterr()
    assert "1 section(s) change, 1 comment(s)" in out.out and "--apply" in out.err
    assert main(["import-review", draft_id, str(path), "--user", "bob", "--apply"]) == 0
    assert "applied: draft" in capsys.readouterr().out
    assert "speak to reporters" in svc.get_draft(draft_id).sections[0].text
    other = svc.create_draft(briefing_request(), "alice")
    assert main(["import-review", other.id, str(path), "--user", "bob"]) == 3
    assert f"not draft {other.id}" in capsys.readouterr().err


# --- LibreOffice ------------------------------------------------------------------------------------------------


def _soffice() -> str:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is required: install libreoffice-writer-nogui")
    return soffice


@pytest.mark.libreoffice
def test_libreoffice_opens_the_review_copy_and_its_save_imports(
    in_review: tuple[DrafterService, str], tmp_path: Path
) -> None:
    svc, draft_id = in_review
    copy = svc.review_copy(draft_id, tmp_path / "copy.docx", "bob")
    profile = f"-env:UserInstallation=file://{tmp_path}/lo-profile"
    pdf_dir, docx_dir = tmp_path / "pdf", tmp_path / "saved"
    subprocess.run([_soffice(), profile, "--headless", "--convert-to", "pdf", "--outdir", str(pdf_dir), str(copy)],
                   check=True, capture_output=True, timeout=180)
    assert (pdf_dir / "copy.pdf").stat().st_size > 1000
    # open and save as .docx in LibreOffice: markers, tracked changes, properties and comments survive
    subprocess.run([_soffice(), profile, "--headless", "--convert-to", "docx:MS Word 2007 XML", "--outdir",
                    str(docx_dir), str(copy)], check=True, capture_output=True, timeout=180)
    saved = docx_dir / "copy.docx"
    unchanged = svc.import_review(draft_id, saved, "bob", apply=False)
    assert unchanged.changed_sections == [] and unchanged.comments == []
    edit = WordEdit(saved)
    edit.replace("speak to the press", "speak to reporters", "bob")
    edit.comment("This briefing is for", "Check the date.", "bob")
    result = svc.import_review(draft_id, edit.save(tmp_path / "lo-reviewed.docx"), "bob", apply=True)
    assert [s.section_id for s in result.changed_sections] == ["summary"]
    assert [c.text for c in result.comments] == ["Check the date."]
    assert "speak to reporters" in svc.get_draft(draft_id).sections[0].text


SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's Python, where python3-uno puts LibreOffice's bridge
LO_REVIEW = Path(__file__).parent / "lo_review.py"


@pytest.mark.libreoffice
def test_a_change_and_a_comment_made_inside_libreoffice_import_exactly(
    in_review: tuple[DrafterService, str], tmp_path: Path
) -> None:
    """LibreOffice itself records the tracked change and writes the comment (driven through UNO)."""
    _soffice()
    if subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode != 0:
        pytest.fail("python3-uno is required to drive LibreOffice: install python3-uno")
    svc, draft_id = in_review
    before = svc.get_draft(draft_id)
    copy = svc.review_copy(draft_id, tmp_path / "copy.docx", "bob")
    saved = tmp_path / "lo-reviewed.docx"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    done = subprocess.run(
        [SYSTEM_PYTHON, str(LO_REVIEW), str(copy), str(saved), "Bob Lo", "speak to the press", "speak to reporters",
         "This briefing is for", "Check the date with the press office."],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    xml = zipfile.ZipFile(saved).read("word/document.xml").decode()
    assert 'w:author="Bob Lo"' in xml and "<w:ins " in xml and "<w:del " in xml  # LibreOffice's own markup

    summary = svc.import_review(draft_id, saved, "bob", apply=False)
    old = before.sections[0].text
    assert [s.section_id for s in summary.changed_sections] == ["summary"]
    change = summary.changed_sections[0]
    assert change.new_text == old.replace("speak to the press", "speak to reporters")
    assert [(r.kind, r.author, r.text) for r in change.revisions] == [
        ("del", "Bob Lo", "speak to the press"), ("ins", "Bob Lo", "speak to reporters")
    ]
    assert [(c.author, c.anchor, c.text, c.section_id) for c in summary.comments] == [
        ("Bob Lo", "This briefing is for", "Check the date with the press office.", "summary")
    ]
    assert summary.comments[0].date is not None
    assert svc.get_draft(draft_id).version == before.version  # the summary changed nothing

    seen = len(svc.audit_trail(draft_id))
    svc.import_review(draft_id, saved, "bob", apply=True)
    after = svc.get_draft(draft_id)
    assert after.sections[0].text == change.new_text
    assert after.sections[0].provenance.edited_by == "bob"  # the importing user, whoever LibreOffice named
    assert [s.text for s in after.sections[1:]] == [s.text for s in before.sections[1:]]
    edits = [e for e in svc.audit_trail(draft_id)[seen:] if e.action == "edited"]
    assert [(e.actor, e.details["section"]) for e in edits] == [("bob", "summary")]


@pytest.mark.libreoffice
def test_a_quotation_changed_inside_libreoffice_is_refused(sqlite_service: DrafterService, tmp_path: Path) -> None:
    """Through LibreOffice's own markup: Drafter's comments (machine, quotes, findings) are still recognised as
    its own, and a tracked change inside a quotation refuses the import."""
    _soffice()
    svc = sqlite_service
    draft = svc.create_draft(briefing_request(), "alice")
    svc.submit(draft.id, "alice")
    copy = svc.review_copy(draft.id, tmp_path / "copy.docx", "bob")
    saved = tmp_path / "lo-quote.docx"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    done = subprocess.run(
        [SYSTEM_PYTHON, str(LO_REVIEW), str(copy), str(saved), "Bob Lo", "£46.6 million", "£47 million",
         "This briefing is for", "Is this right?"],
        capture_output=True, text=True, timeout=300, env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    review = read_review_file(saved)
    assert [c.text for c in review.comments] == ["Is this right?"]  # only the reviewer's
    assert "£47 million" in review.sections["background"].text
    events = len(svc.audit_trail(draft.id))
    with pytest.raises(InputError, match="quoted verbatim from barrier-report.txt"):
        svc.import_review(draft.id, saved, "bob", apply=True)
    assert svc.get_draft(draft.id).version == draft.version + 1  # submitted, nothing since
    assert len(svc.audit_trail(draft.id)) == events


def test_accepted_changes_reach_the_final_export_as_plain_edited_text(
    in_review: tuple[DrafterService, str], tmp_path: Path
) -> None:
    """The labelled export has no tracked changes: an imported change is ordinary text, its spans `edited`."""
    svc, draft_id = in_review
    svc.import_review(draft_id, reviewed(svc, draft_id, tmp_path), "bob", apply=True)
    summary = svc.get_draft(draft_id).sections[0]
    at = summary.text.index("reporters")
    assert any(sp.origin == SpanOrigin.edited and sp.start <= at < sp.end for sp in summary.spans)
    svc.submit(draft_id, "alice")
    svc.approve(draft_id, "carol", FULL_CHECKLIST)  # bob edited it through the import: he may not approve
    final = svc.export(draft_id, tmp_path / "final.docx", "alice")
    xml = zipfile.ZipFile(tmp_path / "final.docx").read("word/document.xml").decode()
    assert "speak to reporters" in xml
    for tracked in ("<w:ins ", "<w:del ", "<w:delText", "<w:moveFrom", "<w:moveTo"):
        assert tracked not in xml
    assert svc.verify_file(tmp_path / "final.docx").ok
    assert "then edited by a person" in final.label_statement  # the label counts the imported edit
    provenance = json.loads(get_custom_properties(Document(str(tmp_path / "final.docx")))["DrafterProvenance"])
    exported = next(s for s in provenance["sections"] if s["id"] == "summary")
    assert exported["origin"] == "ai_edited" and exported["edited_by"] == "bob" and exported["spans"]["edited"] > 0
