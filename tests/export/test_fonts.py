"""GB fonts at PDF conversion: the installed ones are used as they are, each missing one gets an installed stand-in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drafter.export import libreoffice
from drafter.export.gbt9704 import FONT_BODY, FONT_H1, FONT_H2, FONT_PAGE, FONT_TITLE


def test_every_gb_font_of_the_layout_has_fallbacks() -> None:
    assert {FONT_TITLE, FONT_BODY, FONT_H1, FONT_H2, FONT_PAGE} <= set(libreoffice.GB_FALLBACKS)


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig's tools are not installed")
def test_fontconfig_maps_only_missing_fonts_to_installed_faces(tmp_path: Path) -> None:
    assert not libreoffice.installed_font("No Such Font Drafter")
    choices = {c.gb_font: c for c in libreoffice.font_choices()}
    conf = libreoffice.fontconfig_file(tmp_path).read_text(encoding="utf-8")
    assert "<include" in conf and "/etc/fonts/fonts.conf" in conf
    for gb, choice in choices.items():
        if choice.installed:
            assert f"<string>{gb}</string>" not in conf  # the real font is never replaced
        elif choice.used is not None:
            assert libreoffice.installed_font(choice.used) and choice.used in libreoffice.GB_FALLBACKS[gb]
            assert f"<string>{gb}</string></test>" in conf and f"<string>{choice.used}</string>" in conf
    # CI installs fonts-noto-cjk and the AR PL fonts (.ci/run): every GB font has a stand-in there
    if libreoffice.installed_font("Noto Sans CJK SC") and libreoffice.installed_font("AR PL UKai CN"):
        assert all(c.used for c in choices.values())


def _fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return str(script)


def test_conversion_that_hangs_is_ended_with_one_sentence(tmp_path: Path) -> None:
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"PK")
    with pytest.raises(libreoffice.ConversionError) as caught:
        libreoffice.convert_to_pdf(docx, tmp_path / "out", timeout=1,
                                   soffice=_fake_soffice(tmp_path, "sleep 60 & wait"))
    assert str(caught.value) == "LibreOffice did not finish converting within 1 seconds, so no PDF was made."
    assert caught.value.exit_code == 3


def test_conversion_that_fails_names_the_reason(tmp_path: Path) -> None:
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"PK")
    with pytest.raises(libreoffice.ConversionError, match=r"could not convert the document to PDF \(Error: source file could not be loaded\)"):
        libreoffice.convert_to_pdf(docx, tmp_path / "out",
                                   soffice=_fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2"))
