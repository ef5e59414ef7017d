"""`drafter verify`: read an exported .docx back and check its label, provenance and content hash."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document as open_document
from docx.document import Document

from drafter.errors import InputError
from drafter.export.common import (
    AIGC_PROPERTY,
    LABEL_STYLE,
    META_STYLE,
    ORIGINAL_STYLE,
    PROVENANCE_PROPERTY,
    SECTION_STYLE,
    body_sha256,
)
from drafter.export.properties import get_custom_properties
from drafter.models import Origin, Provenance, Section, content_sha256


@dataclass
class VerifyReport:
    path: str
    label: str | None = None
    aigc: dict[str, Any] | None = None
    provenance: dict[str, Any] | None = None
    content_matches: bool = False
    body_unchanged: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "ok": self.ok,
            "label": self.label,
            "aigc": self.aigc,
            "provenance": self.provenance,
            "content_matches_approved_hash": self.content_matches,
            "body_unchanged_since_export": self.body_unchanged,
            "problems": self.problems,
        }


def _open(path: Path) -> Document:
    if not path.is_file():
        raise InputError(f"No such file: {path}")
    if not zipfile.is_zipfile(path):
        raise InputError(f"{path} is not a .docx file (not a zip package).")
    try:
        return open_document(str(path))
    except Exception as exc:  # python-docx raises several types for broken packages
        raise InputError(f"{path} could not be read as a .docx file ({exc}).") from exc


def _sections_from_body(doc: Document, expected: list[dict[str, Any]]) -> tuple[str, list[Section]]:
    title = ""
    blocks: list[tuple[str, list[str]]] = []
    for p in doc.paragraphs:
        style = p.style.name if p.style is not None else ""
        if style == SECTION_STYLE:
            # a section printed without a heading (公文 opening, closing phrase): heading from provenance
            i = len(blocks)
            blocks.append((expected[i].get("heading", "") if i < len(expected) else "", [p.text]))
            continue
        if style == "Title" and not title:
            title = p.text
        elif style in (META_STYLE, LABEL_STYLE, ORIGINAL_STYLE):
            continue
        elif style == "Heading 1":
            blocks.append((p.text, []))
        elif blocks:
            blocks[-1][1].append(p.text)
    sections = []
    dummy = Provenance(origin=Origin.human, author="-")
    for i, (heading, lines) in enumerate(blocks):
        sid = expected[i]["id"] if i < len(expected) else f"extra-{i}"
        sections.append(Section(id=sid, heading=heading, text="\n".join(lines), provenance=dummy))
    return title, sections


def verify_docx(path: Path) -> VerifyReport:
    doc = _open(path)
    report = VerifyReport(path=str(path))
    props = get_custom_properties(doc)
    labels = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == LABEL_STYLE]
    report.label = labels[-1] if labels else None
    if not report.label:
        report.problems.append("The document has no visible AI-use statement.")
    raw_aigc = props.get(AIGC_PROPERTY)
    if raw_aigc is None:
        report.problems.append("The document has no AIGC metadata property.")
    else:
        try:
            report.aigc = json.loads(raw_aigc)
        except json.JSONDecodeError:
            report.problems.append("The AIGC metadata property is not valid JSON.")
    raw_prov = props.get(PROVENANCE_PROPERTY)
    if raw_prov is None:
        report.problems.append("The document has no DrafterProvenance metadata property.")
        return report
    try:
        prov = json.loads(raw_prov)
    except json.JSONDecodeError:
        report.problems.append("The DrafterProvenance property is not valid JSON.")
        return report
    report.provenance = prov
    title, sections = _sections_from_body(doc, prov.get("sections", []))
    report.content_matches = content_sha256(title, sections) == prov.get("content_sha256")
    if not report.content_matches:
        report.problems.append("The text no longer matches the approved content hash: it was changed after approval.")
    report.body_unchanged = body_sha256(doc) == prov.get("body_sha256")
    if not report.body_unchanged:
        report.problems.append("The document body was changed after export.")
    if report.aigc is not None:
        code = report.aigc.get("AIGC", {}).get("ReservedCode1")
        if code != prov.get("content_sha256"):
            report.problems.append("The AIGC metadata does not match the provenance content hash.")
    return report
