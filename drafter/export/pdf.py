"""The PDF export's label and metadata, and reading a PDF back.

LibreOffice renders the signed .docx (drafter.export.libreoffice); this module then writes, with pypdf, the
document information (Title, Subject = the visible statement, Keywords, `AIGC`, `DrafterProvenance`) and the same
in XMP (dc:title, dc:description, dc:subject, pdf:Keywords, `TC260:AIGC` holding the GB 45438-2025 Annex E JSON,
`drafter:Provenance`), and signs, with the deployment's key, the metadata together with two fingerprints of what
the PDF shows: the SHA-256 of its text (extracted, whitespace removed) and of its page drawing (content streams,
form XObjects and annotations).

What a PDF check can prove: the metadata and the text and drawing are those the export wrote (signature); the
visible statement is in the text; with the database, that every heading and paragraph of the approved version
is in the text, in order. What it cannot: that text is readable (a colour or an overlay drawn in the export
itself), or anything about text a reader would see that pypdf does not extract (text inside images).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from lxml import etree
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, StreamObject

from drafter import signing
from drafter.errors import InputError

AIGC_KEY, PROVENANCE_KEY, SIGNATURE_KEY = "/AIGC", "/DrafterProvenance", "/DrafterSignature"
TC260_NS = "http://www.tc260.org.cn/ns/AIGC/1.0/"  # the XMP namespace used for the Annex E `AIGC` property
DRAFTER_NS = "urn:drafter:ns:1.0:"
NS = {
    "x": "adobe:ns:meta/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/", "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/", "TC260": TC260_NS, "drafter": DRAFTER_NS,
}
_SPACE = re.compile(r"[\s\u00ad\u200b-\u200d\u2060\ufeff]+")
_PAGE_NUMBER = re.compile(r"^(?:[—–\-]*\d{1,4}[—–\-]*|page\d{1,4}(?:of\d{1,4})?|第\d{1,4}页(?:共\d{1,4}页)?)$",
                          re.IGNORECASE)


def normalise(text: str) -> str:
    """Text compared across renderings: NFKC, every space and line break removed (line wraps and the spaces
    pdftotext or pypdf put between CJK characters do not count)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


# --- reading -------------------------------------------------------------------------------------

def open_pdf(path: Path) -> PdfReader:
    if not path.is_file():
        raise InputError("No such file: {path}", path=str(path))
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise InputError("{path} is an encrypted PDF; Drafter's exports are never encrypted.", path=str(path))
        len(reader.pages)
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError("{path} could not be read as a PDF ({reason}).", path=str(path), reason=str(exc)) from exc
    return reader


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def text_sha256(reader: PdfReader) -> str:
    return hashlib.sha256(normalise("".join(page_texts(reader))).encode("utf-8")).hexdigest()


def _stream_bytes(obj: Any) -> bytes:
    obj = obj.get_object()
    return obj.get_data() if isinstance(obj, StreamObject) else b""


def drawing_sha256(reader: PdfReader) -> str:
    """Every page's content stream, its form XObjects and its annotations: any drawing added or changed shows."""
    h = hashlib.sha256()
    for page in reader.pages:
        contents = page.get_contents()
        h.update(b"page\0" + (contents.get_data() if contents is not None else b""))
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if xobjects is not None:
            for name, ref in sorted(xobjects.get_object().items()):
                h.update(name.encode() + b"\0" + _stream_bytes(ref))
        for annot in page.get("/Annots", None) or []:
            a = annot.get_object()
            h.update(f"annot\0{a.get('/Subtype')}\0{a.get('/Rect')}\0{a.get('/Contents')}".encode())
    return h.hexdigest()


def annotation_counts(reader: PdfReader) -> Counter[str]:
    found: Counter[str] = Counter()
    for page in reader.pages:
        for annot in page.get("/Annots", None) or []:
            found[str(annot.get_object().get("/Subtype"))] += 1
    return found


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Header and footer lines: page numbers, and lines (digits ignored) at the top or foot of several pages."""
    edge: Counter[str] = Counter()
    for lines in pages:
        for line in {re.sub(r"\d+", "#", ln) for ln in lines[:2] + lines[-2:]}:
            edge[line] += 1
    # a bare number (a 份号, a telephone number wrapped alone) is not a running line: page numbers are matched
    # by their own pattern
    return {line for line, n in edge.items() if n >= 2 and line != "#"} if len(pages) > 1 else set()


def reading_text(reader: PdfReader) -> list[str]:
    """Each page's text without headers, footers and page numbers, normalised. Only lines at a page's top or
    foot, before or after any body line, are taken for running lines."""
    pages = [[normalise(ln) for ln in text.splitlines() if normalise(ln)] for text in page_texts(reader)]
    running = _running_lines(pages)

    def is_running(line: str) -> bool:
        return bool(_PAGE_NUMBER.match(line)) or re.sub(r"\d+", "#", line) in running

    kept = []
    for lines in pages:
        start, end = 0, len(lines)
        while start < end and start < 3 and is_running(lines[start]):
            start += 1
        while end > start and len(lines) - end < 3 and is_running(lines[end - 1]):
            end -= 1
        kept.append("".join(lines[start:end]))
    return kept


def _find(pages: list[str], wanted: str, page: int, pos: int) -> tuple[int, int] | None:
    """Where `wanted` ends, from (page, pos) on: within one page, or begun on one page and continued at the top of
    the next (footnotes at the foot of a page come between the two parts of a paragraph)."""
    for i in range(page, len(pages)):
        start = pos if i == page else 0
        found = pages[i].find(wanted, start)
        if found >= 0:
            return i, found + len(wanted)
        if i + 1 < len(pages):
            for k in range(len(wanted) - 1, 0, -1):
                if pages[i + 1].startswith(wanted[k:]) and pages[i].find(wanted[:k], start) >= 0:
                    return i + 1, len(wanted) - k
    return None


def missing_in_order(pages: list[str], fragments: list[str]) -> str | None:
    """The first fragment (normalised) not found in the pages after the previous one, or None if all are there.

    A citation marker `[n]` becomes a footnote number in the export, so a fragment matches in the pieces
    between its markers."""
    page, pos = 0, 0
    for fragment in fragments:
        for piece in re.split(r"\[\d+\]", fragment):
            wanted = normalise(piece)
            if not wanted:
                continue
            found = _find(pages, wanted, page, pos)
            if found is None:
                return fragment
            page, pos = found
    return None


# --- metadata ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PdfLabel:
    title: str
    statement: str
    keywords: str
    aigc: str  # the Annex E JSON, printable ASCII
    provenance: str  # the DrafterProvenance JSON of the .docx it was made from
    language: str


def _xmp(label: PdfLabel, signature: str | None) -> bytes:
    x, rdf = NS["x"], NS["rdf"]
    root = etree.Element(f"{{{x}}}xmpmeta", nsmap={"x": x})
    rdf_el = etree.SubElement(root, f"{{{rdf}}}RDF", nsmap={"rdf": rdf})
    desc = etree.SubElement(rdf_el, f"{{{rdf}}}Description", nsmap={k: v for k, v in NS.items() if k not in "x rdf"})
    desc.set(f"{{{rdf}}}about", "")

    def alt(tag: str, value: str) -> None:
        li = etree.SubElement(etree.SubElement(etree.SubElement(desc, tag), f"{{{rdf}}}Alt"), f"{{{rdf}}}li")
        li.set("{http://www.w3.org/XML/1998/namespace}lang", "x-default")
        li.text = value

    alt(f"{{{NS['dc']}}}title", label.title)
    alt(f"{{{NS['dc']}}}description", label.statement)
    bag = etree.SubElement(etree.SubElement(desc, f"{{{NS['dc']}}}subject"), f"{{{rdf}}}Bag")
    for word in (w.strip() for w in label.keywords.split(";")):
        if word:
            etree.SubElement(bag, f"{{{rdf}}}li").text = word
    lang = etree.SubElement(etree.SubElement(desc, f"{{{NS['dc']}}}language"), f"{{{rdf}}}Bag")
    etree.SubElement(lang, f"{{{rdf}}}li").text = label.language
    etree.SubElement(desc, f"{{{NS['pdf']}}}Keywords").text = label.keywords
    etree.SubElement(desc, f"{{{NS['xmp']}}}CreatorTool").text = "Drafter"
    etree.SubElement(desc, f"{{{TC260_NS}}}AIGC").text = label.aigc
    etree.SubElement(desc, f"{{{DRAFTER_NS}}}Provenance").text = label.provenance
    if signature is not None:
        etree.SubElement(desc, f"{{{DRAFTER_NS}}}Signature").text = signature
    body = etree.tostring(root, encoding="utf-8")
    return (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' + body
            + b'\n<?xpacket end="r"?>')


def read_xmp(reader: PdfReader) -> dict[str, str]:
    """The XMP properties Drafter writes, read without resolving entities or reaching the network."""
    root = reader.trailer["/Root"].get_object()
    ref = root.get("/Metadata") if isinstance(root, DictionaryObject) else None
    if ref is None:
        return {}
    try:
        data = _stream_bytes(ref)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        tree = etree.fromstring(data.strip(), parser)
    except (etree.XMLSyntaxError, ValueError, PdfReadError):
        return {"_unreadable": "1"}
    if tree is None:
        return {"_unreadable": "1"}
    out: dict[str, str] = {}
    for key, path in (("title", "dc:title/rdf:Alt/rdf:li"), ("description", "dc:description/rdf:Alt/rdf:li"),
                      ("keywords", "pdf:Keywords"), ("aigc", "TC260:AIGC"), ("provenance", "drafter:Provenance"),
                      ("signature", "drafter:Signature")):
        found = tree.findall(f".//rdf:Description/{path}", NS)
        if found:
            out[key] = found[0].text or ""
    return out


def canonical_payload(label: PdfLabel, text_hash: str, drawing_hash: str) -> bytes:
    payload = {"title": label.title, "statement": label.statement, "keywords": label.keywords, "aigc": label.aigc,
               "provenance": label.provenance, "language": label.language, "text_sha256": text_hash,
               "drawing_sha256": drawing_hash}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def label_pdf(source: Path, target: Path, label: PdfLabel, key: Ed25519PrivateKey) -> str:
    """Write `source` (LibreOffice's PDF) to `target` with the label metadata and signature; returns the text hash."""
    reader = open_pdf(source)
    text_hash, drawing_hash = text_sha256(reader), drawing_sha256(reader)
    signature = json.dumps({"alg": signing.ALGORITHM, "key_id": signing.key_id(key), "text_sha256": text_hash,
                            "drawing_sha256": drawing_hash,
                            "value": signing.sign(key, canonical_payload(label, text_hash, drawing_hash))},
                           separators=(",", ":"))
    writer = PdfWriter(clone_from=reader)
    writer.add_metadata({
        "/Title": label.title, "/Subject": label.statement, "/Keywords": label.keywords, "/Creator": "Drafter",
        AIGC_KEY: label.aigc, PROVENANCE_KEY: label.provenance, SIGNATURE_KEY: signature,
    })
    stream = DecodedStreamObject()
    stream.set_data(_xmp(label, signature))
    stream.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    writer.root_object[NameObject("/Metadata")] = writer._add_object(stream)
    with target.open("wb") as fh:
        writer.write(fh)
    return text_hash


@dataclass
class PdfCheck:
    label: PdfLabel | None
    text_hash: str
    drawing_hash: str
    text: list[str]  # each page's text without running lines, normalised
    signature: dict[str, Any] | None
    xmp: dict[str, str]
    info: dict[str, str]
    annotations: Counter[str]


def read_pdf(path: Path) -> PdfCheck:
    reader = open_pdf(path)
    info = {str(k): str(v) for k, v in (reader.metadata or {}).items()}
    xmp = read_xmp(reader)
    signature: dict[str, Any] | None = None
    raw_sig = info.get(SIGNATURE_KEY)
    if raw_sig is not None:
        try:
            loaded = json.loads(raw_sig)
            signature = loaded if isinstance(loaded, dict) else {}
        except json.JSONDecodeError:
            signature = {}
    label = None
    if AIGC_KEY in info or PROVENANCE_KEY in info:
        provenance = info.get(PROVENANCE_KEY, "")
        language = "en"
        with contextlib.suppress(json.JSONDecodeError, AttributeError):
            language = str(json.loads(provenance).get("language", "en"))
        label = PdfLabel(title=info.get("/Title", ""), statement=info.get("/Subject", ""),
                         keywords=info.get("/Keywords", ""), aigc=info.get(AIGC_KEY, ""), provenance=provenance,
                         language=language)
    return PdfCheck(label, text_sha256(reader), drawing_sha256(reader), reading_text(reader), signature, xmp, info,
                    annotation_counts(reader))


def check_signature(check: PdfCheck, key: Ed25519PublicKey | None) -> tuple[bool, str | None, str | None]:
    """(valid, key id the file names, problem)."""
    sig = check.signature
    if sig is None:
        return False, None, "The PDF carries no signature (DrafterSignature is missing): its label and provenance " \
                            "cannot be trusted."
    try:
        claimed, value = str(sig["key_id"]), str(sig["value"])
        if sig.get("alg") != signing.ALGORITHM:
            raise ValueError(sig.get("alg"))
    except (KeyError, ValueError):
        return False, None, "The PDF's DrafterSignature is malformed."
    if key is None:
        return False, claimed, ("The signature was not checked: no public key was given (pass the deployment's "
                                "public key with --public-key).")
    if claimed != signing.key_id(key):
        return False, claimed, (f"The PDF was signed with another key ({claimed}), not the expected one "
                                f"({signing.key_id(key)}).")
    if check.label is None or not signing.verify(
            key, canonical_payload(check.label, check.text_hash, check.drawing_hash), value):
        return False, claimed, ("The signature does not match: the PDF's text, drawing or metadata were changed "
                                "after export.")
    return True, claimed, None
