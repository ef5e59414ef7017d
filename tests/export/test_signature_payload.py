"""The signature's payload is read from the document in one pass over the body and straight from the comments'
attributes (issue 17: signing was a fifth of a 50-page export). It must be byte for byte the payload read the
old way (tests/export/signature_before.py), or files signed before would stop verifying and a change the old
payload saw could slip past the new one. Each document below is read both ways from the same bytes: real
exports in English and Chinese, and the same files changed where the fast reading takes its short cuts."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from drafter.export import signature
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import FULL_CHECKLIST, briefing_request
from tests.export import signature_before
from tests.gongwen_support import export_zh


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, bytes]]:
    folder = tmp_path_factory.mktemp("payload")
    svc = DrafterService.from_settings(Settings(data_dir=folder / "data", database_url=None, backend="offline"))
    try:
        draft = svc.create_draft(briefing_request(), "alice")
        svc.edit_section(draft.id, "contact", "Priya Shah, 020 7946 0000.", "alice")  # a person's words beside
        svc.submit(draft.id, "alice")
        svc.approve(draft.id, "bob", FULL_CHECKLIST)
        svc.export(draft.id, folder / "briefing.docx", "alice")
        export_zh(svc, "tongzhi", folder / "tongzhi.docx")  # the 公文 layout, its own writer
        yield {name: (folder / f"{name}.docx").read_bytes() for name in ("briefing", "tongzhi")}
    finally:
        svc.store.engine.dispose()


Read = bytes | tuple[str, str]


def _both(data: bytes, change: Callable[[DocumentObject], None] | None = None) -> tuple[Read, Read]:
    """The payload read the new way and the old way, each from its own copy of the (changed) document; an error
    stands for its type and message."""
    out: list[Read] = []
    for read in (signature.canonical_payload, signature_before.canonical_payload):
        doc = Document(io.BytesIO(data))
        if change is not None:
            change(doc)
        try:
            out.append(read(doc))
        except Exception as exc:  # the two must fail alike on what python-docx refuses
            out.append((type(exc).__name__, str(exc)))
    return out[0], out[1]


def _comments(doc: DocumentObject) -> list[Any]:
    return list(doc.part._comments_part.element.comment_lst)


def _set_id(value: str) -> Callable[[DocumentObject], None]:
    def change(doc: DocumentObject) -> None:
        comment = _comments(doc)[0]
        old = comment.get(qn("w:id"))
        comment.set(qn("w:id"), value)
        for mark in doc.element.body.iter(qn("w:commentRangeStart"), qn("w:commentRangeEnd")):
            if mark.get(qn("w:id")) == old:
                mark.set(qn("w:id"), value)
    return change


def _drop(attribute: str, everywhere: bool = False) -> Callable[[DocumentObject], None]:
    def change(doc: DocumentObject) -> None:
        for comment in _comments(doc)[: None if everywhere else 1]:
            comment.attrib.pop(qn(attribute), None)
    return change


def _nested_marks(doc: DocumentObject) -> None:
    """A comment's range marks inside a paragraph that is itself inside another (a text box's content)."""
    comment_id = _comments(doc)[1].get(qn("w:id"))
    inner = parse_xml(
        f'<w:p {nsdecls("w")}><w:commentRangeStart w:id="{comment_id}"/><w:r><w:t>boxed</w:t></w:r>'
        f'<w:commentRangeEnd w:id="{comment_id}"/></w:p>'
    )
    box = parse_xml(f'<w:txbxContent {nsdecls("w")}/>')
    box.append(inner)
    host = doc.paragraphs[3]._p
    run = host.makeelement(qn("w:r"), {})
    run.append(box)
    host.append(run)


def _label_style_renamed(doc: DocumentObject) -> None:
    for style in doc.styles.element.iter(qn("w:style")):
        name = style.find(qn("w:name"))
        if name is not None and name.get(qn("w:val")) == signature.LABEL_STYLE:
            name.set(qn("w:val"), "drafter label")


def _label_style_nameless(doc: DocumentObject) -> None:
    for style in doc.styles.element.iter(qn("w:style")):
        name = style.find(qn("w:name"))
        if name is not None and name.get(qn("w:val")) == signature.LABEL_STYLE:
            name.attrib.pop(qn("w:val"))


def _no_comments_part(doc: DocumentObject) -> None:
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/comments"):
            doc.part.drop_rel(rel_id)


CHANGES: dict[str, Callable[[DocumentObject], None] | None] = {
    "as exported": None,
    "comment id with leading zeros": _set_id("007"),
    "comment id with a plus sign": _set_id("+12"),
    "comment id in Arabic-Indic digits": _set_id("\u0661\u0662"),
    "comment id not a number": _set_id("x"),
    "comment without initials": _drop("w:initials"),
    "no comment has initials": _drop("w:initials", everywhere=True),
    "comment without an author": _drop("w:author"),
    "comment without an id": _drop("w:id"),
    "range marks inside a nested paragraph": _nested_marks,
    "label style renamed": _label_style_renamed,
    "label style without a name": _label_style_nameless,
    "no comments part": _no_comments_part,
}


@pytest.mark.parametrize("name", ["briefing", "tongzhi"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_the_payload_is_the_old_payload_byte_for_byte(exports: dict[str, bytes], name: str, change: str) -> None:
    new, old = _both(exports[name], CHANGES[change])
    assert new == old
    if change == "as exported":
        assert isinstance(new, bytes) and b'"comments":[{' in new and b'"label":["' in new  # both really read


def test_the_changes_reach_the_payload(exports: dict[str, bytes]) -> None:
    # each change above is seen by the payload (or refused): a change neither reading notices would prove nothing
    clean, _ = _both(exports["briefing"])
    for change, apply in CHANGES.items():
        if apply is not None:
            assert _both(exports["briefing"], apply)[0] != clean, change


def test_a_document_python_docx_made_reads_alike() -> None:
    doc = Document()
    run = doc.add_paragraph("first").add_run(" second")
    doc.add_comment(run, text="a note", author="reviewer", initials="R")
    doc.add_comment(doc.add_paragraph("third").add_run("x"), text="no initials", author="r", initials=None)
    buffer = io.BytesIO()
    doc.save(buffer)
    new, old = _both(buffer.getvalue())
    assert new == old and isinstance(new, bytes) and b'"initials":null' in new
    new, old = _both(buffer.getvalue(), _no_comments_part)
    assert new == old and b'"comments":[]' in new


def test_signed_with_the_new_reading_verifies_and_a_changed_comment_does_not(exports: dict[str, bytes]) -> None:
    key = Ed25519PrivateKey.generate()
    doc = Document(io.BytesIO(exports["briefing"]))
    signature.sign_document(doc, key)
    buffer = io.BytesIO()
    doc.save(buffer)
    signed = buffer.getvalue()
    assert signature.check_signature(Document(io.BytesIO(signed)), key.public_key()).valid
    # what the old reading signs is what the new one signed
    assert signature.signing.verify(key.public_key(), signature_before.canonical_payload(Document(io.BytesIO(signed))),
                                    json.loads(signature.get_custom_properties(doc)[signature.SIGNATURE_PROPERTY])["value"])
    for change in (_drop("w:initials"), _set_id("007")):
        changed = Document(io.BytesIO(signed))
        change(changed)
        check = signature.check_signature(changed, key.public_key())
        assert not check.valid and "does not match" in str(check.problem)
