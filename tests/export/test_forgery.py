"""Attacks on an exported file's label and provenance: each builds the attacked file from a real export and
`verify` must refuse it with a reason that names the attack (issue 20, "drafter verify passes a stripped or
forged label")."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from drafter import signing
from drafter.export.common import LABEL_STYLE, body_sha256
from drafter.export.properties import get_custom_properties, set_custom_properties
from drafter.export.signature import SIGNATURE_PROPERTY, sign_document
from drafter.export.verify import _blocks, _sections_from_body, verify_docx
from drafter.models import content_sha256
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import FULL_CHECKLIST, briefing_request


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DrafterService, Path]]:
    """One real export (offline backend, approved by another person), shared by the attacks below."""
    folder = tmp_path_factory.mktemp("forgery")
    svc = DrafterService.from_settings(Settings(data_dir=folder / "data", database_url=None, backend="offline"))
    draft = svc.create_draft(briefing_request(), "alice")
    svc.edit_section(draft.id, "contact", "Priya Shah, 020 7946 0000.", "alice")
    svc.submit(draft.id, "alice")
    svc.approve(draft.id, "bob", FULL_CHECKLIST)
    out = folder / "briefing.docx"
    svc.export(draft.id, out, "alice")
    yield svc, out
    svc.store.engine.dispose()


Attack = Callable[[DocumentObject], None]


def attacked(exported: tuple[DrafterService, Path], tmp_path: Path, attack: Attack) -> list[str]:
    """Apply `attack` to a copy of the export and return verify's problems."""
    svc, out = exported
    doc = Document(str(out))
    attack(doc)
    target = tmp_path / "attacked.docx"
    doc.save(str(target))
    report = svc.verify_file(target)
    assert not report.ok
    return report.problems


def _label(doc: DocumentObject) -> object:
    return next(p for p in doc.paragraphs if p.style is not None and p.style.name == LABEL_STYLE)


def _first_body_paragraph(doc: DocumentObject) -> object:
    return next(p for p in doc.paragraphs if "£48 million" in p.text)


# --- a clean export ---------------------------------------------------------------------------------

def test_a_clean_export_verifies_with_the_deployment_key(exported: tuple[DrafterService, Path]) -> None:
    svc, out = exported
    report = svc.verify_file(out)
    assert report.ok, report.problems
    assert report.signature_valid and report.signing_key_id == signing.key_id(svc.signing_key())
    prov = report.provenance or {}
    assert {"origin", "backend", "model"} <= set(prov["sections"][0])  # origins, backend, model are signed


def test_a_python_docx_round_trip_still_verifies(exported: tuple[DrafterService, Path], tmp_path: Path) -> None:
    svc, out = exported
    copy = tmp_path / "round-trip.docx"
    Document(str(out)).save(str(copy))
    report = svc.verify_file(copy)
    assert report.ok, report.problems


def test_anyone_with_the_public_key_verifies_without_the_database(
    exported: tuple[DrafterService, Path], tmp_path: Path
) -> None:
    svc, out = exported
    pem = tmp_path / "drafter-public.pem"
    pem.write_text(svc.public_key_pem())
    assert "PRIVATE" not in pem.read_text()
    report = verify_docx(out, signing.load_public_key(pem))  # no service, no store
    assert report.ok, report.problems
    assert svc.verify_file(out, public_key=pem).ok


def test_without_any_key_the_signature_is_not_taken_on_trust(exported: tuple[DrafterService, Path]) -> None:
    _, out = exported
    report = verify_docx(out)
    assert not report.ok and not report.signature_valid
    assert any("signature was not checked" in p for p in report.problems)


def test_the_key_is_made_once_with_mode_0600_outside_the_database(
    exported: tuple[DrafterService, Path], tmp_path: Path
) -> None:
    svc, _ = exported
    path = svc.settings.signing_key_path()
    assert path == svc.settings.data_dir / "keys" / "signing.pem"
    assert path.stat().st_mode & 0o777 == 0o600
    before = path.read_bytes()
    assert signing.key_id(signing.load_private_key(path, create=True)) == signing.key_id(svc.signing_key())
    assert path.read_bytes() == before  # never replaced
    own = tmp_path / "elsewhere" / "key.pem"
    settings = Settings(data_dir=tmp_path / "d", signing_key_file=own)
    assert settings.signing_key_path() == own
    signing.load_private_key(own, create=True)
    assert own.is_file() and own.stat().st_mode & 0o777 == 0o600


# --- comments ---------------------------------------------------------------------------------------

def _drop_comments(doc: DocumentObject, ids: set[str] | None) -> None:
    """Remove the comments (all, or those in `ids`) and their anchors, as Word's "Delete all comments" does."""
    body = doc.element.body
    for tag in ("w:commentRangeStart", "w:commentRangeEnd"):
        for el in list(body.iter(qn(tag))):
            if ids is None or el.get(qn("w:id")) in ids:
                el.getparent().remove(el)
    for ref in list(body.iter(qn("w:commentReference"))):
        if ids is None or ref.get(qn("w:id")) in ids:
            run = ref.getparent()
            run.getparent().remove(run)
    if ids is None:
        for rid, rel in list(doc.part.rels.items()):
            if rel.reltype == RT.COMMENTS:
                del doc.part.rels[rid]
        return
    comments = doc.part._comments_part.element
    for c in list(comments):
        if c.get(qn("w:id")) in ids:
            comments.remove(c)


def test_all_comments_removed(exported: tuple[DrafterService, Path], tmp_path: Path) -> None:
    problems = attacked(exported, tmp_path, lambda d: _drop_comments(d, None))
    assert any("All Word comments were removed" in p for p in problems)
    assert any("signature does not match" in p for p in problems)


def test_one_comment_removed(exported: tuple[DrafterService, Path], tmp_path: Path) -> None:
    def attack(doc: DocumentObject) -> None:
        last = list(doc.comments)[-1]
        _drop_comments(doc, {str(last.comment_id)})

    problems = attacked(exported, tmp_path, attack)
    assert any("Section 'Background': the passage" in p and "no longer carries its comment" in p for p in problems)
    assert any("signature does not match" in p for p in problems)


def test_a_comment_reworded_to_human(exported: tuple[DrafterService, Path], tmp_path: Path) -> None:
    def attack(doc: DocumentObject) -> None:
        comment = list(doc.comments)[0]
        comment.paragraphs[0].runs[0].text = "Written by a person"

    problems = attacked(exported, tmp_path, attack)
    assert any("no longer carries its comment" in p for p in problems)


# --- AIGC and provenance metadata -----------------------------------------------------------------

def test_aigc_label_set_to_0_and_producer_renamed(exported: tuple[DrafterService, Path], tmp_path: Path) -> None:
    def attack(doc: DocumentObject) -> None:
        props = get_custom_properties(doc)
        aigc = json.loads(props["AIGC"])
        aigc["AIGC"]["Label"] = "0"
        aigc["AIGC"]["ContentProducer"] = "Human Writers Ltd"
        props["AIGC"] = json.dumps(aigc, separators=(",", ":"))
        set_custom_properties(doc, props)

    problems = attacked(exported, tmp_path, attack)
    assert any("AIGC Label is '0'" in p for p in problems)
    assert any("AIGC field ContentProducer is 'Human Writers Ltd'" in p for p in problems)
    assert any("signature does not match" in p for p in problems)


def test_provenance_origins_rewritten_to_human(exported: tuple[DrafterService, Path], tmp_path: Path) -> None:
    def attack(doc: DocumentObject) -> None:
        props = get_custom_properties(doc)
        prov = json.loads(props["DrafterProvenance"])
        for s in prov["sections"]:
            s["origin"], s["backend"], s["model"] = "human", None, None
        props["DrafterProvenance"] = json.dumps(prov)
        set_custom_properties(doc, props)

    problems = attacked(exported, tmp_path, attack)
    assert any("signature does not match" in p for p in problems)


def test_an_extra_property_added(exported: tuple[DrafterService, Path], tmp_path: Path) -> None:
    def attack(doc: DocumentObject) -> None:
        set_custom_properties(doc, {**get_custom_properties(doc), "AIGCReviewed": "human"})

    problems = attacked(exported, tmp_path, attack)
    assert any("properties the export did not write: AIGCReviewed" in p for p in problems)
    assert any("signature does not match" in p for p in problems)


# --- the visible label ------------------------------------------------------------------------------

def _run_property(xml: str) -> Attack:
    def attack(doc: DocumentObject) -> None:
        for run in _label(doc).runs:  # type: ignore[attr-defined]
            run._r.get_or_add_rPr().append(parse_xml(xml))
    return attack


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        (f"<w:vanish {nsdecls('w')}/>", "hidden (w:vanish)"),
        (f'<w:color {nsdecls("w")} w:val="FFFFFF"/>', "in white or nearly white text"),
        (f'<w:color {nsdecls("w")} w:val="FEFEFD"/>', "in white or nearly white text"),
        (f'<w:sz {nsdecls("w")} w:val="2"/>', "too small to read"),
    ],
    ids=["vanish", "white", "near-white", "size-1"],
)
def test_visible_label_hidden(exported: tuple[DrafterService, Path], tmp_path: Path, xml: str, reason: str) -> None:
    problems = attacked(exported, tmp_path, _run_property(xml))
    assert f"The visible AI-use statement is {reason}." in problems
    assert any("signature does not match" in p for p in problems)


def test_visible_label_hidden_through_its_style(exported: tuple[DrafterService, Path], tmp_path: Path) -> None:
    def attack(doc: DocumentObject) -> None:
        doc.styles[LABEL_STYLE].font.hidden = True

    problems = attacked(exported, tmp_path, attack)
    assert "The visible AI-use statement is hidden (w:vanish)." in problems
    assert any("signature does not match" in p for p in problems)


def test_visible_label_deleted(exported: tuple[DrafterService, Path], tmp_path: Path) -> None:
    def attack(doc: DocumentObject) -> None:
        p = _label(doc)._p  # type: ignore[attr-defined]
        p.getparent().remove(p)

    problems = attacked(exported, tmp_path, attack)
    assert "The document has no visible AI-use statement." in problems
    assert any("signature does not match" in p for p in problems)


def test_visible_label_reworded(exported: tuple[DrafterService, Path], tmp_path: Path) -> None:
    def attack(doc: DocumentObject) -> None:
        label = _label(doc)
        label.runs[0].text = "This document was written by alice."  # type: ignore[attr-defined]

    problems = attacked(exported, tmp_path, attack)
    assert any("differs from the one recorded at export" in p for p in problems)


# --- content added to the body ------------------------------------------------------------------------

def _add_table(doc: DocumentObject) -> None:
    table = doc.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "The barrier will not open this year."


def _add_insertion(doc: DocumentObject) -> None:
    p = _first_body_paragraph(doc)
    p._p.append(parse_xml(  # type: ignore[attr-defined]
        f'<w:ins {nsdecls("w")} w:id="900" w:author="mallory" w:date="2026-01-01T00:00:00Z">'
        "<w:r><w:t xml:space=\"preserve\"> The budget was cut.</w:t></w:r></w:ins>"
    ))


def _add_content_control(doc: DocumentObject) -> None:
    p = _first_body_paragraph(doc)
    p._p.addnext(parse_xml(  # type: ignore[attr-defined]
        f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>Costs doubled.</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
    ))


@pytest.mark.parametrize(
    ("attack", "what", "text"),
    [
        (_add_table, "a table", "The barrier will not open this year."),
        (_add_insertion, "a tracked insertion", "The budget was cut."),
        (_add_content_control, "a content control", "Costs doubled."),
    ],
    ids=["table", "w:ins", "w:sdt"],
)
def test_content_added_to_the_body(
    exported: tuple[DrafterService, Path], tmp_path: Path, attack: Attack, what: str, text: str
) -> None:
    problems = attacked(exported, tmp_path, attack)
    assert any(f"content the export did not write: {what}" in p and text in p for p in problems)
    assert "The document body was changed after export." in problems
    assert any("signature does not match" in p for p in problems)


# --- hashes recomputed, signature stripped or replaced ---------------------------------------------------

def test_text_changed_and_every_stored_hash_recomputed(exported: tuple[DrafterService, Path], tmp_path: Path) -> None:
    svc, out = exported
    doc = Document(str(out))
    target = _first_body_paragraph(doc)
    target.runs[0].text = target.runs[0].text.replace("48", "84")  # type: ignore[attr-defined]
    props = get_custom_properties(doc)
    prov = json.loads(props["DrafterProvenance"])
    title, blocks = _blocks(doc, prov["sections"])
    forged = content_sha256(title, _sections_from_body(title, blocks, prov["sections"]))
    prov["content_sha256"], prov["body_sha256"] = forged, body_sha256(doc)
    aigc = json.loads(props["AIGC"])
    aigc["AIGC"]["ReservedCode1"] = forged
    set_custom_properties(doc, {**props, "AIGC": json.dumps(aigc, separators=(",", ":")),
                                "DrafterProvenance": json.dumps(prov, ensure_ascii=False)})
    target_path = tmp_path / "rehashed.docx"
    doc.save(str(target_path))
    report = svc.verify_file(target_path)
    assert report.content_matches and report.body_unchanged  # every hash inside the file agrees…
    assert not report.ok and not report.signature_valid  # …but the signature does not
    assert report.problems == [
        "The signature does not match: the body, label, comments or metadata were changed after export.",
        # and, with the store reachable, the recorded export names the content actually approved
        "The audit log's record of this export names other content than the document's provenance.",
    ]


def test_signature_stripped(exported: tuple[DrafterService, Path], tmp_path: Path) -> None:
    def attack(doc: DocumentObject) -> None:
        props = get_custom_properties(doc)
        del props[SIGNATURE_PROPERTY]
        set_custom_properties(doc, props)

    problems = attacked(exported, tmp_path, attack)
    assert problems == ["The document carries no signature (DrafterSignature property is missing): "
                        "its label and provenance cannot be trusted."]


def test_signed_again_with_another_key(exported: tuple[DrafterService, Path], tmp_path: Path) -> None:
    svc, out = exported
    other = signing.load_private_key(tmp_path / "mallory.pem", create=True)
    deployment = signing.key_id(svc.signing_key())

    def attack(doc: DocumentObject) -> None:
        _drop_comments(doc, None)
        sign_document(doc, other)

    problems = attacked(exported, tmp_path, attack)
    assert (f"The document was signed with another key ({signing.key_id(other)}), not the expected one "
            f"({deployment}).") in problems
    assert any("All Word comments were removed" in p for p in problems)

    def claims_our_key(doc: DocumentObject) -> None:
        sign_document(doc, other)
        props = get_custom_properties(doc)
        sig = json.loads(props[SIGNATURE_PROPERTY])
        sig["key_id"] = deployment
        set_custom_properties(doc, {**props, SIGNATURE_PROPERTY: json.dumps(sig)})

    problems = attacked(exported, tmp_path, claims_our_key)
    assert any("signature does not match" in p for p in problems)


def test_a_file_verifies_only_against_the_key_that_signed_it(
    exported: tuple[DrafterService, Path], tmp_path: Path
) -> None:
    _, out = exported
    stranger = tmp_path / "stranger.pem"
    stranger.write_text(signing.public_key_pem(signing.load_private_key(tmp_path / "s.pem", create=True)))
    copy = tmp_path / "copy.docx"
    shutil.copy(out, copy)
    report = verify_docx(copy, signing.load_public_key(stranger))
    assert not report.ok and any("signed with another key" in p for p in report.problems)


def test_a_gongwen_comment_removed_is_found(tmp_path: Path) -> None:
    """公文 sections printed without a heading (SECTION_STYLE) are matched to their comments too."""
    from tests.gongwen_support import export_zh

    svc = DrafterService.from_settings(Settings(data_dir=tmp_path / "data", backend="offline"))
    try:
        out = tmp_path / "tongzhi.docx"
        export_zh(svc, "tongzhi", out)
        assert svc.verify_file(out).ok
        doc = Document(str(out))
        first = list(doc.comments)[0]
        _drop_comments(doc, {str(first.comment_id)})
        target = tmp_path / "attacked.docx"
        doc.save(str(target))
        problems = svc.verify_file(target).problems
        assert any("no longer carries its comment" in p for p in problems), problems
    finally:
        svc.store.engine.dispose()


def test_a_key_that_cannot_be_created_or_read_is_one_sentence(tmp_path: Path) -> None:
    from drafter.errors import InputError

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match="Cannot create the signing key"):
        signing.load_private_key(blocker / "keys" / "signing.pem", create=True)
    with pytest.raises(InputError, match="not an unencrypted PEM private key"):
        signing.load_private_key(blocker)
    with pytest.raises(InputError, match="not a PEM public key"):
        signing.load_public_key(blocker)


def test_a_file_signed_with_the_stolen_key_but_never_exported_is_found_in_the_audit_log(
    exported: tuple[DrafterService, Path], tmp_path: Path
) -> None:
    """Someone holding the deployment's key mints a 'new export' of a real draft: the signature is valid, but
    the store has no record of that export, so verify (with the store reachable) refuses it."""
    svc, _ = exported

    def attack(doc: DocumentObject) -> None:
        props = get_custom_properties(doc)
        prov = json.loads(props["DrafterProvenance"])
        aigc = json.loads(props["AIGC"])
        old = prov["produce_id"]
        prov["produce_id"] = aigc["AIGC"]["ProduceID"] = "forged-0001"
        aigc["AIGC"]["PropagateID"] = aigc["AIGC"]["PropagateID"].replace(old, "forged-0001")
        props["DrafterProvenance"] = json.dumps(prov, separators=(",", ":"))
        props["AIGC"] = json.dumps(aigc, separators=(",", ":"))
        props.pop(SIGNATURE_PROPERTY, None)
        set_custom_properties(doc, props)
        sign_document(doc, svc.signing_key())

    problems = attacked(exported, tmp_path, attack)
    assert not any("signature does not match" in p for p in problems)  # the key was stolen: it signs
    assert any("no record of exporting this document" in p for p in problems), problems


def test_the_real_export_is_in_the_audit_log(exported: tuple[DrafterService, Path]) -> None:
    svc, out = exported
    report = svc.verify_file(out)
    assert report.ok, report.problems
