"""公文 layout rules that need no document: title lines (梯形/菱形), 署名 and 成文日期 without a seal."""

from __future__ import annotations

import pytest

from drafter.export.gbt9704 import TITLE_CHARS_PER_LINE, _width_chars, signature_indents, title_lines


@pytest.mark.parametrize("title", [
    "江河市人民政府办公室关于做好2026年全市防汛抗旱准备工作和城市内涝防治工作的通知",
    "江河市人民政府办公室关于做好2026年防汛准备工作的通知",
    "关于印发江河市2026年度城市防洪排涝应急预案和山洪地质灾害防御工作方案暨有关事项的通知",
])
def test_long_titles_break_into_fitting_lines_never_inside_a_number(title: str) -> None:
    lines = title_lines(title)
    assert len(lines) >= 2 and "".join(lines) == title
    assert all(_width_chars(line) <= TITLE_CHARS_PER_LINE for line in lines)
    assert not any(a[-1:].isdigit() and b[:1].isdigit() for a, b in zip(lines, lines[1:], strict=False))


def test_title_breaks_at_a_boundary() -> None:
    assert title_lines("江河市人民政府办公室关于做好2026年防汛准备工作的通知") == [
        "江河市人民政府办公室关于", "做好2026年防汛准备工作的通知"]
    assert title_lines("关于做好防汛工作的通知") == ["关于做好防汛工作的通知"]


def test_the_authors_line_breaks_win() -> None:
    assert title_lines("江河市人民政府\n关于做好防汛工作的通知") == ["江河市人民政府", "关于做好防汛工作的通知"]


def test_signature_without_seal() -> None:
    # 署名 two characters in; the date starts two characters right of the 署名's first character
    issuer, date = signature_indents("江河市人民政府办公室", "2026年3月5日")
    assert issuer == 2 and (date + 6) == (issuer + 10) - 2
    # a date longer than that: the date two characters in, the 署名 moves left
    issuer, date = signature_indents("水利局", "2026年12月25日")
    assert date == 2 and issuer + 3 == date + _width_chars("2026年12月25日") + 2
