"""Writes an approved draft to .docx: layout, visible label, Word comments on AI passages, metadata."""

from __future__ import annotations

from docx import Document as new_document
from docx.document import Document
from docx.oxml.ns import qn

from drafter.export.common import (
    AIGC_PROPERTY,
    LABEL_STYLE,
    META_STYLE,
    ORIGINAL_STYLE,
    PROVENANCE_PROPERTY,
    SECTION_STYLE,
    _ensure_styles,
    body_sha256,
    check_writable,
    comment_text,
    embed_metadata,
    ensure_styles,
    save_atomically,
)
from drafter.export.gbt9704 import build_gbt9704_document
from drafter.models import Draft, Label, Origin, Template

__all__ = [
    "AIGC_PROPERTY", "LABEL_STYLE", "META_STYLE", "ORIGINAL_STYLE", "PROVENANCE_PROPERTY", "SECTION_STYLE",
    "body_sha256", "build_document", "check_writable", "comment_text", "embed_metadata", "ensure_styles",
    "save_atomically",
]


def _meta_lines(template: Template, draft: Draft) -> list[str]:
    inputs = draft.request.inputs
    labels = {f.name: f.label for f in template.fields}
    wanted = {
        "memo": ["recipient", "author_unit", "date", "meeting", "location"],
        "letter": ["to", "sender", "issuer", "date"],
        "press": ["date_line"],
        "report": ["prepared_by", "date"],
    }.get(template.layout, [])
    release = "新闻稿" if template.language == "zh" else "FOR IMMEDIATE RELEASE"
    lines = [release] if template.layout == "press" else []
    sep = "：" if template.language == "zh" else ": "
    lines += [f"{labels[n]}{sep}{inputs[n].strip()}" for n in wanted if n in labels and inputs.get(n, "").strip()]
    return lines


def build_document(draft: Draft, template: Template, label: Label, *, include_original: bool = False) -> Document:
    """The labelled document; with `include_original`, each simplified section is followed by its original."""
    if template.layout == "gbt9704":
        return build_gbt9704_document(draft, template, label)
    doc = new_document()
    _ensure_styles(doc)
    if draft.language == "zh":
        _zh_fonts(doc)
    doc.core_properties.title = draft.title
    doc.core_properties.author = draft.author
    doc.core_properties.keywords = "AIGC; AI-assisted; human-reviewed"
    doc.add_paragraph(draft.title, style="Title")
    for line in _meta_lines(template, draft):
        doc.add_paragraph(line, style=META_STYLE)
    for section in draft.sections:
        doc.add_heading(section.heading, level=1)
        runs = []
        for line in section.text.split("\n"):
            paragraph = doc.add_paragraph(line)
            runs.extend(paragraph.runs)
        if section.provenance.origin != Origin.human and runs:
            comment = comment_text(section.provenance, draft.language)
            doc.add_comment([runs[0], runs[-1]], text=comment, author=label.system, initials="AI")
        if include_original and section.original:
            doc.add_paragraph("原文：" if draft.language == "zh" else "Original text:", style=ORIGINAL_STYLE)
            for line in section.original.split("\n"):
                if line.strip():
                    doc.add_paragraph(line, style=ORIGINAL_STYLE)
    doc.add_paragraph(label.statement, style=LABEL_STYLE)
    embed_metadata(doc, label)
    return doc


def _zh_fonts(doc: Document) -> None:
    """Chinese documents outside the 公文 layout (e.g. 新闻稿): a Chinese face for East Asian text."""
    for name in ("Normal", "Title", "Heading 1", META_STYLE, LABEL_STYLE):
        rpr = doc.styles[name].element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
        fonts.set(qn("w:eastAsia"), "黑体" if name in ("Title", "Heading 1") else "宋体")
