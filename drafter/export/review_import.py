"""Reading a reviewer's marked-up review copy back: per section, the tracked changes and the comments.

The file is read with zipfile and a hardened lxml parser (no DTDs, no entities, no network, bounded sizes),
not with python-docx, so a hostile file is refused before any XML is expanded. Every refusal is one
`InputError` sentence; nothing here touches the store.
"""

from __future__ import annotations

import io
import json
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from lxml import etree

from drafter.errors import InputError
from drafter.export.review_copy import REVIEW_PROPERTY, comment_key
from drafter.i18n import lazy
from drafter.models import Draft, Section, Span, SpanOrigin

MAX_FILE_BYTES = 20 * 1024 * 1024  # a review copy of a long draft is well under 1 MB
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # compressed to uncompressed; XML compresses well, a zip bomb far better

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CP = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
COMMENTS_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
CUSTOM_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
OFFICE_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass(frozen=True)
class Revision:
    """One tracked change: `ins` or `del`, who made it and when (as written in the file)."""

    kind: str
    author: str
    date: str | None
    text: str


@dataclass(frozen=True)
class ReviewerComment:
    author: str
    date: str | None
    text: str
    anchor: str  # the text the comment is attached to
    section_id: str | None  # None: outside every section (e.g. on a heading)


@dataclass(frozen=True)
class SectionMarkup:
    id: str
    original: str  # with every tracked change rejected
    text: str  # with every tracked change accepted
    revisions: list[Revision] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewFile:
    draft_id: str
    version: int
    content_sha256: str
    sections: dict[str, SectionMarkup]
    comments: list[ReviewerComment]


# --- reading the package safely ----------------------------------------------------------------------------------


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_blank_text=False)


def _xml(blob: bytes, name: str) -> etree._Element:
    try:
        root = etree.fromstring(blob, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError("The file is not a readable Word document: its part {name} is not well-formed XML.",
                         name=name) from exc
    if root.getroottree().docinfo.doctype:
        raise InputError("The file is refused: its part {name} declares a DTD or entities, which Word never writes.",
                         name=name)
    return root


class _Package:
    def __init__(self, data: bytes):
        if len(data) > MAX_FILE_BYTES:
            _too_big(len(data))
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError("The file is not a Word document (.docx): it is not a readable zip package.") from exc
        total = sum(i.file_size for i in infos)
        if total > MAX_UNPACKED_BYTES or any(i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos):
            raise InputError("The file is refused: it unpacks to far more than it holds (a zip bomb).")
        self.names = {i.filename for i in infos}

    def read(self, name: str) -> bytes:
        try:
            return self.zip.read(name)
        except (KeyError, zipfile.BadZipFile, OSError, RuntimeError) as exc:
            raise InputError("The file is not a readable Word document: its part {name} cannot be read.",
                             name=name) from exc

    def targets(self, source: str) -> dict[str, str]:
        """Relationship type -> target part name, for the part `source` ('' for the package)."""
        folder, _, base = source.rpartition("/")
        rels = f"{folder}/_rels/{base}.rels" if source else "_rels/.rels"
        if rels not in self.names:
            return {}
        out: dict[str, str] = {}
        for rel in _xml(self.read(rels), rels).findall(f"{{{REL}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            if target.startswith("/"):
                name = target.lstrip("/")
            else:
                name = f"{folder}/{target}" if folder else target
            out.setdefault(rel.get("Type", ""), name)
        return out


def _custom_properties(pkg: _Package) -> dict[str, str]:
    name = pkg.targets("").get(CUSTOM_RT)
    if not name or name not in pkg.names:
        return {}
    out = {}
    for prop in _xml(pkg.read(name), name).findall(f"{{{CP}}}property"):
        value = prop.find(f"{{{VT}}}lpwstr")
        out[prop.get("name", "")] = (value.text or "") if value is not None else ""
    return out


# --- text with changes accepted or rejected --------------------------------------------------------------------


def _in(el: etree._Element, names: tuple[str, ...], stop: etree._Element) -> bool:
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in names:
            return True
        parent = parent.getparent()
    return False


_INSERTED = (_w("ins"), _w("moveTo"))
_DELETED = (_w("del"), _w("moveFrom"))


def _piece(el: etree._Element) -> str:
    if el.tag in (_w("t"), _w("delText")):
        return el.text or ""
    if el.tag == _w("tab"):
        return "\t"
    if el.tag in (_w("br"), _w("cr")):
        return "\n"
    return ""


_TEXT_TAGS = (_w("t"), _w("delText"), _w("tab"), _w("br"), _w("cr"))


def _mark_change(p: etree._Element) -> str | None:
    """'ins' or 'del' when the paragraph's end (its mark) is a tracked change."""
    rpr = p.find(f"{_w('pPr')}/{_w('rPr')}")
    if rpr is None:
        return None
    if rpr.find(_w("ins")) is not None:
        return "ins"
    if rpr.find(_w("del")) is not None:
        return "del"
    return None


def _paragraph_texts(p: etree._Element) -> tuple[str, str]:
    """(accepted, rejected) text of one paragraph."""
    accepted, rejected = [], []
    for el in p.iter(*_TEXT_TAGS):
        text = _piece(el)
        if el.tag == _w("delText") or _in(el, _DELETED, p):
            rejected.append(text)
        elif _in(el, _INSERTED, p):
            accepted.append(text)
        else:
            accepted.append(text)
            rejected.append(text)
    return "".join(accepted), "".join(rejected)


def _join(paragraphs: list[etree._Element]) -> tuple[str, str]:
    """Accepted and rejected text of consecutive paragraphs; a tracked paragraph mark joins or splits them."""
    accepted, rejected = "", ""
    for i, p in enumerate(paragraphs):
        a, r = _paragraph_texts(p)
        accepted += a
        rejected += r
        if i < len(paragraphs) - 1:
            mark = _mark_change(p)
            accepted += "" if mark == "del" else "\n"
            rejected += "" if mark == "ins" else "\n"
    return accepted.strip(), rejected.strip()


def _revisions(paragraphs: list[etree._Element]) -> list[Revision]:
    out = []
    for p in paragraphs:
        for el in p.iter(*_INSERTED, *_DELETED):
            if el.getparent() is not None and el.getparent().tag == _w("rPr"):
                continue  # a paragraph mark: its text is a line break, shown by the texts
            kind = "ins" if el.tag in _INSERTED else "del"
            text = "".join(_piece(t) for t in el.iter(*_TEXT_TAGS))
            if text:
                out.append(Revision(kind, el.get(_w("author"), ""), el.get(_w("date")), text))
    return out


# --- sections and comments -------------------------------------------------------------------------------------


def _section_paragraphs(body: etree._Element, bookmarks: dict[str, str]) -> dict[str, list[etree._Element]]:
    """Section id -> its body paragraphs, found by the bookmarks; refuses a missing or duplicated marker."""
    paragraphs = list(body.iter(_w("p")))
    index = {id(p): i for i, p in enumerate(paragraphs)}

    def paragraph_of(el: etree._Element, forward: bool) -> int:
        parent = el
        while parent is not None and parent.tag != _w("p"):
            parent = parent.getparent()
        if parent is not None:
            return index[id(parent)]
        # a marker between paragraphs: the next one (start) or the previous one (end)
        sibling = el.getnext() if forward else el.getprevious()
        while sibling is not None and sibling.tag != _w("p"):
            sibling = sibling.getnext() if forward else sibling.getprevious()
        if sibling is None:
            return len(paragraphs) - 1 if not forward else len(paragraphs)
        return index[id(sibling)]

    by_name: dict[str, list[etree._Element]] = {}
    for start in body.iter(_w("bookmarkStart")):
        by_name.setdefault(start.get(_w("name"), ""), []).append(start)
    ends: dict[str | None, list[etree._Element]] = {}
    for end in body.iter(_w("bookmarkEnd")):
        ends.setdefault(end.get(_w("id")), []).append(end)
    spans: dict[str, tuple[int, int]] = {}
    for section_id, name in bookmarks.items():
        found = by_name.get(name, [])
        closing = [e for s in found for e in ends.get(s.get(_w("id")), [])]
        if not found or not closing:
            raise InputError("The marker of section '{section}' (bookmark {name}) is missing from the file; "
                             "nothing was imported: keep each section's bookmark, or make a new review copy.",
                             section=section_id, name=name)
        # LibreOffice splits a bookmark where a tracked change begins: one section may have several starts
        spans[section_id] = (min(paragraph_of(s, True) for s in found), max(paragraph_of(e, False) for e in closing))
    ordered = sorted(spans.items(), key=lambda item: item[1])
    for (one, (_, last)), (other, (first, _)) in zip(ordered, ordered[1:], strict=False):
        if first <= last:
            raise InputError("The markers of sections '{one}' and '{other}' overlap, so a marker is duplicated in "
                             "the file; nothing was imported: make a new review copy.", one=one, other=other)
    return {sid: paragraphs[first : last + 1] for sid, (first, last) in spans.items()}


def _date(value: str | None) -> str | None:
    """A comment's date as written, or None when it is not one (LibreOffice writes 0-00-00 for "no date")."""
    if not value:
        return None
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value


def _comments(pkg: _Package, document: str, body: etree._Element, sections: dict[str, list[etree._Element]],
              machine: set[str]) -> list[ReviewerComment]:
    name = pkg.targets(document).get(COMMENTS_RT)
    if not name or name not in pkg.names:
        return []
    texts: dict[str, tuple[str, str | None, str]] = {}
    for c in _xml(pkg.read(name), name).findall(_w("comment")):
        paragraphs = ["".join(_piece(t) for t in p.iter(*_TEXT_TAGS)) for p in c.iter(_w("p"))]
        texts[c.get(_w("id"), "")] = (c.get(_w("author"), ""), _date(c.get(_w("date"))), "\n".join(paragraphs).strip())
    owner = {id(p): sid for sid, ps in sections.items() for p in ps}
    # walk the body in order, collecting the accepted text between each comment's range start and end
    open_ranges: dict[str, list[str]] = {}
    anchors: dict[str, str] = {}
    where: dict[str, str | None] = {}
    referenced: set[str] = set()

    def section_of(el: etree._Element) -> str | None:
        p = el.getparent()
        while p is not None and p.tag != _w("p"):
            p = p.getparent()
        return owner.get(id(p)) if p is not None else None

    for el in body.iter():
        if el.tag == _w("commentRangeStart"):
            cid = el.get(_w("id"), "")
            open_ranges[cid] = []
            where[cid] = section_of(el)
        elif el.tag == _w("commentRangeEnd"):
            cid = el.get(_w("id"), "")
            anchors[cid] = "".join(open_ranges.pop(cid, [])).strip()
        elif el.tag == _w("commentReference"):
            cid = el.get(_w("id"), "")
            referenced.add(cid)
            where.setdefault(cid, section_of(el))  # a comment at a point, with no range
        elif el.tag in _TEXT_TAGS and el.tag != _w("delText") and not _in(el, _DELETED, body):
            for parts in open_ranges.values():
                parts.append(_piece(el))
        elif el.tag == _w("p") and open_ranges:
            for parts in open_ranges.values():
                if parts:
                    parts.append("\n")
    out = []
    for cid, (author, date, text) in texts.items():
        if comment_key(author, text) in machine:
            continue
        anchor = anchors.get(cid, "")
        # anchored: to text, or at least to a point inside a section (LibreOffice's comment without a selection)
        if (cid not in anchors and cid not in referenced) or (not anchor and where.get(cid) is None):
            raise InputError("The comment by {author} (“{text}”) is not attached to any text of a section; nothing "
                             "was imported: attach it to the passage it is about.",
                             author=author or lazy("an unnamed reviewer"), text=text[:60])
        out.append(ReviewerComment(author, date, text, anchor, where.get(cid)))
    return out


def read_review_file(source: Path | bytes) -> ReviewFile:
    """The tracked changes and comments of a review copy, per section; an InputError for anything else."""
    if isinstance(source, Path):
        try:
            info = source.stat()
            if not stat.S_ISREG(info.st_mode):
                raise InputError("{path} is not a file; give the review copy's .docx file.", path=str(source))
            size = info.st_size
            if size > MAX_FILE_BYTES:
                _too_big(size)
            with source.open("rb") as f:  # bounded: a file that grows, or /dev/zero, is never read whole
                data = f.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise InputError("Cannot read {path}: {reason}.", path=str(source), reason=exc.strerror or exc) from exc
    else:
        data = source
    pkg = _Package(data)
    record = _review_record(_custom_properties(pkg))
    document = pkg.targets("").get(OFFICE_RT, "word/document.xml")
    root = _xml(pkg.read(document), document)
    body = root.find(_w("body"))
    if body is None:
        raise InputError("The file is not a readable Word document: it has no body.")
    bookmarks = {str(s["id"]): str(s["bookmark"]) for s in record["sections"]}
    paragraphs = _section_paragraphs(body, bookmarks)
    sections = {}
    for sid, ps in paragraphs.items():
        accepted, rejected = _join(ps)
        sections[sid] = SectionMarkup(sid, rejected, accepted, _revisions(ps))
    comments = _comments(pkg, document, body, paragraphs, set(record.get("machine_comments", [])))
    return ReviewFile(str(record["draft_id"]), int(record["version"]), str(record["content_sha256"]), sections,
                      comments)


def _not_ours() -> InputError:
    return InputError("The file is not a Drafter review copy (it records no draft); make one with "
                      "drafter export DRAFT_ID --review-copy and review that.")


def _too_big(size: int) -> NoReturn:
    """Refused from the file's size alone (a file's size is known before a byte of it is read)."""
    if size == MAX_FILE_BYTES + 1:  # a stream cut off at the limit (a file still growing, a device)
        raise InputError("The file is larger than {limit} MB; a review copy is refused above that size.",
                         limit=MAX_FILE_BYTES // (1024 * 1024))
    raise InputError("The file is {size} MB; a review copy is refused above {limit} MB.",
                     size=size // (1024 * 1024), limit=MAX_FILE_BYTES // (1024 * 1024))


def _review_record(props: dict[str, str]) -> dict[str, Any]:
    raw = props.get(REVIEW_PROPERTY)
    if not raw:
        raise _not_ours()
    try:
        record = json.loads(raw)
        if not isinstance(record, dict) or not isinstance(record.get("sections"), list):
            raise ValueError
        int(record["version"])
        str(record["draft_id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise _not_ours() from exc
    return record


def check_review_file(review: ReviewFile, draft: Draft) -> None:
    """Refuse, in one sentence, a file made from another draft or another version of this one."""
    if review.draft_id != draft.id:
        raise InputError("This review copy was made from draft {other}, not draft {draft_id}; nothing was imported.",
                         other=review.draft_id, draft_id=draft.id)
    if review.version != draft.version or review.content_sha256 != draft.content_sha256:
        raise InputError("This review copy was made from version {old} of draft {draft_id}, which is now at version "
                         "{version}; nothing was imported: make a new review copy.",
                         old=review.version, draft_id=draft.id, version=draft.version)
    if set(review.sections) != {s.id for s in draft.sections}:
        raise InputError("This review copy's sections do not match draft {draft_id}'s; nothing was imported.",
                         draft_id=draft.id)


# --- protected quotations --------------------------------------------------------------------------------------


def changed_quote(old: str, spans: list[Span], new: str) -> Span | None:
    """The first quote span of `old` that is no longer in `new` word for word, if any.

    A quotation survives when its exact text is still there (as often as before): text added just before or
    after it is fine, while a change, an insertion or a deletion inside it, or its removal, is not. Comparing
    the passage itself rather than diff positions keeps this exact where a word diff could place an insertion
    on either side of a full stop.
    """
    for q in spans:
        if q.origin != SpanOrigin.quote:
            continue
        passage = old[q.start:q.end]
        if passage and new.count(passage) < old.count(passage):
            return q
    return None


def check_quotes(sections: list[Section], accepted: dict[str, str]) -> None:
    """Refuse the whole import, in one sentence, when a reviewer's change alters or removes a quotation.

    Quotes are copied verbatim from a source and cited to it; an import never rewrites one. The reviewer
    rejects that change in Word, or the author changes the quotation in Drafter, where it becomes their edit.
    """
    for section in sections:
        new = accepted.get(section.id)
        if new is None:
            continue
        quote = changed_quote(section.text, section.spans, new)
        if quote is None:
            continue
        passage = section.text[quote.start:quote.end]
        if len(passage) > 60:
            passage = passage[:57] + "…"
        raise InputError(
            "The reviewed copy changes or removes a passage of section “{section}” quoted verbatim from {source} "
            "(paragraph {paragraph}), “{passage}”; nothing was imported: reject that change in Word, or change "
            "the quotation in Drafter itself.",
            section=section.heading, source=quote.source or "a source", paragraph=quote.paragraph or "?",
            passage=passage,
        )
