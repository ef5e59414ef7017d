"""Risk tiers and the refusal of automated decisions about individuals.

Tiers follow the information-leak × adverse-impact matrix (San José's generative AI guidelines):
- low: public information, little harm if wrong (press release, public notice);
- medium: internal information or moderate impact (report, minutes);
- high: sensitive information or significant impact: only backends that keep data on this machine or network
  (not `external`) may be used;
- prohibited: never drafted with AI.

Separately, a request whose purpose is to decide on a person's rights, benefits or eligibility is refused:
the decision must be made and written by a person. The purpose is detected from the template (kind,
purpose, description) and from the request's stated-purpose inputs, sentence by sentence: a sentence
needs a decision word, a rights-or-benefits word and a word that points at an individual. The word lists
are below; they are deliberately explicit so a refusal can be explained and the lists reviewed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DECISION_WORDS_EN = (
    "decide", "decides", "deciding", "decision", "determine", "determines", "determining", "determination",
    "assess", "assessing", "approve", "approving", "reject", "rejecting", "refuse", "refusing", "deny",
    "denying", "grant", "granting", "award", "awarding", "qualify", "qualifies", "eligible", "eligibility",
    "entitled", "revoke", "withdraw", "sanction",
)
RIGHTS_WORDS_EN = (
    "eligibility", "eligible", "entitlement", "entitled", "benefit", "benefits", "allowance", "pension",
    "welfare", "social assistance", "subsidy", "grant", "visa", "asylum", "residence permit", "citizenship",
    "licence", "license", "permit", "housing", "tenancy", "claim", "application", "appeal", "parole",
    "custody", "admission", "scholarship", "loan",
)
INDIVIDUAL_WORDS_EN = (
    "applicant", "applicants", "claimant", "claimants", "individual", "individuals", "person", "persons",
    "he", "she", "him", "her", "his", "their", "they", "mr", "mrs", "ms", "tenant", "resident", "citizen",
    "recipient", "beneficiary", "refugee", "student", "patient", "employee", "candidate", "client",
    "household", "family",
)
DECISION_WORDS_ZH = (
    "决定", "审核", "审批", "认定", "判定", "评定", "核定", "审查", "是否符合", "是否给予", "是否批准",
    "是否同意", "准予", "不予", "驳回", "批准", "取消", "资格审", "是否发放",
)
RIGHTS_WORDS_ZH = (
    "资格", "低保", "救助", "补贴", "补助", "福利", "待遇", "养老金", "抚恤", "签证", "居留", "户口", "落户",
    "保障房", "廉租房", "公租房", "申请", "许可", "救济", "津贴", "医保", "社保", "入学", "权益",
)
INDIVIDUAL_WORDS_ZH = (
    "申请人", "当事人", "该人", "此人", "本人", "他", "她", "居民", "个人", "该员", "先生", "女士", "家庭",
    "户主", "学生", "患者", "职工", "群众", "对象",
)

# Stated-purpose inputs: field names or labels that say what the draft is for.
PURPOSE_FIELDS = ("purpose", "objective", "task", "目的", "用途", "事由", "用途说明")

_SENTENCE = re.compile(r"[^.!?。！？；;\n]+")


@dataclass(frozen=True)
class DecisionFinding:
    """Where a decision-about-a-person purpose was found, and the sentence that says it."""

    where: str
    sentence: str


def _words(sentence: str) -> set[str]:
    return set(re.findall(r"[a-z]+(?:'[a-z]+)?", sentence.lower()))


def _has_en(words: set[str], sentence_lower: str, vocab: tuple[str, ...]) -> bool:
    return any((w in sentence_lower) if " " in w else (w in words) for w in vocab)


def decision_sentence(text: str) -> str | None:
    """The first sentence of `text` that asks to decide on an individual's rights, benefits or eligibility."""
    for m in _SENTENCE.finditer(text):
        sentence = m.group().strip()
        if not sentence:
            continue
        lower = sentence.lower()
        words = _words(sentence)
        words |= {w.removesuffix("'s") for w in words}
        en = (_has_en(words, lower, DECISION_WORDS_EN) and _has_en(words, lower, RIGHTS_WORDS_EN)
              and _has_en(words, lower, INDIVIDUAL_WORDS_EN))
        zh = (any(w in sentence for w in DECISION_WORDS_ZH) and any(w in sentence for w in RIGHTS_WORDS_ZH)
              and any(w in sentence for w in INDIVIDUAL_WORDS_ZH))
        if en or zh:
            return sentence
    return None


def is_purpose_field(name: str, label: str) -> bool:
    return any(p in name.lower() or p in label.lower() for p in PURPOSE_FIELDS)
