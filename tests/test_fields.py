"""kjplan.fields: one value a person gave, parsed the same way for flags, files and forms."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kjplan import fields
from kjplan.errors import KjplanError
from kjplan.fields import FieldError
from kjplan.workspace import init_workspace

from zh_helpers import assert_chinese


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    return init_workspace(tmp_path_factory.mktemp("fields") / "ws").plan()


def test_a_field_error_is_both_a_value_error_and_a_kjplan_error():
    with pytest.raises(ValueError):
        fields.parse_date("x")
    with pytest.raises(KjplanError):
        fields.parse_date("x")


# ---------------------------------------------------------------------------------------------- items

@pytest.mark.parametrize("given_value", [9, "9", " 9 ", "第9项", "第 9 项", "九", "第九项", "９", 9.0])
def test_an_item_is_taken_as_a_number_in_any_form(plan, given_value):
    assert fields.parse_item(plan, given_value).number == 9


@pytest.mark.parametrize("given_value, words", [
    (True, "“true”不是事项序号"), (False, "“false”不是事项序号"), (None, "没有写事项序号"), ("", "没有写事项序号"),
    (9.5, "“9.5”不是事项序号"), ("abc", "“abc”不是事项序号"), (17, "没有第 17 项"), ("十七", "没有第 17 项"),
])
def test_what_is_no_item_is_refused_with_the_range(plan, given_value, words):
    with pytest.raises(FieldError) as caught:
        fields.parse_item(plan, given_value)
    assert words in caught.value.message and "1 到 16" in caught.value.message
    assert_chinese(caught.value.message)


# ---------------------------------------------------------------------------------------------- dates

@pytest.mark.parametrize("typed", [
    "2020-07-06", "2020-7-6", "2020/7/6", "2020/07/06", "2020.7.6", "2020年7月6日", "2020年7月6", "2020 年 7 月 6 日",
    "２０２０－０７－０６", "2020/7/6 0:00", "2020-07-06T10:30:00", " 2020-07-06 ",
    dt.date(2020, 7, 6), dt.datetime(2020, 7, 6, 14, 5),
])
def test_dates_are_taken_in_the_forms_people_write(typed):
    assert fields.parse_date(typed) == dt.date(2020, 7, 6)


@pytest.mark.parametrize("typed, words", [
    ("2020-02-30", "不存在：2020 年 2 月只有 29 天"),
    ("2019-02-29", "不存在：2019 年 2 月只有 28 天"),
    ("2020-04-31", "2020 年 4 月只有 30 天"),
    ("2020-13-01", "月份 13 不存在"),
    ("2020-00-10", "月份 0 不存在"),
    ("2020-01-00", "2020 年 1 月只有 31 天"),
    ("20200706", "缺少分隔符"),
    ("2020-W27-1", "按周写的日期"),
    ("2020W271", "按周写的日期"),
    ("2020-07/06", "无法识别"),
    ("7/6/2020", "无法识别"),
    ("明天", "无法识别"),
    ("", "没有写日期"),
    (44018, "这是一个数字"),
    (True, "日期应写成"),
])
def test_what_is_no_date_is_refused_with_the_reason(typed, words):
    with pytest.raises(FieldError) as caught:
        fields.parse_date(typed)
    assert words in caught.value.message
    assert "2020-07-06、2020/7/6 或 2020年7月6日" in caught.value.message or "不存在" in caught.value.message
    assert_chinese(caught.value.message)


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_every_real_date_reads_back_in_each_form(day):
    for form in (day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日",
                 f"{day.year}.{day.month:02d}.{day.day:02d}"):
        assert fields.parse_date(form) == day


@given(st.integers(1000, 9999), st.integers(1, 12), st.integers(1, 31))
def test_a_day_past_the_months_end_names_the_months_length(year, month, day):
    try:
        real = dt.date(year, month, day)
    except ValueError:
        with pytest.raises(FieldError, match=f"{year} 年 {month} 月只有 (28|29|30) 天"):
            fields.parse_date(f"{year}-{month:02d}-{day:02d}")
    else:
        assert fields.parse_date(f"{year}-{month}-{day}") == real


@given(st.text(max_size=30))
def test_any_text_is_a_date_or_a_chinese_refusal(text):
    try:
        day = fields.parse_date(text)
    except FieldError as exc:
        assert_chinese(exc.message, allowed=set(text.split()) | set(text))
    else:
        assert isinstance(day, dt.date)


@given(st.from_regex(r"\d{8}", fullmatch=True))
def test_eight_digits_are_never_a_date(text):
    with pytest.raises(FieldError, match="缺少分隔符"):
        fields.parse_date(text)


# ---------------------------------------------------------------------------------------------- texts

@pytest.mark.parametrize("value, words", [
    ("", "不能为空"), ("   \n ", "只有空格或看不见的字符"), ("\u200b\u200b", "只有空格或看不见的字符"),
    ("\ufeff \u200d", "只有空格或看不见的字符"), ("响铃\x07", "U+0007"), ("乱码\udcb9\udcfa", "不是 UTF-8 编码（终端或文件可能是 GBK）"),
    (True, "YAML 把 yes、no、true、false"), ("字" * 5001, "5000"),
])
def test_required_texts_refuse_what_a_reader_could_not_see_or_word_could_not_hold(value, words):
    with pytest.raises(FieldError) as caught:
        fields.parse_text(value, required=True)
    assert words in caught.value.message
    assert_chinese(caught.value.message)


def test_texts_keep_what_was_written():
    assert fields.parse_text("第一行\n\t第二行  ") == "第一行\n\t第二行  "
    assert fields.parse_text(12) == "12" and fields.parse_text(None) == ""
    assert fields.parse_text("零宽\u200b在字中间", required=True) == "零宽\u200b在字中间"


@pytest.mark.parametrize("value", ["成果转化科\n", "成果\r转化科", "成果转化科\n办公室"])
def test_a_unit_is_one_line(value):
    with pytest.raises(FieldError, match="只能写一行"):
        fields.parse_unit(value)


def test_a_unit_must_be_in_the_settings_list_when_there_is_one():
    assert fields.parse_unit("  成果转化科 ", ["成果转化科"]) == "成果转化科"
    with pytest.raises(FieldError, match="报送单位名单"):
        fields.parse_unit("成果转化", ["成果转化科"])
    assert fields.parse_unit("任何单位") == "任何单位"


@given(st.text(max_size=50))
def test_any_text_is_kept_unchanged_or_refused_in_chinese(text):
    try:
        assert fields.parse_text(text) == text
    except FieldError as exc:
        assert_chinese(exc.message)


# ------------------------------------------------------------------------------------------- statuses

@pytest.mark.parametrize("value, status", [("已完成", "已完成"), (" 滞后 ", "滞后"), ("Done", "已完成"), ("on-track", "序时推进")])
def test_statuses(value, status):
    assert fields.parse_status(value) == status


def test_an_unknown_status_lists_the_four():
    with pytest.raises(FieldError, match="已完成 / 序时推进 / 滞后 / 未启动"):
        fields.parse_status("差不多")
