"""The pages model without a renderer: line breaking by the rules LibreOffice applies (each case here
was measured in a LibreOffice render), and pagination of kept chains, widows and table rows.
test_docx_pages holds the model to LibreOffice's real pages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kjplan.render.lines import count_lines
from kjplan.render.paging import Para, Rows, Section, paginate

FIRST, REST = 410.2, 442.2  # a body paragraph's lines, points: 26 and 28 characters of 15.75 pt


def body(text: str, **kwargs) -> int:
    return count_lines(text, FIRST, REST, 16, -0.25, **kwargs)


@pytest.mark.parametrize("mark", list("，。、；：？！．"))
def test_closing_marks_hang_in_the_margin(mark):
    assert body("测" * 26 + mark + "试" * 10) == 2  # 26 + the mark, then 10
    assert body("测" * 26 + mark) == 1


@pytest.mark.parametrize("mark", list("）》”’·"))
def test_other_closing_marks_take_the_character_before_them_down(mark):
    text = "测" * 26 + mark + "试" * 27
    assert body(text) == 3  # line 2 holds 测 + mark + 26 试, the last 试 goes to line 3
    assert body("测" * 26 + mark + "试" * 26) == 2


@pytest.mark.parametrize("mark", list("（《“‘"))
def test_opening_marks_do_not_end_a_line(mark):
    # The mark would be the 26th character: it goes down, and line 2 holds it and 27 more.
    assert body("测" * 25 + mark + "试" * 28) == 3
    assert body("测" * 25 + mark + "试" * 27) == 2


def test_latin_words_stay_whole_and_libreoffice_spaces_them():
    # 24 characters + a quarter-ish em + "2020" (two characters) do not fit the first line's 26.
    assert body("测" * 24 + "2020" + "试" * 10) == 2
    assert body("测" * 23 + "2020") == 1
    # Word (no space between Chinese and digits) fits what LibreOffice does not.
    assert body("测" * 25 + "12") == 2
    assert body("测" * 25 + "12", latin_gap=False) == 1


def test_a_number_in_brackets_moves_down_whole_its_full_stop_does_not_hang():
    assert body("测" * 22 + "（测测）。" + "试" * 5) == 2  # Chinese in the brackets: 。 hangs, line 2 = 试×5
    assert body("测" * 23 + "（50%）。") == 2  # moves down whole


def test_no_hanging_inside_table_cells():
    assert count_lines("测" * 8 + "，" + "试" * 3, 96.0, 96.0, 12) == 2
    assert count_lines("测" * 8 + "，" + "试" * 3, 96.0, 96.0, 12, hanging=False) == 2
    assert count_lines("测" * 8 + "，", 96.0, 96.0, 12) == 1
    assert count_lines("测" * 8 + "，", 96.0, 96.0, 12, hanging=False) == 2


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="测试工作，。（）《》“”2020ab% ", min_size=1, max_size=300))
def test_lines_are_between_the_bounds(text):
    lines = body(text)
    assert lines >= 1
    assert body(text + "测" * 28) >= lines  # more text never takes fewer lines
    assert lines <= len(text)  # a line holds at least one character


# --- pagination -----------------------------------------------------------------------------------
H = 22 * 579  # a portrait page of 22 grid lines


def used(layout) -> list[int]:
    return [page.used // 579 for page in layout.pages]


def test_paragraphs_fill_pages_and_split_anywhere():
    assert used(paginate([Para(10), Para(20)], H)) == [22, 8]


def test_a_heading_moves_with_its_text():
    items = [Para(21), Para(1, keep_next=True), Para(5)]
    assert used(paginate(items, H)) == [21, 6]
    items = [Para(20), Para(1, keep_next=True), Para(1, keep_next=True), Para(5)]
    assert used(paginate(items, H)) == [20, 7]


def test_the_last_paragraph_moves_whole_with_the_signature_block():
    closing = [Para(1, keep_next=True), Para(1, keep_next=True), Para(1, keep_next=True, keep_lines=True),
               Para(1, keep_lines=True)]
    items = [Para(3), Para(10), Para(9, keep_next=True, widows=True), *closing]
    assert used(paginate(items, H)) == [13, 13]


def test_widow_control_moves_two_lines_at_least():
    assert used(paginate([Para(21), Para(3, widows=True)], H)) == [21, 3]
    assert used(paginate([Para(18), Para(6, widows=True)], H)) == [22, 2]


def test_table_rows_do_not_split_and_the_header_repeats_and_keeps_with_the_first_row():
    label = [Para(1, keep_next=True, page_break_before=True), Para(1, keep_next=True)]
    table = Rows((579, 5 * 579, 5 * 579, 5 * 579, 5 * 579, 5 * 579))
    layout = paginate([Para(5), *label, table], H)
    assert used(layout) == [5, 2 + 1 + 15, 1 + 10]  # a fourth 5-line row would make 23 lines
    # Header and first row do not fit under the text: the label and title go over with them.
    layout = paginate([Para(16), Para(1, keep_next=True), Para(1, keep_next=True), Rows((579, 5 * 579))], H)
    assert used(layout) == [16, 8]


def test_a_section_that_starts_on_an_even_page_leaves_a_blank_page_when_needed():
    layout = paginate([Para(10), Section(H, "evenPage"), Para(1)], H)  # ends on page 1
    assert [p.blank for p in layout.pages] == [False, False]
    layout = paginate([Para(50), Section(H, "evenPage"), Para(1)], H)  # ends on page 3
    assert [p.blank for p in layout.pages] == [False, False, False, False]
    layout = paginate([Para(30), Section(H, "evenPage"), Para(1)], H)  # ends on page 2
    assert [p.blank for p in layout.pages] == [False, False, True, False]
