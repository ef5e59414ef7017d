"""drafter.segment: the one place text is split."""

from __future__ import annotations

from drafter import segment


def test_pieces_carry_offsets_into_the_text() -> None:
    text = "  First one.  Second one!\n\nThird?"
    for piece in segment.sentences(text):
        assert text[piece.start : piece.end] == piece.text
    assert segment.split_sentences(text) == ["First one.", "Second one!", "Third?"]


def test_paragraphs_lines_and_blocks() -> None:
    text = "A para\nstill A.\n\n  B para.\n"
    assert segment.texts(segment.paragraphs(text)) == ["A para\nstill A.", "B para."]
    assert segment.texts(segment.lines(text)) == ["A para", "still A.", "B para."]
    assert segment.texts(segment.blocks("one\ntwo")) == ["one", "two"]
    assert segment.texts(segment.blocks(text)) == ["A para\nstill A.", "B para."]


def test_chinese_sentences_and_semicolons() -> None:
    text = "第一句；第二句。第三句！"
    assert segment.split_sentences(text, "zh") == ["第一句；第二句。", "第三句！"]
    assert segment.split_sentences(text, "zh", semicolons=True) == ["第一句；", "第二句。", "第三句！"]


def test_citation_markers_stay_with_their_sentence() -> None:
    assert segment.split_sentences("It rained. [1] It flooded. [2]") == ["It rained. [1]", "It flooded. [2]"]


def test_list_items_and_enumerations() -> None:
    text = "Do this:\n- one\n(a) two\n一、三\nplain"
    assert segment.texts(segment.list_items(text)) == ["- one", "(a) two", "一、三"]
    line = "You qualify if (a) you are 18; (b) you live here; or (c) you work here."
    assert segment.texts(segment.enumeration(line)) == ["(a) you are 18;", "(b) you live here; or",
                                                         "(c) you work here."]
    assert segment.enumeration("No list here.") == []


def test_sentence_starts() -> None:
    assert segment.sentence_starts("One. Two.\nThree.") == {0, 5, 10}


def test_no_split_after_abbreviations_initials_and_decimals() -> None:
    one = [
        "Mr. Smith met Dr. Jones and Mrs. Lee at 3.5 p.m. on St. Mary's Road.",
        "President Joseph R. Biden, Jr. declared that a major disaster exists.",
        "Deanne E. Brogan of the U.S. Department of Homeland Security spoke.",
        "Items, e.g. forms, i.e. paper ones, etc. and more are listed in No. 5, Sec. 3, Art. 4 and para. 2.",
        "Smith v. Jones and Roe vs. Wade were cited under 38 U.S.C. 1310(a) and 20 C.F.R. 404.610.",
        "Acme Inc. and Smith Co. signed.",
    ]
    for sentence in one:
        assert segment.split_sentences(sentence) == [sentence]
    assert segment.split_sentences("He works at Acme Inc. The firm is large.") == [
        "He works at Acme Inc.", "The firm is large."]
    assert segment.split_sentences("Lists go on, etc. Then we stop.") == ["Lists go on, etc.", "Then we stop."]


def test_quotations_stay_whole_with_their_attribution() -> None:
    text = '"We will rebuild. We will recover." said Smith. “Help is here,” she said. Next.'
    assert segment.split_sentences(text) == ['"We will rebuild. We will recover." said Smith.',
                                             "“Help is here,” she said.", "Next."]
    zh = "会议指出：「稳就业。保民生。」各地要提出“保就业。”的措施。完毕！"
    assert segment.split_sentences(zh, "zh") == ["会议指出：「稳就业。保民生。」", "各地要提出“保就业。”的措施。", "完毕！"]


def test_references_are_not_enumerations() -> None:
    for line in ["Under paragraph (a) or (b) of this section you may apply.",
                 "See 38 U.S.C. 1310(a) and §§ 617.3(m)(2) (a) then (b) too.",
                 "A notice under section 5(1)(b) or (c) must be in writing."]:
        assert segment.enumeration(line) == []
    assert segment.enumeration("依照第（二）、（三）项办理。", "zh") == []
    items = segment.enumeration("Conditions are met: (1) you apply; (2) you qualify under paragraph (d); and (3) done.")
    assert segment.texts(items) == ["(1) you apply;", "(2) you qualify under paragraph (d); and", "(3) done."]
