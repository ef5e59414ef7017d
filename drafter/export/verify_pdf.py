"""`drafter verify FILE.pdf`: the label, provenance and signature of a PDF export, and its text.

See drafter.export.pdf for what a PDF check can and cannot prove. The service adds the comparison with the
approved version when the database is reachable (`approved_text_problems`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from drafter.export import actions, integrity, pdf
from drafter.export.verify import VerifyReport

ALLOWED_ANNOTATIONS = {"/Link"}  # LibreOffice writes links (footnote marks, URLs); nothing else


def is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(1024).lstrip().startswith(b"%PDF-")
    except OSError:
        return False


def _json(raw: str | None, name: str, report: VerifyReport) -> Any:
    if raw is None:
        report.problems.append(f"The PDF has no {name} metadata.")
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        report.problems.append(f"The PDF's {name} metadata is not valid JSON.")
        return None


def verify_pdf(path: Path, public_key: Ed25519PublicKey | None = None) -> VerifyReport:
    check = pdf.read_pdf(path)
    report = VerifyReport(path=str(path), kind="pdf")
    info, xmp = check.info, check.xmp
    report.aigc = _json(info.get(pdf.AIGC_KEY), "AIGC", report)
    prov = _json(info.get(pdf.PROVENANCE_KEY), "DrafterProvenance", report)
    if prov is not None and not isinstance(prov, dict):
        report.problems.append("The PDF's DrafterProvenance metadata is not a JSON object.")
        prov = None
    report.provenance = prov
    statement = str(prov.get("statement", "")) if prov else ""
    report.label = statement or info.get("/Subject") or None
    # the visible statement: in the text a reader sees, and the same in the Subject and XMP description
    if not report.label:
        report.problems.append("The PDF has no AI-use statement in its metadata.")
    elif pdf.missing_in_order(check.text, [report.label]) is not None:
        report.problems.append("The visible AI-use statement is not in the PDF's text.")
    if statement and info.get("/Subject") != statement:
        report.problems.append("The PDF's Subject is not the AI-use statement recorded at export.")
    if not xmp:
        report.problems.append("The PDF has no XMP metadata (the AIGC label in XMP is missing).")
    elif "_unreadable" in xmp:
        report.problems.append("The PDF's XMP metadata cannot be read.")
    else:
        for key, info_key, name in (("aigc", pdf.AIGC_KEY, "AIGC"), ("provenance", pdf.PROVENANCE_KEY, "provenance"),
                                    ("description", "/Subject", "statement"), ("title", "/Title", "title"),
                                    ("keywords", "/Keywords", "keywords")):
            if xmp.get(key) != info.get(info_key):
                report.problems.append(f"The XMP {name} differs from the document information's: one was changed.")
    if isinstance(report.aigc, dict) and prov:
        report.problems += integrity.aigc_problems(report.aigc, prov)
    extra = sorted(k for k in check.annotations if k not in ALLOWED_ANNOTATIONS)
    if extra:
        report.problems.append(f"The PDF holds annotations the export did not write: {', '.join(extra)}.")
    signed_text = (check.signature or {}).get("text_sha256")
    report.body_unchanged = signed_text == check.text_hash
    if signed_text is not None and not report.body_unchanged:
        report.problems.append("The PDF's text was changed after export (it no longer matches the text "
                               "fingerprint recorded at export).")
    elif (check.signature or {}).get("drawing_sha256") not in (None, check.drawing_hash):
        report.problems.append("The PDF's pages were redrawn after export (the drawing fingerprint differs).")
    report.text_sha256 = check.text_hash
    report.signature_valid, report.signing_key_id, problem = pdf.check_signature(check, public_key)
    if problem:
        report.problems.append(problem)
    # without the database the approved content is proven only through the signature: the signer's record of
    # text whose provenance names the approved content hash
    report.content_matches = report.signature_valid and report.body_unchanged
    report.reading_text = check.text
    report.notes.append(
        "A PDF's text cannot be hashed back into the approved content (layout adds line breaks, page numbers and "
        "headers): the signature vouches for the text as exported, and with the database the approved version's "
        "text is looked for in it."
    )
    return report


def approved_text_problems(report: VerifyReport, title: str, sections: list[tuple[str, str]]) -> list[str]:
    """Whether the approved version's title, headings and paragraphs are all in the PDF's text, in order."""
    fragments = [title.replace("\n", "")]
    for heading, text in sections:
        fragments.append(heading)
        for line in (ln for ln in text.split("\n") if ln.strip()):
            row = actions.split(line)
            # an action row is a table row in the PDF: its cells are read one after another, without separators
            fragments += list(row[1]) if row is not None else [line]
    missing = pdf.missing_in_order(report.reading_text or [], fragments)
    if missing is None:
        return []
    shown = missing if len(missing) <= 60 else missing[:60] + "…"
    return [f"The PDF's text does not hold the approved content: «{shown}» is missing or out of order."]
