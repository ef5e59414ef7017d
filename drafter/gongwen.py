"""Deterministic rules for Chinese official documents (公文), from the 公文 style guide and GB/T 9704-2012.

Pure functions: they take a template, the author's inputs and the drafted sections and return issues with a
rule id, a message in Chinese and the section (or field) concerned. They decide nothing and change nothing;
the checks framework reports them as findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from drafter.models import Section, Template
from drafter.textfill import CN_DIGITS, cn_numeral

__all__ = ["CN_DIGITS", "cn_numeral"]  # re-exported: 公文 code names them here

# 「文种」 → the closing phrases that fit it. A closing phrase of another type is an error (e.g. 特此报告 in a 通知).
CLOSINGS: dict[str, tuple[str, ...]] = {
    "通知": ("特此通知",),
    "通报": ("特此通报",),
    "报告": ("特此报告", "专此报告", "以上报告，请审阅", "以上报告，请审议"),
    "请示": ("妥否，请批示", "当否，请批示", "妥否，请批复", "以上请示，请予审批", "以上请示当否，请批示",
             "请批准", "请审批", "请予批准", "请批示", "请指示"),
    "批复": ("此复", "特此批复"),
    "函": ("请予函复", "特此函告", "特此函复", "请研究函复", "盼复"),
    "意见": (),
    "纪要": (),
    "简报": (),
}
REQUEST_PHRASES = CLOSINGS["请示"]
# 报告 must not carry a request (《党政机关公文处理工作条例》第十九条: 不得在报告等非请示性公文中夹带请示事项).
REQUEST_MARKERS = ("请批示", "请批准", "请审批", "请予批准", "请批复")
NEEDS_RECIPIENTS = {"通知", "请示", "报告", "批复", "函"}
UPWARD = {"请示", "报告"}  # 上行文: 签发人 must be shown

DATE = re.compile(r"^(\d{4})年([1-9]\d?)月([1-9]\d?)日$")
DOC_NUMBER = re.compile(r"^\S+〔(\d{4})〕([1-9]\d*)号$")
CLASSIFICATION = re.compile(r"^(绝密|机密|秘密)(★(\d+年|\d+个月|长期))?$")
URGENCY = {"特急", "加急", "特提", "平急"}
COPY_NUMBER = re.compile(r"^\d{6}$")
# wrong forms of the 层次序数 一、 （一） 1. （1）
BAD_NUMBERING = (
    (re.compile(r"^（[一二三四五六七八九十]+）[、，.．]"), "「（一）」后不加顿号或其他标点"),
    (re.compile(r"^\([一二三四五六七八九十]+\)"), "「（一）」应使用全角括号"),
    (re.compile(r"^[一二三四五六七八九十]+[.．，,]"), "第一层次序数应为「一、」"),
    (re.compile(r"^\d+[、，,]"), "第三层次序数应为「1.」（阿拉伯数字加下脚点）"),
    (re.compile(r"^\(\d+\)"), "第四层次序数「（1）」应使用全角括号"),
    (re.compile(r"^（\d+）[、.．]"), "「（1）」后不加标点"),
)
LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")


@dataclass(frozen=True)
class GongwenIssue:
    rule: str
    message: str
    section: str | None = None
    severity: str = "warning"  # "error" for what the format standard requires


def chinese_date(year: int, month: int, day: int) -> str:
    """成文日期 in Arabic numerals with the year in full and no zero padding: 2026年3月5日."""
    return f"{year}年{month}月{day}日"


def check_date(value: str, section: str = "成文日期") -> list[GongwenIssue]:
    value = value.strip()
    if not value:
        return []
    m = DATE.match(value)
    if m is None:
        hint = "，月、日不编虚位（如 3月5日 不写作 03月05日）" if re.search(r"[年月]0\d", value) else ""
        return [GongwenIssue("GW-DATE", f"{section}「{value}」应用阿拉伯数字将年、月、日标全，如「2026年3月5日」{hint}。",
                             section, "error")]
    month, day = int(m.group(2)), int(m.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return [GongwenIssue("GW-DATE", f"{section}「{value}」不是有效日期。", section, "error")]
    return []


def check_doc_number(value: str) -> list[GongwenIssue]:
    """发文字号: 发文机关代字 + 年份 in 六角括号 〔〕 + 序号 without 虚位 or 「第」: 京政发〔2026〕7号."""
    value = value.strip()
    if not value:
        return []
    if DOC_NUMBER.match(value):
        return []
    problems = []
    if re.search(r"[\[［【(（]\d{4}[\]］】)）]", value):
        problems.append("年份应使用六角括号「〔〕」")
    if re.search(r"〕0\d*", value):
        problems.append("序号不编虚位（如 7号 不写作 007号）")
    if "第" in value:
        problems.append("序号前不加「第」")
    hint = "；".join(problems) or "格式应为「发文机关代字〔年份〕序号」，如「京政发〔2026〕7号」"
    return [GongwenIssue("GW-DOCNO", f"发文字号「{value}」不规范：{hint}。", "发文字号", "error")]


def _paragraphs(sections: Iterable[Section]) -> list[tuple[str, str]]:
    return [(s.id, line.strip()) for s in sections for line in s.text.split("\n") if line.strip()]


def _last_text(sections: list[Section]) -> tuple[str | None, str]:
    paragraphs = _paragraphs(sections)
    return paragraphs[-1] if paragraphs else (None, "")


def check_closing(kind: str, sections: list[Section]) -> list[GongwenIssue]:
    """The closing phrase fits the 文种 (特此通知 in a 通知, not 特此报告)."""
    section, last = _last_text(sections)
    issues = []
    for other, phrases in CLOSINGS.items():
        if other == kind:
            continue
        for phrase in phrases:
            if last.rstrip("。！").endswith(phrase) and phrase not in CLOSINGS.get(kind, ()):
                issues.append(GongwenIssue(
                    "GW-CLOSING", f"结束语「{phrase}」属于{other}，与文种「{kind}」不符。", section, "error"))
                return issues
    return issues


def check_request(sections: list[Section]) -> list[GongwenIssue]:
    """请示: one matter per document (一文一事) and a request phrase at the end."""
    issues = []
    section, last = _last_text(sections)
    if not any(last.rstrip("。！").endswith(p) for p in REQUEST_PHRASES):
        issues.append(GongwenIssue(
            "GW-REQUEST-END", "请示应以请求语结尾，如「妥否，请批示。」「以上请示，请予审批。」", section, "error"))
    paragraphs = _paragraphs(sections)
    asks = [(sid, text) for sid, text in paragraphs if any(p in text for p in REQUEST_PHRASES)]
    if len(asks) > 1:
        issues.append(GongwenIssue(
            "GW-ONE-MATTER", f"请示应一文一事：全文有 {len(asks)} 处请求语，请拆分为多件请示或合并为一个事项。",
            asks[1][0], "error"))
    return issues


def check_report(sections: list[Section]) -> list[GongwenIssue]:
    for sid, text in _paragraphs(sections):
        for marker in REQUEST_MARKERS:
            if marker in text:
                return [GongwenIssue("GW-REPORT-REQUEST", f"报告中不得夹带请示事项（出现「{marker}」），请另行请示。",
                                     sid, "error")]
    return []


def check_numbering(sections: list[Section]) -> list[GongwenIssue]:
    """层次序数 一、（一）1.（1）: wrong punctuation and skipped numbers at the first level."""
    issues = []
    for sid, text in _paragraphs(sections):
        for pattern, message in BAD_NUMBERING:
            if pattern.match(text):
                issues.append(GongwenIssue("GW-NUMBERING", f"「{text[:12]}…」：{message}。", sid))
                break
    for s in sections:
        numbers = [LEVEL1.match(line.strip()) for line in s.text.split("\n")]
        seen = [m.group(0)[:-1] for m in numbers if m]
        expected = [cn_numeral(i) for i in range(1, len(seen) + 1)]
        if seen and seen != expected:
            issues.append(GongwenIssue(
                "GW-NUMBERING", f"第一层次序数应依次为「{'、'.join(expected)}、」，实为「{'、'.join(seen)}、」。", s.id))
    return issues


def _role_values(template: Template, inputs: Mapping[str, str]) -> dict[str, str]:
    return {f.role: inputs.get(f.name, "").strip() for f in template.fields if f.role}


def check_document(template: Template, inputs: Mapping[str, str], sections: list[Section]) -> list[GongwenIssue]:
    """Every rule that applies to this 文种; an empty list for templates that are not 公文."""
    if template.language != "zh" or template.layout != "gbt9704":
        return []
    kind = template.kind
    roles = _role_values(template, inputs)
    issues: list[GongwenIssue] = []
    for role, name in (("date", "成文日期"), ("print_date", "印发日期")):
        if roles.get(role):
            issues += check_date(roles[role].removesuffix("印发"), name)
    if roles.get("doc_number"):
        issues += check_doc_number(roles["doc_number"])
    if kind in NEEDS_RECIPIENTS and "recipients" in roles and not roles["recipients"]:
        issues.append(GongwenIssue("GW-RECIPIENTS", f"{kind}应标注主送机关。", "主送机关", "error"))
    if kind in NEEDS_RECIPIENTS and "recipients" not in roles:
        issues.append(GongwenIssue("GW-RECIPIENTS", f"{kind}模板缺少主送机关字段。", "主送机关", "error"))
    if kind in UPWARD and "signer" in roles and not roles["signer"]:
        issues.append(GongwenIssue("GW-SIGNER", f"{kind}是上行文，应标注签发人姓名。", "签发人", "error"))
    if roles.get("classification") and not CLASSIFICATION.match(roles["classification"]):
        issues.append(GongwenIssue(
            "GW-CLASSIFICATION", f"密级「{roles['classification']}」应为绝密、机密或秘密，保密期限用「★」连接，如「机密★1年」。",
            "密级和保密期限", "error"))
    if roles.get("classification") and not COPY_NUMBER.match(roles.get("copy_number", "")):
        issues.append(GongwenIssue("GW-COPY-NUMBER", "涉密公文应标注份号（6位阿拉伯数字，如 000001）。", "份号", "error"))
    if roles.get("urgency") and roles["urgency"] not in URGENCY:
        issues.append(GongwenIssue("GW-URGENCY", f"紧急程度「{roles['urgency']}」应为「特急」或「加急」。", "紧急程度", "error"))
    if roles.get("attachments") and re.search(r"[。；;，,]$", roles["attachments"].strip()):
        issues.append(GongwenIssue("GW-ATTACHMENTS", "附件名称后不加标点符号。", "附件说明"))
    if kind == "请示":
        issues += check_request(sections)
    elif kind == "报告":
        issues += check_report(sections)
    issues += check_closing(kind, sections)
    issues += check_numbering(sections)
    return issues
