"""Word comments on machine-written passages, computed from a section's spans (drafter.spans).

A passage is a contiguous run of `model` or `assembled` spans, or one `quote` span (naming its source and
paragraph). Each passage carries its own Word comment, anchored to exactly its text, saying its origin, the
backend and the model; text a person wrote (`input`, `edited`) carries none. The export records the passages
(offsets into the section's text) in DrafterProvenance, so `drafter verify` can check that every passage still
carries its comment, on the same text, with the same words. Sections saved before spans existed keep one
comment for the whole section.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from docx.document import Document
from docx.oxml.ns import qn
from docx.text.run import Run

from drafter.export.common import comment_text
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

def _run_text(r: Any) -> str | None:
    """The text of a plain run (text, tabs, breaks), or None for a run holding anything else (a footnote mark)."""
    if r.find(qn("w:footnoteReference")) is not None:
        return None
    return Run(r, None).text  # type: ignore[arg-type]


def _place(runs: list[Run], text: str) -> list[tuple[Run, int, int]]:
    """Each run's (start, end) in `text`, found in order; runs whose text is not there (labels, marks) are left out."""
    placed: list[tuple[Run, int, int]] = []
    cursor = 0
    for run in runs:
        t = _run_text(run._r)
        if not t:
            continue
        pos = text.find(t, cursor)
        if pos < 0:
            continue
        placed.append((run, pos, pos + len(t)))
        cursor = pos + len(t)
    return placed


def _split(placed: list[tuple[Run, int, int]], cuts: set[int]) -> list[tuple[Run, int, int]]:
    """Runs cut at the offsets in `cuts` (a copy of the run's formatting on each piece), so that a comment can
    start and end exactly where a passage does."""
    out: list[tuple[Run, int, int]] = []
    for run, start, end in placed:
        inner = sorted(c for c in cuts if start < c < end)
        if not inner:
            out.append((run, start, end))
            continue
        text = run.text
        bounds = [start, *inner, end]
        pieces: list[tuple[Run, int, int]] = []
        anchor = run._r
        for a, b in zip(bounds, bounds[1:], strict=False):
            r = copy.deepcopy(run._r) if pieces else run._r
            piece = Run(r, run._parent)
            if pieces:
                anchor.addnext(r)
                anchor = r
            piece.text = text[a - start:b - start]
            pieces.append((piece, a, b))
        out.extend(pieces)
    return out


def section_passages(section: Section) -> list[Passage] | None:
    """The passages to comment on; None for a section saved before spans existed (one comment on all of it)."""
    if not section.spans:
        return None
    return passages(section.spans)


def add_comments(doc: Document, section: Section, runs: list[Run], language: str, author: str) -> list[Passage]:
    """Comment on each machine-written passage of `section`, whose text is in `runs`; returns the passages
    anchored (recorded in DrafterProvenance for `drafter verify`)."""
    if not runs:
        return []
    found = section_passages(section)
    if found is None:
        if section.provenance.origin != Origin.human:
            doc.add_comment([runs[0], runs[-1]], text=comment_text(section.provenance, language),
                            author=author, initials="AI")
        return []
    placed = _split(_place(runs, section.text), {c for p in found for c in (p.start, p.end)})
    anchored: list[Passage] = []
    for p in found:
        inside = [run for run, s, e in placed if p.start <= s and e <= p.end]
        if not inside:
            continue
        doc.add_comment([inside[0], inside[-1]], text=passage_comment(p, section.provenance, language),
                        author=author, initials="AI")
        first = next(s for run, s, _ in placed if run is inside[0])
        last = next(e for run, _, e in placed if run is inside[-1])
        anchored.append(Passage(first, last, p.origin, p.source, p.paragraph))
    return anchored
