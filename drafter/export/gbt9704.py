"""GB/T 9704-2012 layout for Chinese official documents (公文).

A4, margins top 37 mm / left 28 mm / bottom 35 mm / right 26 mm (text block 156 × 225 mm), a grid of
22 lines × 28 characters, title 2号 方正小标宋简体, body 3号 仿宋_GB2312, level-1 headings 黑体, level-2 楷体_GB2312,
red 发文机关标志 and separator, 版记 in 4号 仿宋 between rules at the foot of the last page, page numbers
4号 宋体 「— 1 —」 right on odd pages and left on even pages.

The label and metadata are the same as every other export: this module only lays the document out and
uses the paragraph styles `drafter verify` reads back (Title, Heading 1, section starts, meta, label).
"""

from __future__ import annotations

import re

from docx import Document as new_document
from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml.etree import _Element

from drafter.export.common import (
    LABEL_STYLE,
    META_STYLE,
    SECTION_STYLE,
    embed_metadata,
    ensure_styles,
)
from drafter.export.passages import CommentWriter, add_comments
from drafter.models import Draft, Label, Template

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
BLOCK_WIDTH_TWIPS = round(156 / 25.4 * 1440)  # 8844
LINE_PITCH_TWIPS = 579  # 28.95 pt: 22 lines in the 225 mm text block
# 28 characters in 156 mm (15.79 pt each) from 16 pt characters condensed by 0.25 pt. Word's character grid
# (docGrid linesAndChars, charSpace -849) would do the same in Word, but LibreOffice gives every 16 pt
# character two 15.79 pt cells, i.e. 14 characters a line; condensed spacing gives 28 in both.
CONDENSE_TWENTIETHS = -5
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28

TITLE_PT, BODY_PT, SMALL_PT = 22, 16, 14  # 2号, 3号, 4号
FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"
FONT_PAGE = "宋体"
FONT_LATIN = "Times New Roman"
# Declared in the font table so Word and LibreOffice substitute a close face where the GB font is missing.
FONT_FALLBACKS = {FONT_TITLE: "宋体", FONT_BODY: "仿宋", FONT_H2: "楷体", FONT_H1: "SimHei", FONT_PAGE: "SimSun"}
RED = "FF0000"

CN_NUM = "一二三四五六七八九十"
LEVEL1 = re.compile(rf"^[{CN_NUM}]+、")
LEVEL2 = re.compile(rf"^（[{CN_NUM}]+）")
ATTENDANCE = re.compile(r"^(出席|请假|列席|缺席)：")
TWIPS_PER_CHAR = BODY_PT * 20
HEADING_MAX_CHARS = 20  # 「（一）全面排查隐患。」 is a heading; a whole numbered sentence is not


# --- low-level XML helpers -----------------------------------------------------------------------

# child order of w:pPr and w:rPr in the WordprocessingML schema (Word rejects files that break it)
PPR_SEQ = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
    "w:rPr", "w:sectPr", "w:pPrChange",
)
RPR_SEQ = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:dstrike",
    "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden",
    "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
    "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
    "w:specVanish", "w:oMath",
)


def _put(parent: _Element, tag: str, seq: tuple[str, ...], **attrs: str) -> _Element:
    """Replace `parent`'s child `tag` by a new one with `attrs`, keeping the schema's child order."""
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    later = seq[seq.index(tag) + 1:]
    for child in parent:
        if child.tag in {qn(t) for t in later}:
            child.addprevious(el)
            break
    else:
        parent.append(el)
    return el


def _ppr(parent: _Element, tag: str, **attrs: str) -> _Element:
    return _put(parent, tag, PPR_SEQ, **attrs)


def _rpr(parent: _Element, tag: str, **attrs: str) -> _Element:
    return _put(parent, tag, RPR_SEQ, **attrs)


def set_fonts(rpr: _Element, east_asia: str, latin: str = FONT_LATIN) -> None:
    """Explicit fonts (no theme fonts), with the Chinese face declared for East Asian text."""
    _rpr(rpr, "w:rFonts", ascii=latin, hAnsi=latin, eastAsia=east_asia, cs=latin, hint="eastAsia")


def _size(rpr: _Element, pt: float) -> None:
    _rpr(rpr, "w:sz", val=str(round(pt * 2)))
    _rpr(rpr, "w:szCs", val=str(round(pt * 2)))


def _run_format(run: Run, font: str, pt: float | None = None, *, color: str | None = None,
                latin: str = FONT_LATIN) -> None:
    rpr = run._r.get_or_add_rPr()
    set_fonts(rpr, font, latin)
    if color:
        _rpr(rpr, "w:color", val=color)
    if pt:
        _size(rpr, pt)


def _indent(ppr: _Element, *, first: float = 0, left: float = 0, right: float = 0, hanging: float = 0) -> None:
    """Indents in characters, written both as character units (Word) and twips (other readers)."""
    attrs = {
        "left": str(round(left * TWIPS_PER_CHAR)), "leftChars": str(round(left * 100)),
        "right": str(round(right * TWIPS_PER_CHAR)), "rightChars": str(round(right * 100)),
    }
    if hanging:
        attrs |= {"hanging": str(round(hanging * TWIPS_PER_CHAR)), "hangingChars": str(round(hanging * 100))}
    else:
        attrs |= {"firstLine": str(round(first * TWIPS_PER_CHAR)), "firstLineChars": str(round(first * 100))}
    _ppr(ppr, "w:ind", **attrs)


def _exact(ppr: _Element, twips: int = LINE_PITCH_TWIPS, before: int = 0) -> None:
    _ppr(ppr, "w:spacing", before=str(before), after="0", line=str(twips), lineRule="exact")


def _align(ppr: _Element, how: str) -> None:
    _ppr(ppr, "w:jc", val=how)


def _border(ppr: _Element, side: str, *, sz: int, color: str = "000000", space: int = 1) -> None:
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = _ppr(ppr, "w:pBdr")
    el = OxmlElement(f"w:{side}")
    for k, v in {"val": "single", "sz": str(sz), "space": str(space), "color": color}.items():
        el.set(qn(f"w:{k}"), v)
    bdr.append(el)


def _tabs(ppr: _Element, *stops: tuple[str, int]) -> None:
    tabs = _ppr(ppr, "w:tabs")
    for how, pos in stops:
        tab = OxmlElement("w:tab")
        tab.set(qn("w:val"), how)
        tab.set(qn("w:pos"), str(pos))
        tabs.append(tab)


def _width_chars(text: str) -> float:
    """Printed width in body characters: CJK and full-width count 1, ASCII half."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


# --- page, styles, fonts -------------------------------------------------------------------------


def _page_setup(doc: Document) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin, section.bottom_margin = Mm(MARGIN_MM["top"]), Mm(MARGIN_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGIN_MM["left"]), Mm(MARGIN_MM["right"])
    section.header_distance = Mm(15)
    # the page number's dash sits 7 mm below the text block: 35 - 7 - one 4号 line (≈6.4 mm)
    section.footer_distance = Mm(21.5)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.attrib.pop(qn("w:charSpace"), None)


def _restyle(doc: Document, name: str, font: str, pt: float, *, first: float = 0, align: str = "both",
             keep_next: bool = False) -> None:
    """Rewrite a paragraph style's formatting from scratch (the default template's theme fonts, colours
    and borders do not belong in a 公文)."""
    style = doc.styles[name]
    el = style.element
    for tag in ("w:pPr", "w:rPr"):
        for old in el.findall(qn(tag)):
            el.remove(old)
    ppr, rpr = OxmlElement("w:pPr"), OxmlElement("w:rPr")
    el.append(ppr)
    el.append(rpr)
    if keep_next:
        _ppr(ppr, "w:keepNext")
    _ppr(ppr, "w:widowControl", val="0")
    _exact(ppr)
    _indent(ppr, first=first)
    _align(ppr, align)
    if name == "Heading 1":
        _ppr(ppr, "w:outlineLvl", val="0")
    if pt > BODY_PT:
        # a 2号 line is taller than one grid line in most CJK fonts; without this it would take two
        _ppr(ppr, "w:snapToGrid", val="0")
    set_fonts(rpr, font, FONT_TITLE if font == FONT_TITLE else FONT_LATIN)
    _rpr(rpr, "w:color", val="000000")
    if pt == BODY_PT:
        _rpr(rpr, "w:spacing", val=str(CONDENSE_TWENTIETHS))
    _size(rpr, pt)


def _styles(doc: Document) -> None:
    ensure_styles(doc)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            set_fonts(rpr, FONT_BODY)
            _size(rpr, BODY_PT)
            _rpr(rpr, "w:lang", val="en-US", eastAsia="zh-CN")
    _restyle(doc, "Normal", FONT_BODY, BODY_PT, first=2)
    _restyle(doc, SECTION_STYLE, FONT_BODY, BODY_PT, first=2)
    _restyle(doc, "Title", FONT_TITLE, TITLE_PT, align="center")
    _restyle(doc, "Heading 1", FONT_H1, BODY_PT, first=2, keep_next=True)
    _restyle(doc, META_STYLE, FONT_BODY, BODY_PT, align="left")
    _restyle(doc, LABEL_STYLE, FONT_BODY, BODY_PT, first=2)
    _font_table(doc)


def _font_table(doc: Document) -> None:
    """Declare the GB fonts with their fallbacks (w:altName) and the GB 2312 character set."""
    part = None
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
    if part is None:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    for name, alt in FONT_FALLBACKS.items():
        for old in root.findall(qn("w:font")):
            if old.get(qn("w:name")) == name:
                root.remove(old)
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, val in (("w:altName", alt), ("w:charset", "86"), ("w:family", "modern"), ("w:pitch", "fixed")):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), val)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number_footer(doc: Document) -> None:
    """「— 1 —」 in 4号 宋体: right (one character in) on odd pages, left on even pages."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        ppr = p._p.get_or_add_pPr()
        _ppr(ppr, "w:snapToGrid", val="0")
        _exact(ppr, twips=360)
        one = 1 * SMALL_PT / BODY_PT
        _indent(ppr, left=one if side == "left" else 0, right=one if side == "right" else 0)
        _align(ppr, side)
        _field_runs(p, "PAGE", "1")


def _field_runs(p: Paragraph, instruction: str, shown: str) -> None:
    def run(text: str | None = None, fld: str | None = None, instr: str | None = None) -> None:
        r = p.add_run(text or "")
        _run_format(r, FONT_PAGE, SMALL_PT, latin=FONT_PAGE)
        if fld:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), fld)
            r._r.append(el)
        if instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instr} "
            r._r.append(el)

    run("— ")
    run(fld="begin")
    run(instr=instruction)
    run(fld="separate")
    run(shown)
    run(fld="end")
    run(" —")


# --- title ---------------------------------------------------------------------------------------

TITLE_CHARS_PER_LINE = 20  # 2号 (22 pt) characters in the 156 mm text block
# a title breaks best after these (the end of a unit, a date, a conjunction) and before 的 + 文种
_BREAK_AFTER = set("、，和与及年月日省市县区局厅室部委会办府院司处所于")
_BREAK_BEFORE = ("关于", "的通知", "的决定", "的报告", "的意见", "的批复", "的函", "的请示", "的通报", "的纪要", "和", "与", "及",
                 "暨", "做好", "印发", "加强", "开展", "进一步", "切实", "推进", "落实")
NO_BONUS_PENALTY = 3.0  # a break at no known boundary may fall inside a word: only when nothing else fits
_NO_SPLIT = re.compile(r"[0-9A-Za-z〔〕（）()《》“”\-.%]")


def _can_break(text: str, i: int) -> bool:
    """Whether a line may end before text[i]: never inside a number, a Latin word or a bracketed group."""
    if i <= 0 or i >= len(text):
        return False
    a, b = text[i - 1], text[i]
    if _NO_SPLIT.match(a) and _NO_SPLIT.match(b):
        return False
    return not (b in "，。、；：）》〕”" or a in "（《〔“")


def _break_penalty(text: str, i: int) -> float:
    if text[i - 1] in _BREAK_AFTER or any(text.startswith(w, i) for w in _BREAK_BEFORE):
        return 0.0
    return NO_BONUS_PENALTY


def title_lines(title: str, per_line: int = TITLE_CHARS_PER_LINE) -> list[str]:
    """The title in lines (GB/T 9704 §7.3.1: 梯形 or 菱形): the author's own line breaks if any; otherwise, if it
    does not fit on one line, balanced lines (upper lines not shorter, 梯形) broken at a word boundary."""
    if "\n" in title:
        return [ln.strip() for ln in title.split("\n") if ln.strip()]
    if _width_chars(title) <= per_line:
        return [title]
    n = -(-int(_width_chars(title) * 2) // (per_line * 2))
    lines: list[str] = []
    rest = title
    while n > 1:
        target = _width_chars(rest) / n
        best, best_score = None, float("inf")
        for i in range(1, len(rest)):
            head = _width_chars(rest[:i])
            if head > per_line or not _can_break(rest, i):
                continue
            if _width_chars(rest[i:]) > per_line * (n - 1):
                continue
            score = abs(head - target) + _break_penalty(rest, i) + (0.75 if head < target else 0.0)
            if score < best_score:
                best, best_score = i, score
        if best is None:
            break
        lines.append(rest[:best])
        rest = rest[best:]
        n -= 1
    return [*lines, rest]


# --- document parts ------------------------------------------------------------------------------


def _roles(template: Template, draft: Draft) -> dict[str, str]:
    inputs = draft.request.inputs
    return {f.role: inputs.get(f.name, "").strip() for f in template.fields if f.role and inputs.get(f.name, "").strip()}


def _meta(doc: Document, text: str = "", *, font: str = FONT_BODY, pt: float = BODY_PT, color: str | None = None,
          align: str = "left") -> Paragraph:
    p = doc.add_paragraph(style=META_STYLE)
    ppr = p._p.get_or_add_pPr()
    _align(ppr, align)
    if text:
        _run_format(p.add_run(text), font, pt, color=color)
    return p


def _head(doc: Document, roles: dict[str, str], template: Template) -> None:
    """版头: 份号/密级/紧急程度 top-left, red 发文机关标志, 发文字号 (and 签发人), red separator."""
    top = [roles[r] for r in ("copy_number", "classification", "urgency") if r in roles]
    for text in top:
        _meta(doc, text, font=FONT_H1)
    bulletin = template.kind == "简报"
    mark = roles.get("issuer_mark")
    if mark:
        pt = max(26.0, min(42.0, 420 / max(_width_chars(mark), 1)))
        p = _meta(doc, mark, font=FONT_TITLE, pt=pt, color=RED, align="center")
        ppr = p._p.get_or_add_pPr()
        # upper edge of the mark 35 mm below the top of the text block (99 pt), less the lines above it
        before = max(0, round((99.2 - len(top) * LINE_PITCH_TWIPS / 20) * 20))
        _ppr(ppr, "w:snapToGrid", val="0")
        _exact(ppr, twips=round(pt * 1.25 * 20), before=before)
        _meta(doc)
        if not bulletin:
            _meta(doc)
    number = roles.get("issue_number") if bulletin else roles.get("doc_number") or roles.get("issue_number")
    signer = roles.get("signer")
    line: Paragraph | None = None
    if bulletin:
        if number:
            _meta(doc, f"（{number}）" if not number.startswith("（") else number, align="center")
        unit, date = roles.get("editor_unit", ""), roles.get("date", "")
        if unit or date:
            line = _meta(doc)
            _tabs(line._p.get_or_add_pPr(), ("right", BLOCK_WIDTH_TWIPS))
            _run_format(line.add_run(f"{unit}\t{date}"), FONT_BODY, BODY_PT)
    elif number and signer:
        # 上行文: 发文字号 left (one character in), 签发人 right (one character in), on one line
        line = _meta(doc)
        _tabs(line._p.get_or_add_pPr(), ("left", TWIPS_PER_CHAR), ("right", BLOCK_WIDTH_TWIPS - TWIPS_PER_CHAR))
        _run_format(line.add_run(f"\t{number}\t签发人："), FONT_BODY, BODY_PT)
        _run_format(line.add_run(signer), FONT_H2, BODY_PT)
    elif number:
        line = _meta(doc, number, align="center")
    if line is not None:
        _border(line._p.get_or_add_pPr(), "bottom", sz=18 if bulletin else 12, color=RED, space=8)
    if mark or line is not None:
        _meta(doc)
        _meta(doc)


def _attachments(doc: Document, text: str) -> list[Paragraph]:
    items = [ln.strip() for ln in text.splitlines() if ln.strip()]
    paragraphs = [_meta(doc)]
    for i, item in enumerate(items):
        if len(items) > 1 and not re.match(r"^\d+\.", item):
            item = f"{i + 1}.{item}"
        p = _meta(doc, f"附件：{item}" if i == 0 else item)
        # "附件：" two characters in; further attachments line up under the first name
        if i == 0:
            _indent(p._p.get_or_add_pPr(), first=2)
        else:
            _indent(p._p.get_or_add_pPr(), left=5)
        paragraphs.append(p)
    return paragraphs


def _keep_with_next(p: Paragraph) -> None:
    _ppr(p._p.get_or_add_pPr(), "w:keepNext")


def signature_indents(issuer: str, date: str) -> tuple[float, float]:
    """Right indents (characters) of 署名 and 成文日期 without a seal (GB/T 9704-2012 §7.3.5.2).

    署名 two characters in from the right; 成文日期 on the next line, its first character two characters right of
    the 署名's first; if the date is too long for that, the date is two characters in and the 署名 moves left.
    """
    wi, wd = _width_chars(issuer), _width_chars(date)
    if not issuer:
        return 0.0, 2.0
    if not date:
        return 2.0, 0.0
    date_right = 2 + wi - 2 - wd
    if date_right >= 2:
        return 2.0, date_right
    return wd + 4 - wi, 2.0


def _signature(doc: Document, roles: dict[str, str]) -> list[Paragraph]:
    issuer, date = roles.get("issuer_signature"), roles.get("date")
    if not issuer and not date:
        return []
    block = [_meta(doc)]  # one empty line below the text (or the 附件说明)
    issuer_right, date_right = signature_indents(issuer or "", date or "")
    if issuer:
        p = _meta(doc, issuer, align="right")
        _indent(p._p.get_or_add_pPr(), right=issuer_right)
        block.append(p)
    if date:
        p = _meta(doc, date, align="right")
        _indent(p._p.get_or_add_pPr(), right=date_right)
        block.append(p)
    return block


def _rule(doc: Document, sz: int) -> Paragraph:
    """A rule across the text block (版记 separators): an empty, very low paragraph with a bottom border."""
    p = _meta(doc)
    ppr = p._p.get_or_add_pPr()
    _ppr(ppr, "w:snapToGrid", val="0")
    _exact(ppr, twips=20)
    _border(ppr, "bottom", sz=sz, space=0)
    return p


def _record(doc: Document, roles: dict[str, str], template: Template) -> list[Paragraph]:
    """版记 (简报: 报尾) in 4号 仿宋 between rules: thick first and last, thin between; its paragraphs."""
    if template.kind == "简报":
        lines = [(k, roles[r]) for k, r in (("报", "report_to"), ("送", "send_to"), ("发", "distribute_to"))
                 if r in roles]
        printed = ""
    else:
        lines = [("抄送", roles["cc"])] if "cc" in roles else []
        printer, pdate = roles.get("printer", ""), roles.get("print_date", "")
        printed = f"{printer}\t{pdate}{'' if not pdate or pdate.endswith('印发') else '印发'}" if (printer or pdate) else ""
    if not lines and not printed:
        return []
    record = [_meta(doc), _rule(doc, 8)]
    small = SMALL_PT / BODY_PT
    for i, (key, value) in enumerate(lines):
        value = value.replace("\n", "，").rstrip("。") + "。"
        p = _meta(doc)
        # one character in on both sides; continuation lines align after the colon
        _indent(p._p.get_or_add_pPr(), left=small * (1 + len(key) + 1), right=small, hanging=small * (len(key) + 1))
        _run_format(p.add_run(f"{key}：{value}"), FONT_BODY, SMALL_PT)
        record.append(p)
        if i < len(lines) - 1 or printed:
            record.append(_rule(doc, 6))
    if printed:
        p = _meta(doc)
        ppr = p._p.get_or_add_pPr()
        _indent(ppr, left=small, right=small)
        _tabs(ppr, ("right", BLOCK_WIDTH_TWIPS - round(small * TWIPS_PER_CHAR)))
        _run_format(p.add_run(printed), FONT_BODY, SMALL_PT)
        record.append(p)
    record.append(_rule(doc, 8))
    return record


def _body_line(doc: Document, line: str, style: str | None, minutes: bool) -> Paragraph:
    """One body paragraph; 层次序数 headings inside the text get their fonts (一、 黑体, （一） 楷体)."""
    p = doc.add_paragraph(style=style)
    attendance = ATTENDANCE.match(line) if minutes else None
    if attendance:
        label = attendance.group(0)
        # 3号 黑体 label, names in 仿宋, continuation lines aligned after the colon
        _indent(p._p.get_or_add_pPr(), left=2 + len(label), hanging=len(label))
        _run_format(p.add_run(label), FONT_H1)
        _run_format(p.add_run(line[len(label):]), FONT_BODY)
        return p
    font = FONT_H1 if LEVEL1.match(line) else FONT_H2 if LEVEL2.match(line) else None
    if font is None:
        p.add_run(line)
        return p
    end = line.find("。")
    head, rest = (line, "") if end < 0 or end == len(line) - 1 else (line[: end + 1], line[end + 1:])
    if len(head) > HEADING_MAX_CHARS:
        # a numbered paragraph, not a numbered heading: the text stays in 仿宋
        p.add_run(line)
        return p
    _run_format(p.add_run(head), font)
    if rest:
        p.add_run(rest)
    return p


def prepare(doc: Document) -> None:
    """Impose the standard's page, grid, styles, fonts and page numbers on `doc` (idempotent): the gbt9704 house
    style is built with this, and an export re-applies it to whatever reference file it starts from."""
    _styles(doc)
    _page_setup(doc)
    footer = doc.sections[0].footer
    if footer.is_linked_to_previous or not any("PAGE" in (t.text or "") for t in footer._element.iter(qn("w:instrText"))):
        _page_number_footer(doc)


def build_gbt9704_document(draft: Draft, template: Template, label: Label, doc: Document | None = None) -> Document:
    """The 公文; `doc` is the reference document to start from (the gbt9704 house style), else a blank one."""
    doc = doc if doc is not None else new_document()
    prepare(doc)
    doc.core_properties.title = draft.title
    doc.core_properties.author = draft.author
    doc.core_properties.language = "zh-CN"
    doc.core_properties.keywords = "AIGC; 人工智能生成; 人工审核"
    roles = _roles(template, draft)
    _head(doc, roles, template)
    title = doc.add_paragraph(style="Title")
    for i, line in enumerate(title_lines(draft.title)):
        run = title.add_run(line)
        if i:
            run._r.addprevious(OxmlElement("w:r"))
            run._r.getprevious().append(OxmlElement("w:br"))
    recipients = roles.get("recipients")
    if recipients:
        _meta(doc)
        _meta(doc, recipients.replace("\n", "，").rstrip("：:") + "：")
    minutes = template.kind == "纪要"
    specs = {s.id: s for s in template.sections}
    last_body: Paragraph | None = None
    passages: dict[int, list[dict[str, object]]] = {}
    comments = CommentWriter(doc, label.system)
    for index, section in enumerate(draft.sections):
        spec = specs.get(section.id)
        runs: list[_Element] = []
        lines = section.text.split("\n")
        if spec is None or spec.heading_visible:
            doc.add_heading(section.heading, level=1)
            first_style = None
        else:
            first_style = SECTION_STYLE
        for i, line in enumerate(lines):
            if minutes and ATTENDANCE.match(line) and (i == 0 or not ATTENDANCE.match(lines[i - 1])):
                _meta(doc)  # 出席/请假/列席 start one line below the text
            p = _body_line(doc, line, first_style if i == 0 else None, minutes)
            runs.extend(r._r for r in p.runs)
            last_body = p
        found = add_comments(comments, section, runs, "zh")
        if section.spans:
            passages[index] = [p.as_dict() for p in found]
    comments.finish(0)  # the 公文 layout writes no footnotes
    attachments = _attachments(doc, roles["attachments"]) if "attachments" in roles else []
    block = _signature(doc, roles)
    if "note" in roles:
        p = _meta(doc, f"（{roles['note'].strip('（）()')}）")
        _indent(p._p.get_or_add_pPr(), first=2)
        block.append(p)
    # the visible AI statement as 附注 (§7.3.6) under the 成文日期, two characters in. From the last line of the
    # text to the end of the 版记 everything is kept together (keep with next, each paragraph unbroken): the
    # statement never starts a page of its own, the 版记 never stands alone on a page, and the 署名 and 成文日期
    # stay on a page with text (§7.3.5: no page holding only the signature)
    statement = doc.add_paragraph(label.statement, style=LABEL_STYLE)
    record = _record(doc, roles, template)
    tail = [p for p in (last_body, *attachments, *block, statement, *record) if p is not None]
    for p in tail[:-1]:
        _keep_with_next(p)
    for p in tail:
        _ppr(p._p.get_or_add_pPr(), "w:keepLines")
    embed_metadata(doc, label, passages)
    return doc
