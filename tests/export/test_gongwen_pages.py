"""公文 rendered by LibreOffice: the 版记 never stands alone on a page, and the AI statement (附注), 署名 and
成文日期 stay on the page with it and with text (GB/T 9704 §7.3.5, §7.3.6; GB 45438 §5.1)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from drafter.service import DrafterService
from tests.gongwen_support import export_zh
from tests.test_gongwen_export import to_pdf

pytestmark = pytest.mark.libreoffice


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [re.sub(r"\s", "", page) for page in text.split("\f") if page.strip()]


# the sample 通知 as it is (its text fills page 2 to the last line, which pushed the 版记 alone onto page 3), and
# with one and three more task lines, so the page break falls at other places in the closing block
@pytest.mark.parametrize("extra_lines", [0, 1, 3])
def test_record_signature_and_statement_share_a_page_with_text(sqlite_service: DrafterService, tmp_path: Path,
                                                               extra_lines: int) -> None:
    overrides = {}
    if extra_lines:
        from tests.gongwen_support import zh_inputs

        tasks = zh_inputs("tongzhi")["tasks"]
        overrides["tasks"] = tasks + "\n加强值班值守。各区严格执行24小时值班制度。" * extra_lines
    out = tmp_path / "tongzhi.docx"
    draft_id = export_zh(sqlite_service, "tongzhi", out, **overrides)
    pages = _pages(to_pdf(out, tmp_path))
    last = pages[-1]
    statement = re.sub(r"\s", "", sqlite_service.verify_file(out).label or "")
    assert statement and statement in last, pages
    for must in ("抄送：", "印发", "江河市人民政府办公室2026年3月5日", "特此通知。"):
        assert must in last, (must, last)
    assert sqlite_service.verify_file(out).ok, draft_id
