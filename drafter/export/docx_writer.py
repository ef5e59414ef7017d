"""Writes an approved draft to .docx: layout, visible label, Word comments on machine-written passages, metadata.

The document starts from the template's house style (drafter.export.house_style) and uses its named styles:
Title, Heading 1, List Bullet for the items of list fields, Numbered Paragraph where the template numbers its
paragraphs, footnotes for `[n]` citations and a closing list of sources. Every line of the approved text is one
paragraph whose text is exactly that line, so `drafter verify` reads the approved content back; a minutes' action
rows ("action, owner, due") are one table row each (drafter.export.actions), read back as the same lines.
"""

from __future__ import annotations

import re
from pathlib import Path

from docx.document import Document
from docx.oxml.ns import qn
from lxml.etree import _Element

from drafter import citations
from drafter.export import actions, house_style
from drafter.export.common import (
    AIGC_PROPERTY,
    LABEL_STYLE,
    META_STYLE,
    ORIGINAL_STYLE,
    PROVENANCE_PROPERTY,
    SECTION_STYLE,
    SOURCES_STYLE,
    BodyWriter,
    _ensure_styles,
    body_sha256,
    check_writable,
    comment_text,
    embed_metadata,
    ensure_styles,
    save_atomically,
    text_run,
)
from drafter.export.footnotes import Footnotes
from drafter.export.gbt9704 import build_gbt9704_document
from drafter.export.passages import CommentWriter, add_comments
from drafter.export.passages import cuts as passage_cuts
from drafter.models import Draft, Label, SourceDoc, StyleGuide, Template

__all__ = [
    "AIGC_PROPERTY", "LABEL_STYLE", "META_STYLE", "ORIGINAL_STYLE", "PROVENANCE_PROPERTY", "SECTION_STYLE",
    "SOURCES_STYLE", "body_sha256", "build_document", "check_writable", "comment_text", "embed_metadata",
    "ensure_styles", "save_atomically",
]

LIST_STYLE = "List Bullet"
NUMBERED_STYLE = "Numbered Paragraph"
# the words a memo header uses, instead of the form's labels ("From (team)")
HEADER_WORDS = {"recipient": "To", "to": "To", "author_unit": "From", "sender": "From", "issuer": "From",
                "date": "Date", "location": "Location", "prepared_by": "Prepared by"}
HEADER_FIELDS = {
    "memo": ["recipient", "author_unit", "date", "location"],
    "letter": ["to", "sender", "issuer", "date"],
    "report": ["prepared_by", "date"],
}


def _header_word(name: str, label: str, language: str) -> str:
    if language == "en" and name in HEADER_WORDS:
        return HEADER_WORDS[name]
    return re.sub(r"\s*[(（][^)）]*[)）]", "", label).strip()


def _meta_lines(template: Template, draft: Draft) -> list[str]:
    inputs = draft.request.inputs
    labels = {f.name: f.label for f in template.fields}
    release = "新闻稿" if template.language == "zh" else "FOR IMMEDIATE RELEASE"
    lines = [release] if template.layout == "press" else []
    sep = "：" if template.language == "zh" else ": "
    for name in HEADER_FIELDS.get(template.layout, []):
        value = inputs.get(name, "").strip()
        if name in labels and value:
            lines.append(f"{_header_word(name, labels[name], template.language)}{sep}{value}")
    return lines


def marking(template: Template, draft: Draft) -> str:
    """The protective marking: the field with the classification role, else that field's default."""
    for f in template.fields:
        if f.role == "classification":
            return (draft.request.inputs.get(f.name, "") or f.default or "").strip()
    return ""


def _list_items(template: Template, draft: Draft) -> set[str]:
    """The items of the list fields: a line of the text equal to one of them is printed as a list item."""
    items: set[str] = set()
    for f in template.fields:
        if f.type == "list":
            items |= {ln.strip() for ln in draft.request.inputs.get(f.name, "").splitlines() if ln.strip()}
    return items


def _footnote_text(n: int, line: str, start: int, sources: list[SourceDoc], language: str) -> str | None:
    if not 1 <= n <= len(sources):
        return None  # a marker naming no source supports nothing: it stays plain text
    src = sources[n - 1]
    para = citations.locate(citations._cited_sentence(line, start), src.text) if src.text else None
    if para is None:
        return f"{src.name}。" if language == "zh" else f"{src.name}."
    quote = citations._shorten(citations.paragraphs(src.text)[para - 1])
    if language == "zh":
        return f"{src.name}，第{para}段：「{quote}」"
    return f"{src.name}, paragraph {para}: “{quote}”"


def _add_line(w: BodyWriter, line: str, style: str | None, notes: Footnotes, sources: list[SourceDoc],
              language: str, cited: set[int], cuts: list[int]) -> list[_Element]:
    """One paragraph whose text is exactly `line`; each `[n]` naming a source becomes a footnote reference.

    Returns the paragraph's runs. The text runs are cut at `cuts` (offsets into `line` where a passage comment
    starts or ends, drafter.export.passages), so a comment's range lies between runs and never splits a
    footnote's reference.
    """
    p = w.paragraph(style)
    runs: list[_Element] = []

    def text(a: int, b: int) -> None:
        bounds = [a, *(c for c in cuts if a < c < b), b]
        for x, y in zip(bounds, bounds[1:], strict=False):
            run = text_run(p, line[x:y])
            p.append(run)
            runs.append(run)

    pos = 0
    for m in citations.MARKER.finditer(line):
        n = int(m.group(1))
        note = _footnote_text(n, line, m.start(), sources, language)
        if note is None:
            continue
        if m.start() > pos:
            text(pos, m.start())
        runs.extend(notes.add(p, m.group(0), note))
        cited.add(n)
        pos = m.end()
    if pos < len(line) or not line:
        text(pos, len(line))
    return runs


def _sources_list(doc: Document, sources: list[SourceDoc], cited: set[int], language: str) -> None:
    if not cited:
        return
    heading = doc.add_paragraph(style=SOURCES_STYLE)
    heading.add_run("来源" if language == "zh" else "Sources").bold = True
    for n in sorted(cited):
        doc.add_paragraph(f"[{n}] {sources[n - 1].name}", style=SOURCES_STYLE)


def build_document(draft: Draft, template: Template, label: Label, *, include_original: bool = False,
                   guide: StyleGuide | None = None, house_styles_dir: Path | None = None) -> Document:
    """The labelled document; with `include_original`, each simplified section is followed by its original.

    It starts from the house style the template (or `guide`) names, looked up in `house_styles_dir` first.
    """
    doc = house_style.start_document(template, guide, house_styles_dir)
    if template.layout == "gbt9704":
        return build_gbt9704_document(draft, template, label, doc)
    _ensure_styles(doc)
    if draft.language == "zh":
        _zh_fonts(doc)
    house_style.set_marking(doc, marking(template, draft))
    doc.core_properties.title = draft.title
    doc.core_properties.author = draft.author
    doc.core_properties.keywords = "AIGC; AI-assisted; human-reviewed"
    doc.add_paragraph(draft.title, style="Title")
    for line in _meta_lines(template, draft):
        doc.add_paragraph(line, style=META_STYLE)
    names = {s.name for s in doc.styles}
    numbered = NUMBERED_STYLE if template.numbered_paragraphs and NUMBERED_STYLE in names else None
    bullet = LIST_STYLE if LIST_STYLE in names else None
    items = _list_items(template, draft)
    action_items = actions.items([(f.name, f.type) for f in template.fields], draft.request.inputs)
    notes, sources, cited = Footnotes(doc), draft.request.sources, set[int]()
    passages: dict[int, list[dict[str, object]]] = {}
    w, comments = BodyWriter(doc), CommentWriter(doc, label.system)
    for index, section in enumerate(draft.sections):
        groups = list(actions.group_lines(section.text.split("\n"), action_items))
        # A part without a heading (a simplified text keeps only the original's own) gets no empty heading, which
        # a screen reader would announce: its first paragraph, plain body text, marks where it starts instead.
        first = groups[0] if groups else None
        headless = (not section.heading.strip() and isinstance(first, str) and first.strip() != ""
                    and first.strip() not in items and numbered is None)
        if not headless:
            w.paragraph("Heading 1", section.heading)
        runs: list[_Element] = []
        section_cuts, offset = sorted(passage_cuts(section)), 0
        for i, group in enumerate(groups):
            if isinstance(group, list):
                runs.extend(r._r for r in actions.add_table(doc, group, draft.language))
                offset += sum(len(line) + 1 for line in group)
                continue
            line = group
            style = bullet if line.strip() in items else numbered if line.strip() else None
            if headless and i == 0:
                style = SECTION_STYLE
            inside = [c - offset for c in section_cuts if offset < c < offset + len(line)]
            runs.extend(_add_line(w, line, style, notes, sources, draft.language, cited, inside))
            offset += len(line) + 1
        found = add_comments(comments, section, runs, draft.language)
        if section.spans:
            passages[index] = [p.as_dict() for p in found]
        if include_original and section.original:
            w.paragraph(ORIGINAL_STYLE, "原文：" if draft.language == "zh" else "Original text:")
            for line in section.original.split("\n"):
                if line.strip():
                    w.paragraph(ORIGINAL_STYLE, line)
    comments.finish(notes.last_id)
    _sources_list(doc, sources, cited, draft.language)
    doc.add_paragraph(label.statement, style=LABEL_STYLE)
    embed_metadata(doc, label, passages)
    return doc


def _zh_fonts(doc: Document) -> None:
    """Chinese documents outside the 公文 layout (e.g. 新闻稿): a Chinese face for East Asian text."""
    for name in ("Normal", "Title", "Heading 1", META_STYLE, LABEL_STYLE):
        rpr = doc.styles[name].element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
        fonts.set(qn("w:eastAsia"), "黑体" if name in ("Title", "Heading 1") else "宋体")
