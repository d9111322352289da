import datetime as dt

import pytest
from hypothesis import given, strategies as st

from kjplan.errors import KjplanError
from kjplan.periods import Quarter, default_quarter, last_ended_quarter, parse_quarter


@pytest.mark.parametrize("text", ["2", "Q2", "q2", "2020Q2", "2020q2", "2020-Q2", "第二季度", "二季度", "第2季度", "２", " Q2 "])
def test_forms_of_the_second_quarter(text):
    assert parse_quarter(text, 2020) == Quarter(2020, 2)


def test_current_and_previous_take_today_as_a_parameter():
    assert parse_quarter("current", 2020, dt.date(2020, 5, 10)) == Quarter(2020, 2)
    assert parse_quarter("previous", 2020, dt.date(2020, 5, 10)) == Quarter(2020, 1)
    assert parse_quarter("previous", 2020, dt.date(2021, 1, 5)) == Quarter(2020, 4)
    with pytest.raises(KjplanError, match="计划年度是 2020"):
        parse_quarter("current", 2020, dt.date(2026, 11, 26))


@pytest.mark.parametrize("text,words", [
    ("0", "1 到 4"), ("5", "1 到 4"), ("Q5", "1 到 4"), ("第五季度", "1 到 4"),
    ("2019Q1", "2019 年"), ("2021-Q1", "2021 年"), ("abc", "无法识别"), ("", "无法识别"), ("Q", "无法识别"),
])
def test_bad_quarters_are_clear_errors(text, words):
    with pytest.raises(KjplanError, match=words):
        parse_quarter(text, 2020)


def test_dates_and_names():
    q2 = Quarter(2020, 2)
    assert (q2.start, q2.end) == (dt.date(2020, 4, 1), dt.date(2020, 6, 30))
    assert Quarter(2020, 4).end == dt.date(2020, 12, 31)
    assert [Quarter(2020, n).name for n in range(1, 5)] == ["第一季度", "第二季度", "第三季度", "第四季度"]
    assert [Quarter(2020, n).ytd_name for n in range(1, 5)] == ["第一季度", "上半年", "前三季度", "全年"]
    assert q2.elapsed_share == 0.5 and q2.code == "2020Q2"


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_day_lies_in_its_quarter(day):
    q = Quarter.of_date(day)
    assert q.start <= day <= q.end
    assert parse_quarter(q.code, q.year) == q


def test_last_ended_quarter():
    assert last_ended_quarter(2020, dt.date(2020, 7, 1)) == Quarter(2020, 2)
    assert last_ended_quarter(2020, dt.date(2026, 11, 26)) == Quarter(2020, 4)
    with pytest.raises(KjplanError, match="--quarter"):
        last_ended_quarter(2020, dt.date(2020, 2, 1))


def test_default_quarter_outside_the_plan_year_asks_for_quarter():
    assert default_quarter(2020, dt.date(2020, 8, 1)) == Quarter(2020, 3)
    with pytest.raises(KjplanError, match="--quarter"):
        default_quarter(2020, dt.date(2026, 11, 26))


@given(st.integers(2000, 2100), st.integers(1, 4))
def test_next_and_previous_are_neighbours(year, number):
    q = Quarter(year, number)
    assert q.next().previous() == q and q.previous().next() == q
    assert q.next().start == q.end + dt.timedelta(days=1)
