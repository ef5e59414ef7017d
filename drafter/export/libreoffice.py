"""LibreOffice headless: convert a .docx to PDF in a throwaway profile, with a time limit and font fallbacks.

Each conversion gets its own user profile (`-env:UserInstallation`), so two conversions at once, or a user's open
LibreOffice, never share a lock. The GB/T 9704 fonts (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体) are
named in every 公文; where a machine lacks one, a fontconfig file written for the conversion maps it to the first
installed free face of the same style (`GB_FALLBACKS`), so the PDF keeps the look instead of a random sans-serif.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from drafter.errors import ConversionError

TIMEOUT_SECONDS = 180
# the GB font → free faces of the same style, best first (Debian packages in brackets in README "Fonts")
GB_FALLBACKS: dict[str, tuple[str, ...]] = {
    "方正小标宋简体": ("FZXiaoBiaoSong-B05S", "Source Han Serif SC", "Noto Serif CJK SC", "AR PL UMing CN"),
    "仿宋_GB2312": ("仿宋", "FangSong", "Zhuque Fangsong (technical preview)", "cwTeXFangSong", "AR PL UMing CN",
                   "Noto Serif CJK SC"),
    "仿宋": ("FangSong", "Zhuque Fangsong (technical preview)", "cwTeXFangSong", "AR PL UMing CN", "Noto Serif CJK SC"),
    "楷体_GB2312": ("楷体", "KaiTi", "LXGW WenKai", "AR PL UKai CN", "Noto Serif CJK SC"),
    "黑体": ("SimHei", "Source Han Sans SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei"),
    "宋体": ("SimSun", "Source Han Serif SC", "Noto Serif CJK SC", "AR PL UMing CN"),
}
BOLD_FALLBACK = {"方正小标宋简体"}  # a 小标宋 is heavy: a regular serif stand-in is set bold


def find_soffice() -> str | None:
    """The LibreOffice command on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def installed_font(family: str) -> bool:
    """Whether fontconfig knows `family` (False when fontconfig's tools are missing: then nothing is assumed)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        done = subprocess.run([fc_list, "-q", f"{family}"], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@dataclass(frozen=True)
class FontChoice:
    gb_font: str
    installed: bool
    used: str | None  # the face rendering it: the GB font itself, a fallback, or None (LibreOffice's own default)


def font_choices() -> list[FontChoice]:
    """For each GB font: installed, else the first installed fallback (what a PDF export will show)."""
    choices = []
    for gb, fallbacks in GB_FALLBACKS.items():
        if installed_font(gb):
            choices.append(FontChoice(gb, True, gb))
            continue
        choices.append(FontChoice(gb, False, next((f for f in fallbacks if installed_font(f)), None)))
    return choices


def fontconfig_file(folder: Path) -> Path:
    """A fontconfig file that includes the system's and maps each missing GB font to its installed stand-in."""
    rules = []
    for choice in font_choices():
        if choice.installed or choice.used is None:
            continue
        bold = ('<edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>'
                if choice.gb_font in BOLD_FALLBACK else "")
        rules.append(
            f'<match target="pattern"><test name="family"><string>{escape(choice.gb_font)}</string></test>'
            f'<edit name="family" mode="assign" binding="strong"><string>{escape(choice.used)}</string></edit>'
            f"{bold}</match>"
        )
    path = folder / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n' + "\n".join(rules) + "\n</fontconfig>\n",
        encoding="utf-8",
    )
    return path


def convert_to_pdf(docx: Path, outdir: Path, *, timeout: float = TIMEOUT_SECONDS, soffice: str | None = None) -> Path:
    """Convert `docx` into `outdir`/<stem>.pdf with LibreOffice headless; one sentence on failure."""
    soffice = soffice or find_soffice()
    if soffice is None:
        raise ConversionError("LibreOffice is not installed (no soffice command), so no PDF was made.")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="drafter-lo-") as scratch:
        profile = Path(scratch) / "profile"
        env = {**os.environ, "FONTCONFIG_FILE": str(fontconfig_file(Path(scratch))), "HOME": scratch}
        cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(outdir), str(docx)]
        # a new session: on a timeout the whole process group (soffice's launcher and soffice.bin) is ended
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                    start_new_session=True)
        except OSError as exc:
            raise ConversionError("LibreOffice could not be started ({reason}), so no PDF was made.",
                                  reason=exc.strerror or str(exc)) from exc
        try:
            _out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ConversionError("LibreOffice did not finish converting within {seconds} seconds, so no PDF was "
                                  "made.", seconds=round(timeout)) from exc
    pdf = outdir / f"{docx.stem}.pdf"
    if proc.returncode != 0 or not pdf.is_file():
        reason = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        raise ConversionError("LibreOffice could not convert the document to PDF ({reason}).", reason=reason[0])
    return pdf


def render_pages(pdf: Path, outdir: Path, stem: str, *, dpi: int = 60, timeout: float = 120) -> list[Path]:
    """Each page of `pdf` as `outdir`/<stem>-page<N>.png (poppler's pdftoppm), for the docs' renderings."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise ConversionError("pdftoppm (poppler-utils) is not installed, so no PNG was made.")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="drafter-png-") as scratch:
        try:
            subprocess.run([pdftoppm, "-png", "-r", str(dpi), str(pdf), str(Path(scratch) / "page")],
                           check=True, capture_output=True, timeout=timeout)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise ConversionError("pdftoppm could not render {pdf}.", pdf=str(pdf)) from exc
        pages = sorted(Path(scratch).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        written = []
        for n, page in enumerate(pages, start=1):
            target = outdir / f"{stem}-page{n}.png"
            shutil.move(str(page), target)
            written.append(target)
    return written
