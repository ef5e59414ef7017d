"""The review copy: a .docx for reviewing a draft in Word, with tracked changes against the machine's text.

Each section's body is wrapped in a bookmark named after the section id (`section_bookmark`). Text a person
changed is shown as tracked changes (`w:del` / `w:ins`, the editor as author, the edit time as date) against
the original machine text, from a word-level diff. Machine-written sections carry a Word comment (origin,
backend, model); quotations from a source carry one saying where they come from and that an import refuses
changes to them; open findings are comments on the text they are about. Custom properties record the draft
id, version and content hash. A visible line says this is a review copy carrying no approval; it has none of
the labelled export's metadata, so `drafter verify` never mistakes it for one.

`review_import` reads such a file back. The small WordprocessingML helpers for revisions live here.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from docx import Document as new_document
from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree

from drafter.export.properties import set_custom_properties
from drafter.models import Draft, Finding, FindingStatus, Origin, Provenance, Section, Span, SpanOrigin

REVIEW_PROPERTY = "DrafterReviewCopy"  # JSON: draft id, version, hash, sections and their bookmarks
DRAFT_ID_PROPERTY = "DrafterDraftId"
VERSION_PROPERTY = "DrafterVersion"
HASH_PROPERTY = "DrafterContentSha256"
BOOKMARK_PREFIX = "drafter_"
FINDINGS_AUTHOR = "Drafter checks"
QUOTES_AUTHOR = "Drafter sources"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TOKEN = re.compile(r"\n|[^\S\n]+|[^\s]+")


def section_bookmark(section_id: str) -> str:
    """The bookmark wrapping a section: Word allows letters, digits and underscores, at most 40 characters."""
    return BOOKMARK_PREFIX + re.sub(r"[^A-Za-z0-9_]", "_", section_id)[: 40 - len(BOOKMARK_PREFIX)]


def comment_key(author: str, text: str) -> str:
    """Identifies a comment Drafter wrote, so an import does not take it for a reviewer's."""
    return hashlib.sha256(f"{author}\x1f{text.strip()}".encode()).hexdigest()[:16]


def tokens(text: str) -> list[str]:
    """Words, runs of spaces and line breaks: the unit of the tracked-change diff."""
    return _TOKEN.findall(text)


@dataclass
class Piece:
    """A stretch of a section's text: kept (`eq`), inserted (`ins`) or deleted (`del`) by the person's edit.

    `start`/`end` are offsets in the current text (a deleted piece has an empty range where it was).
    """

    kind: str
    text: str
    start: int
    end: int


def diff_pieces(before: str, after: str) -> list[Piece]:
    """A word-level diff of the machine text (`before`) and the current text (`after`)."""
    a, b = tokens(before), tokens(after)
    pieces: list[Piece] = []
    pos = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            pieces.append(Piece("del", "".join(a[i1:i2]), pos, pos))
        if op in ("equal", "insert", "replace"):
            text = "".join(b[j1:j2])
            pieces.append(Piece("eq" if op == "equal" else "ins", text, pos, pos + len(text)))
            pos += len(text)
    return pieces


def _split(pieces: list[Piece], cuts: set[int]) -> list[Piece]:
    """Pieces cut at line breaks and at the given offsets of the current text (where comments start and end)."""
    out: list[Piece] = []
    for p in pieces:
        parts = re.split(r"(\n)", p.text)
        pos = p.start
        for part in parts:
            if not part:
                continue
            if p.kind == "del":
                out.append(Piece("del", part, pos, pos))
                continue
            inner = sorted(c - pos for c in cuts if pos < c < pos + len(part))
            last = 0
            for c in [*inner, len(part)]:
                out.append(Piece(p.kind, part[last:c], pos + last, pos + c))
                last = c
            pos += len(part)
    return out


# --- WordprocessingML helpers --------------------------------------------------------------------------------


class _Ids:
    """Ids for revisions and bookmarks, unique in the document."""

    def __init__(self) -> None:
        self.next = 100

    def __call__(self) -> str:
        self.next += 1
        return str(self.next)


def _run(text: str, *, deleted: bool = False) -> etree._Element:
    r = OxmlElement("w:r")
    t = OxmlElement("w:delText" if deleted else "w:t")
    t.set(_XML_SPACE, "preserve")
    t.text = text
    r.append(t)
    return r


def _change(kind: str, rev_id: str, author: str, date: datetime | None) -> etree._Element:
    el = OxmlElement(f"w:{kind}")
    el.set(qn("w:id"), rev_id)
    el.set(qn("w:author"), author)
    if date is not None:
        el.set(qn("w:date"), date.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return el


def _mark_paragraph(paragraph: Paragraph, kind: str, rev_id: str, author: str, date: datetime | None) -> None:
    """Mark a paragraph's end as inserted or deleted (a line break the person added or removed)."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    rpr.append(_change(kind, rev_id, author, date))


@dataclass
class _Placed:
    piece: Piece
    element: etree._Element  # the paragraph's child holding the piece: a w:r, or a w:ins / w:del around it


def _write_section(doc: Document, section: Section, cuts: set[int], ids: _Ids) -> list[_Placed]:
    """The section's body paragraphs, with the person's changes tracked; returns where each piece went."""
    p = section.provenance
    tracked = p.origin == Origin.ai_edited and p.ai_text is not None and p.ai_text.strip() != section.text.strip()
    if tracked:
        pieces = diff_pieces((p.ai_text or "").strip(), section.text)
    else:
        pieces = [Piece("eq", section.text, 0, len(section.text))]
    author = p.edited_by or p.author
    placed: list[_Placed] = []
    paragraph = doc.add_paragraph()
    for piece in _split(pieces, cuts):
        if piece.text == "\n":
            if piece.kind != "eq":
                _mark_paragraph(paragraph, piece.kind, ids(), author, p.edited_at)
            paragraph = doc.add_paragraph()
            continue
        run = _run(piece.text, deleted=piece.kind == "del")
        element = run
        if piece.kind != "eq":
            element = _change(piece.kind, ids(), author, p.edited_at)
            element.append(run)
        paragraph._p.append(element)
        placed.append(_Placed(piece, element))
    return placed


def _bookmark(first: etree._Element, last: etree._Element, name: str, ids: _Ids) -> None:
    """Wrap paragraphs `first`..`last` in a bookmark: start after first's properties, end at last's end."""
    bid = ids()
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), bid)
    start.set(qn("w:name"), name)
    ppr = first.find(qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        first.insert(0, start)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), bid)
    last.append(end)


def _anchor(doc: Document, first: etree._Element, last: etree._Element, text: str, author: str, initials: str) -> None:
    """A comment on the paragraph children `first`..`last` (range markers beside them, not inside a revision)."""
    comment = doc.comments.add_comment(text=text, author=author, initials=initials)
    cid = str(comment.comment_id)
    start = OxmlElement("w:commentRangeStart")
    start.set(qn("w:id"), cid)
    first.addprevious(start)
    end = OxmlElement("w:commentRangeEnd")
    end.set(qn("w:id"), cid)
    last.addnext(end)
    ref_run = OxmlElement("w:r")
    ref = OxmlElement("w:commentReference")
    ref.set(qn("w:id"), cid)
    ref_run.append(ref)
    end.addnext(ref_run)


# --- the document ---------------------------------------------------------------------------------------------


def machine_comment(p: Provenance, language: str) -> str:
    """The comment on a machine-written section: its origin, backend and model."""
    if language == "zh":
        origin = "人工智能生成" if p.origin == Origin.ai else "人工智能生成，经人工修改"
        return f"{origin}：{p.backend} / {p.model}" + (f"；经{p.edited_by}修改" if p.edited_by else "")
    origin = "AI-generated" if p.origin == Origin.ai else "AI-generated, then edited by a person"
    return f"{origin}: {p.backend} / {p.model}" + (f"; edited by {p.edited_by}" if p.edited_by else "")


def quote_comment(span: Span, language: str) -> str:
    """The comment on a quotation: where it comes from, and that an import will not change it."""
    if language == "zh":
        where = f"{span.source}第 {span.paragraph} 段" if span.paragraph else f"{span.source}"
        return f"原文引用（{where}）：受保护，导入时拒绝对此处的修改。"
    where = f"{span.source}, paragraph {span.paragraph}" if span.paragraph else f"{span.source}"
    return f"Quoted verbatim from {where}: protected; an import refuses changes to it."


def finding_comment(f: Finding) -> str:
    text = f"{f.severity.value}: {f.message}"
    return text + (f" Suggestion: {f.suggestion}" if f.suggestion else "")


def notice(draft: Draft) -> str:
    """The visible line saying what this file is and is not."""
    if draft.language == "zh":
        return (f"审阅稿：草稿 {draft.id}，第 {draft.version} 版（内容哈希 {draft.content_sha256[:12]}）。"
                "本文件不是带标识的最终导出文件，不代表任何审批。修订以修订标记显示，批注可通过 drafter import-review 导入。")
    return (f"Review copy of draft {draft.id}, version {draft.version} (content {draft.content_sha256[:12]}). "
            "This is not the labelled final export and carries no approval. Changes a person made to the machine "
            "text are shown as tracked changes; your changes and comments can be imported with drafter import-review.")


def build_review_copy(draft: Draft, findings: Sequence[Finding], *, system: str) -> Document:
    """The review copy of `draft`, with its open `findings` as comments."""
    names = [section_bookmark(s.id) for s in draft.sections]
    if len(set(names)) != len(names):
        raise ValueError(f"Draft {draft.id} has section ids that give the same bookmark name: {names}")
    doc = new_document()
    doc.core_properties.title = f"Review copy: {draft.title}"
    doc.core_properties.author = draft.author
    doc.add_paragraph(draft.title, style="Title")
    line = doc.add_paragraph()
    run = line.add_run(notice(draft))
    run.bold = True
    run.italic = True
    ids = _Ids()
    keys: list[str] = []
    open_findings = [f for f in findings if f.status == FindingStatus.open and f.section_id]
    for section, name in zip(draft.sections, names, strict=True):
        doc.add_heading(section.heading, level=1)
        mine = [f for f in open_findings if f.section_id == section.id]
        quotes = [sp for sp in section.spans if sp.origin == SpanOrigin.quote]
        cuts = {x for f in mine for x in (f.start, f.end) if x is not None}
        cuts |= {x for q in quotes for x in (q.start, q.end)}
        body_start = len(doc.element.body) - 1  # the sectPr stays last; new paragraphs go before it
        placed = _write_section(doc, section, cuts, ids)
        paragraphs = [el for el in list(doc.element.body)[body_start:] if el.tag == qn("w:p")]
        _bookmark(paragraphs[0], paragraphs[-1], name, ids)
        shown = [x for x in placed if x.piece.kind != "del"] or placed
        if section.provenance.origin != Origin.human and shown:
            text = machine_comment(section.provenance, draft.language)
            _anchor(doc, shown[0].element, shown[-1].element, text, system, "AI")
            keys.append(comment_key(system, text))
        for q in quotes:
            covered = _covering(shown, q.start, q.end)
            if covered:
                text = quote_comment(q, draft.language)
                _anchor(doc, covered[0].element, covered[-1].element, text, QUOTES_AUTHOR, "DS")
                keys.append(comment_key(QUOTES_AUTHOR, text))
        for f in mine:
            covered = _covering(shown, f.start, f.end)
            if covered:
                text = finding_comment(f)
                _anchor(doc, covered[0].element, covered[-1].element, text, FINDINGS_AUTHOR, "DC")
                keys.append(comment_key(FINDINGS_AUTHOR, text))
    record = {
        "draft_id": draft.id, "version": draft.version, "content_sha256": draft.content_sha256,
        "sections": [{"id": s.id, "bookmark": n} for s, n in zip(draft.sections, names, strict=True)],
        "machine_comments": keys,
    }
    set_custom_properties(doc, {
        REVIEW_PROPERTY: json.dumps(record, ensure_ascii=False, separators=(",", ":")),
        DRAFT_ID_PROPERTY: draft.id,
        VERSION_PROPERTY: str(draft.version),
        HASH_PROPERTY: draft.content_sha256,
    })
    return doc


def _covering(placed: list[_Placed], start: int | None, end: int | None) -> list[_Placed]:
    """The pieces (in one paragraph) that the range `start`..`end` covers; the whole section if it has none."""
    if start is None or end is None:
        return placed
    hit = [x for x in placed if x.piece.start < max(end, start + 1) and x.piece.end > start]
    if not hit:
        return []
    parent = hit[0].element.getparent()
    return [x for x in hit if x.element.getparent() is parent]
