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
