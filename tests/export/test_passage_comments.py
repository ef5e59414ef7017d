"""Each machine-written passage carries its own Word comment, anchored to exactly its text; a person's text
carries none; `drafter verify` notices a passage comment removed, moved onto a person's text, or reworded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn

from drafter.export.common import PROVENANCE_PROPERTY
from drafter.export.properties import get_custom_properties
from drafter.models import Draft, SpanOrigin
from drafter.service import DrafterService
from drafter.settings import Settings
from tests.conftest import FULL_CHECKLIST, briefing_request
from tests.export.test_forgery import Attack, attacked


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DrafterService, Draft, Path]]:
    folder = tmp_path_factory.mktemp("passages")
    svc = DrafterService.from_settings(Settings(data_dir=folder / "data", database_url=None, backend="offline"))
    draft = svc.create_draft(briefing_request(), "alice")
    svc.submit(draft.id, "alice")
    svc.approve(draft.id, "bob", FULL_CHECKLIST)
    out = folder / "briefing.docx"
    svc.export(draft.id, out, "alice")
    yield svc, svc.get_draft(draft.id), out
    svc.store.engine.dispose()


def anchored(doc: DocumentObject) -> dict[str, str]:
    """Comment id → the text between its range start and end, read from the body XML."""
    out: dict[str, str] = {}
    open_: dict[str, list[str]] = {}
    for el in doc.element.body.iter(qn("w:commentRangeStart"), qn("w:commentRangeEnd"), qn("w:t"), qn("w:p")):
        if el.tag == qn("w:commentRangeStart"):
            open_[el.get(qn("w:id"))] = []
        elif el.tag == qn("w:commentRangeEnd"):
            out[el.get(qn("w:id"))] = "".join(open_.pop(el.get(qn("w:id"))))
        elif el.tag == qn("w:p"):
            for parts in open_.values():
                if parts:
                    parts.append("\n")
        else:
            for parts in open_.values():
                parts.append(el.text or "")
    return out


def machine_passages(draft: Draft) -> list[tuple[str, SpanOrigin]]:
    """(text, origin) of each machine-written passage, from the spans (adjacent same-origin spans merged)."""
    out: list[tuple[str, SpanOrigin]] = []
    for s in draft.sections:
        prev = None
        last_end = 0
        for sp in sorted(s.spans, key=lambda x: x.start):
            if sp.origin in (SpanOrigin.model, SpanOrigin.assembled) and prev == sp.origin:
                out[-1] = (out[-1][0] + s.text[last_end:sp.end], sp.origin)
            elif sp.origin in (SpanOrigin.model, SpanOrigin.assembled, SpanOrigin.quote):
                out.append((s.text[sp.start:sp.end], sp.origin))
            prev, last_end = sp.origin, sp.end
    return out


def words(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def test_each_machine_passage_has_its_own_comment_on_exactly_its_text(
        exported: tuple[DrafterService, Draft, Path]) -> None:
    _svc, draft, out = exported
    doc = Document(str(out))
    anchors = anchored(doc)
    comments = {str(c.comment_id): c for c in doc.comments}
    expected = machine_passages(draft)
    assert expected, "the offline briefing has machine-written passages"
    assert any(o == SpanOrigin.quote for _, o in expected) and any(o == SpanOrigin.assembled for _, o in expected)
    assert len(comments) == len(expected)
    got = sorted((words(anchors[cid]), c.text.split(":")[0]) for cid, c in comments.items())
    for text, origin in expected:
        match = [g for g in got if g[0] == words(text)]
        assert match, (text, got)
        if origin == SpanOrigin.quote:
            assert match[0][1].startswith("Quoted from ")
        else:
            assert match[0][1] == "Assembled by a rule"
    for c in comments.values():
        assert "offline / " in c.text and c.author == "Drafter"


def test_a_persons_text_carries_no_machine_comment(exported: tuple[DrafterService, Draft, Path]) -> None:
    _svc, draft, out = exported
    doc = Document(str(out))
    anchors = [words(t) for t in anchored(doc).values()]
    inputs = [s.text[sp.start:sp.end] for s in draft.sections for sp in s.spans if sp.origin == SpanOrigin.input]
    assert inputs
    for text in inputs:
        assert not any(words(text) in a for a in anchors if len(words(text)) > 3), text
    # the sections made only of the author's words have no comment at all
    human = [s for s in draft.sections if s.spans and all(sp.origin == SpanOrigin.input for sp in s.spans)]
    assert human


def test_the_passages_are_recorded_for_verify(exported: tuple[DrafterService, Draft, Path]) -> None:
    svc, draft, out = exported
    prov = json.loads(get_custom_properties(Document(str(out)))[PROVENANCE_PROPERTY])
    recorded = [p for s in prov["sections"] for p in s["passages"]]
    assert len(recorded) == len(machine_passages(draft))
    assert all(p["source"] and p["paragraph"] for p in recorded if p["origin"] == "quote")
    assert svc.verify_file(out).ok


def _attacked(exported: tuple[DrafterService, Draft, Path], tmp_path: Path, attack: Attack) -> list[str]:
    svc, _draft, out = exported
    return attacked((svc, out), tmp_path, attack)


def test_removing_one_passage_comment_is_found(exported: tuple[DrafterService, Draft, Path], tmp_path: Path) -> None:
    def attack(doc: DocumentObject) -> None:
        cid = str(list(doc.comments)[0].comment_id)
        for el in list(doc.element.body.iter(qn("w:commentRangeStart"), qn("w:commentRangeEnd"))):
            if el.get(qn("w:id")) == cid:
                el.getparent().remove(el)
        for ref in list(doc.element.body.iter(qn("w:commentReference"))):
            if ref.get(qn("w:id")) == cid:
                run = ref.getparent()
                run.getparent().remove(run)
        comments = doc.part._comments_part.element
        comments.remove(next(c for c in comments if c.get(qn("w:id")) == cid))

    problems = _attacked(exported, tmp_path, attack)
    assert sum("no longer carries its comment" in p for p in problems) == 1, problems


def test_moving_a_passage_anchor_onto_a_persons_text_is_found(
        exported: tuple[DrafterService, Draft, Path], tmp_path: Path) -> None:
    _svc, draft, _out = exported
    person = next(s.text[sp.start:sp.end] for s in draft.sections for sp in s.spans
                  if sp.origin == SpanOrigin.input and sp.end - sp.start > 10)

    def attack(doc: DocumentObject) -> None:
        cid = str(list(doc.comments)[0].comment_id)
        body = doc.element.body
        start = next(el for el in body.iter(qn("w:commentRangeStart")) if el.get(qn("w:id")) == cid)
        end = next(el for el in body.iter(qn("w:commentRangeEnd")) if el.get(qn("w:id")) == cid)
        target = next(p for p in doc.paragraphs if person in p.text)
        start.getparent().remove(start)
        end.getparent().remove(end)
        runs = target.runs
        runs[0]._r.addprevious(start)
        runs[-1]._r.addnext(end)

    problems = _attacked(exported, tmp_path, attack)
    assert any("no longer carries its comment saying so on that text" in p for p in problems), problems


def test_changing_a_passage_comments_origin_is_found(
        exported: tuple[DrafterService, Draft, Path], tmp_path: Path) -> None:
    def attack(doc: DocumentObject) -> None:
        comment = next(c for c in doc.comments if c.text.startswith("Assembled by a rule"))
        for run in comment.paragraphs[0].runs:
            run.text = run.text.replace("Assembled by a rule", "Written by a person")
        assert comment.text.startswith("Written by a person")

    problems = _attacked(exported, tmp_path, attack)
    assert any("was written by a machine (assembled)" in p for p in problems), problems


def _comment_range(doc: DocumentObject, cid: str) -> tuple[object, object]:
    body = doc.element.body
    start = next(el for el in body.iter(qn("w:commentRangeStart")) if el.get(qn("w:id")) == cid)
    end = next(el for el in body.iter(qn("w:commentRangeEnd")) if el.get(qn("w:id")) == cid)
    return start, end


def test_moving_a_passage_comment_onto_another_passage_is_found(
        exported: tuple[DrafterService, Draft, Path], tmp_path: Path) -> None:
    """A quote's comment moved onto an assembled passage (and that passage's comment removed): the quote has lost
    its comment and the assembled text now carries a comment that is not its own."""
    def attack(doc: DocumentObject) -> None:
        quote = next(c for c in doc.comments if c.text.startswith("Quoted from "))
        assembled = next(c for c in doc.comments if c.text.startswith("Assembled by a rule"))
        q_start, q_end = _comment_range(doc, str(quote.comment_id))
        a_start, a_end = _comment_range(doc, str(assembled.comment_id))
        for el in (q_start, q_end):
            el.getparent().remove(el)  # type: ignore[attr-defined]
        a_start.addprevious(q_start)  # type: ignore[attr-defined]
        a_end.addnext(q_end)  # type: ignore[attr-defined]
        for el in (a_start, a_end):
            el.getparent().remove(el)  # type: ignore[attr-defined]

    problems = _attacked(exported, tmp_path, attack)
    moved = [p for p in problems if "no longer carries its comment saying so on that text" in p]
    assert any("(quote)" in p for p in moved) and any("(assembled)" in p for p in moved), problems


def test_swapping_two_passage_comments_wording_is_found(
        exported: tuple[DrafterService, Draft, Path], tmp_path: Path) -> None:
    """Each comment stays where it was, but a quote's comment now says "assembled" and the other way round."""
    def attack(doc: DocumentObject) -> None:
        quote = next(c for c in doc.comments if c.text.startswith("Quoted from "))
        assembled = next(c for c in doc.comments if c.text.startswith("Assembled by a rule"))
        q_run, a_run = quote.paragraphs[0].runs[-1], assembled.paragraphs[0].runs[-1]
        q_run.text, a_run.text = a_run.text, q_run.text

    problems = _attacked(exported, tmp_path, attack)
    assert any("(quote)" in p for p in problems) and any("(assembled)" in p for p in problems), problems


def test_changing_a_commented_passages_text_is_found(
        exported: tuple[DrafterService, Draft, Path], tmp_path: Path) -> None:
    """A word changed inside a quoted passage, comment left in place: the comment no longer sits on the passage
    the export recorded, and the body no longer matches."""
    def attack(doc: DocumentObject) -> None:
        quote = next(c for c in doc.comments if c.text.startswith("Quoted from "))
        start, end = _comment_range(doc, str(quote.comment_id))
        node = start.getnext()  # type: ignore[attr-defined]
        while node is not end:
            t = node.find(qn("w:t"))
            if t is not None and len((t.text or "").split()) > 2:
                word = t.text.split()[1]
                t.text = t.text.replace(word, "altered", 1)
                return
            node = node.getnext()
        raise AssertionError("the quoted passage has no run of words")

    problems = _attacked(exported, tmp_path, attack)
    assert any("(quote) but no longer carries its comment saying so on that text" in p for p in problems), problems
    assert "The document body was changed after export." in problems


def test_comment_ranges_sit_between_runs_and_never_share_a_footnote_id(
        exported: tuple[DrafterService, Draft, Path]) -> None:
    """Range marks are children of the paragraph (never inside a run), a footnote's reference run is never
    inside a passage's range, and no comment id is a footnote id (LibreOffice shows the wrong footnote then)."""
    _svc, _draft, out = exported
    doc = Document(str(out))
    body = doc.element.body
    marks = list(body.iter(qn("w:commentRangeStart"), qn("w:commentRangeEnd")))
    assert marks and all(m.getparent().tag == qn("w:p") for m in marks)
    note_ids = {r.get(qn("w:id")) for r in body.iter(qn("w:footnoteReference"))}
    comment_ids = {str(c.comment_id) for c in doc.comments}
    assert note_ids and comment_ids and not note_ids & comment_ids
    for p in body.iter(qn("w:p")):
        inside: set[str] = set()
        for el in p:
            if el.tag == qn("w:commentRangeStart"):
                inside.add(el.get(qn("w:id")))
            elif el.tag == qn("w:commentRangeEnd"):
                inside.discard(el.get(qn("w:id")))
            elif el.tag == qn("w:r") and el.find(qn("w:footnoteReference")) is not None:
                assert not inside, "a footnote reference inside a passage comment's range"


@pytest.mark.libreoffice
def test_libreoffice_prints_every_footnote_beside_the_passage_comments(
        exported: tuple[DrafterService, Draft, Path], tmp_path: Path) -> None:
    """Rendered by LibreOffice, every footnote is at the foot of the page with its own text, in order."""
    import shutil
    import subprocess

    from drafter.export.footnotes import footnote_texts

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is required: install libreoffice-writer-nogui")
    _svc, _draft, out = exported
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(out)], check=True, capture_output=True, timeout=180)
    raw = subprocess.run(["pdftotext", str(tmp_path / "briefing.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout
    text = " ".join(raw.split())
    notes = footnote_texts(Document(str(out)))
    assert len(notes) >= 3
    pos = 0
    for _fid, note in sorted(notes.items(), key=lambda kv: int(kv[0])):
        head = " ".join(note.split())[:45]
        found = text.find(head, pos)
        assert found >= 0, (head, text)
        pos = found + 1
