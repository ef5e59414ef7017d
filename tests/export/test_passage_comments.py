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


def _attacked(exported: tuple[DrafterService, Draft, Path], tmp_path: Path, attack) -> list[str]:  # type: ignore[no-untyped-def]
    svc, _draft, out = exported
    doc = Document(str(out))
    attack(doc)
    target = tmp_path / "attacked.docx"
    doc.save(str(target))
    report = svc.verify_file(target)
    assert not report.ok
    return report.problems


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
