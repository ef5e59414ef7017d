"""公文 exports read back: GB/T 9704-2012 layout, Chinese labels, verification, and LibreOffice rendering."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from drafter.export.docx_writer import LABEL_STYLE, META_STYLE
from drafter.export.passages import passages
from drafter.export.properties import get_custom_properties
from drafter.service import DrafterService
from tests.gongwen_support import FONTS_CONF, SAMPLES, export_zh


def _east_asia(el: object) -> str | None:
    fonts = el.find(qn("w:rPr") + "/" + qn("w:rFonts"))  # type: ignore[attr-defined]
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def _run_east_asia(run_el: object) -> str | None:
    return _east_asia(run_el)


def _style_pr(doc: DocumentObject, name: str, tag: str, child: str) -> object:
    return doc.styles[name].element.find(qn(tag) + "/" + qn(child))


def _para(doc: DocumentObject, text: str) -> Paragraph:
    """The paragraph holding `text`; line breaks (a title set in lines) do not count."""
    return next(p for p in doc.paragraphs if text in p.text.replace("\n", ""))


@pytest.fixture
def notice(sqlite_service: DrafterService, tmp_path: Path) -> tuple[DrafterService, str, Path]:
    out = tmp_path / "tongzhi.docx"
    draft_id = export_zh(sqlite_service, "tongzhi", out)
    return sqlite_service, draft_id, out


@pytest.mark.parametrize("name", SAMPLES)
def test_every_zh_template_exports_with_chinese_labels_and_verifies(
    sqlite_service: DrafterService, tmp_path: Path, name: str
) -> None:
    out = tmp_path / f"{name}.docx"
    draft_id = export_zh(sqlite_service, name, out)
    draft = sqlite_service.get_draft(draft_id)
    assert draft.language == "zh"
    assert not [s for s in draft.sections if s.text.startswith("【待补充")], "a sample left a section empty"
    doc = Document(str(out))
    labels = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == LABEL_STYLE]
    assert len(labels) == 1 and "人工智能" in labels[0] and "生成" in labels[0] and "人工审核" in labels[0]
    comments = [c.text for c in doc.comments]
    # one comment per machine-written passage, in Chinese; the author's own words carry none
    machine = [p for s in draft.sections for p in passages(s.spans)]
    assert machine and len(comments) == len(machine)
    assert all(c.startswith(("由规则组合生成：offline / ", "引自")) for c in comments), comments
    assert all(c.endswith("offline / drafter-offline-extractive-1") for c in comments), comments
    props = get_custom_properties(doc)
    assert json.loads(props["AIGC"])["AIGC"]["ReservedCode1"] == draft.content_sha256
    assert json.loads(props["DrafterProvenance"])["language"] == "zh"
    report = sqlite_service.verify_file(out)
    assert report.ok, report.problems
    assert sqlite_service.gongwen_issues(draft_id) == []


def test_every_zh_template_has_a_sample(sqlite_service: DrafterService) -> None:
    ids = {t.id for t in sqlite_service.templates("zh")}
    assert ids == {f"zh-{n}" for n in SAMPLES}
    kinds = {t.kind for t in sqlite_service.templates("zh")}
    assert kinds == {"通知", "通报", "报告", "请示", "批复", "函", "意见", "纪要", "简报", "新闻稿"}


def test_page_grid_and_margins(notice: tuple[DrafterService, str, Path]) -> None:
    doc = Document(str(notice[2]))
    section = doc.sections[0]
    def mm(length: object) -> float:
        return round(length.mm, 1)  # type: ignore[attr-defined]

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert [mm(section.top_margin), mm(section.left_margin), mm(section.bottom_margin),
            mm(section.right_margin)] == [37, 28, 35, 26]
    width = section.page_width - section.left_margin - section.right_margin
    height = section.page_height - section.top_margin - section.bottom_margin
    assert round(width / 36000) == 156 and round(height / 36000) == 225
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 28.95 pt × 22 = 637 pt ≤ 225 mm
    spacing = _style_pr(doc, "Normal", "w:pPr", "w:spacing")
    assert spacing.get(qn("w:lineRule")) == "exact" and spacing.get(qn("w:line")) == "579"  # type: ignore[attr-defined]
    # 28 characters of 16 pt condensed by 0.25 pt fill the 156 mm line
    condensed = _style_pr(doc, "Normal", "w:rPr", "w:spacing")
    assert int(condensed.get(qn("w:val"))) == -5  # type: ignore[attr-defined]
    assert 28 * (16 - 0.25) <= width / 12700 < 28 * 16


def test_fonts_sizes_and_indent(notice: tuple[DrafterService, str, Path]) -> None:
    doc = Document(str(notice[2]))
    styles = doc.styles
    assert styles["Normal"].font.size == Pt(16)
    assert _east_asia(styles["Normal"].element) == "仿宋_GB2312"
    ind = _style_pr(doc, "Normal", "w:pPr", "w:ind")
    assert ind.get(qn("w:firstLineChars")) == "200" and ind.get(qn("w:firstLine")) == "640"  # type: ignore[attr-defined]
    assert styles["Normal"].paragraph_format.first_line_indent == Pt(32)
    assert styles["Title"].font.size == Pt(22) and _east_asia(styles["Title"].element) == "方正小标宋简体"
    assert styles["Title"].element.find(qn("w:pPr") + "/" + qn("w:pBdr")) is None  # no template border
    assert styles["Heading 1"].font.size == Pt(16) and _east_asia(styles["Heading 1"].element) == "黑体"
    assert not styles["Heading 1"].font.bold
    level2 = _para(doc, "（一）全面排查隐患。")
    assert _run_east_asia(level2.runs[0]._r) == "楷体_GB2312" and level2.runs[0].text == "（一）全面排查隐患。"
    assert level2.runs[1].text.startswith("各区于") and _run_east_asia(level2.runs[1]._r) is None
    title = _para(doc, "关于做好2026年防汛准备工作的通知")
    assert title.style is not None and title.style.name == "Title"
    # too long for one 2号 line: two lines, broken after 关于 (梯形), not inside a word or the year
    assert title.text == "江河市人民政府办公室关于\n做好2026年防汛准备工作的通知"
    # fallbacks for machines without the GB fonts, declared in the font table
    font_table = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    assert re.search(rb'w:name="\xe6\x96\xb9\xe6\xad\xa3[^"]*"><w:altName w:val="\xe5\xae\x8b\xe4\xbd\x93"/>',
                     font_table.blob), "方正小标宋简体 must fall back to 宋体"


def test_red_mark_separator_and_head_elements(notice: tuple[DrafterService, str, Path]) -> None:
    doc = Document(str(notice[2]))
    texts = [p.text.replace("\n", "") for p in doc.paragraphs]  # a title set in lines reads as one
    assert texts[:2] == ["000123", "加急"]  # 份号, 紧急程度 top left
    for p in doc.paragraphs[:2]:
        assert _run_east_asia(p.runs[0]._r) == "黑体"
    mark = _para(doc, "江河市人民政府办公室文件")
    assert mark.runs[0].font.color.rgb is not None and str(mark.runs[0].font.color.rgb) == "FF0000"
    assert _run_east_asia(mark.runs[0]._r) == "方正小标宋简体"
    number = _para(doc, "江政办发〔2026〕7号")
    assert number.alignment is not None and number.alignment == 1  # centred
    bottom = number._p.find(qn("w:pPr") + "/" + qn("w:pBdr") + "/" + qn("w:bottom"))
    assert bottom is not None and bottom.get(qn("w:color")) == "FF0000"
    assert texts.index(number.text) < texts.index(
        "江河市人民政府办公室关于做好2026年防汛准备工作的通知") < texts.index("各区人民政府，市政府各委、办、局：")
    assert "附件：1.2026年防汛隐患排查表" in texts and "2.防汛物资储备标准" in texts
    assert "（此件公开发布）" in texts
    sig, date = texts.index("江河市人民政府办公室"), texts.index("2026年3月5日")
    assert date == sig + 1
    assert all(p.style is not None and p.style.name == META_STYLE for p in doc.paragraphs if p.text in
               ("000123", "江政办发〔2026〕7号", "2026年3月5日"))


def test_record_in_small_fangsong_between_rules(notice: tuple[DrafterService, str, Path]) -> None:
    doc = Document(str(notice[2]))
    cc = _para(doc, "抄送：")
    assert cc.text == "抄送：市委办公室，市人大常委会办公室，市政协办公室。"
    printed = _para(doc, "印发")
    assert printed.text == "江河市人民政府办公室\t2026年3月6日印发"
    for p in (cc, printed):
        assert p.runs[0].font.size == Pt(14) and _run_east_asia(p.runs[0]._r) == "仿宋_GB2312"
    rules = [p for p in doc.paragraphs if p._p.find(qn("w:pPr") + "/" + qn("w:pBdr")) is not None][1:]
    sizes = [p._p.find(qn("w:pPr") + "/" + qn("w:pBdr") + "/" + qn("w:bottom")).get(qn("w:sz")) for p in rules]
    assert sizes == ["8", "6", "8"]  # thick first and last rule, thin between
    assert rules[-1]._p is doc.paragraphs[-1]._p  # the 版记 closes the document


def test_page_numbers_odd_right_even_left(notice: tuple[DrafterService, str, Path]) -> None:
    doc = Document(str(notice[2]))
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        p = footer.paragraphs[0]
        assert p.text == "— 1 —"
        xml = p._p.xml
        assert 'w:fldCharType="begin"' in xml and "PAGE" in xml and 'w:fldCharType="end"' in xml
        assert p._p.find(qn("w:pPr") + "/" + qn("w:jc")).get(qn("w:val")) == side
        assert p.runs[0].font.size == Pt(14) and _run_east_asia(p.runs[0]._r) == "宋体"


def test_minutes_attendance_lines(sqlite_service: DrafterService, tmp_path: Path) -> None:
    out = tmp_path / "jiyao.docx"
    export_zh(sqlite_service, "jiyao", out)
    doc = Document(str(out))
    attend = _para(doc, "出席：")
    assert attend.text == "出席：李明、王芳、赵刚、陈静、刘洋"
    assert attend.runs[0].text == "出席：" and _run_east_asia(attend.runs[0]._r) == "黑体"
    assert _run_east_asia(attend.runs[1]._r) == "仿宋_GB2312"
    assert _para(doc, "请假：").text == "请假：周敏（出差）"
    assert _para(doc, "列席：").runs[0].text == "列席："
    assert "第5期" in [p.text for p in doc.paragraphs]
    decision = _para(doc, "一、会议同意追加")
    assert _run_east_asia(decision.runs[0]._r) is None  # a numbered sentence, not a heading: stays 仿宋


def test_signer_line_for_upward_documents(sqlite_service: DrafterService, tmp_path: Path) -> None:
    out = tmp_path / "qingshi.docx"
    export_zh(sqlite_service, "qingshi", out)
    doc = Document(str(out))
    line = _para(doc, "签发人：")
    assert line.text == "\t江水〔2026〕16号\t签发人：张华"
    assert _run_east_asia(line.runs[-1]._r) == "楷体_GB2312"
    assert [p.text for p in doc.paragraphs if p.text.startswith("妥否")] == ["妥否，请批示。"]


def test_editing_the_saved_file_fails_verification(notice: tuple[DrafterService, str, Path], tmp_path: Path) -> None:
    svc, _, out = notice
    doc = Document(str(out))
    target = _para(doc, "（三）组织应急演练。")
    target.runs[1].text = target.runs[1].text.replace("1次", "2次")
    assert "2次" in target.text
    body_edit = tmp_path / "body.docx"
    doc.save(str(body_edit))
    report = svc.verify_file(body_edit)
    assert not report.ok and not report.content_matches
    doc = Document(str(out))
    number = _para(doc, "江政办发〔2026〕7号")
    number.runs[0].text = "江政办发〔2026〕8号"
    head_edit = tmp_path / "head.docx"
    doc.save(str(head_edit))
    report = svc.verify_file(head_edit)
    assert report.content_matches and not report.body_unchanged and not report.ok


def _soffice() -> str:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is required: install libreoffice-writer-nogui")
    return soffice


def to_pdf(docx: Path, tmp_path: Path) -> Path:
    outdir = tmp_path / "pdf"
    env = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF)}
    subprocess.run(
        [_soffice(), f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(outdir), str(docx)],
        check=True, capture_output=True, timeout=180, env=env,
    )
    return outdir / f"{docx.stem}.pdf"


def _pdftotext(pdf: Path, page: int) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.libreoffice
def test_libreoffice_renders_a4_with_22_lines_of_28_characters(sqlite_service: DrafterService, tmp_path: Path) -> None:
    # three pages of body text: page 2 is a full page of body lines
    long_tasks = "\n".join(f"防汛任务要求第{n}项各区各部门应当按照市政府统一部署认真组织落实确保取得实效" * 3 + "。"
                           for n in "一二三四五六七八九十")
    out = tmp_path / "long.docx"
    export_zh(sqlite_service, "tongzhi", out, tasks=long_tasks)
    pdf = to_pdf(out, tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())  # type: ignore[union-attr]
    assert (round(width), round(height)) == (595, 842)  # A4
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 3  # type: ignore[union-attr]
    lines = _pdftotext(pdf, 2)
    assert lines[-1].replace(" ", "") == "—2—" and not lines[-1].startswith(" ")  # even page: number on the left
    body = [re.sub(r"\s", "", line) for line in lines[:-1]]
    assert len(body) == 22, body
    full = [line for line in body if re.fullmatch(r"[\u4e00-\u9fff，。、；：]+", line)]
    assert full and max(len(line) for line in full) == 28, body
    odd = _pdftotext(pdf, 3)
    assert odd[-1].replace(" ", "") == "—3—" and odd[-1].startswith(" ")  # odd page: number on the right


@pytest.mark.libreoffice
def test_libreoffice_renders_the_head_of_a_notice(notice: tuple[DrafterService, str, Path], tmp_path: Path) -> None:
    pdf = to_pdf(notice[2], tmp_path)
    page1 = "\n".join(_pdftotext(pdf, 1))
    for text in ("000123", "江河市人民政府办公室文件", "江政办发〔2026〕7号", "各区人民政府", "—1—"):
        assert text in page1.replace(" ", "")
    everything = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s", "", everything)
    assert "本文由人工智能辅助生成" in flat and "抄送：市委办公室" in flat
