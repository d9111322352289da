import pytest
from hypothesis import given, strategies as st

from kjplan.numerals import cn_number, cn_ordinal, cn_year, format_quantity, parse_cn_number, parse_quantity, to_target_unit


@pytest.mark.parametrize("n,text", [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (16, "十六"), (20, "二十"), (21, "二十一"), (99, "九十九")])
def test_heading_numerals(n, text):
    assert cn_number(n) == text


@given(st.integers(1, 99))
def test_numerals_round_trip(n):
    assert parse_cn_number(cn_number(n)) == n


@pytest.mark.parametrize("bad", [0, 100, -1])
def test_numerals_out_of_range(bad):
    with pytest.raises(ValueError):
        cn_number(bad)


@pytest.mark.parametrize("n,text", [(16, "十六"), (100, "一百"), (105, "一百零五"), (110, "一百一十"), (230, "二百三十"),
                                    (1001, "一千零一"), (2020, "二千零二十"), (9999, "九千九百九十九")])
def test_ordinal_counts_points_past_ninety_nine(n, text):
    assert cn_ordinal(n) == text


@pytest.mark.parametrize("bad", [0, 10000, -3])
def test_ordinal_range(bad):
    with pytest.raises(ValueError):
        cn_ordinal(bad)


def test_year():
    assert cn_year(2020) == "二〇二〇"


@pytest.mark.parametrize("typed,unit,value", [
    ("6000万", "亿元", 0.6), ("6000万元", "亿元", 0.6), ("0.6亿", "亿元", 0.6), ("1亿元", "万元", 10000),
    ("82%", "%", 82), ("82％", "%", 82), ("82", "%", 82), ("1,500万", "亿元", 0.15), ("３万元", "元", 30000),
])
def test_values_convert_to_the_target_unit(typed, unit, value):
    assert to_target_unit(typed, unit) == pytest.approx(value)


@pytest.mark.parametrize("typed,unit", [("82%", "亿元"), ("6000万", "%"), ("3家", "亿元")])
def test_units_that_do_not_fit_are_refused(typed, unit):
    with pytest.raises(ValueError, match="不能换算"):
        to_target_unit(typed, unit)


@pytest.mark.parametrize("typed", ["", "万", "abc", "1.2.3亿", "六千万"])
def test_malformed_values(typed):
    with pytest.raises(ValueError, match="不是数值"):
        parse_quantity(typed)


def test_amounts_are_written_in_the_natural_unit():
    assert format_quantity(0.6, "亿元") == "6000万元"
    assert format_quantity(1, "亿元") == "1亿元"
    assert format_quantity(1.25, "亿元") == "1.25亿元"
    assert format_quantity(80, "%") == "80%"
    assert format_quantity(0.1 + 0.2, "亿元") == "3000万元"


@given(st.integers(1, 10**9))
def test_wan_and_yi_agree(yuan):
    assert to_target_unit(f"{yuan}元", "万元") * 10000 == pytest.approx(yuan)
    assert to_target_unit(f"{yuan / 10000}万", "亿元") == pytest.approx(yuan / 1e8)
