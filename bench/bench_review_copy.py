"""Review in Word on a 50-section document: the review copy and its import, against the plain labelled export.

The document comes from a 50-section template (written to a scratch folder: adding a template needs no code),
drafted offline from the briefing example and the barrier report, so its sections hold assembled text, the
author's inputs and quotations; 10 sections carry a person's edit (tracked changes in the review copy). The
reviewed copy changes one word in the 10 summary sections (outside any quotation) and adds 10 comments, the way Word writes them.
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import yaml
from lxml import etree

from drafter.models import Checklist, DraftRequest
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.sources import read_source

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SECTIONS = 50
EDITED = 10
RUNS = 5
CHECKLIST = Checklist(facts_checked=True, no_sensitive_data=True, label_accurate=True)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _template(folder: Path) -> None:
    briefing = yaml.safe_load((ROOT / "drafter" / "templates" / "en" / "briefing.yaml").read_text())
    kinds = briefing["sections"]
    sections = []
    for i in range(SECTIONS):
        base = dict(kinds[i % len(kinds)])
        base["id"] = f"part_{i + 1:02d}"
        base["heading"] = f"{base['heading']} {i + 1}"
        sections.append(base)
    briefing.update(id="bench-50", title="Fifty-section briefing", sections=sections)
    (folder / "bench-50.yaml").write_text(yaml.safe_dump(briefing, allow_unicode=True, sort_keys=False))


def _request() -> DraftRequest:
    raw = yaml.safe_load((EXAMPLES / "briefing-inputs.yaml").read_text())
    inputs = {k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in raw.items()}
    source = read_source(EXAMPLES / "barrier-report.txt", 5_000_000)
    return DraftRequest(template_id="bench-50", inputs=inputs, sources=[source])


def _draft(svc: DrafterService, approved: bool) -> str:
    draft = svc.create_draft(_request(), "alice")
    for section in draft.sections[:EDITED]:
        svc.edit_section(draft.id, section.id, section.text.replace("The", "This", 1) + " Checked by alice.",
                         "alice")
    svc.submit(draft.id, "alice")
    if approved:
        svc.approve(draft.id, "bob", CHECKLIST)
    return draft.id


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _reviewed(copy: bytes) -> bytes:
    """The copy with one word changed in 10 sections and 10 comments, as Word writes tracked changes."""
    with zipfile.ZipFile(io.BytesIO(copy)) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    doc = etree.fromstring(parts["word/document.xml"])
    comments = etree.fromstring(parts["word/comments.xml"])
    next_id = 9000
    changed = 0
    for t in list(doc.iter(_w("t"))):
        run = t.getparent()
        if changed == EDITED or run.getparent().tag != _w("p") or " the press" not in (t.text or ""):
            continue
        before, after = (t.text or "").split(" the press", 1)
        t.text = before + " "
        t.set(XML_SPACE, "preserve")
        deletion = etree.Element(_w("del"), {_w("id"): str(next_id), _w("author"): "bob"})
        etree.SubElement(etree.SubElement(deletion, _w("r")), _w("delText")).text = "the"
        insertion = etree.Element(_w("ins"), {_w("id"): str(next_id + 1), _w("author"): "bob"})
        etree.SubElement(etree.SubElement(insertion, _w("r")), _w("t")).text = "this"
        tail = etree.Element(_w("r"))
        tail_text = etree.SubElement(tail, _w("t"), {XML_SPACE: "preserve"})
        tail_text.text = " press" + after
        run.addnext(deletion)
        deletion.addnext(insertion)
        insertion.addnext(tail)
        cid = str(next_id + 2)
        comment = etree.SubElement(comments, _w("comment"), {_w("id"): cid, _w("author"): "bob"})
        etree.SubElement(etree.SubElement(etree.SubElement(comment, _w("p")), _w("r")), _w("t")).text = "Check."
        run.addprevious(etree.Element(_w("commentRangeStart"), {_w("id"): cid}))
        run.addnext(etree.Element(_w("commentRangeEnd"), {_w("id"): cid}))
        next_id += 3
        changed += 1
    parts["word/document.xml"] = etree.tostring(doc, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts["word/comments.xml"] = etree.tostring(comments, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
    return out.getvalue()


def _median_ms(action: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        action()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "templates").mkdir()
        _template(folder / "templates")
        svc = DrafterService.from_settings(Settings(data_dir=folder / "data", backend="offline",
                                                    templates_dir=folder / "templates"))
        draft_id = _draft(svc, approved=True)
        draft = svc.get_draft(draft_id)
        words = sum(len(s.text.split()) for s in draft.sections)
        print(f"document: {len(draft.sections)} sections, {words} words, {EDITED} with a person's edit; "
              f"median of {RUNS} runs")
        plain = folder / "plain.docx"
        copy = folder / "copy.docx"
        svc.export(draft_id, plain, "alice")  # warm-up: imports, house style, keys
        svc.review_copy(draft_id, copy, "bob")
        t_plain = _median_ms(lambda: svc.export(draft_id, plain, "alice"))
        t_copy = _median_ms(lambda: svc.review_copy(draft_id, copy, "bob"))
        reviewed = _reviewed(copy.read_bytes())
        summary = svc.import_review(draft_id, reviewed, "bob", apply=False)
        assert len(summary.changed_sections) == EDITED and len(summary.comments) == EDITED, summary.as_dict()
        t_unchanged = _median_ms(lambda: svc.import_review(draft_id, copy, "bob", apply=False))
        t_summary = _median_ms(lambda: svc.import_review(draft_id, reviewed, "bob", apply=False))
        applies = []
        for _ in range(3):  # applying changes the draft: a fresh one each time, its setup untimed
            fresh = _draft(svc, approved=False)
            data = _reviewed(svc.review_copy_bytes(fresh, "bob"))
            applies.append(_median_ms(lambda f=fresh, d=data: svc.import_review(f, d, "carol", apply=True), 1))
        t_apply = statistics.median(applies)
        print(f"{'action':<46}{'ms':>9}{'× plain export':>16}")
        rows = [
            ("plain labelled export (.docx, signed)", t_plain),
            ("review copy export", t_copy),
            ("import, unchanged copy (summary)", t_unchanged),
            (f"import, {EDITED} changes + {EDITED} comments (summary)", t_summary),
            (f"import, {EDITED} changes + {EDITED} comments (--apply)", t_apply),
        ]
        for name, ms in rows:
            print(f"{name:<46}{ms:>9.1f}{ms / t_plain:>16.2f}")
        print(f"file size: plain export {plain.stat().st_size / 1024:.1f} KB, review copy "
              f"{copy.stat().st_size / 1024:.1f} KB")
        svc.store.engine.dispose()


if __name__ == "__main__":
    main()
