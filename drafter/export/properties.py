"""Custom document properties (docProps/custom.xml), which python-docx does not model itself."""

from __future__ import annotations

from xml.sax.saxutils import escape

from docx.document import Document
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree

CUSTOM_PARTNAME = "/docProps/custom.xml"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def set_custom_properties(doc: Document, props: dict[str, str]) -> None:
    """Write `props` as text custom properties, replacing any custom properties part."""
    items = "".join(
        f'<property fmtid="{FMTID}" pid="{pid}" name="{escape(name, {chr(34): "&quot;"})}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(props.items(), start=2)
    )
    blob = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{NS}" xmlns:vt="{VT}">{items}</Properties>'
    ).encode()
    package = doc.part.package
    for rel in list(package.rels.values()):
        if rel.reltype == CUSTOM_RT:
            rel.target_part._blob = blob
            return
    part = Part(PackURI(CUSTOM_PARTNAME), CUSTOM_CT, blob, package)
    package.relate_to(part, CUSTOM_RT)


def get_custom_properties(doc: Document) -> dict[str, str]:
    package = doc.part.package
    for rel in package.rels.values():
        if rel.reltype == CUSTOM_RT:
            parser = etree.XMLParser(resolve_entities=False, no_network=True)
            root = etree.fromstring(rel.target_part.blob, parser)
            out = {}
            for prop in root.findall(f"{{{NS}}}property"):
                value = prop.find(f"{{{VT}}}lpwstr")
                out[prop.get("name", "")] = value.text or "" if value is not None else ""
            return out
    return {}
