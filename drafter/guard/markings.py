"""Classification markings: found where documents put them, not where the word is ordinary prose.

A marking counts when it is
- the whole of a line, or starts a line followed only by more capitals / caveats
  ("TOP SECRET", "SECRET//NOFORN", "CONFIDENTIAL - UK EYES ONLY", "# OFFICIAL-SENSITIVE");
- in brackets anywhere ("[SECRET]", "(CONFIDENTIAL)", "【机密】", "〔内部〕");
- the value of a classification header ("Classification: Secret", "Protective marking: OFFICIAL-SENSITIVE",
  "密级：机密");
- a Chinese secrecy level with its period ("机密★5年", "★绝密") or alone on a line ("内部", "内部资料").
English markings must be in capitals except after a header; "the secret of good drafting", "a confidential
chat" and "机密文件的管理规定" in a sentence are not markings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drafter.clearance import Clearance

# marking text (normalised) → level
LEVELS: dict[str, Clearance] = {
    "TOP SECRET": Clearance.top_secret,
    "SECRET": Clearance.secret,
    "CONFIDENTIAL": Clearance.confidential,
    "RESTRICTED": Clearance.restricted,
    "OFFICIAL-SENSITIVE": Clearance.restricted,
    "PROTECTED A": Clearance.restricted,
    "PROTECTED B": Clearance.restricted,
    "PROTECTED C": Clearance.confidential,
    "绝密": Clearance.top_secret,
    "机密": Clearance.secret,
    "秘密": Clearance.confidential,
    "内部": Clearance.restricted,
}

_EN = r"TOP[ \t]+SECRET|SECRET|CONFIDENTIAL|RESTRICTED|OFFICIAL[ \t]*[-‐–][ \t]*SENSITIVE|OFFICIAL[ \t]+SENSITIVE|PROTECTED[ \t]+[ABC]"
_ZH = r"绝密|机密|秘密|内部"
_LEAD = r"^[ \t]*(?:[#>*_=\-|]+[ \t]*)?"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # English, line start, capitals, followed by nothing or only capitals / caveats / separators.
    ("line", re.compile(rf"{_LEAD}(?P<m>{_EN})(?![A-Za-z])(?=[^a-z\n]*$)", re.MULTILINE)),
    # English caveat form anywhere: TOP SECRET//SI//NOFORN
    ("caveat", re.compile(rf"(?<![A-Za-z])(?P<m>{_EN})(?=//)")),
    # In brackets, anywhere.
    ("brackets", re.compile(rf"[\[(（【〔［]\s*(?P<m>{_EN}|{_ZH})(?:\s*[★☆*]\s*[^\]\)）】〕］\n]{{0,12}})?\s*[\])）】〕］]")),
    # Header: "Classification: Secret", "Security marking – OFFICIAL-SENSITIVE".
    ("header", re.compile(
        rf"(?i:(?:security\s+|protective\s+)?(?:classification|marking|classified))\s*[:：\-–]\s*(?P<m>(?i:{_EN}))(?![A-Za-z])"
    )),
    ("header", re.compile(rf"(?:密级|密\s*级|保密等级)\s*[:：]?\s*(?P<m>{_ZH})")),
    # Chinese level with the secrecy-period star: 机密★5年, ★绝密
    ("star", re.compile(rf"(?P<m>{_ZH})\s*[★☆]|[★☆]\s*(?P<m2>{_ZH})")),
    # Chinese level alone on a line, or 内部资料 / 内部文件 (注意保存) as the line.
    ("line", re.compile(
        rf"^[ \t　]*(?P<m>{_ZH})(?:资料|文件|材料|刊物|使用)?[ \t　]*(?:[，,、]?[ \t　]*注意保[存密管])?[ \t　]*$",
        re.MULTILINE,
    )),
]


@dataclass(frozen=True)
class Marking:
    """A classification marking: its normalised label, level, offsets and line (1-based)."""

    label: str
    level: Clearance
    start: int
    end: int
    line: int
    form: str


def normalise(marking: str) -> str:
    text = re.sub(r"\s+", " ", marking.strip().upper())
    text = re.sub(r"OFFICIAL ?[-‐–]? ?SENSITIVE", "OFFICIAL-SENSITIVE", text)
    return text


def find_markings(text: str, *, line_offset: int = 0) -> list[Marking]:
    """All markings in `text`, one per location, highest level first when two overlap."""
    found: list[Marking] = []
    for form, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            group = "m2" if "m2" in pattern.groupindex and m.group("m2") else "m"
            label = normalise(m.group(group))
            level = LEVELS.get(label)
            if level is None:
                continue
            start, end = m.start(group), m.end(group)
            found.append(Marking(label, level, start, end, line_offset + text.count("\n", 0, start) + 1, form))
    found.sort(key=lambda k: (-k.level.rank, k.start))
    kept: list[Marking] = []
    for k in found:
        if all(k.end <= o.start or k.start >= o.end for o in kept):
            kept.append(k)
    return sorted(kept, key=lambda k: k.start)
