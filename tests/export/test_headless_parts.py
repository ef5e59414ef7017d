"""A simplified part with no heading is exported without an empty heading, and verify still finds where it starts.

A screen reader announces every Heading 1, so an empty one is an empty announcement. The part's first paragraph,
body text in a style of its own, marks the start instead; moving or removing that mark is caught by verify.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from drafter.export.common import SECTION_STYLE
from drafter.service import DrafterService
from tests.conftest import FULL_CHECKLIST

# no numbered structure: each paragraph is a part, and none has a heading of its own
TEXT = ("You can get help with your rent if all of these are true:\n\n(a) you are 18 or over;\n\n"
        "(b) you have lived in the borough for 3 years.\n\nYou must send the application prior to 1 May 2026.")
MIXED = "Housing support rules\n\n§ 1 Scope.\nThese rules apply to tenants.\n\n§ 2 Duties.\nYou must register within 30 days."


def _export(service: DrafterService, tmp_path: Path, text: str) -> tuple[Path, list[str]]:
    draft = service.simplify(text, title="Housing support", audience="plain", user="comms")
    service.submit(draft.id, "comms")
    service.approve(draft.id, "reviewer", FULL_CHECKLIST)
    out = tmp_path / "simplified.docx"
    service.export(draft.id, out, "comms")
    return out, [s.heading for s in service.get_draft(draft.id).sections]


def _styles(path: Path) -> list[tuple[str, str]]:
    return [(p.style.name if p.style is not None else "", p.text) for p in Document(str(path)).paragraphs]


def test_no_empty_heading_and_each_headless_part_starts_with_its_mark(service: DrafterService, tmp_path: Path) -> None:
    out, headings = _export(service, tmp_path, TEXT)
    assert headings and all(h == "" for h in headings)
    styles = _styles(out)
    assert not [t for s, t in styles if s.startswith("Heading") and not t.strip()]
    marks = [t for s, t in styles if s == SECTION_STYLE]
    assert len(marks) == len(headings) and all(t.strip() for t in marks)
    assert service.verify_file(out).ok


def test_parts_with_and_without_headings_in_one_document(service: DrafterService, tmp_path: Path) -> None:
    out, headings = _export(service, tmp_path, MIXED)
    assert "" in headings and any(headings), headings
    styles = _styles(out)
    assert [t for s, t in styles if s == "Heading 1"] == [h for h in headings if h]
    assert len([1 for s, _ in styles if s == SECTION_STYLE]) == headings.count("")
    assert not [t for s, t in styles if s.startswith("Heading") and not t.strip()]
    assert service.verify_file(out).ok


@pytest.mark.parametrize("attack", ["unmarked", "marked-later"])
def test_moving_a_part_start_is_caught(service: DrafterService, tmp_path: Path, attack: str) -> None:
    out, _ = _export(service, tmp_path, TEXT)
    doc = Document(str(out))
    body = [p for p in doc.paragraphs if p.style is not None and p.style.name == SECTION_STYLE]
    if attack == "unmarked":  # the second part's start made plain body text: it runs into the first part
        body[1].style = doc.styles["Normal"]
    else:  # the mark moved one paragraph on
        paragraphs = doc.paragraphs
        i = next(n for n, p in enumerate(paragraphs) if p._p is body[1]._p)
        body[1].style = doc.styles["Normal"]
        paragraphs[i - 1].style = doc.styles[SECTION_STYLE]
    doc.save(str(out))
    report = service.verify_file(out)
    assert not report.ok and report.problems


@pytest.mark.libreoffice
def test_libreoffice_prints_every_part_and_no_empty_heading(service: DrafterService, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is required: install libreoffice-writer-nogui")
    out, _ = _export(service, tmp_path, TEXT)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to",
                    "html", "--outdir", str(tmp_path / "html"), str(out)], check=True, capture_output=True, timeout=180)
    html = " ".join((tmp_path / "html" / "simplified.html").read_text(encoding="utf-8", errors="replace").split())
    for part in ("you are 18 or over", "lived in the borough for 3 years", "1 May 2026"):
        assert part in html
    assert not re.search(r"<h[1-6][^>]*>\s*(?:<[^>]+>\s*)*</h[1-6]>", html)
