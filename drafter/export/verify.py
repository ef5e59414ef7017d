"""`drafter verify`: read an exported .docx back and check its label, provenance and content hash."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from docx import Document as open_document
from docx.document import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml.etree import _Element

from drafter.errors import InputError
from drafter.export import integrity
from drafter.export.actions import ActionTable, read_table
from drafter.export.common import (
    AIGC_PROPERTY,
    LABEL_STYLE,
    META_STYLE,
    ORIGINAL_STYLE,
    PROVENANCE_PROPERTY,
    SECTION_STYLE,
    SOURCES_STYLE,
    body_sha256,
    paragraph_text,
)
from drafter.export.properties import get_custom_properties
from drafter.export.signature import check_signature
from drafter.i18n import lazy
from drafter.models import Origin, Provenance, Section, content_sha256


@dataclass
class VerifyReport:
    path: str
    label: str | None = None
    aigc: dict[str, Any] | None = None
    provenance: dict[str, Any] | None = None
    content_matches: bool = False
    body_unchanged: bool = False
    signature_valid: bool = False
    signing_key_id: str | None = None
    problems: list[str] = field(default_factory=list)
    kind: str = "docx"
    text_sha256: str | None = None  # a PDF's text fingerprint (drafter.export.pdf)
    reading_text: list[str] | None = field(default=None, repr=False)  # a PDF's page texts, normalised
    notes: list[str] = field(default_factory=list)  # what the check could not prove

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "ok": self.ok,
            "label": self.label,
            "aigc": self.aigc,
            "provenance": self.provenance,
            "content_matches_approved_hash": self.content_matches,
            "body_unchanged_since_export": self.body_unchanged,
            "signature_valid": self.signature_valid,
            "signing_key_id": self.signing_key_id,
            "problems": self.problems,
            **({"text_sha256": self.text_sha256, "notes": self.notes} if self.kind == "pdf" else {}),
        }


def _open(path: Path) -> Document:
    if not path.is_file():
        raise InputError("No such file: {path}", path=path)
    if not zipfile.is_zipfile(path):
        raise InputError("{path} is not a .docx file (not a zip package).", path=path)
    try:
        return open_document(str(path))
    except Exception as exc:  # python-docx raises several types for broken packages
        raise InputError(
            "{path} could not be read as a .docx file ({reason}).",
            path=path, reason=exc,
        ) from exc


Item = Paragraph | ActionTable


def _body_items(doc: Document) -> list[Item]:
    """The body's paragraphs and the export's own action tables, in document order (other tables are left to
    integrity.added_content_problems)."""
    found: list[Item] = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            found.append(Paragraph(child, doc))
        elif child.tag == qn("w:tbl") and (table := read_table(child)) is not None:
            found.append(table)
    return found


def _blocks(doc: Document, expected: list[dict[str, Any]]) -> tuple[str, list[tuple[str, list[Item]]]]:
    """The title, and the body split into sections (heading, paragraphs) as the layouts wrote them."""
    title = ""
    blocks: list[tuple[str, list[Item]]] = []
    for p in _body_items(doc):
        if isinstance(p, ActionTable):
            if blocks:
                blocks[-1][1].append(p)
            continue
        style = p.style.name if p.style is not None else ""
        if style == SECTION_STYLE:
            # a section printed without a heading (公文 opening, closing phrase): heading from provenance
            i = len(blocks)
            blocks.append((expected[i].get("heading", "") if i < len(expected) else "", [p]))
            continue
        if style == "Title" and not title:
            title = p.text
        elif style in (META_STYLE, LABEL_STYLE, ORIGINAL_STYLE, SOURCES_STYLE):
            continue
        elif style == "Heading 1":
            blocks.append((p.text, []))
        elif blocks:
            blocks[-1][1].append(p)
    return title, blocks


def _text(p: Item) -> str:
    """The paragraph's text; with a footnote, without the footnote's reference mark (drafter.export.footnotes);
    an action table's rows as the lines they were written from."""
    if isinstance(p, ActionTable):
        return p.text
    if p._p.find(f".//{qn('w:footnoteReference')}") is not None:
        return paragraph_text(p._p)
    return p.text


def _elements(items: list[Item]) -> list[_Element]:
    return [el for p in items for el in (p.paragraphs if isinstance(p, ActionTable) else [p._p])]


def _sections_from_body(title: str, blocks: list[tuple[str, list[Item]]],
                        expected: list[dict[str, Any]]) -> list[Section]:
    sections = []
    dummy = Provenance(origin=Origin.human, author="-")
    for i, (heading, paragraphs) in enumerate(blocks):
        sid = expected[i]["id"] if i < len(expected) else f"extra-{i}"
        text = "\n".join(_text(p) for p in paragraphs)
        sections.append(Section(id=sid, heading=heading, text=text, provenance=dummy))
    return sections


def _load_json(props: dict[str, str], name: str, report: VerifyReport) -> Any:
    raw = props.get(name)
    if raw is None:
        report.problems.append(lazy("The document has no {name} metadata property.", name=name))
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        report.problems.append(lazy("The {name} metadata property is not valid JSON.", name=name))
        return None


def verify_docx(path: Path, public_key: Ed25519PublicKey | None = None) -> VerifyReport:
    """Read an exported file back and check it; `public_key` checks the signature (without it, it is not proven)."""
    doc = _open(path)
    report = VerifyReport(path=str(path))
    props = get_custom_properties(doc)
    labels = [p for p in doc.paragraphs if p.style is not None and p.style.name == LABEL_STYLE]
    report.label = labels[-1].text if labels else None
    if not report.label:
        report.problems.append(lazy("The document has no visible AI-use statement."))
    else:
        report.problems += integrity.hidden_label_problems(doc, labels[-1])
    report.aigc = _load_json(props, AIGC_PROPERTY, report)
    prov = _load_json(props, PROVENANCE_PROPERTY, report)
    if isinstance(prov, dict):
        report.provenance = prov
        expected = [s for s in prov.get("sections", []) if isinstance(s, dict)]
        title, blocks = _blocks(doc, expected)
        sections = _sections_from_body(title, blocks, expected)
        # a title set in lines (公文 梯形/菱形) matches without its line breaks, unless the author wrote them
        report.content_matches = any(content_sha256(t, sections) == prov.get("content_sha256")
                                     for t in dict.fromkeys((title, title.replace("\n", ""))))
        if not report.content_matches:
            report.problems.append(
                lazy("The text no longer matches the approved content hash: it was changed after approval."))
        report.body_unchanged = body_sha256(doc) == prov.get("body_sha256")
        if not report.body_unchanged:
            report.problems.append(lazy("The document body was changed after export."))
        if report.label and prov.get("statement") is not None and report.label != prov.get("statement"):
            report.problems.append(lazy("The visible AI-use statement differs from the one recorded at export."))
        report.problems += integrity.comment_problems(doc, prov, [_elements(b[1]) for b in blocks],
                                                      [s.text for s in sections])
        if isinstance(report.aigc, dict):
            report.problems += integrity.aigc_problems(report.aigc, prov)
    elif prov is not None:
        report.problems.append(lazy("The {property} metadata property is not a JSON object.", property=PROVENANCE_PROPERTY))
    own_tables = [item.element for _h, items in blocks for item in items if isinstance(item, ActionTable)] \
        if isinstance(prov, dict) else []
    report.problems += integrity.added_content_problems(doc, own_tables)
    report.problems += integrity.extra_property_problems(props)
    check = check_signature(doc, public_key)
    report.signature_valid, report.signing_key_id = check.valid, check.key_id
    if check.problem:
        report.problems.append(check.problem)
    return report
