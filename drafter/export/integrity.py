"""Checks of an exported file that name what was done to it: a hidden label, a removed comment, AIGC fields
that disagree with the provenance, content or metadata that the export did not write.

The signature already fails for each of these; these checks say why, and hold for files checked without a key.
"""

from __future__ import annotations

from typing import Any

from docx.document import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml.etree import _Element

from drafter.export.common import AIGC_PROPERTY, PROVENANCE_PROPERTY, comment_text, paragraph_text
from drafter.export.passages import Passage, passage_comment
from drafter.export.signature import SIGNATURE_PROPERTY, comment_anchors
from drafter.i18n import N_, lazy
from drafter.labeling import expected_aigc
from drafter.models import Origin, Provenance

EXPORTED_PROPERTIES = {AIGC_PROPERTY, PROVENANCE_PROPERTY, SIGNATURE_PROPERTY}
# body elements an export never writes: each one found is content added afterwards
FOREIGN = {
    "w:tbl": N_("a table"), "w:sdt": N_("a content control"), "w:ins": N_("a tracked insertion"),
    "w:del": N_("a tracked deletion"), "w:moveTo": N_("moved text"), "w:moveFrom": N_("moved text"),
    "w:txbxContent": N_("a text box"), "w:altChunk": N_("an embedded document"), "w:object": N_("an embedded object"),
    "w:drawing": N_("a drawing"), "w:pict": N_("a drawing"), "w:subDoc": N_("a subdocument"),
}
MIN_LABEL_HALF_POINTS = 12  # 6 pt: below this the statement cannot be read
OFF = {"0", "false", "off"}


# --- the visible label ------------------------------------------------------------------------------

def _styles(doc: Document) -> dict[str, _Element]:
    return {s.get(qn("w:styleId"), ""): s for s in doc.styles.element.findall(qn("w:style"))}


def _style_chain(styles: dict[str, _Element], style_id: str | None) -> list[_Element]:
    chain: list[_Element] = []
    while style_id and style_id in styles and len(chain) < 20:
        style = styles[style_id]
        chain.append(style)
        based = style.find(qn("w:basedOn"))
        style_id = based.get(qn("w:val")) if based is not None else None
    return chain


def _effective(run: _Element, para_chain: list[_Element], styles: dict[str, _Element],
               defaults: _Element | None, tag: str) -> _Element | None:
    """The run property `tag` as Word resolves it: run, character style, paragraph style, document defaults."""
    rpr = run.find(qn("w:rPr"))
    holders = [rpr] if rpr is not None else []
    rstyle = rpr.find(qn("w:rStyle")) if rpr is not None else None
    chains = _style_chain(styles, rstyle.get(qn("w:val")) if rstyle is not None else None) + para_chain
    holders += [s.find(qn("w:rPr")) for s in chains]
    holders.append(defaults)
    for holder in holders:
        if holder is not None and (found := holder.find(qn(tag))) is not None:
            return found
    return None


def _near_white(value: str | None) -> bool:
    if not value or len(value) != 6:
        return False
    try:
        r, g, b = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return False
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 230


def hidden_label_problems(doc: Document, label: Paragraph) -> list[str]:
    """Why the visible statement would not be seen: hidden, white, or too small to read."""
    styles = _styles(doc)
    pstyle = label._p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    para_chain = _style_chain(styles, pstyle.get(qn("w:val")) if pstyle is not None else None)
    para_chain += _style_chain(styles, next((k for k, s in styles.items() if s.get(qn("w:default")) == "1"
                                             and s.get(qn("w:type")) == "paragraph"), None))
    defaults = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    found: set[str] = set()
    for run in label._p.iter(qn("w:r")):
        if not "".join(t.text or "" for t in run.iter(qn("w:t"))).strip():
            continue
        for tag in ("w:vanish", "w:webHidden", "w:specVanish"):
            el = _effective(run, para_chain, styles, defaults, tag)
            if el is not None and el.get(qn("w:val"), "true").lower() not in OFF:
                found.add(N_("hidden (w:vanish)"))
        color = _effective(run, para_chain, styles, defaults, "w:color")
        if color is not None and (_near_white(color.get(qn("w:val")))
                                  or color.get(qn("w:themeColor"), "") in {"background1", "light1"}):
            found.add(N_("in white or nearly white text"))
        size = _effective(run, para_chain, styles, defaults, "w:sz")
        try:
            if size is not None and int(size.get(qn("w:val"), "24")) < MIN_LABEL_HALF_POINTS:
                found.add(N_("too small to read"))
        except ValueError:
            pass
    return [lazy("The visible AI-use statement is {how}.", how=lazy(how)) for how in sorted(found)]


# --- comments on machine-written passages -------------------------------------------------------

def _anchored_texts(doc: Document, blocks: list[list[_Element]]) -> dict[str, tuple[int, str]]:
    """Comment id → (section index, the text between its range start and end), read from each section's
    paragraphs in order (a range reaching outside its section's paragraphs is cut there)."""
    out: dict[str, tuple[int, str]] = {}
    for i, block in enumerate(blocks):
        open_: dict[str, list[str]] = {}
        for p in block:
            for el in p.iter(qn("w:commentRangeStart"), qn("w:commentRangeEnd"), qn("w:t")):
                if el.tag == qn("w:commentRangeStart"):
                    open_[el.get(qn("w:id"), "")] = []
                elif el.tag == qn("w:commentRangeEnd"):
                    cid = el.get(qn("w:id"), "")
                    if cid in open_:
                        out[cid] = (i, "".join(open_.pop(cid)))
                else:
                    for parts in open_.values():
                        parts.append(el.text or "")
    return out


def _words(text: str) -> str:
    """Letters and digits only: a comment's anchor is compared without white space, punctuation and the table
    layout of a minutes' action rows."""
    return "".join(ch for ch in text if ch.isalnum())


def _passage_problems(heading: Any, recorded: list[Any], text: str, prov_section: Provenance, language: str,
                      system: str, anchored: list[tuple[str, str, str]]) -> list[str]:
    problems: list[str] = []
    for data in recorded:
        passage = Passage.from_dict(data)
        if passage is None or not 0 <= passage.start < passage.end <= len(text):
            problems.append(lazy("Section {heading!r} records a machine-written passage that is not in its text.",
                                 heading=heading))
            continue
        wanted = (system, passage_comment(passage, prov_section, language), _words(text[passage.start:passage.end]))
        if wanted not in anchored:
            problems.append(lazy(
                "Section {heading!r}: the passage «{passage}» was written by a machine ({origin_kind}) but no "
                "longer carries its comment saying so on that text.",
                heading=heading, passage=_short(text[passage.start:passage.end]), origin_kind=passage.origin.value))
    return problems


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "…"


def comment_problems(doc: Document, prov: dict[str, Any], blocks: list[list[_Element]],
                     texts: list[str] | None = None) -> list[str]:
    """Every machine-written passage (or, for sections saved before spans existed, every machine-written section)
    still carries its comment, on the same text, with the wording and author of the export.

    `texts`: each section's text as read back from the body (offsets of the recorded passages point into it).
    """
    body = doc.element.body
    block_of = {id(p): i for i, block in enumerate(blocks) for p in block}
    starts = {}
    for cid, (start, _end) in comment_anchors(doc).items():
        starts[cid] = start
    paragraphs = list(body.iter(qn("w:p")))
    anchors = _anchored_texts(doc, blocks)
    comments: dict[int, list[tuple[str, str]]] = {}
    anchored: dict[int, list[tuple[str, str, str]]] = {}
    for c in doc.comments:
        cid = str(c.comment_id)
        index = starts.get(cid)
        if index is None:
            continue
        block = block_of.get(id(paragraphs[index]))
        if block is not None:
            comments.setdefault(block, []).append((c.author, c.text))
        if cid in anchors:
            i, anchor_text = anchors[cid]
            anchored.setdefault(i, []).append((c.author, c.text, _words(anchor_text)))
    language = str(prov.get("language", "en"))
    system = str(prov.get("system", ""))
    sections = [s for s in prov.get("sections", []) if isinstance(s, dict)]
    missing: list[str] = []
    expected = 0
    for i, s in enumerate(sections):
        try:
            origin = Origin(str(s.get("origin")))
        except ValueError:
            missing.append(lazy("Section {heading!r} has an unknown origin {origin!r}.", heading=s.get('heading'), origin=s.get('origin')))
            continue
        p = Provenance(origin=origin, backend=s.get("backend"), model=s.get("model"), author="-",
                       edited_by=s.get("edited_by"))
        recorded = s.get("passages")
        if isinstance(recorded, list):
            expected += len(recorded)
            text = texts[i] if texts is not None and i < len(texts) else ""
            missing += _passage_problems(s.get("heading"), recorded, text, p, language, system, anchored.get(i, []))
            continue
        if origin == Origin.human:
            continue
        expected += 1
        if (system, comment_text(p, language)) not in comments.get(i, []):
            missing.append(lazy("Section {heading!r} was written by a machine ({origin_kind}) but no longer carries its comment saying so.", heading=s.get('heading'), origin_kind=origin.value))
    if expected and len(missing) == expected and not len(doc.comments):
        return [lazy("All Word comments were removed: {machine} machine-written passage(s) are no longer marked.", machine=expected)]
    return missing


# --- AIGC metadata ------------------------------------------------------------------------------

def aigc_problems(aigc: dict[str, Any], prov: dict[str, Any]) -> list[str]:
    fields = aigc.get("AIGC")
    if not isinstance(fields, dict):
        return [lazy("The AIGC metadata has no AIGC object.")]
    problems: list[str] = []
    machine = sum(1 for s in prov.get("sections", []) if isinstance(s, dict) and s.get("origin") != "human")
    if fields.get("Label") != "1":
        problems.append(lazy("The AIGC Label is {label!r}, but the export labels every document '1' ({machine} section(s) are machine-written according to the provenance).", label=fields.get('Label'), machine=machine))
    if fields.get("ReservedCode1") != prov.get("content_sha256"):
        problems.append(lazy("The AIGC metadata does not match the provenance content hash."))
    expected = expected_aigc(prov)
    if expected is not None:
        for name, value in expected.items():
            if name not in ("Label", "ReservedCode1") and fields.get(name) != value:
                problems.append(lazy("The AIGC field {name} is {value!r}, not {value2!r} as the provenance records.", name=name, value=fields.get(name), value2=value))
        extra = sorted(set(fields) - set(expected))
        if extra:
            problems.append(lazy("The AIGC metadata has fields the export did not write: {names}.", names=', '.join(extra)))
    return problems


# --- content and metadata added after export ----------------------------------------------------

def added_content_problems(doc: Document, own: list[_Element] | None = None) -> list[str]:
    """Body elements the export never writes. `own`: the action tables verify read back inside a section
    (drafter.export.actions): their text is part of the approved content it checks, so they are not foreign."""
    problems: list[str] = []
    own = own or []
    for tag, what in FOREIGN.items():
        for el in doc.element.body.iter(qn(tag)):
            if any(el is t for t in own):
                continue
            text = " ".join(t for t in (paragraph_text(p) for p in el.iter(qn("w:p"))) if t)
            if not text:
                text = "".join(t.text or "" for t in el.iter(qn("w:t"), qn("w:delText")))
            if text.strip():
                problems.append(lazy("The body holds content the export did not write: {what} («{text}»).",
                                     what=lazy(what), text=text[:60]))
            else:
                problems.append(lazy("The body holds content the export did not write: {what}.", what=lazy(what)))
    return problems


def extra_property_problems(props: dict[str, str]) -> list[str]:
    extra = sorted(set(props) - EXPORTED_PROPERTIES)
    if extra:
        return [lazy("The metadata holds properties the export did not write: {names}.", names=', '.join(extra))]
    return []
