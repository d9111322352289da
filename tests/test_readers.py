"""kjplan.readers: a records file -> rows of raw values under canonical keys, each with its origin."""

from __future__ import annotations

from pathlib import Path

import pytest

from kjplan import readers
from kjplan.errors import DataError, DataErrors
from kjplan.readers import Origin, Row

from zh_helpers import assert_chinese


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def refusal(path: Path) -> str:
    with pytest.raises((DataError, DataErrors)) as caught:
        readers.read(path)
    assert_chinese(caught.value.message)
    return caught.value.message


def test_an_origin_names_a_line_or_a_cell_with_its_heading(tmp_path):
    assert str(Origin(Path("a.csv"), 3)) == "a.csv:3"
    assert str(Origin(Path("二季度.xlsx"), sheet="填报表", cell="F7", column="状态")) == "二季度.xlsx 填报表!F7（状态）"
    assert str(Origin(Path("a.yaml"))) == "a.yaml"
    error = Origin(Path("表.xlsx"), sheet="填报表", cell="F7", column="状态").error("状态“差不多”无效")
    assert error.message == "表.xlsx 填报表!F7（状态）: 状态“差不多”无效" and error.path == Path("表.xlsx")
    row = Row(Origin(Path("a.yaml"), 1), {"text": "x"}, origins={"text": Origin(Path("a.yaml"), 2)})
    assert row.origin_of("text").line == 2 and row.origin_of("status").line == 1


def test_yaml_rows_know_the_line_of_each_value_and_keep_dates_as_written(tmp_path):
    path = write(tmp_path, "r.yaml", "records:\n  - item: 9\n    date: 2020-02-30\n    进展情况: |\n      两行\n      文字\n"
                                     "    color: red\n  - {item: 1, text: x, status: done}\n")
    first, second = readers.read(path)
    assert first.values == {"item": 9, "date": "2020-02-30", "text": "两行\n文字\n"}
    assert (first.origin.line, first.origin_of("date").line, first.origin_of("text").line) == (2, 3, 4)
    assert first.extra == {"color": "red"} and first.origin_of("color").line == 7
    assert second.values == {"item": 1, "text": "x", "status": "done"} and second.origin.line == 8


@pytest.mark.parametrize("text, words", [
    ("item: 9\n", "应为记录的列表"),
    ("- 9\n", "第 1 条应为键值对"),
    ("- item: [9\n", "YAML 格式错误"),
])
def test_yaml_that_is_no_list_of_records_is_refused(tmp_path, text, words):
    assert words in refusal(write(tmp_path, "r.yaml", text))


def test_csv_rows_take_english_or_chinese_headings_and_excels_bom(tmp_path):
    path = write(tmp_path, "r.csv", "\ufeff事项,季度,进展情况,状态,下一步打算\n9,2,\"两行\n文字\",done,\n\n1,Q2,学习,序时推进,继续\n")
    first, second = readers.read(path)
    assert first.values == {"item": "9", "quarter": "2", "text": "两行\n文字", "status": "done"}
    assert first.origin.line == 2 and second.origin.line == 5  # a row is named by its first line
    assert second.values["next"] == "继续"


@pytest.mark.parametrize("text, words", [
    ("item,text,text\n9,a,b\n", "表头中“text”出现了两次"),
    ("item,text,进展情况\n9,a,b\n", "“text”和“进展情况”是同一列"),
    ("item,text,status\n9,\"没有闭合,done\n10,x,done\n", ":2: CSV 格式错误：双引号没有闭合"),
    ("item,text,status\n9,x,done\n10,\"x\"y,done\n", ":3: CSV 格式错误：双引号用法不对"),
    ("item,text\n9,x,多出来\n", ":2: 这一行有 3 列，比表头多"),
    ("item,,text\n9,孤儿,x\n", ":2: 第 2 列没有表头"),
    ("", "文件是空的"),
])
def test_csv_that_would_lose_or_shift_a_value_is_refused_with_the_line(tmp_path, text, words):
    assert words in refusal(write(tmp_path, "r.csv", text))


def test_a_gbk_file_is_named_as_such(tmp_path):
    assert "GBK" in refusal(write(tmp_path, "r.csv", "item,text\n9,进展\n", encoding="gbk"))


def test_only_known_formats_are_read(tmp_path):
    message = refusal(write(tmp_path, "r.txt", "x"))
    assert ".yaml/.yml（记录列表）" in message and ".csv（首行为表头）" in message


def test_canonical_keys():
    assert [readers.canonical_key(h) for h in ("Text", " 进展情况 ", "下一步打算", "序号", "颜色")] == [
        "text", "text", "next", "item", None]
