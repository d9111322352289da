"""Title breaking: only between words, never wider than a line, never an hourglass."""

from __future__ import annotations

import re

import pytest
import rjieba
from hypothesis import given, settings
from hypothesis import strategies as st

from kjplan.render.titles import break_title, text_width

WORDS = [
    "渭南市", "科学技术局", "关于", "2020年", "第二季度", "科技", "工作", "要点", "落实", "情况", "的", "报告",
    "进一步", "加强", "全市", "创新", "平台", "建设", "推动", "高新技术", "企业", "高质量", "发展", "和",
    "成果", "转移", "转化", "实施", "意见", "及", "配套", "政策", "通知", "中华人民共和国", "国家",
    "重点研发计划", "专项", "项目", "申报", "指南", "（", "）", "《", "》", "、", "暨", "下半年", "安排",
]


def is_hourglass(widths: list[float]) -> bool:
    """Some line narrower than a line above it and a line below it."""
    return any(
        widths[j] < max(widths[:j]) and widths[j] < max(widths[j + 1 :]) for j in range(1, len(widths) - 1)
    )


def word_boundaries(text: str) -> set[int]:
    cuts, pos = {0}, 0
    for word in rjieba.cut(text):
        pos += len(word)
        cuts.add(pos)
    return cuts


def test_short_title_is_one_line():
    assert break_title("关于2020年第二季度工作落实情况的报告") == ["关于2020年第二季度工作落实情况的报告"]


def test_chinese_latin_spacing_counts():
    # 20 characters exactly, but LibreOffice/WPS space "2020" from the Chinese around it: two lines,
    # the period and the plan's name kept whole.
    title = "2020年第二季度科技工作要点推进情况统计表"
    assert text_width(title) == 20.25
    assert break_title(title) == ["2020年第二季度科技工作要点", "推进情况统计表"]


REPORT_TITLES = {
    period: f"中共渭南市科学技术局党组关于2020年{period}科技工作要点落实情况的报告"
    for period in ("第一季度", "第二季度", "上半年", "前三季度", "第三季度", "第四季度")
}


@pytest.mark.parametrize("period", REPORT_TITLES)
def test_report_titles_keep_issuer_period_and_document_type_whole(period):
    lines = break_title(REPORT_TITLES[period])
    assert lines == ["中共渭南市科学技术局党组", f"关于2020年{period}科技工作要点", "落实情况的报告"]


SHAPED_TITLES = [
    *REPORT_TITLES.values(),
    "渭南市科学技术局关于2020年第二季度科技工作要点落实情况的报告",
    "渭南市科学技术局关于2020年第二季度科技工作要点落实情况暨下半年科技创新重点工作安排的报告",
    "关于催报2020年第三季度科技工作要点落实情况的通知",
    "关于做好全市科技系统2020年度工作总结和2021年工作计划的通知",
    "2020年前三季度科技工作要点推进情况统计表",
    "渭南市科学技术局关于进一步加强全市科技创新平台建设推动高新技术企业高质量发展"
    "和科技成果转移转化工作的实施意见及其配套措施",
]


@pytest.mark.parametrize("title", SHAPED_TITLES)
def test_titles_form_a_trapezoid_or_diamond_with_steps_of_two_characters(title):
    lines = break_title(title)
    widths = [text_width(line) for line in lines]
    assert len(lines) >= 2 and "".join(lines) == title
    assert all(w <= 20 for w in widths)
    assert not is_hourglass(widths), lines
    assert all(abs(a - b) >= 2 for a, b in zip(widths, widths[1:])), lines
    for period in re.findall(r"\d{4}年(?:第.季度|上半年|前三季度|度)?", title):
        assert any(period in line for line in lines), (period, lines)


def test_issuer_stands_on_its_own_line_and_conjunctions_start_one():
    lines = break_title("渭南市科学技术局关于2020年第二季度科技工作要点落实情况暨下半年科技创新重点工作安排的报告")
    assert lines == ["渭南市科学技术局", "关于2020年第二季度科技工作要点落实情况", "暨下半年科技创新重点工作安排的报告"]


def test_numbers_stay_with_their_measure_word():
    for title in SHAPED_TITLES:
        assert not any(line[0] in "年度" for line in break_title(title)), title


def test_a_period_the_segmenter_cuts_badly_stays_whole():
    # rjieba cuts "2020年前三季度" as 2020 / 年前 / 三季度.
    lines = break_title("关于2020年前三季度全市科技创新平台建设和高新技术企业培育情况的通报")
    assert any("2020年前三季度" in line for line in lines)


def test_ascii_counts_half():
    assert text_width("2020") == 2.0
    assert text_width("2020年") == 3.25  # plus a quarter em where Chinese meets Latin
    # 40 ASCII letters fit one 20-character line.
    assert break_title("A" * 40) == ["A" * 40]


def test_word_wider_than_a_line_may_be_split():
    title = "中华人民共和国" * 2 + "超" * 25
    lines = break_title(title, 10)
    assert "".join(lines) == title
    assert all(text_width(line) <= 10 for line in lines)


def test_no_line_starts_with_closing_punctuation():
    title = "关于印发《渭南市科技创新平台建设管理办法（试行）》《渭南市科技成果转化奖励办法》的通知"
    for line in break_title(title)[1:]:
        assert line[0] not in "，。、）》”"


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=40),
    max_width=st.sampled_from([8.0, 12.5, 15.0, 20.0]),
)
def test_random_titles(words, max_width):
    title = "".join(words)
    lines = break_title(title, max_width)
    assert "".join(lines) == title
    widths = [text_width(line) for line in lines]
    assert all(w <= max_width for w in widths), widths
    assert not is_hourglass(widths), widths
    assert all(line for line in lines)
