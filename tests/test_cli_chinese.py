"""Chinese everywhere a user reads: the command-line parser's messages, every command's help (wrapped at
the terminal's width without breaking a word or an example), and tables that fit an 80-column terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from kjplan.cli import app, wrap
from kjplan.workspace import init_workspace

from zh_helpers import assert_chinese, english_words
from pty_helpers import terminal_output


def kjplan(*args, columns: int = 80, cwd=None):
    env = dict(os.environ, COLUMNS=str(columns))
    env.pop("KJPLAN_ROOT", None)
    return subprocess.run([sys.executable, "-m", "kjplan", *map(str, args)], capture_output=True, text=True,
                          encoding="utf-8", env=env, cwd=cwd, timeout=120)


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return init_workspace(tmp_path_factory.mktemp("zh") / "ws", example=True)


def test_the_helper_catches_english():
    assert english_words("No such command 'staus'. Did you mean 'status'?")
    assert english_words("错误：Got unexpected extra argument(s) (b)")
    assert not english_words("错误：没有选项 --itme，是不是想写 --item？见 plans/2020.yaml 或 kjplan.yaml")


@pytest.mark.parametrize("args, words", [
    (["staus"], ["没有命令“staus”，是不是想写 status？"]),
    (["add-progress", "--itme", "3"], ["没有选项 --itme，是不是想写 --item"]),
    (["check", "--rep"], ["没有选项 --rep，是不是想写 --repair？"]),
    (["log", "一", "二"], ["多余的参数：一 二"]),
    (["plan", "9x"], ["参数 [序号] 的值无效：应为整数"]),
    (["status", "--quarter"], ["选项 --quarter 后面需要写一个值"]),
    (["status", "--missing=3"], ["选项 --missing 后面不能写值"]),
    (["export", "--wait", "-1"], ["选项 --wait 的值无效：应不小于 0"]),
    (["export", "--wait", "abc"], ["选项 --wait 的值无效"]),
    (["amend"], ["缺少参数 编号..."]),
    ([], ["缺少命令"]),
    (["status", "--year", "2020"], ["--year 是全局选项，请写在命令名之前"]),
])
def test_parser_messages_are_chinese(ws, args, words):
    result = kjplan("--root", ws.root, *args)
    assert result.returncode == 2, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert_chinese(result.stderr)
    assert "[OPTIONS]" not in result.stderr and "Usage" not in result.stderr


def _commands():
    names = [[c.name] for c in app.registered_commands if not c.hidden]
    for group in app.registered_groups:
        names.append([group.name])
        names += [[group.name, c.name] for c in group.typer_instance.registered_commands]
    return [[]] + names


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "kjplan")
def test_every_help_is_chinese_and_fits_the_terminal(command):
    for columns in (60, 80, 120):
        result = kjplan(*command, "--help", columns=columns)
        assert result.returncode == 0, result.stderr
        help_text = result.stdout
        assert_chinese(help_text)
        for heading in ("Usage", "Options", "Arguments", "Commands", "[OPTIONS]", "COMMAND", "default:", "required"):
            assert heading not in help_text
        for line in help_text.splitlines():
            # Only what cannot be broken may run past a narrow window (an example, a long path); at the
            # standard 80 columns every line fits, examples included.
            assert columns < 80 or wrap.width(line) <= columns, (columns, line)
            if wrap.width(line) > columns:
                assert "示例：" in line or line.strip().startswith("kjplan ") or " " not in line.strip(), (columns, line)
        for token in re.findall(r"(?:--[a-z-]+|[\w.]+=[\w.%万亿]+|innovation_fund|\d{4}-\d{2}-\d{2})", help_text.replace("\n", " ")):
            assert token in help_text, (columns, token)  # never broken across lines


@pytest.mark.parametrize("paragraph", [
    "名称可以只写其中几个字，如 --metric 基金=6000万　--metric 入驻率=72%，也可以写指标编号（如 innovation_fund）。"
    "日期写成 2020-06-28、2020/6/28 或 2020年6月28日，工作区在 D:/科技局/kjplan 2020。",
])
@pytest.mark.parametrize("columns", range(24, 90, 3))
def test_wrapping_never_breaks_a_word_a_value_or_before_a_closing_mark(paragraph, columns):
    lines = wrap.fill(paragraph, columns).split("\n")
    assert re.sub(r"[ 　]", "", "".join(lines)) == re.sub(r"[ 　]", "", paragraph)
    for line in lines:
        assert wrap.width(line) <= columns or " " not in line.strip()
        assert line[:1] not in wrap.CLOSING
    joined = "\n".join(lines)
    for token in ("--metric", "基金=6000万", "入驻率=72%", "innovation_fund", "2020-06-28", "2020/6/28", "D:/科技局/kjplan"):
        assert token in joined


def test_examples_stay_whole():
    text = "示例：kjplan plan　　kjplan add-progress --item 9 --text \"完成基金扩资方案\"　　kjplan report --quarter 2"
    lines = wrap.fill(text, 40).split("\n")
    assert lines == ["示例：kjplan plan", "kjplan add-progress --item 9 --text \"完成基金扩资方案\"",
                     "kjplan report --quarter 2"]


@pytest.mark.skipif(os.name != "posix", reason="a pseudo-terminal")
@pytest.mark.parametrize("command", [["plan"], ["log", "--no-pager"], ["log", "-q", "2", "-i", "9"], ["status", "-q", "2"]])
def test_tables_fit_an_80_column_terminal_one_line_a_row(ws, command):
    shown = terminal_output([sys.executable, "-m", "kjplan", "--root", str(ws.root), "--today", "2020-07-06", *command],
                            columns=80)
    lines = [line for line in shown.splitlines() if line.strip()]
    rows = [line for line in lines if re.match(r"\s*(\d+|[0-9a-f]{8})\s", line)]
    header = next(line for line in lines if re.match(r"\s*(编号|序号)\s", line))
    assert rows and all(wrap.width(line) <= 80 for line in [header, *rows]), [header, *rows]
    assert any("…" in row for row in rows) and not any(" …" in row for row in rows), rows  # cut right after a character
    if command[0] == "log":
        assert all(re.match(r"\s*[0-9a-f]{8}\s+\d\d-\d\d\s+Q[1-4]\s+\d+\s", row) for row in rows), rows
    if command[0] == "status":
        assert len(rows) == 16 and any("6000万元/1亿元 60%" in row for row in rows)
    if command[0] == "plan":
        assert len(rows) == 16


def test_piped_tables_are_whole(ws):
    result = kjplan("--root", ws.root, "--today", "2020-07-06", "log", "-q", "1")
    assert "…" not in result.stdout and "2020-03-25" in result.stdout
    record_text = "召开党组理论学习中心组学习会2次，专题学习习近平总书记在黄河流域生态保护和高质量发展座谈会上的重要讲话精神。"
    assert record_text in result.stdout
