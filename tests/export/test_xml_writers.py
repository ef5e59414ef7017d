"""The export writes its body, comments and footnote marks straight as XML (issue 17: python-docx's per-run API
dominated a long export). Each writer must produce exactly what python-docx's own API writes, so these tests
build the same content both ways and compare the XML."""

from __future__ import annotations

import random
import sys

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from lxml import etree

from drafter.export.common import BodyWriter, text_run
from drafter.export.footnotes import Footnotes
from drafter.export.footnotes import ensure_styles as footnote_styles
from drafter.export.passages import CommentWriter
from drafter.export.signature import _comment_text
from drafter.labeling import alnum_count, machine_words
from drafter.models import Origin, Provenance, Section, Span, SpanOrigin, utcnow

TEXTS = ["plain words", " leading space", "trailing space ", "a\ttab", "two\ttabs\there", "line\nbreak",
         "carriage\rreturn", "\t", "", "全角，中文。「引号」", "  ", "mixed \t\n end "]


def _xml(el: object) -> bytes:
    return etree.tostring(el)  # type: ignore[call-overload, no-any-return]


@pytest.mark.parametrize("text", TEXTS)
def test_text_run_is_what_python_docx_writes(text: str) -> None:
    doc = Document()
    reference = doc.add_paragraph().add_run()
    reference.text = text
    p = doc.add_paragraph()
    p._p.append(text_run(p._p, text))
    assert _xml(p._p) == _xml(reference._r.getparent())


def test_a_run_keeps_a_copy_of_the_formatting_it_is_given() -> None:
    doc = Document()
    run = doc.add_paragraph().add_run("bold")
    run.bold = True
    rpr = run._r.find(qn("w:rPr"))
    p = doc.add_paragraph()
    p._p.append(text_run(p._p, "bold", rpr))
    assert _xml(p._p) == _xml(run._r.getparent())
    assert p._p[0].find(qn("w:rPr")) is not rpr


@pytest.mark.parametrize("style", [None, "Normal", "Heading 1", "Title", "List Bullet"])
@pytest.mark.parametrize("text", ["A line.", "", " edge "])
def test_body_paragraphs_are_what_python_docx_writes(style: str | None, text: str) -> None:
    a, b = Document(), Document()
    a.add_paragraph(text, style=style)
    BodyWriter(b).paragraph(style, text)
    assert _xml(a.element.body) == _xml(b.element.body)  # same paragraph, and before the section properties


def _comment_parts(doc: DocumentObject) -> tuple[bytes, list[bytes]]:
    """The body and each comment, with ids and dates blanked (python-docx numbers from 0 with the time now)."""
    for el in doc.element.body.iter(qn("w:commentRangeStart"), qn("w:commentRangeEnd"), qn("w:commentReference")):
        el.set(qn("w:id"), "X")
    comments = []
    for c in doc.part._comments_part.element:
        c.set(qn("w:id"), "X")
        c.set(qn("w:date"), "X")
        comments.append(_xml(c))
    return _xml(doc.element.body), comments


@pytest.mark.parametrize("text", ["Quoted from a.txt, paragraph 2, chosen by a machine: offline / x", "由规则组合生成：offline / x"])
def test_comments_are_what_python_docx_writes(text: str) -> None:
    a, b = Document(), Document()
    for doc in (a, b):
        p = doc.add_paragraph()
        for word in ("one ", "two ", "three"):
            p.add_run(word)
        doc.add_paragraph("next paragraph")
    runs_a = a.paragraphs[0].runs
    a.add_comment([runs_a[1], a.paragraphs[1].runs[0]], text=text, author="Drafter", initials="AI")
    runs_b = b.paragraphs[0].runs
    writer = CommentWriter(b, "Drafter")
    writer.add(runs_b[1]._r, b.paragraphs[1].runs[0]._r, text)
    writer.finish(0)
    assert _comment_parts(a) == _comment_parts(b)


def test_comment_ids_start_above_every_footnote_id() -> None:
    doc = Document()
    runs = [doc.add_paragraph().add_run(w)._r for w in ("a", "b", "c")]
    writer = CommentWriter(doc, "Drafter")
    for r in runs:
        writer.add(r, r, "note")
    writer.finish(7)
    assert [c.comment_id for c in doc.comments] == [8, 9, 10]
    ids = [el.get(qn("w:id")) for el in doc.element.body.iter(
        qn("w:commentRangeStart"), qn("w:commentRangeEnd"), qn("w:commentReference"))]
    assert sorted(set(ids)) == ["10", "8", "9"] and len(ids) == 9
    writer.finish(0)  # no footnotes: python-docx's own numbering from 0
    assert [c.comment_id for c in doc.comments] == [0, 1, 2]


def test_footnote_mark_runs_are_what_python_docx_wrote() -> None:
    """The two runs a footnote adds to its paragraph: the visible `[n]`, then the reference with its hidden mark
    (the XML the python-docx calls of the earlier version wrote)."""
    doc = Document()
    footnote_styles(doc)
    p = doc.add_paragraph()
    shown, ref = Footnotes(doc).add(p, "[1]", "source.txt, paragraph 2")
    reference = Document()
    footnote_styles(reference)
    q = reference.add_paragraph()
    q.add_run("[1]")
    run = q.add_run()
    rpr = run._r.get_or_add_rPr()
    rstyle = etree.SubElement(rpr, qn("w:rStyle"))
    rstyle.set(qn("w:val"), reference.styles["Footnote Reference"].style_id)
    note = etree.SubElement(run._r, qn("w:footnoteReference"))
    note.set(qn("w:customMarkFollows"), "1")
    note.set(qn("w:id"), "1")
    etree.SubElement(run._r, qn("w:t")).text = "\u200b"
    assert _xml(p._p) == _xml(q._p)
    assert [shown, ref] == list(p._p.iterchildren(qn("w:r")))


def test_signed_comment_text_is_python_docx_comment_text() -> None:
    doc = Document()
    run = doc.add_paragraph().add_run("x")
    comment = doc.add_comment(run, text="first line\nsecond\tline", author="a", initials="A")
    comment.paragraphs[0].add_run(" more")
    comment.add_paragraph("third")
    r = comment.paragraphs[1].add_run("hy")
    for tag in ("w:noBreakHyphen", "w:ptab", "w:cr", "w:br", "w:rPr", "w:sym"):
        etree.SubElement(r._r, qn(tag))
    r._r.append(r._r.makeelement(qn("w:t"), {}))
    assert _comment_text(comment._comment_elm) == comment.text
    assert comment.text.count("\n") >= 3 and "-" in comment.text


def test_machine_words_counts_as_before() -> None:
    text = "The barrier cost £46.6 million [1]. 会议决定：一、加强排查。 Done."
    spans = [Span(start=0, end=34, origin=SpanOrigin.quote, source="a", paragraph=1),
             Span(start=36, end=52, origin=SpanOrigin.model), Span(start=53, end=len(text), origin=SpanOrigin.input)]
    section = Section(id="s", heading="h", text=text, spans=spans,
                      provenance=Provenance(origin=Origin.ai, backend="b", model="m", author="x",
                                            generated_at=utcnow()))
    words = sum(1 for ch in text if ch.isalnum())
    machine = sum(1 for sp in spans if sp.origin != SpanOrigin.input
                  for ch in text[sp.start:sp.end] if ch.isalnum())
    assert machine_words(section) == (machine, words) and 0 < machine < words


def test_alnum_count_is_str_isalnum_for_every_character_of_unicode() -> None:
    # one by one, every code point (lone surrogates too) and every character together in one text
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert [alnum_count(ch) for ch in every] == [int(ch.isalnum()) for ch in every]
    assert alnum_count(every) == sum(map(str.isalnum, every)) > 100_000


def test_alnum_count_on_mixed_texts() -> None:
    rng = random.Random(17)
    alphabet = "aZ09_ -.,\n\t£—“”é\u00a0\u3000会议一、。\U0001d7ce\ud800\udfff\x00\x7f\x80\u0661"
    for _ in range(2_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        assert alnum_count(text) == sum(map(str.isalnum, text)), repr(text)
