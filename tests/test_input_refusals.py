"""Every value that cannot be taken is refused by the installed command: a Chinese message naming the
problem (and the file and line), exit 1, no traceback, and the ledger byte for byte as it was."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from progress_fixtures import add, new_workspace, refused_by


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws = new_workspace(tmp_path_factory.mktemp("refusals"))
    add(ws, "--metric", "innovation_fund=1000万")  # the ledger exists: "unchanged" means byte for byte
    return ws


def run_bytes(ws, *args: str | bytes, today: str = "2020-05-10") -> subprocess.CompletedProcess:
    """kjplan as a process with arguments given as bytes where a test needs bytes that are not UTF-8."""
    argv = [sys.executable.encode(), b"-m", b"kjplan", b"--root", str(ws.root).encode(), b"--today", today.encode()]
    argv += [a if isinstance(a, bytes) else a.encode() for a in args]
    done = subprocess.run(argv, capture_output=True, env=dict(os.environ), timeout=120)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def refused(ws, *args, words, code: int = 1, **kw) -> str:
    return refused_by(ws, lambda: run_bytes(ws, *args, **kw), words=words, code=code)


GOOD = ["add-progress", "--item", "1", "--status", "序时推进", "--text", "学习"]


@pytest.mark.parametrize("extra, words", [
    (["--date", "2020-02-30"], ["日期（--date）", "“2020-02-30”不存在：2020 年 2 月只有 29 天"]),
    (["--date", "20200706"], ["缺少分隔符", "2020/7/6"]),
    (["--date", "2020-W19-1"], ["按周写的日期"]),
    (["--date", "2020-13-01"], ["月份 13 不存在"]),
    (["--unit", "成果转化科\n办公室"], ["报送单位（--unit）：只能写一行"]),
    (["--by", "张三\n李四"], ["填报人（--by）：只能写一行"]),
])
def test_refused_fields(ws, extra, words):
    refused(ws, *GOOD, *extra, words=words)


@pytest.mark.parametrize("text", ["\u200b", "\u200b\u200d \ufeff", "  \n\t "])
def test_text_that_nobody_could_see_is_empty(ws, text):
    refused(ws, "add-progress", "--item", "1", "--status", "序时推进", "--text", text,
            words=["进展情况（--text）：不能为空"])


def test_gbk_bytes_in_a_text_are_named_as_an_encoding_problem(ws):
    message = refused(ws, "add-progress", "--item", "1", "--status", "序时推进", "--text", "学习进展".encode("gbk"),
                      words=["进展情况（--text）", "不是 UTF-8 编码", "GBK"])
    assert "控制字符" not in message


@pytest.mark.parametrize("name, content, words", [
    ("r.yaml", "- item: true\n  status: done\n  text: x\n", [":1: item（事项）：“true”不是事项序号"]),
    ("r.yaml", "- item: 1\n  status: done\n  date: 2020-02-30\n  text: x\n", [":3: date（日期）：日期“2020-02-30”不存在"]),
    ("r.yaml", "- item: 1\n  status: done\n  text: yes\n", [":3: text（进展情况）：应为文字，而不是 true"]),
    ("r.yaml", "- item: 1\n  status: done\n  text: [x\n", ["YAML 格式错误：方括号“[”没有闭合"]),
    ("r.yaml", "- item: 1\n  status: done\n  text: \"x\n", ["YAML 格式错误：文件意外结束（引号或括号未闭合？）"]),
    ("r.csv", "item,status,text,text\n1,done,a,b\n", [":1: 表头中“text”出现了两次"]),
    ("r.csv", "item,status,text,进展情况\n1,done,a,b\n", ["“text”和“进展情况”是同一列"]),
    ("r.csv", "item,status,text\n1,done,\"没有闭合\n2,done,x\n", [":2: CSV 格式错误：双引号没有闭合"]),
    ("r.csv", "item,status,text\n1,done,\u200b\n", [":2: text（进展情况）：不能为空"]),
    ("r.csv", "item,status,text,unit\n1,done,x,\"成果\n转化科\"\n", [":2: unit（报送单位）：只能写一行"]),
])
def test_refused_files(ws, tmp_path, name, content, words):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    refused(ws, "add-progress", "--from", str(path), words=[str(path) + w if w.startswith(":") else w for w in words])
