"""Editing a review copy the way Word writes tracked changes and comments, with lxml on the saved package."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
COMMENTS = "word/comments.xml"
DATE = "2026-03-02T10:15:00Z"


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def _el(name: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.Element(w(name), {w(k): v for k, v in attrs.items()})
    if text is not None:
        el.set(XML_SPACE, "preserve")
        el.text = text
    return el


def _run(name: str, text: str) -> etree._Element:
    r = _el("r")
    r.append(_el(name, text))
    return r


class WordEdit:
    """Open a .docx package, change document.xml and comments.xml as Word would, save it under a new name."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as z:
            self.parts = {i.filename: z.read(i.filename) for i in z.infolist()}
        self.doc = etree.fromstring(self.parts["word/document.xml"])
        self.comments = etree.fromstring(self.parts[COMMENTS]) if COMMENTS in self.parts else None
        self.next_id = 9000

    def _id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    def run_with(self, text: str) -> etree._Element:
        for t in self.doc.iter(w("t")):
            r = t.getparent()
            if text in (t.text or "") and r.getparent().tag == w("p"):
                return r
        raise AssertionError(f"no plain run in a paragraph contains {text!r}")

    def replace(self, old: str, new: str, author: str) -> None:
        """Track-change `old` to `new` inside the run holding it: w:del of the old words, w:ins of the new."""
        r = self.run_with(old)
        t = r.find(w("t"))
        before, after = (t.text or "").split(old, 1)
        parent, index = r.getparent(), r.getparent().index(r)
        parent.remove(r)
        pieces: list[etree._Element] = []
        if before:
            pieces.append(_run("t", before))
        deletion = _el("del", id=self._id(), author=author, date=DATE)
        deletion.append(_run("delText", old))
        insertion = _el("ins", id=self._id(), author=author, date=DATE)
        insertion.append(_run("t", new))
        pieces += [deletion, insertion]
        if after:
            pieces.append(_run("t", after))
        for offset, piece in enumerate(pieces):
            parent.insert(index + offset, piece)

    def runs_for(self, text: str) -> list[etree._Element]:
        """Plain runs of one paragraph that hold exactly `text` (runs split where `text` starts and ends)."""
        for p in self.doc.iter(w("p")):
            runs = [r for r in p if r.tag == w("r") and r.find(w("t")) is not None]
            joined, starts = "", []
            for r in runs:
                starts.append(len(joined))
                joined += r.find(w("t")).text or ""
            at = joined.find(text)
            if at == -1 or not text:
                continue
            end = at + len(text)
            chosen = []
            for r, start in zip(runs, starts, strict=True):
                t = r.find(w("t"))
                value = t.text or ""
                stop = start + len(value)
                if stop <= at or start >= end:
                    continue
                lo, hi = max(at, start) - start, min(end, stop) - start
                if lo > 0:
                    r.addprevious(_run("t", value[:lo]))
                if hi < len(value):
                    r.addnext(_run("t", value[hi:]))
                t.text = value[lo:hi]
                chosen.append(r)
            return chosen
        raise AssertionError(f"no paragraph's plain runs hold {text!r}")

    def delete(self, text: str, author: str) -> None:
        """Track-delete `text`, which may run across several runs of one paragraph (e.g. a quote and a marker)."""
        runs = self.runs_for(text)
        deletion = _el("del", id=self._id(), author=author, date=DATE)
        runs[0].addprevious(deletion)
        for r in runs:
            t = r.find(w("t"))
            t.tag = w("delText")
            deletion.append(r)

    def insert_before(self, text: str, new: str, author: str) -> None:
        """Track-insert `new` just before `text`."""
        runs = self.runs_for(text)
        insertion = _el("ins", id=self._id(), author=author, date=DATE)
        insertion.append(_run("t", new))
        runs[0].addprevious(insertion)

    def insert_after(self, text: str, new: str, author: str) -> None:
        """Track-insert `new` just after `text`."""
        runs = self.runs_for(text)
        insertion = _el("ins", id=self._id(), author=author, date=DATE)
        insertion.append(_run("t", new))
        runs[-1].addnext(insertion)

    def comment(self, on: str, text: str, author: str, *, anchored: bool = True, point: bool = False) -> None:
        """A comment on the run holding `on` (range start, range end, reference run), as Word writes it; with
        `point`, an empty range just before that run (a comment made with nothing selected)."""
        assert self.comments is not None, "the review copy has a comments part"
        cid = self._id()
        c = _el("comment", id=cid, author=author, date=DATE, initials=author[:2].upper())
        p = _el("p")
        p.append(_run("t", text))
        c.append(p)
        self.comments.append(c)
        if not anchored:
            return
        r = self.run_with(on)
        r.addprevious(_el("commentRangeStart", id=cid))
        end = _el("commentRangeEnd", id=cid)
        if point:
            r.addprevious(end)
        else:
            r.addnext(end)
        ref = _el("r")
        ref.append(_el("commentReference", id=cid))
        end.addnext(ref)

    def save(self, path: Path) -> Path:
        self.parts["word/document.xml"] = etree.tostring(self.doc, xml_declaration=True, encoding="UTF-8",
                                                         standalone=True)
        if self.comments is not None:
            self.parts[COMMENTS] = etree.tostring(self.comments, xml_declaration=True, encoding="UTF-8",
                                                  standalone=True)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for name, blob in self.parts.items():
                z.writestr(name, blob)
        path.write_bytes(buffer.getvalue())
        return path
