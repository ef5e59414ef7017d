"""Word comments on machine-written passages, computed from a section's spans (drafter.spans).

A passage is a contiguous run of `model` or `assembled` spans, or one `quote` span (naming its source and
paragraph). Each passage carries its own Word comment, anchored to exactly its text, saying its origin, the
backend and the model; text a person wrote (`input`, `edited`) carries none. The export records the passages
(offsets into the section's text) in DrafterProvenance, so `drafter verify` can check that every passage still
carries its comment, on the same text, with the same words. Sections saved before spans existed keep one
comment for the whole section.

The comments are written straight into the XML (python-docx's `add_comment` looks for the highest id among all
comments on every call, which is quadratic in a long document). A comment's range start and end are siblings
of the runs, never inside one, and a footnote's reference run is never cut. Comment ids are given last, above
every footnote id (`CommentWriter.finish`): LibreOffice 7.4 shows the wrong footnote, or none, when a comment
placed before a footnote's reference shares that footnote's id.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from docx.document import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml.etree import _Element

from drafter.export.common import comment_text, text_run
from drafter.models import Origin, Provenance, Section, Span, SpanOrigin

_ORIGIN_WORDS = {
    "en": {SpanOrigin.model: "Written by a language model", SpanOrigin.assembled: "Assembled by a rule",
           SpanOrigin.quote: "Quoted from {source}, paragraph {paragraph}, chosen by a machine"},
    "zh": {SpanOrigin.model: "由语言模型生成", SpanOrigin.assembled: "由规则组合生成",
           SpanOrigin.quote: "引自{source}第{paragraph}段，由机器选取"},
}


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    origin: SpanOrigin
    source: str | None = None
    paragraph: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "origin": self.origin.value}
        if self.origin == SpanOrigin.quote:
            out.update(source=self.source, paragraph=self.paragraph)
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Passage | None:
        """A recorded passage, or None when the record is malformed."""
        try:
            return cls(start=int(data["start"]), end=int(data["end"]), origin=SpanOrigin(str(data["origin"])),
                       source=data.get("source"), paragraph=data.get("paragraph"))
        except (KeyError, TypeError, ValueError):
            return None


def passages(spans: list[Span]) -> list[Passage]:
    """The machine-written passages of a section: runs of `model`/`assembled` spans, and each `quote` span."""
    out: list[Passage] = []
    prev: SpanOrigin | None = None
    for sp in sorted(spans, key=lambda s: s.start):
        if sp.origin == SpanOrigin.quote:
            out.append(Passage(sp.start, sp.end, sp.origin, sp.source, sp.paragraph))
        elif sp.origin in (SpanOrigin.model, SpanOrigin.assembled):
            if prev == sp.origin and out:  # only layout lies between this span and the last one
                out[-1] = Passage(out[-1].start, sp.end, sp.origin)
            else:
                out.append(Passage(sp.start, sp.end, sp.origin))
        prev = sp.origin
    return out


def passage_comment(p: Passage, prov: Provenance, language: str) -> str:
    """The comment on one passage: its origin (with source and paragraph for a quote), backend and model."""
    words = _ORIGIN_WORDS.get(language, _ORIGIN_WORDS["en"])[p.origin]
    if p.origin == SpanOrigin.quote:
        words = words.format(source=p.source or "?", paragraph=p.paragraph or "?")
    sep = "：" if language == "zh" else ": "
    return f"{words}{sep}{prov.backend} / {prov.model}"


# --- writing -----------------------------------------------------------------------------------------------

_W_ID = qn("w:id")
_P, _T, _TAB, _BR, _CR, _R, _RPR = qn("w:p"), qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:r"), qn("w:rPr")
_NOTE_REF = qn("w:footnoteReference")


def _run_text(r: _Element) -> str | None:
    """The text of a plain run (text, tabs, breaks), or None for a run holding a footnote mark: a comment's range
    never cuts or ends inside it."""
    if r.find(_NOTE_REF) is not None:
        return None
    out = []
    for el in r:
        if el.tag == _T:
            out.append(el.text or "")
        elif el.tag == _TAB:
            out.append("\t")
        elif el.tag in (_BR, _CR):
            out.append("\n")
    return "".join(out)




_COMMENT = parse_xml(
    f'<w:comment {nsdecls("w")} w:id="" w:author="" w:initials="" w:date=""><w:p><w:pPr><w:pStyle w:val="CommentText"/>'
    '</w:pPr><w:r><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:annotationRef/></w:r></w:p></w:comment>'
)
_REFERENCE_RUN = parse_xml(
    f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="CommentReference"/></w:rPr><w:commentReference w:id=""/></w:r>'
)
_RANGE_START = parse_xml(f'<w:commentRangeStart {nsdecls("w")} w:id=""/>')
_RANGE_END = parse_xml(f'<w:commentRangeEnd {nsdecls("w")} w:id=""/>')
_AUTHOR, _INITIALS, _DATE = qn("w:author"), qn("w:initials"), qn("w:date")


class CommentWriter:
    """The Word comments of one export, written into the comments part as python-docx's `add_comment` writes
    them (copied from ready-made elements); ids are given by `finish`."""

    def __init__(self, doc: Document, author: str, initials: str = "AI"):
        self._root: _Element = doc.part._comments_part.element  # created by python-docx on first use
        self._author, self._initials = author, initials
        self._date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._marks: list[tuple[_Element, ...]] = []  # per comment: the elements carrying its id

    def add(self, first: _Element, last: _Element, text: str) -> None:
        """Comment `text` on the runs from `first` to `last` (same paragraph or a later one)."""
        comment = copy.copy(_COMMENT)
        comment.set(_AUTHOR, self._author)
        comment.set(_INITIALS, self._initials)
        comment.set(_DATE, self._date)
        p = comment[0]
        p.append(text_run(p, text))
        self._root.append(comment)
        start, end, reference_run = copy.copy(_RANGE_START), copy.copy(_RANGE_END), copy.copy(_REFERENCE_RUN)
        first.addprevious(start)
        last.addnext(end)
        end.addnext(reference_run)
        self._marks.append((comment, start, end, reference_run[-1]))

    def finish(self, last_note_id: int) -> None:
        """Number the comments from just above `last_note_id` (the highest footnote id; 0 when there is none)."""
        first = last_note_id + 1 if last_note_id > 0 else 0
        for n, marks in enumerate(self._marks, start=first):
            for el in marks:
                el.set(_W_ID, str(n))


def _place(runs: list[_Element], text: str) -> list[tuple[_Element, int, int]]:
    """Each run's (start, end) in `text`, found in order; runs whose text is not there (labels, marks) are left out."""
    placed: list[tuple[_Element, int, int]] = []
    cursor = 0
    for run in runs:
        t = _run_text(run)
        if not t:
            continue
        pos = text.find(t, cursor)
        if pos < 0:
            continue
        placed.append((run, pos, pos + len(t)))
        cursor = pos + len(t)
    return placed


def _split(placed: list[tuple[_Element, int, int]], cuts: set[int]) -> list[tuple[_Element, int, int]]:
    """Runs cut at the offsets in `cuts` (a copy of the run's formatting on each piece), so that a comment can
    start and end exactly where a passage does. A layout that writes its runs already cut (docx_writer) finds
    nothing to cut here."""
    out: list[tuple[_Element, int, int]] = []
    for run, start, end in placed:
        inner = sorted(c for c in cuts if start < c < end)
        if not inner:
            out.append((run, start, end))
            continue
        text = _run_text(run) or ""
        rpr = run.find(_RPR)
        bounds = [start, *inner, end]
        anchor = run
        for a, b in zip(bounds, bounds[1:], strict=False):
            piece = text_run(run, text[a - start:b - start], rpr)
            anchor.addnext(piece)
            anchor = piece
            out.append((piece, a, b))
        parent = run.getparent()
        if parent is not None:
            parent.remove(run)
    return out


def section_passages(section: Section) -> list[Passage] | None:
    """The passages to comment on; None for a section saved before spans existed (one comment on all of it)."""
    if not section.spans:
        return None
    return passages(section.spans)


def cuts(section: Section) -> set[int]:
    """The offsets in the section's text where a passage comment starts or ends: a layout cuts its runs there."""
    found = section_passages(section) or []
    return {c for p in found for c in (p.start, p.end)}


def add_comments(comments: CommentWriter, section: Section, runs: list[_Element], language: str) -> list[Passage]:
    """Comment on each machine-written passage of `section`, whose text is in `runs` (`w:r` elements, in order);
    returns the passages anchored (recorded in DrafterProvenance for `drafter verify`)."""
    if not runs:
        return []
    found = section_passages(section)
    if found is None:
        if section.provenance.origin != Origin.human:
            comments.add(runs[0], runs[-1], comment_text(section.provenance, language))
        return []
    placed = _split(_place(runs, section.text), {c for p in found for c in (p.start, p.end)})
    anchored: list[Passage] = []
    i = 0
    for p in found:
        while i < len(placed) and placed[i][1] < p.start:
            i += 1
        j = i
        while j < len(placed) and placed[j][2] <= p.end:
            j += 1
        if j == i:
            continue
        (first, start, _), (last, _, end) = placed[i], placed[j - 1]
        comments.add(first, last, passage_comment(p, section.provenance, language))
        anchored.append(Passage(start, end, p.origin, p.source, p.paragraph))
        i = j
    return anchored
