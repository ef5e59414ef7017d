"""The export's signature: a canonical payload over body, label, comments and metadata, signed with Ed25519.

The payload is read from the XML, not from python-docx's view of it, so text in tables, content controls
(w:sdt), tracked insertions (w:ins) and text boxes counts as body. The body, styles, headers, footers and notes
are covered by the SHA-256 of their exclusive XML canonical form, so a hidden run (w:vanish), a recoloured or
shrunk label, or any added element breaks the signature as surely as changed text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from lxml import etree
from lxml.etree import _Element

from drafter import signing
from drafter.export.common import LABEL_STYLE, paragraph_text
from drafter.export.properties import get_custom_properties, set_custom_properties
from drafter.i18n import lazy

SIGNATURE_PROPERTY = "DrafterSignature"
PAYLOAD_SCHEMA = "drafter-signature/1"
# parts whose every element a reader sees or that shape what is seen
_P, _R, _HYPERLINK = qn("w:p"), qn("w:r"), qn("w:hyperlink")
_PSTYLE, _VAL = f"{qn('w:pPr')}/{qn('w:pStyle')}", qn("w:val")
_W_ID, _AUTHOR, _INITIALS = qn("w:id"), qn("w:author"), qn("w:initials")
_RUN_TEXT = frozenset(qn(f"w:{tag}") for tag in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab"))
SIGNED_PARTS = (RT.STYLES, RT.NUMBERING, RT.HEADER, RT.FOOTER, RT.FOOTNOTES, RT.ENDNOTES)


def _c14n_sha256(el: _Element) -> str:
    return hashlib.sha256(etree.tostring(el, method="c14n", exclusive=True)).hexdigest()


def _part_element(part: Any) -> _Element:
    element = getattr(part, "element", None)
    if element is not None:
        return element
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(part.blob, parser)


def _body_texts(doc: Document) -> tuple[list[str], list[str]]:
    """Every body paragraph's text in document order (`body_paragraph_texts`), and those of the label paragraphs
    among them: the body read once."""
    styles = {s.style_id for s in doc.styles if s.name == LABEL_STYLE}
    body, label = [], []
    for p in doc.element.body.iter(_P):
        text = paragraph_text(p)
        body.append(text)
        style = p.find(_PSTYLE)
        if style is not None and style.get(_VAL) in styles:
            label.append(text)
    return body, label


def comment_anchors(doc: Document) -> dict[str, tuple[int, int]]:
    """Comment id → indexes (in body order) of the paragraphs holding its range start and end."""
    anchors: dict[str, list[int]] = {}
    for i, p in enumerate(doc.element.body.iter(qn("w:p"))):
        for tag in ("w:commentRangeStart", "w:commentRangeEnd"):
            for mark in p.iter(qn(tag)):
                anchors.setdefault(mark.get(qn("w:id"), ""), []).append(i)
    return {cid: (min(ix), max(ix)) for cid, ix in anchors.items()}


def _run_text(e: Any) -> str:
    """python-docx's `CT_R.text` (each text child as python-docx renders it), walking the children instead of
    running an XPath per run; a hyperlink's text as python-docx reads it."""
    if e.tag != _R:
        return str(e.text)
    return "".join(str(c) for c in e if c.tag in _RUN_TEXT)


def _comment_text(comment: Any) -> str:
    """python-docx's `Comment.text`, read from the XML without building its objects (an XPath per run and
    paragraph made this the slowest part of signing a long export): each paragraph's runs and hyperlinks, one
    line per paragraph."""
    return "\n".join("".join(_run_text(e) for e in p.iterchildren(_R, _HYPERLINK)) for p in comment.iterchildren(_P))


def _comment_fields(c: Any) -> tuple[str, str, str | None]:
    """python-docx's `str(comment_id)`, `author` and `initials` of a `w:comment`, read from its attributes (its
    typed attribute reads were a third of reading the comments); an element without the id or author python-docx
    requires is read through python-docx, so it fails as python-docx fails."""
    cid, author = c.get(_W_ID), c.get(_AUTHOR)
    if cid is None or author is None:
        return str(c.id), c.author, c.initials
    return str(int(cid)), author, c.get(_INITIALS)  # python-docx reads the id as int(), initials as given


def _comments(doc: Document) -> list[dict[str, Any]]:
    anchors = comment_anchors(doc)
    out = []
    for c in doc.part._comments_part.element.comment_lst:  # what doc.comments iterates (made if missing, as there)
        cid, author, initials = _comment_fields(c)
        out.append({"id": cid, "author": author, "initials": initials, "text": _comment_text(c),
                    "anchor": list(anchors.get(cid, ()))})
    return out


def _parts(doc: Document) -> dict[str, str]:
    out = {}
    for rel in doc.part.rels.values():
        if not rel.is_external and rel.reltype in SIGNED_PARTS:
            part = rel.target_part
            out[str(part.partname)] = _c14n_sha256(_part_element(part))
    return dict(sorted(out.items()))


def canonical_payload(doc: Document) -> bytes:
    """The bytes the signature covers: body (text and XML), visible label, comments, parts and custom properties."""
    props = {k: v for k, v in get_custom_properties(doc).items() if k != SIGNATURE_PROPERTY}
    body, label = _body_texts(doc)
    payload = {
        "schema": PAYLOAD_SCHEMA,
        "body_text": body,
        "body_xml_sha256": _c14n_sha256(doc.element.body),
        "label": label,
        "comments": _comments(doc),
        "parts": _parts(doc),
        "properties": dict(sorted(props.items())),
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign_document(doc: Document, key: Ed25519PrivateKey) -> None:
    """Add the DrafterSignature property; call it last, after the label and metadata are in place."""
    props = {k: v for k, v in get_custom_properties(doc).items() if k != SIGNATURE_PROPERTY}
    set_custom_properties(doc, props)
    signature = {"alg": signing.ALGORITHM, "key_id": signing.key_id(key),
                 "value": signing.sign(key, canonical_payload(doc))}
    set_custom_properties(doc, {**props, SIGNATURE_PROPERTY: json.dumps(signature, separators=(",", ":"))})


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    key_id: str | None  # the key the file says it was signed with
    problem: str | None


def check_signature(doc: Document, key: Ed25519PublicKey | None) -> SignatureCheck:
    """Whether the file's signature is `key`'s signature of its canonical payload, with the reason if not."""
    raw = get_custom_properties(doc).get(SIGNATURE_PROPERTY)
    if raw is None:
        return SignatureCheck(False, None, lazy(
            "The document carries no signature (DrafterSignature property is missing): its label and provenance "
            "cannot be trusted."
        ))
    try:
        data = json.loads(raw)
        claimed, value = str(data["key_id"]), str(data["value"])
        if data.get("alg") != signing.ALGORITHM:
            raise ValueError(data.get("alg"))
    except (ValueError, KeyError, TypeError):
        return SignatureCheck(False, None, lazy("The DrafterSignature property is malformed."))
    if key is None:
        return SignatureCheck(False, claimed, lazy(
            "The signature was not checked: no public key was given (pass the deployment's public key with "
            "--public-key)."
        ))
    expected = signing.key_id(key)
    if claimed != expected:
        return SignatureCheck(False, claimed, lazy(
            "The document was signed with another key ({claimed}), not the expected one ({expected}).",
            claimed=claimed, expected=expected,
        ))
    if not signing.verify(key, canonical_payload(doc), value):
        return SignatureCheck(False, claimed, lazy(
            "The signature does not match: the body, label, comments or metadata were changed after export."
        ))
    return SignatureCheck(True, claimed, None)
