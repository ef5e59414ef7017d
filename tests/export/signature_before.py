# A frozen copy of drafter/export/signature.py's canonical payload as it was before its single reading of the body
# and its comments (issue 17, session 10): the payload the fast one must equal byte for byte, held to by
# tests/export/test_signature_payload.py. Do not change it, and do not import from it in the product.
# ruff: noqa
from __future__ import annotations

import json
from typing import Any

from docx.document import Document
from docx.oxml.ns import qn

from drafter.export.common import LABEL_STYLE, body_paragraph_texts, paragraph_text
from drafter.export.properties import get_custom_properties
from drafter.export.signature import PAYLOAD_SCHEMA, SIGNATURE_PROPERTY, _c14n_sha256, _comment_text, _parts


def _label_texts(doc: Document) -> list[str]:
    styles = {s.style_id for s in doc.styles if s.name == LABEL_STYLE}
    out = []
    for p in doc.element.body.iter(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is not None and style.get(qn("w:val")) in styles:
            out.append(paragraph_text(p))
    return out


def comment_anchors(doc: Document) -> dict[str, tuple[int, int]]:
    anchors: dict[str, list[int]] = {}
    for i, p in enumerate(doc.element.body.iter(qn("w:p"))):
        for tag in ("w:commentRangeStart", "w:commentRangeEnd"):
            for mark in p.iter(qn(tag)):
                anchors.setdefault(mark.get(qn("w:id"), ""), []).append(i)
    return {cid: (min(ix), max(ix)) for cid, ix in anchors.items()}


def _comments(doc: Document) -> list[dict[str, Any]]:
    anchors = comment_anchors(doc)
    return [
        {"id": str(c.comment_id), "author": c.author, "initials": c.initials, "text": _comment_text(c._comment_elm),
         "anchor": list(anchors.get(str(c.comment_id), ()))}
        for c in doc.comments
    ]


def canonical_payload(doc: Document) -> bytes:
    props = {k: v for k, v in get_custom_properties(doc).items() if k != SIGNATURE_PROPERTY}
    payload = {
        "schema": PAYLOAD_SCHEMA,
        "body_text": body_paragraph_texts(doc),
        "body_xml_sha256": _c14n_sha256(doc.element.body),
        "label": _label_texts(doc),
        "comments": _comments(doc),
        "parts": _parts(doc),
        "properties": dict(sorted(props.items())),
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
