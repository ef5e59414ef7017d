"""Fact extraction and normalisation, shared by the draft checks and the simplification feature.

A *fact* is a span of text that a reader would take as a checkable claim: a number, date, amount,
percentage, time limit, a reference to legislation or a document number, or the name of a person or
organisation. Each fact gets a normalised `key`, so that the same fact written two ways compares equal:

- "30 days" ≡ "thirty days" ≡ "30日" ≡ "三十日"                      -> ``duration:30:day``
- "1 March 2026" ≡ "2026-03-01" ≡ "2026年3月1日" ≡ "二〇二六年三月一日" -> ``date:2026-03-01``
- "£48 million" ≡ "£48m" ≡ "£48,000,000"                            -> ``amount:GBP:48000000``
- "3%" ≡ "3 per cent" ≡ "百分之三"                                   -> ``percent:3``
- "§ 404.610" ≡ "section 404.610"; "第三条" ≡ "第3条" ≡ "Article 3"    -> ``ref:section:404.610``, ``ref:article:3``
- "国办发〔2026〕7号" ≡ "国办发[2026]7号"                               -> ``docno:国办发:2026:7``
- "38 U.S.C. 1310(a)" ≡ "38 USC 1310(a)"; "7 CFR 273.2"               -> ``ref:usc:38:1310(a)``, ``ref:cfr:7:273.2``
- "paragraph (a) or (b)" is one reference (``ref:paragraph:(a) or (b)``) that also supports its parts;
  "第三条第二款" ≡ "第3条第2款" -> ``ref:article:3/paragraph:2``; "第（二）、（三）项" -> ``ref:item:2、3``

Names are found by a documented heuristic, not a model:

- English: runs of capitalised words (and all-caps acronyms), joined by "of", "for", "and", "the", "&";
  the first word of a sentence or line is dropped, because its capital may only be sentence case. A run
  ending in a known organisation word (Council, Agency, Ministry...) is an organisation, otherwise a name.
  Month and weekday names are not names.
- Chinese organisations: a known suffix (局, 委员会, 部, 厅, 办公室, 人民政府, 中心...) with the two characters
  before it (and a level marker 省/市/区/县 just before those), e.g. 市财政局. Common words that end in
  such a character (全部, 格局, 客厅...) are excluded.
- Chinese people: two or three characters before a title (同志, 主任, 局长...), and the names listed after
  出席/列席/请假/主持/参加 in minutes.

`SupportIndex` holds the facts of the material a text may rely on (inputs, sources, template text) and
answers whether a fact is supported. A supported set is generous on purpose (a number that is part of a
supported date or amount is itself supported), because every unsupported fact blocks approval.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from drafter import segment
from drafter.caseless import ASCII_FOLDS, FOLDS_TO_ASCII
from drafter.memo import text_cache

# --- numbers in words and in Chinese numerals ------------------------------------------------------

_EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
            "ninety": 90}
_EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}


def _trie(words: Iterable[str]) -> str:
    """An alternation of `words` as a trie ("t(?:en|h(?:irt(?:een|y)|ree)|w(?:e(?:lve|nty)|o))"): it matches
    what "|".join(words, longest first) matches, in the same order of preference, but a position where no
    word starts is given up after one character instead of one try per word."""
    groups: dict[str, list[str]] = {}
    for word in sorted(set(words)):
        groups.setdefault(word[:1], []).append(word[1:])
    end = groups.pop("", None) is not None
    branches = [re.escape(first) + _trie(rests) for first, rests in groups.items()]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # at most one branch can match the next character; a word that ends here is tried after the longer ones
    return f"(?:{body})?" if end else body


_EN_WORDS = [*_EN_UNITS, *_EN_TENS, "hundred", "a"]
_EN_WORD = _trie(_EN_WORDS)
# "thirty", "twenty-one", "one hundred and five", "a hundred"
EN_NUMBER_WORDS = rf"(?:(?:{_EN_WORD})(?:[\s\-]+(?:and[\s\-]+)?(?:{_EN_WORD}))*)"

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "[〇零一二两三四五六七八九十百千万亿]+"
NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
NUM_OR_CN = rf"(?:{NUM}|{CN_NUMERAL})"


# IGNORECASE lets "ſ" (long s), "K" (Kelvin sign), "ı" and "İ" match s, k and i: the words a pattern matched are
# looked up after folding them the same way, or "ſection 4" would match and then fail the look-up.
_ASCII_FOLDS = str.maketrans(ASCII_FOLDS)


def _fold(text: str) -> str:
    """`text` in lower case, with the four letters IGNORECASE matches to ASCII letters folded to them."""
    return text.translate(_ASCII_FOLDS).lower()


def en_words_to_int(text: str) -> int | None:
    """'thirty' -> 30, 'twenty-one' -> 21, 'one hundred and five' -> 105; None if not a number."""
    total, current, seen = 0, 0, False
    for word in re.split(r"[\s\-]+", _fold(text).strip()):
        if word in ("and", ""):
            continue
        if word == "a":
            current = max(current, 1)
            continue
        if word in _EN_UNITS:
            current += _EN_UNITS[word]
        elif word in _EN_TENS:
            current += _EN_TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _EN_SCALES:
            total += max(current, 1) * _EN_SCALES[word]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def cn_to_int(text: str) -> int | None:
    """'三十' -> 30, '二〇二六' -> 2026, '一百零五' -> 105, '三万' -> 30000; None if not a numeral."""
    if not text or any(c not in _CN_DIGITS and c not in _CN_UNITS and c not in "万亿" for c in text):
        return None
    if all(c in _CN_DIGITS for c in text) and len(text) > 1:  # digit by digit, as in years: 二〇二六
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, section, number = 0, 0, 0
    for c in text:
        if c in _CN_DIGITS:
            number = _CN_DIGITS[c]
        elif c in _CN_UNITS:
            section += (number or 1) * _CN_UNITS[c]
            number = 0
        elif c == "万":
            total += (section + number) * 10_000
            section = number = 0
        elif c == "亿":
            total = (total + section + number) * 100_000_000
            section = number = 0
    return total + section + number


# The same figures recur through a text and from one text to the next; numbers are immutable, so each is read once.
@lru_cache(maxsize=8192)
def to_number(text: str) -> Decimal | None:
    """Digits (with thousands commas), English number words or Chinese numerals, as a Decimal."""
    text = text.strip()
    if re.fullmatch(NUM, text):
        try:
            return Decimal(text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            return None
    value = cn_to_int(text)
    if value is None:
        value = en_words_to_int(text)
    return Decimal(value) if value is not None else None


@lru_cache(maxsize=8192)
def fmt_number(value: Decimal) -> str:
    """Canonical text of a number: no thousands separators, no trailing zeros ('46.60' -> '46.6')."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


# --- the fact type ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One checkable claim in a text: its kind, the text as written, its span and its normalised key."""

    kind: str  # number, date, amount, percent, duration, reference, docno, phone, name, organisation
    text: str
    start: int
    end: int
    key: str
    alt_key: str | None = None  # a second reading that also counts as support (see _extract_names)

    @property
    def is_name(self) -> bool:
        return self.kind in ("name", "organisation")


_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH_RE = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" \
            r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

_CURRENCIES = {"£": "GBP", "$": "USD", "us$": "USD", "€": "EUR", "¥": "CNY", "￥": "CNY", "gbp": "GBP",
               "usd": "USD", "eur": "EUR", "rmb": "CNY", "cny": "CNY", "s$": "SGD", "sgd": "SGD",
               "pounds": "GBP", "pound": "GBP", "dollars": "USD", "euros": "EUR", "yuan": "CNY", "元": "CNY",
               "美元": "USD", "欧元": "EUR", "英镑": "GBP", "港元": "HKD"}
_SCALE_WORDS = {"thousand": 1000, "k": 1000, "million": 1_000_000, "m": 1_000_000, "mn": 1_000_000,
                "billion": 1_000_000_000, "bn": 1_000_000_000, "b": 1_000_000_000, "万": 10_000,
                "亿": 100_000_000, "千": 1000, "百万": 1_000_000}
_DURATION_UNITS = {"day": "day", "days": "day", "working day": "workday", "working days": "workday",
                   "business days": "workday", "business day": "workday", "week": "week", "weeks": "week",
                   "month": "month", "months": "month", "year": "year", "years": "year", "hour": "hour",
                   "hours": "hour", "minute": "minute", "minutes": "minute",
                   "日": "day", "天": "day", "个工作日": "workday", "工作日": "workday", "周": "week",
                   "个星期": "week", "星期": "week", "个月": "month", "月": "month", "年": "year",
                   "小时": "hour", "个小时": "hour", "分钟": "minute"}
_REF_WORDS = {"section": "section", "sections": "section", "s.": "section", "ss.": "section", "§": "section",
              "§§": "section", "article": "article", "art.": "article", "articles": "article",
              "paragraph": "paragraph", "para.": "paragraph", "paragraphs": "paragraph",
              "subparagraph": "paragraph", "subparagraphs": "paragraph", "subsection": "section",
              "subsections": "section", "sec.": "section", "secs.": "section",
              "regulation": "regulation", "reg.": "regulation", "rule": "rule", "clause": "clause",
              "schedule": "schedule", "chapter": "chapter", "part": "part", "annex": "annex",
              "appendix": "annex", "条": "article", "款": "paragraph", "项": "item", "章": "chapter",
              "节": "part", "编": "part", "目": "subitem"}


def _key_number(value: Decimal) -> str:
    return f"number:{fmt_number(value)}"


def _ref_target(text: str) -> str:
    """A reference's target in canonical form: lower case, one space, "," / "and" / "or" kept as written."""
    return re.sub(r"\s+", " ", re.sub(r"\s*,\s*", ", ", text.lower())).strip()


def _cn_reference_key(text: str) -> str | None:
    """第三条第二款 -> ref:article:3/paragraph:2; 第（二）、（三）项 -> ref:item:2、3."""
    parts = []
    for m in _P_CN_PART.finditer(text):
        numbers = [to_number(n.group(1)) for n in _P_CN_UNIT_NUM.finditer(m.group(1))]
        if not numbers or any(n is None for n in numbers):
            return None
        parts.append(f"{_REF_WORDS[m.group(2)]}:" + "、".join(fmt_number(n) for n in numbers if n is not None))
    return "ref:" + "/".join(parts) if parts else None


# --- patterns, tried in priority order; a later match overlapping an earlier one is dropped --------------

_I = re.IGNORECASE


def _starting_with(first: str, pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`pattern` compiled to give up at once where no match can start. `first` is a character class holding every
    character a match can start with; the pattern never matches empty text, so the matches are the same."""
    return re.compile(rf"(?={first})(?:{pattern})", flags)


# the characters an English number word starts with (zero, one, two... a, hundred)
_WORD_FIRST = "".join(sorted({w[0] for w in _EN_WORDS}))
_CITATION = re.compile(r"\[\d{1,3}\]")  # the offline backend's source markers: not facts
_ENUMERATION = re.compile(r"(?m)^[ \t]*(?:\(?\d{1,2}[.)](?=\s)|（\d{1,2}）|\d{1,2}、)")

_P_DOCNO = re.compile(r"([\u4e00-\u9fff]{0,8})[〔\[［【(（](\d{4})[〕\]］】)）]\s*(?:第\s*)?(\d+)\s*号")
_PROVISION = r"\d+[a-z]?(?:[.\-]\d+[a-z]?)*(?:\([0-9a-z]+\))*"
# "38 U.S.C. 1310(a)", "42 U.S.C. 5121 et seq.", "7 CFR 273.2(b)(1)", "20 C.F.R. § 404.610"
_P_REF_CODE = _starting_with(r"\d", rf"\b(\d+)\s+(U\.\s?S\.\s?C\.|USC|C\.\s?F\.\s?R\.|CFR)\s*(?:§§?\s*)?({_PROVISION})", _I)
_CODES = {"usc": "usc", "cfr": "cfr"}
# "U.S.C." or "C.F.R." on their own are abbreviations, never names
_CODE_ABBREVIATION = _starting_with("[uc]", r"\b(?:U\.\s?S\.\s?C|C\.\s?F\.\s?R)\.", _I)
# more items of the same kind after a reference: "paragraph (a) or (b)", "§§ 617.3(m)(2) and (3)"
_REF_MORE = r"(?:(?:\s*,\s*|\s*,?\s+(?:and|or|to|through)\s+)(?:\([0-9a-z]+\))+)*"
_P_REF_SECTION_SIGN = re.compile(rf"(§§?)\s*({_PROVISION}{_REF_MORE})", _I)  # its "§" first: searched for at C speed
_P_REF_EN = _starting_with(
    "[sparc]",
    r"\b(sections?|s\.|ss\.|sec\.|secs\.|subsections?|articles?|art\.|paragraphs?|subparagraphs?|para\.|"
    r"regulation|reg\.|rule|clause|schedule|chapter|part|annex|appendix)\s+"
    rf"((?:{_PROVISION}|\([a-z0-9]+\)(?:\([0-9a-z]+\))*|[IVXL]+\b){_REF_MORE})",
    _I,
)
# 第三条, 第3条第2款, 第（二）项, 第（二）、（三）项, 第一百零五条第一款第（三）项
_CN_UNIT = rf"[（(]?\s*{NUM_OR_CN}\s*[)）]?"
_CN_PART = rf"第\s*({_CN_UNIT}(?:\s*[、和或及至]\s*(?:第\s*)?{_CN_UNIT})*)\s*(条|款|项|章|节|编|目)"
_P_REF_CN = re.compile(rf"(?:{_CN_PART})+")
_P_CN_PART = re.compile(_CN_PART)
_P_CN_UNIT_NUM = re.compile(rf"[（(]?\s*({NUM_OR_CN})\s*[)）]?")
_P_DATE_CN = re.compile(
    r"((?:\d{4}|[〇零一二三四五六七八九]{4}))\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
    r"(?:\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日号])?"
)
_P_DATE_CN_MD = re.compile(r"(?<![\d年])(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*[日号]")
# A pattern whose first element is a character class is searched for at C speed (re's "charset prefix"); a
# lookahead or lookbehind first defeats that, so these test the character before their first digit after it.
_P_DATE_ISO = re.compile(r"(\d(?<![0-9A-Za-z]\d)\d{3})-(\d{1,2})-(\d{1,2})(?![0-9A-Za-z])")
_P_DATE_SLASH = _starting_with(r"\d", r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_P_DATE_DMY = _starting_with(r"\d", rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})(?:,?\s+(\d{{4}}))?(?![\w])")
_P_DATE_MDY = _starting_with("[JFMASOND]", rf"\b({_MONTH_RE})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,\s*|\s+)(\d{{4}})\b")
_P_DATE_MY = _starting_with("[JFMASOND]", rf"\b({_MONTH_RE})\s+(\d{{4}})\b")
_CUR_SYM = r"(US\$|S\$|£|\$|€|¥|￥|GBP|USD|EUR|RMB|CNY|SGD)"
_SCALE = r"(thousand|million|billion|bn|mn|m|k|b)\b"
_P_AMOUNT_SYM = _starting_with("[usgerc£$€¥￥]", rf"{_CUR_SYM}\s?({NUM})(?:\s?{_SCALE})?", _I)
_P_AMOUNT_WORD = _starting_with(
    rf"[\d{_WORD_FIRST}]", rf"\b({NUM}|{EN_NUMBER_WORDS})(?:\s+(thousand|million|billion))?\s+(pounds|dollars|euros|yuan)\b", _I
)
_P_AMOUNT_CN = re.compile(rf"(?:人民币\s*)?({NUM_OR_CN}?)\s*(百万|千|万|亿)?\s*(美元|欧元|英镑|港元|元)")
_P_PERCENT = _starting_with(
    rf"[\d{_WORD_FIRST}百]", rf"(?<![A-Za-z0-9.])({NUM}|{EN_NUMBER_WORDS})\s*(?:%|％|\s+per\s*cent\b|\s+percent\b)|百分之\s*({NUM_OR_CN}(?:点[〇零一二三四五六七八九]+)?)",
    _I,
)
_P_DURATION_EN = _starting_with(
    rf"[\d{_WORD_FIRST}]", rf"\b({NUM}|{EN_NUMBER_WORDS})[\s\-]+(working days?|business days?|days?|weeks?|months?|years?|hours?|minutes?)\b",
    _I,
)
_P_DURATION_CN = re.compile(rf"({NUM_OR_CN})\s*(个工作日|工作日|个小时|小时|分钟|个星期|星期|个月|天|日|周|年)(?![月度])")
_P_PHONE = _starting_with(r"[+(0]", r"(?<![\w+])(?:\+\d{1,3}[\s\-]?)?(?:\(?0\d{1,4}\)?[\s\-]?)\d{3,4}[\s\-]?\d{3,4}\b")
_P_SCALED = _starting_with(r"\d", rf"({NUM})\s?(thousand|million|billion|bn|万|亿)(?![\w元])", _I)
# "(?<![\w.]){NUM}(?![\w])|(?<=[\u4e00-\u9fff])\d+(?:\.\d+)?|\d+(?:\.\d+)?(?=[\u4e00-\u9fff])", each branch's first digit
# taken before the branches
_P_NUMBER = re.compile(
    r"\d(?:(?<![\w.]\d)\d*(?:,\d{3})*(?:\.\d+)?(?![\w])|(?<=[\u4e00-\u9fff]\d)\d*(?:\.\d+)?|\d*(?:\.\d+)?(?=[\u4e00-\u9fff]))"
)

# --- names -----------------------------------------------------------------------------------------------

_CAP_WORD = r"(?:[A-Z][a-z]+(?:['’\-][A-Za-z]+)*|[A-Z]{2,}s?|[A-Z]\.)"
_CONNECTOR = r"(?:of|for|and|the|on|&|de|van|von|du|la)"
# rf"\b{_CAP_WORD}(?:[ \t]+(?:{_CONNECTOR}[ \t]+)*{_CAP_WORD})*" with the first capital before the branches and its
# "\b" after it ("(?<!\w.)": no word character before the capital), so the capital is searched for at C speed
_P_CAP_RUN = re.compile(
    rf"[A-Z](?<!\w.)(?:[a-z]+(?:['’\-][A-Za-z]+)*|[A-Z]+s?|\.)(?:[ \t]+(?:{_CONNECTOR}[ \t]+)*{_CAP_WORD})*"
)
_ORG_WORDS = {"council", "agency", "ministry", "department", "office", "authority", "commission", "committee",
              "board", "trust", "service", "services", "bank", "ltd", "limited", "plc", "inc", "university",
              "college", "school", "hospital", "court", "team", "unit", "group", "association", "institute",
              "foundation", "corporation", "company", "police", "parliament", "government", "directorate",
              "executive", "tribunal", "ombudsman", "regulator", "fund", "partnership", "network"}
_NOT_NAMES = {"i", "mr", "mrs", "ms", "dr", "a", "an", "the", "ok", "am", "pm", "uk"} | _WEEKDAYS | set(_MONTHS)
# Words that start sentences but never names: trimmed from the front of a capitalised run.
_LEADING_WORDS_TEXT = (
    "then however but and so also further furthermore meanwhile finally first second third next in on at for "
    "with from by after before during since under over this that these those our your their its his her we "
    "you they he she it there here if when where while although as today yesterday tomorrow please dear yes "
    "no each every all some any both many most other such what which who how why an"
)
_LEADING_WORDS = frozenset(_LEADING_WORDS_TEXT.split())
# Where a capital may be only sentence case: a sentence start (from drafter.segment), or after a clause
# mark, an opening quote or bracket, a dash; each optionally followed by a list marker or citation.
# "(?:^|[;；:：]\s+|\n\s*|[\"“‘(（\[—–]\s*)" without its "^" (the text's start is added apart), the mark first
_CLAUSE_START = re.compile(r"[;；:：\n\"“‘(（\[—–](?:(?<=[;；:：])\s+|(?<=[\n\"“‘(（\[—–])\s*)")
_ITEM_MARK = re.compile(r"(?:[-*•·][ \t]+|\(?\d{1,2}[.)][ \t]+|\[\d{1,3}\][ \t]*)?")

_CN_ORG_SUFFIXES = ("委员会", "办公室", "办公厅", "人民政府", "政府", "中心", "公司", "集团", "协会", "银行",
                    "大学", "医院", "法院", "检察院", "研究院", "管理局", "局", "厅", "部", "委", "署", "处")
_P_CN_ORG = re.compile(
    r"(?P<level>[省市区县州镇乡])?(?P<core>[\u4e00-\u9fff]{2})(?P<suffix>"
    + "|".join(_CN_ORG_SUFFIXES) + ")"
)
# Common words ending (or starting) with an organisation character that name no organisation.
_CN_ORG_EXCLUDE_PREV = {"局": set("格大结当布全开胜僵赌饭棋"), "部": set("全内外局干各东西南北中上下头底顶背胸腹面根细"),
                        "厅": set("客餐大门舞展"), "处": set("到好益难用长短之此何别相"), "署": set("部签"),
                        "委": set("原"), "中心": set("重核关中")}
_CN_ORG_EXCLUDE_NEXT = {"局": set("面势限部长"), "部": set("分署门位长件队署"), "处": set("理置分于在罚长"),
                        "委": set("员托屈婉派"), "厅": set("长"), "署": set("名")}
_CN_STOP = set("的和与及或在对由向经将为于是了请要求应当须等并且而从把被给让使这那其各本该")
_CN_TITLES = "同志|先生|女士|主任|副主任|局长|副局长|部长|副部长|厅长|副厅长|处长|副处长|科长|书记|副书记|市长|副市长|" \
             "区长|县长|省长|主席|委员|秘书长|院长|校长|经理|总经理|董事长|组长"
_P_CN_PERSON = re.compile(rf"((?:(?!副)[\u4e00-\u9fff]){{2,3}})(?=副?(?:{_CN_TITLES})(?!会))")
_CN_NOT_NAMES = {"全体", "各位", "有关", "相关", "广大", "部门", "单位", "会议", "本人", "上述", "分管", "联系"}
_P_CN_ROSTER = re.compile(r"(?m)(?:出席|列席|请假|主持|参加|参会|出席人员|列席人员|主持人|记录)[：:]\s*([^\n]+)")


def _name_key(text: str) -> str:
    return "name:" + re.sub(r"\s+", " ", text.strip().lower().replace("’", "'"))


# --- extraction ------------------------------------------------------------------------------------------


def _date_key(year: int | None, month: int, day: int | None) -> str | None:
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    if year is None:
        return f"daymonth:{month:02d}-{day:02d}" if day else None
    return f"date:{year:04d}-{month:02d}-{day:02d}" if day else f"month:{year:04d}-{month:02d}"


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    value = to_number(text)
    return int(value) if value is not None else None


class _Collector:
    """Collects facts; a span overlapping one already taken is ignored (earlier patterns win)."""

    def __init__(self, text: str):
        self.text = text
        self.facts: list[Fact] = []
        self.taken = bytearray(len(text))
        for pattern in (_CITATION, _ENUMERATION):
            for m in pattern.finditer(text):
                self.block(m.start(), m.end())

    def block(self, start: int, end: int) -> None:
        self.taken[start:end] = b"\x01" * (end - start)

    def free(self, start: int, end: int) -> bool:
        return self.taken.find(1, start, end) < 0

    def add(self, kind: str, start: int, end: int, key: str | None, alt_key: str | None = None) -> None:
        while end > start and self.text[end - 1].isspace():
            end -= 1
        if key is None or end <= start or not self.free(start, end):
            return
        self.block(start, end)
        self.facts.append(Fact(kind, self.text[start:end], start, end, key, alt_key))


_HAN = re.compile(r"[\u4e00-\u9fff]")


# Under IGNORECASE the letters of drafter.caseless match ASCII letters although their lower case is not ASCII: a
# text that holds one is always scanned in full.


class _Folded:
    """A text's lower case, for finding in it the words a pattern cannot match without."""

    def __init__(self, text: str):
        self.text = text
        self.lower = text.lower()
        self.exotic = FOLDS_TO_ASCII.search(text) is not None
        self._reversed: tuple[str, str] | None = None
        self._gates: dict[tuple[tuple[str, ...], bool], str] = {}
        self.han = _han_only(text)

    @property
    def reversed(self) -> tuple[str, str]:
        """The text and its lower case read backwards, for looking at what stands before a place."""
        if self._reversed is None:
            self._reversed = (self.text[::-1], self.lower[::-1])
        return self._reversed

    def any(self, words: tuple[str, ...], *, cased: bool = False) -> str:
        """The text when it holds one of `words` (lower-case words, matched without case unless `cased`);
        empty otherwise, so the pattern that needs them scans nothing."""
        gate = self._gates.get((words, cased))
        if gate is None:  # the month names gate three patterns: each text is looked through once per gate
            where = self.text if cased else self.lower
            gate = self.text if (not cased and self.exotic) or any(w in where for w in words) else ""
            self._gates[words, cased] = gate
        return gate


# Words each pattern cannot match without (lower case; the month names are matched with their capital): a text
# lacking them is not scanned by that pattern at all. Looking for a word costs far less than a scan by the pattern.
_NEEDS_AMOUNT_WORD = ("pound", "dollar", "euro", "yuan")
_NEEDS_PERCENT = ("%", "％", "per", "百分之")  # "per cent", "percent"
_NEEDS_DURATION_EN = ("day", "week", "month", "year", "hour", "minute")
_NEEDS_REF_CODE = ("usc", "cfr", "u.", "f.")  # USC, CFR, U.S.C., U. S. C., C.F.R., C. F. R.
_NEEDS_REF_EN = ("s.", "sec", "art", "para", "reg", "rule", "clause", "schedule", "chapter", "annex", "appendix")
_NEEDS_MONTH = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_NEEDS_SLASH = ("/",)
_NEEDS_CURRENCY = ("£", "$", "€", "¥", "￥", "gbp", "usd", "eur", "rmb", "cny", "sgd")
_NEEDS_SCALE = ("thousand", "million", "billion", "bn", "万", "亿")


# --- anchored scans: searching only from where a match can begin -----------------------------------------------

# Set to False (tests do) to scan every anchored pattern over the whole text, as finditer does.
_ANCHORED = True


@dataclass(frozen=True)
class _Anchor:
    """What every match of a pattern holds: one of `tokens` (lower-case strings, found in the text's lower case),
    with before it only characters `back` matches (read backwards from the token), and, where given, text that
    `before` matches read backwards from the token, and `after` matches after it."""

    tokens: tuple[str, ...]
    back: re.Pattern[str]
    before: re.Pattern[str] | None = None
    after: re.Pattern[str] | None = None


def _scan(pattern: re.Pattern[str], anchor: _Anchor, folded: _Folded, text: str) -> Iterable[re.Match[str]]:
    """`pattern.finditer(text)` (`text` is the folded text, or empty where a gate proved nothing matches), found by searching only from where a match can begin.

    finditer searches from the end of each match for the next. Every match holds a token whose run of `back`
    characters starts at or before the match, so no match starts between the end of the last one and the start
    of the run before the next token: searching from there finds what searching from the end finds (a search
    from a position still sees the text before it, for lookbehinds and word boundaries). A token that fails
    `before` or `after` belongs to no match. The lower case is the text's own length unless it holds one of the
    letters that fold to ASCII (İ becomes two characters): such a text is scanned in full."""
    if not text:
        return ()
    if not _ANCHORED or folded.exotic:
        return pattern.finditer(text)
    return _anchored(pattern, anchor, folded)


def _anchored(pattern: re.Pattern[str], anchor: _Anchor, folded: _Folded) -> list[re.Match[str]]:
    text, lower = folded.text, folded.lower
    n = len(text)
    places: list[int] = []
    for token in anchor.tokens:
        i = lower.find(token)
        while i >= 0:
            if anchor.after is None or anchor.after.match(lower, i + len(token)):
                places.append(i)
            i = lower.find(token, i + 1)
    if not places:
        return []
    places.sort()
    backwards, backwards_lower = folded.reversed
    search, back, before = pattern.search, anchor.back.match, anchor.before
    found = []
    pos = 0
    for place in places:
        if place < pos or (before is not None and not before.match(backwards_lower, n - place)):
            continue
        run = back(backwards, n - place)
        start = place - (run.end() - run.start()) if run else place
        m = search(text, start if start > pos else pos)
        if m is None:
            break
        found.append(m)
        pos = m.end()
    return found


# the letters of the number words, either case: what a number written in words may hold
_WORD_LETTERS = "".join(sorted(set("".join(_EN_WORDS) + "and"))).replace("-", "")
_NUMBER_BACK = re.compile(rf"[\d,.\s\-{_WORD_LETTERS}{_WORD_LETTERS.upper()}]*")
# a number ends just before (read backwards: a digit, or a number word backwards)
_ENDS_IN_NUMBER = rf"(?:\d|{_trie(w[::-1] for w in _EN_WORDS)})"

_PERCENT_ANCHOR = _Anchor(("%", "％", "per", "百分之"), _NUMBER_BACK,
                          before=re.compile(rf"(?<=之分百)|\s*{_ENDS_IN_NUMBER}"))
# "working day" holds "day": both are looked for, and the one after a number is the match's
_DURATION_EN_ANCHOR = _Anchor(("working day", "business day", "day", "week", "month", "year", "hour", "minute"),
                              _NUMBER_BACK, before=re.compile(rf"[\s\-]+{_ENDS_IN_NUMBER}"))
_SCALED_ANCHOR = _Anchor(("thousand", "million", "billion", "bn", "万", "亿"), re.compile(r"[\d,.\s]*"),
                         before=re.compile(r"\s?\d"))
# "US$" and "S$" hold "$"
_AMOUNT_SYM_ANCHOR = _Anchor(("£", "$", "€", "¥", "￥", "gbp", "usd", "eur", "rmb", "cny", "sgd"),
                             re.compile("[sSuU]{0,2}"), after=re.compile(r"\s?\d"))
# 美元, 欧元, 港元 and 元 end in 元
_AMOUNT_CN_ANCHOR = _Anchor(("元", "英镑"), re.compile(r"[\d,.\s人民币〇零一二两三四五六七八九十百千万亿美欧港]*"))


def _han_only(text: str) -> str:
    """`text` for the patterns that need a Chinese character to match; empty when it has none (they would
    only scan it in vain)."""
    return text if _HAN.search(text) else ""


def extract_facts(text: str) -> list[Fact]:
    """Every fact in `text` (English and Chinese alike), in order of position."""
    return list(_extract_facts(text))


# The checks run after every change, over every section and every source paragraph: most of that text is the
# same as the last time. Facts are frozen, so the same text's facts are found once.
@text_cache(max_chars=4_000_000, max_items=4096)
def _extract_facts(text: str) -> tuple[Fact, ...]:
    c = _Collector(text)
    folded = _Folded(text)
    han = folded.han
    for m in _P_DOCNO.finditer(han):
        # the issuer prefix (国办发...) is kept in the text, not the key: its start is ambiguous without
        # word segmentation ("根据国办发〔2026〕7号")
        c.add("docno", m.start(2) - 1, m.end(), f"docno:{m.group(2)}:{int(m.group(3))}")
    for m in _P_REF_CODE.finditer(folded.any(_NEEDS_REF_CODE)):
        code = re.sub(r"[^a-z]", "", _fold(m.group(2)))
        c.add("reference", m.start(), m.end(), f"ref:{_CODES[code]}:{m.group(1)}:{m.group(3).lower()}")
    for m in _CODE_ABBREVIATION.finditer(folded.any(_NEEDS_REF_CODE)):
        c.block(m.start(), m.end())
    for m in _P_REF_SECTION_SIGN.finditer(text):
        c.add("reference", m.start(), m.end(), f"ref:section:{_ref_target(m.group(2))}")
    for m in _P_REF_EN.finditer(folded.any(_NEEDS_REF_EN)):
        kind = _REF_WORDS[_fold(m.group(1))]
        c.add("reference", m.start(), m.end(), f"ref:{kind}:{_ref_target(m.group(2))}")
    for m in _P_REF_CN.finditer(han):
        key = _cn_reference_key(m.group(0))
        if key is not None:
            c.add("reference", m.start(), m.end(), key)
    for m in _P_DATE_CN.finditer(han):
        c.add("date", m.start(), m.end(), _date_key(_int(m.group(1)), _int(m.group(2)) or 0, _int(m.group(3))))
    for m in _P_DATE_ISO.finditer(text):
        c.add("date", m.start(), m.end(), _date_key(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _P_DATE_SLASH.finditer(folded.any(_NEEDS_SLASH, cased=True)):  # day/month/year, the British and Chinese-official order
        c.add("date", m.start(), m.end(), _date_key(int(m.group(3)), int(m.group(2)), int(m.group(1))))
    for m in _P_DATE_DMY.finditer(folded.any(_NEEDS_MONTH, cased=True)):
        month = _MONTHS[m.group(2).lower().rstrip(".")]
        c.add("date", m.start(), m.end(), _date_key(_int(m.group(3)), month, int(m.group(1))))
    for m in _P_DATE_MDY.finditer(folded.any(_NEEDS_MONTH, cased=True)):
        month = _MONTHS[m.group(1).lower().rstrip(".")]
        c.add("date", m.start(), m.end(), _date_key(int(m.group(3)), month, int(m.group(2))))
    for m in _P_DATE_MY.finditer(folded.any(_NEEDS_MONTH, cased=True)):
        c.add("date", m.start(), m.end(), _date_key(int(m.group(2)), _MONTHS[m.group(1).lower().rstrip(".")], None))
    for m in _P_DATE_CN_MD.finditer(han):
        c.add("date", m.start(), m.end(), _date_key(None, _int(m.group(1)) or 0, _int(m.group(2))))
    for m in _scan(_P_AMOUNT_SYM, _AMOUNT_SYM_ANCHOR, folded, folded.any(_NEEDS_CURRENCY)):
        value = to_number(m.group(2))
        scale = _SCALE_WORDS.get(_fold(m.group(3) or ""), 1)
        if value is not None:
            c.add("amount", m.start(), m.end(), f"amount:{_CURRENCIES[_fold(m.group(1))]}:{fmt_number(value * scale)}")
    for m in _P_AMOUNT_WORD.finditer(folded.any(_NEEDS_AMOUNT_WORD)):
        value = to_number(m.group(1))
        scale = _SCALE_WORDS.get(_fold(m.group(2) or ""), 1)
        if value is not None:
            c.add("amount", m.start(), m.end(), f"amount:{_CURRENCIES[_fold(m.group(3))]}:{fmt_number(value * scale)}")
    for m in _scan(_P_AMOUNT_CN, _AMOUNT_CN_ANCHOR, folded, han):
        if not m.group(1):
            continue
        value = to_number(m.group(1))
        if value is not None:
            scale = _SCALE_WORDS.get(m.group(2) or "", 1)
            currency = _CURRENCIES[m.group(3)]
            c.add("amount", m.start(), m.end(), f"amount:{currency}:{fmt_number(value * scale)}")
    for m in _scan(_P_PERCENT, _PERCENT_ANCHOR, folded, folded.any(_NEEDS_PERCENT)):
        raw = m.group(1) or m.group(2)
        if "点" in raw:
            whole, _, frac = raw.partition("点")
            value = to_number(whole)
            value = None if value is None else Decimal(f"{fmt_number(value)}.{''.join(str(_CN_DIGITS[d]) for d in frac)}")
        else:
            value = to_number(raw)
        if value is not None:
            c.add("percent", m.start(), m.end(), f"percent:{fmt_number(value)}")
    for m in _scan(_P_DURATION_EN, _DURATION_EN_ANCHOR, folded, folded.any(_NEEDS_DURATION_EN)):
        if m.group(1).lower() in ("a", "an"):  # "once a year" states no figure
            continue
        value = to_number(m.group(1))
        if value is not None:
            c.add("duration", m.start(), m.end(), f"duration:{fmt_number(value)}:{_DURATION_UNITS[_fold(m.group(2))]}")
    for m in _P_DURATION_CN.finditer(han):
        value = to_number(m.group(1))
        unit = _DURATION_UNITS[m.group(2)]
        if value is None or (unit == "year" and value >= 1000):  # "2026年" is a year, not a duration
            continue
        c.add("duration", m.start(), m.end(), f"duration:{fmt_number(value)}:{unit}")
    for m in _P_PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) >= 8:
            c.add("phone", m.start(), m.end(), f"phone:{digits}")
    for m in _scan(_P_SCALED, _SCALED_ANCHOR, folded, folded.any(_NEEDS_SCALE)):
        value = to_number(m.group(1))
        if value is not None:
            scale = _SCALE_WORDS[_fold(m.group(2))]
            c.add("number", m.start(), m.end(), _key_number(value * scale))
    for m in _P_NUMBER.finditer(text):
        if not c.free(m.start(), m.end()):  # most numbers stand in a date, amount or percent found before
            continue
        value = to_number(m.group(0))
        if value is not None:
            c.add("number", m.start(), m.end(), _key_number(value))
    _extract_names(text, c, han)
    return tuple(sorted(c.facts, key=lambda f: f.start))


def _sentence_starts(text: str) -> set[int]:
    starts = {0, *(m.end() for m in _CLAUSE_START.finditer(text))} | segment.sentence_starts(text)
    return {m.end() for m in (_ITEM_MARK.match(text, i) for i in starts) if m}


def _extract_names(text: str, c: _Collector, han: str) -> None:
    starts = _sentence_starts(text)
    for m in _P_CAP_RUN.finditer(text):
        words = list(re.finditer(r"\S+", m.group(0)))
        # Sentence case: the first word's capital proves nothing. A single word there is skipped; in a
        # longer run ("Call Priya", "Sarah Collins will") the run is checked with and without that word.
        optional_first = m.start() in starts
        if optional_first and len(words) == 1:
            continue
        while words and (re.fullmatch(_CONNECTOR, words[-1].group(0)) or words[-1].group(0).lower() in _NOT_NAMES):
            words = words[:-1]
        while words and (words[0].group(0).lower().rstrip(".,") in _NOT_NAMES | _LEADING_WORDS
                         or re.fullmatch(_CONNECTOR, words[0].group(0))):
            words = words[1:]
        if not words:
            continue
        start, end = m.start() + words[0].start(), m.start() + words[-1].end()
        # "John Smith and Raj Patel" are two names, each checked on its own; "Canal and River Trust" is one
        seps = list(re.finditer(r"[ \t]+(?:and|&)[ \t]+", text[start:end]))
        bounds = [start] + [x for sep in seps for x in (start + sep.start(), start + sep.end())] + [end]
        pieces = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
        if any(len(text[a:b].split()) < 2 for a, b in pieces):
            pieces = [(start, end)]
        for a, b in pieces:
            piece = text[a:b]
            last = piece.split()[-1].lower().rstrip(".")
            kind = "organisation" if last in _ORG_WORDS else "name"
            alt = None
            if optional_first and a == m.start() and len(piece.split()) > 1:
                alt = _name_key(piece.split(None, 1)[1])
            c.add(kind, a, b, _name_key(piece), alt)
    for m in _P_CN_ORG.finditer(han):
        suffix, core = m.group("suffix"), m.group("core")
        if any(ch in _CN_STOP for ch in core):
            continue
        if core[-1] in _CN_ORG_EXCLUDE_PREV.get(suffix, set()):
            continue
        following = text[m.end(): m.end() + 1]
        if following and following in _CN_ORG_EXCLUDE_NEXT.get(suffix, set()):
            continue
        start = m.start("level") if m.group("level") else m.start("core")
        c.add("organisation", start, m.end(), _name_key(text[start:m.end()]))
    for m in _P_CN_ROSTER.finditer(han):
        for item in re.finditer(r"[\u4e00-\u9fff]{2,4}", m.group(1)):
            c.add("name", m.start(1) + item.start(), m.start(1) + item.end(), _name_key(item.group(0)))
    for m in _P_CN_PERSON.finditer(han):
        name = re.split("[" + "".join(_CN_STOP) + "副]", m.group(1))[-1]
        if len(name) >= 2 and name not in _CN_NOT_NAMES and name[-2:] not in _CN_NOT_NAMES:
            c.add("name", m.end(1) - len(name), m.end(1), _name_key(name))


# --- support ---------------------------------------------------------------------------------------------


def _derived_keys(fact: Fact) -> set[str]:
    """Keys a fact also supports: its parts (the year of a date, the number in an amount...)."""
    kind, _, rest = fact.key.partition(":")
    keys = {fact.key}
    if kind == "date":
        y, mo, d = rest.split("-")
        keys |= {f"month:{y}-{mo}", f"daymonth:{mo}-{d}", f"number:{int(y)}", f"number:{int(d)}"}
    elif kind == "month":
        y, _, _mo = rest.partition("-")
        keys.add(f"number:{int(y)}")
    elif kind == "amount":
        value = rest.split(":", 1)[1]
        keys |= {f"number:{value}", f"amount:*:{value}"}
    elif kind in ("percent", "duration"):
        keys.add(f"number:{rest.split(':', 1)[0]}")
    elif kind == "docno":
        year, number = rest.split(":")
        keys |= {f"number:{year}", f"number:{number}"}
    elif kind == "ref":
        keys |= _reference_parts(rest)
    return keys


def _reference_parts(rest: str) -> set[str]:
    """The smaller references a reference supports: "paragraph:(a) or (b)" supports paragraph (a) and (b);
    "article:3/paragraph:2" supports article 3 and "paragraph:2"; "section:617.3(m)(2)" supports 617.3(m)."""
    keys: set[str] = set()
    for part in rest.split("/"):
        kind, _, target = part.partition(":")
        if kind in _CODES.values():
            continue
        for item in re.split(r",\s*|\s+(?:and|or|to|through)\s+|、", target):
            item = item.strip()
            while item:
                keys.add(f"ref:{kind}:{item}")
                shorter = re.sub(r"\([0-9a-z]+\)$", "", item)
                if shorter == item:
                    break
                item = shorter
    return keys


def normalise_text(text: str) -> str:
    """Lower case, one space between words, curly quotes straightened: for substring look-ups of names."""
    return " " + re.sub(r"\s+", " ", text.lower().replace("’", "'")) + " "


_P_NUMBER_WORDS = _starting_with(f"[{_WORD_FIRST}]", rf"\b{EN_NUMBER_WORDS}\b", _I)
_P_CN_NUMERAL = re.compile(CN_NUMERAL)
_P_DIGITS = re.compile(r"\d\d*(?:,\d{3})*(?:\.\d+)?")  # NUM, its first digit apart: searched for at C speed


# Most of the material (the template's own wording, the inputs) is the same from one draft to the next: the keys
# each text supports are found once per text.
@text_cache(max_chars=4_000_000, max_items=2048)
def _support_keys(text: str) -> frozenset[str]:
    """The keys one text of the material supports: its facts and their parts, and every number in it."""
    keys: set[str] = set()
    for fact in extract_facts(text):
        keys |= _derived_keys(fact)
    # number words in the material ("thirty homes") support the digits in the draft
    for words in {m.group(0) for m in _P_NUMBER_WORDS.finditer(text)}:
        value = en_words_to_int(words)
        if value is not None and words.lower() != "a":
            keys.add(f"number:{value}")
    # the Chinese numerals are Chinese characters but 〇: a text with neither has none
    numerals = _P_CN_NUMERAL.finditer(text) if "〇" in text or _HAN.search(text) else ()
    for numeral in {m.group(0) for m in numerals}:
        value = cn_to_int(numeral)
        if value is not None:
            keys.add(f"number:{value}")
    # every number written in the material, wherever it stands ("(m)(2)", "1310(a)", "No. 7"):
    # a number present in the original is never reported as absent from it
    for number in {m.group(0) for m in _P_DIGITS.finditer(text)}:
        digits = to_number(number)
        if digits is not None:
            keys.add(_key_number(digits))
    return frozenset(keys)


@text_cache(max_chars=4_000_000, max_items=4096)
def _normal_part(text: str) -> tuple[str, bool, bool, str]:
    """One part of the material: its words lower case, separated by one space, without the space at either end;
    whether it starts and ends with white space; and the part without any white space."""
    # str.split knows the same white space as `\s` (every character of Unicode checked in the tests), and splits
    # without a regular expression's cost per match
    lower = text.lower().replace("’", "'")
    return " ".join(lower.split()), lower[:1].isspace(), lower[-1:].isspace(), "".join(text.split())


def _joined_normal(pieces: list[tuple[str, bool, bool, str]]) -> str:
    """`normalise_text` of the parts joined by line breaks: every run of white space across a join is one space."""
    if not pieces:
        return "  "
    words = [core for core, _, _, _ in pieces if core]
    if not words:
        return "   "  # white space only: one space between the two normalise_text adds
    lead = " " if pieces[0][1] else ""
    trail = " " if pieces[-1][2] else ""
    return " " + lead + " ".join(words) + trail + " "


class SupportIndex:
    """The facts that a text may rely on, built from inputs, sources and the template's own text."""

    def __init__(self, texts: Iterable[str]):
        self.keys: set[str] = set()
        parts: list[str] = []
        for text in texts:
            if not text:
                continue
            parts.append(text)
            self.keys |= _support_keys(text)
        # normalise_text("\n".join(parts)) and the joined text without white space, from each part's own (most
        # parts, the template's wording and the sources, are the same from one draft to the next)
        pieces = [_normal_part(p) for p in parts]
        self.text = _joined_normal(pieces)
        self.cjk = "".join(cjk for _, _, _, cjk in pieces)

    def supports(self, fact: Fact) -> bool:
        return self._supports(fact, fact.key) or (fact.alt_key is not None and self._supports(fact, fact.alt_key))

    def _supports(self, fact: Fact, key: str) -> bool:
        if key in self.keys:
            return True
        kind, _, rest = key.partition(":")
        if kind == "amount":  # "48,000,000" in a source supports "£48 million" in the draft
            value = rest.split(":", 1)[1]
            return f"number:{value}" in self.keys
        if kind == "name":
            name = rest
            if re.search(r"[\u4e00-\u9fff]", name):
                name = name.replace(" ", "")
                # a three-character candidate may start with the verb before a two-character name (听取张伟局长)
                if name in self.cjk or (fact.kind == "name" and len(name) == 3 and name[1:] in self.cjk):
                    return True
                # an organisation candidate may start with the verb before it (召开市政府常务会议 → 开市政府)
                return fact.kind == "organisation" and any(
                    name[i:] in self.cjk for i in (1, 2) if len(name) - i >= 3
                )
            # "John Smith of Harbour Council" is supported by "John Smith" and "Harbour Council" apart
            parts = [p for p in re.split(r" (?:of|for|and|on|&) (?:the )?", name) if p]
            return all(self._has_phrase(p) for p in parts)
        return False


    def _has_phrase(self, phrase: str) -> bool:
        return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", self.text) is not None


def is_weak_name(fact: Fact) -> bool:
    """A single capitalised word ("Government", "Harbour"): often a title or a common noun, so less sure."""
    return (fact.is_name and " " not in fact.text and not fact.text.isupper()
            and re.search(r"[\u4e00-\u9fff]", fact.text) is None)


def unsupported_facts(text: str, support: SupportIndex) -> list[Fact]:
    """The facts of `text` that the supporting material does not contain."""
    return [f for f in extract_facts(text) if not support.supports(f)]


def read_source(text: str) -> None:
    """Read a source ahead of the drafts whose facts it may support (when a person adds it)."""
    _support_keys(text)
    _normal_part(text)
