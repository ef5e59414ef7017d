"""Plain and child versions differ where the rules allow, and say plainly when they miss the target."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drafter.checks import readability
from drafter.service import DrafterService
from drafter.settings import Settings
from drafter.simplification import GLOSSARY_ID, outcome_summary
from drafter.simplify_rules import segment, split_long_sentences, substitute_plain_words

WORDS = {"individual": "person", "obtain": "get", "require": "need", "residence": "home", "utilise": "use",
         "commence": "start", "assistance": "help", "shall": "must"}

REGULATION = """§ 5.1 Eligibility.
An individual shall obtain assistance under paragraph (a) or (b) of this section if the individual's residence is in the area, and the council shall commence the assessment within 30 days of the claim.
The applicant must tell the council about any change in household income within 14 days, and the council will decide whether the benefit continues."""


@pytest.mark.parametrize(("text", "expected"), [
    ("An individual shall obtain assistance.", "A person must get help."),
    ("Individuals obtained a residence.", "People got a home."),
    ("It requires an individual's residence.", "It needs a person's home."),
    ("We utilised it and are utilising it; commenced, commencing.", "We used it and are using it; started, starting."),
    ("The requirement stays; individually too.", "The requirement stays; individually too."),
])
def test_substitutions_respect_articles_and_inflections(text: str, expected: str) -> None:
    assert substitute_plain_words(text, WORDS, "en") == expected


def test_no_an_before_a_consonant_after_substitution() -> None:
    out = substitute_plain_words(REGULATION, WORDS, "en")
    assert not re.search(r"\b[Aa]n [b-df-hj-np-tv-z]", out), out


def test_child_sentences_split_at_safe_clause_boundaries() -> None:
    sentence = ("The council will review each application within 14 days of receipt, and the applicant will be "
                "told the result in writing by the housing office.")
    child = split_long_sentences(sentence, 15, "en")
    assert child == ("The council will review each application within 14 days of receipt. The applicant will be "
                     "told the result in writing by the housing office.")
    assert split_long_sentences(sentence, 25, "en") == sentence  # the plain target keeps it whole
    ref = "A claim may be made under paragraph (a) or (b), and the spouse is paid under 38 U.S.C. 1310(a) from then."
    out = split_long_sentences(ref, 10, "en")
    assert "paragraph (a) or (b)." in out and "38 U.S.C. 1310(a)" in out


def test_chinese_long_sentences_split_at_commas_but_never_in_a_reference_or_after_a_condition() -> None:
    z = ("申请人应当在三十日内向县级人民政府提交申请材料，逾期不予受理，申请材料不齐全的，应当一次性告知申请人需要补正的全部内容；"
         "有第（二）、（三）项情形之一的，不予登记。")
    out = split_long_sentences(z, 25, "zh")
    assert out == ("申请人应当在三十日内向县级人民政府提交申请材料。逾期不予受理。申请材料不齐全的，应当一次性告知申请人需要补正的全部内容。"
                   "有第（二）、（三）项情形之一的，不予登记。")
    assert "第（二）、（三）项" in out
    assert split_long_sentences("短句，也短。", 25, "zh") == "短句，也短。"


def test_numbered_chinese_items_keep_their_bodies() -> None:
    text = "现通知如下：\n一、加强组织领导。各地应当高度重视，建立健全工作机制。\n二、完善政策措施\n各地要结合实际，制定具体办法。"
    segs = segment(text, "zh")
    assert [(s.heading, s.text) for s in segs[1:]] == [
        ("一、加强组织领导", "各地应当高度重视，建立健全工作机制。"),
        ("二、完善政策措施", "各地要结合实际，制定具体办法。"),
    ]


@pytest.fixture
def service(tmp_path: Path) -> DrafterService:
    return DrafterService.from_settings(Settings(data_dir=tmp_path / "data"))


def test_plain_and_child_versions_differ_and_the_child_one_explains_its_terms(service: DrafterService) -> None:
    plain = service.simplify(REGULATION, title="Help", audience="plain", user="comms", backend="offline")
    child = service.simplify(REGULATION, title="Help", audience="child", user="comms", backend="offline")
    body = [s for s in child.sections if s.id != GLOSSARY_ID]
    assert [s.text for s in plain.sections] != [s.text for s in body]
    words = [readability.measure(s.text, "en").avg_sentence_words or 0 for s in (plain.sections[0], body[0])]
    assert words[1] < words[0]  # shorter sentences for children
    glossary = child.sections[-1]
    assert glossary.id == GLOSSARY_ID and glossary.provenance.language_model is False
    terms = [line.split(":")[0].removeprefix("- ") for line in glossary.text.splitlines()]
    assert "applicant" in terms and "household" in terms and "benefit" in terms
    assert "penalty" not in terms and "spouse" not in terms  # only terms the text uses
    assert all(s.origin.value == "assembled" for s in glossary.spans)
    assert not any(s.id == GLOSSARY_ID for s in plain.sections)
    # the references and facts survive both
    for draft in (plain, child):
        assert "paragraph (a) or (b)" in "\n".join(s.text for s in draft.sections)
        assert not [f for f in service.findings(draft.id) if f.rule_id.startswith("simplify.")]
    service.store.engine.dispose()


def test_a_missed_target_is_said_plainly(service: DrafterService) -> None:
    dense = ("§ 9 Determination.\nNotwithstanding any determination of eligibility previously communicated, the "
             "administering authority shall reconsider entitlement whenever documentary substantiation indicates "
             "materially inaccurate representations.")
    draft = service.simplify(dense, title="Dense", audience="child", user="comms", backend="offline")
    section = draft.sections[0]
    grade = section.metrics["readability_after"]["flesch_kincaid_grade"]
    assert grade > 5
    assert section.metrics["outcome"] == f"Not simplified to the child target: grade {grade:.1f} against 5."
    summary = outcome_summary(draft)
    assert (f"1 still above the audience's readability target (not simplified to the child target; the furthest: "
            f"grade {grade:.1f} against 5)") in summary
    assert "Simplified." not in summary
    service.store.engine.dispose()


def test_no_heading_is_invented_for_a_document_without_numbered_structure() -> None:
    text = ("We will pay your claim if all of these are true:\n\n(a) you are 18 or over;\n\n"
            "(b) you live in the borough.\n\nWrite to us within 30 days.")
    segs = segment(text, "en")
    assert [s.heading for s in segs] == ["", "", "", ""]
    assert "\n\n".join(s.text for s in segs) == text  # nothing lost, nothing added
    zh = "各单位：\n\n请按时报送材料。\n\n逾期不予受理。"
    assert [s.heading for s in segment(zh, "zh")] == ["", "", ""]


def test_the_originals_own_headings_are_kept_and_nothing_else_becomes_one() -> None:
    # a heading-only first paragraph heads the paragraph after it
    cfr = "§ 404.610. What makes an application a claim?\n\nWe will consider it a claim if:\n\n(a) you file it."
    assert [(s.heading, s.text) for s in segment(cfr, "en")] == [
        ("§ 404.610. What makes an application a claim?", "We will consider it a claim if:"), ("", "(a) you file it.")]
    # a title line with no number (as legislation.gov.uk prints a section) is the original's heading
    act = "355 Regulations, orders and rules\n(1) Regulations may make provision.\n(2) Rules may too."
    assert [s.heading for s in segment(act, "en")] == ["355 Regulations, orders and rules"]
    # text before the first heading has none, where it used to be called "Preamble" / 序言
    notice = "各市州人民政府：\n现将有关事项通知如下：\n一、加强组织领导。各地应当高度重视。"
    assert [s.heading for s in segment(notice, "zh")] == ["", "一、加强组织领导"]
    # a first sentence is not a title
    assert [s.heading for s in segment("You must apply.\nWe will reply.", "en")] == [""]


def test_sub_paragraphs_follow_their_lead_in_and_the_model_is_sent_it(tmp_path: Path) -> None:
    from drafter.service.simplification import parent_clause

    text = "We will pay your claim if all of these are true:\n\n(a) you are 18 or over;\n\n(b) you live here."
    segs = segment(text, "en")
    assert [parent_clause(segs, i) for i in range(3)] == [
        None, "We will pay your claim if all of these are true:", "We will pay your claim if all of these are true:"]
    service = DrafterService.from_settings(Settings(data_dir=tmp_path / "data"))
    draft = service.simplify(text, title="Claims", audience="child", user="comms", backend="offline")
    body = "\n".join(s.text for s in draft.sections if s.original is not None)
    assert body.index("true:") < body.index("(a) you are 18") < body.index("(b) you live")
    assert all(s.heading == "" for s in draft.sections if s.original is not None)
    service.store.engine.dispose()


@pytest.mark.parametrize(("sentence", "child"), [
    ("Regulations must not be made by the Secretary of State unless a draft has been approved by each House.",
     "Regulations must not be made by the Secretary of State. This does not apply if a draft has been approved by "
     "each House."),
    ("You must be alive at the time you file the form (unless one of the exceptions in § 404.615 applies).",
     "You must be alive at the time you file the form. This does not apply if one of the exceptions in § 404.615 "
     "applies."),
])
def test_a_child_gets_unless_as_two_sentences_and_an_adult_keeps_it(sentence: str, child: str) -> None:
    assert split_long_sentences(sentence, 15, "en") == child
    assert split_long_sentences(sentence, 25, "en") == sentence  # plain stays closer to the original


@pytest.mark.parametrize("sentence", [
    # inside brackets, or a lead-in whose items follow: never split
    "A payment is made to the person named in the claim (or to a person who acts for them unless the court says otherwise).",
    "Regulations under any of the following provisions must not be made unless a draft has been laid before each House—",
    # too little on one side to stand as a sentence
    "Unless you apply within 30 days of the decision, you lose the right to appeal it.",
])
def test_unless_is_not_split_where_the_parts_could_not_stand_alone(sentence: str) -> None:
    assert "This does not apply" not in split_long_sentences(sentence, 15, "en")


def test_chinese_child_sentences_are_shorter_but_an_addressee_line_and_a_subordinate_cause_stay_whole() -> None:
    addressee = "各市州、县市区人民政府,省政府各厅委、各直属机构:"
    assert split_long_sentences(addressee, 15, "zh") == addressee
    cause = "当前,受国际金融危机影响,高校毕业生就业压力加大,就业形势十分严峻。"
    # 当前 ("now") does not make a clause subordinate; 受…影响 ("affected by…") does
    assert split_long_sentences(cause, 25, "zh") == "当前,受国际金融危机影响,高校毕业生就业压力加大。就业形势十分严峻。"
    law = "国家推广普通话,推行规范汉字。"
    assert split_long_sentences(law, 25, "zh") == law
    assert split_long_sentences(law, 12, "zh") == "国家推广普通话。推行规范汉字。"  # a child's target allows shorter clauses


def test_child_words_keep_articles_and_forms_and_leave_facts_alone(service: DrafterService) -> None:
    guide = service.catalog.style_guide("child-en")
    text = "An additional amount is payable; it was incurred or aggravated in line of duty within 120 days thereafter."
    out = substitute_plain_words(text, guide.plain_words, "en")
    assert out == "An extra amount is paid; it was caused or made worse in line of duty within 120 days after that."
    assert substitute_plain_words("under the circumstances outlined in paragraph (c)(2)", guide.plain_words, "en") \
        == "under the situations set out in paragraph (c)(2)"
    plain = service.catalog.style_guide("plain-english")
    assert substitute_plain_words(text, plain.plain_words, "en") == text  # the plain list does not touch them


@pytest.mark.parametrize("limit", [15, 25])
def test_two_subjects_joined_by_or_and_a_lead_in_are_never_cut(limit: int) -> None:
    # Gambling Act 2005 s.355(3) and (1): cutting at ", or an order" would leave "Regulations or rules under this
    # Act." as a sentence of its own and change what the law says
    subjects = ("Regulations or rules under this Act, or an order of the Secretary of State [F3or the Welsh "
                "Ministers] under this Act, shall be made by statutory instrument.")
    assert split_long_sentences(subjects, limit, "en") == subjects
    lead_in = ("Regulations or rules under this Act, and the orders of the Secretary of State or the Welsh Ministers "
               "made under this Act in any year—")
    assert split_long_sentences(lead_in, limit, "en") == lead_in


def test_a_numbered_item_with_its_body_on_one_line_is_not_taken_for_a_heading_alone() -> None:
    text = "一、加强组织领导。各地应当高度重视，建立健全工作机制。\n\n请各单位按时报送材料。"
    segs = segment(text, "zh")
    joined = "".join(s.heading + s.text for s in segs)
    assert "各地应当高度重视" in "".join(s.text for s in segs)  # the body is simplified, not frozen as a heading
    assert joined.replace("一、", "", 1).count("加强组织领导") == 1
