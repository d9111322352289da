"""Issue 11, "crashes and runaway resource use": inputs that used to end in 内部错误 or run away.

One table: each case damages a fresh workspace in one way, then runs the commands a user would, each as a
process. Every command must end with its documented exit code and a Chinese message that names the file
and line (never a traceback); a command that fails leaves every file byte for byte as it was; whatever
it writes opens.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from kjplan.workspace import init_workspace

from hardening_helpers import assert_all_open, assert_chinese, assert_clean_failure, files, run

GOOD = {"type": "progress", "id": "0123456789abcdef", "created": "2020-07-01T09:00:00+08:00", "by": "张三",
        "item": 1, "quarter": "2020Q2", "date": "2020-06-30", "text": "完成第一项的年度方案。", "status": "序时推进",
        "unit": "办公室", "metrics": {}, "problems": "", "next": ""}


def line(**changes) -> bytes:
    return json.dumps({**GOOD, **changes}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def with_ledger(*lines: bytes) -> Callable:
    def setup(ws):
        ws.progress_path(2020).parent.mkdir(exist_ok=True)
        ws.progress_path(2020).write_bytes(b"".join(x + b"\n" for x in lines))
    return setup


def edit(relative: str, old: str, new: str) -> Callable:
    def setup(ws):
        path = ws.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return setup


def write(relative: str, text: str) -> Callable:
    def setup(ws):
        (ws.root / relative).write_text(text, encoding="utf-8")
    return setup


@dataclass
class Step:
    args: tuple
    code: int
    says: tuple = ()  # fragments of stderr
    changes: tuple = ()  # files this step may change (relative paths); any other must stay identical


@dataclass
class Case:
    name: str
    setup: Callable
    steps: list[Step] = field(default_factory=list)


REPORT = ("report", "-q", "2", "--date", "2020-07-06")
EXPORT = ("export", "-q", "2", "--formats", "docx,json,csv,xlsx")
BOMB = ("a: &a [\"哈\",\"哈\",\"哈\",\"哈\",\"哈\",\"哈\",\"哈\",\"哈\",\"哈\"]\n"
        + "".join(f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi")))

CASES = [
    # 7. One ledger line of 1,000 "[": every command goes on, and check --repair mends the ledger.
    Case("deep-json-line", with_ledger(line(), b"[" * 1000), [
        Step(("log",), 0, ("progress/2020.jsonl:2", "嵌套")),
        Step(("status", "-q", "2"), 0, ("progress/2020.jsonl:2",)),
        Step(REPORT, 1, ("progress/2020.jsonl:2", "kjplan check --repair")),
        Step(("amend", "0123456789abcdef", "--text", "改正后的进展。"), 0, (), ("progress/2020.jsonl",)),
        Step(("check",), 1, ("progress/2020.jsonl:2",)),
        Step(("check", "--repair"), 0, ("第 2 行",), ("progress/2020.jsonl", "progress/*rejected*")),
        Step(REPORT, 0, (), ("reports/report-2020Q2.docx",)),
    ]),
    # 8. NaN and Infinity in a ledger metric: refused at load, named, never reach status or export.
    Case("nan-metric", with_ledger(line(), line(id="1123456789abcdef", item=9, status=None)
                                   .replace(b'"metrics":{}', b'"metrics":{"innovation_fund":NaN}'),
                                   line(id="2123456789abcdef", item=9, status=None, metrics={"innovation_fund": 1e400})), [
        Step(("check",), 1, ("progress/2020.jsonl:2", "NaN", "progress/2020.jsonl:3", "有限")),
        Step(("status", "-q", "2", "--format", "json"), 0, ("progress/2020.jsonl:2",)),
        Step(EXPORT, 1, ("progress/2020.jsonl:2",)),
    ]),
    # 9. U+FFFF in a ledger text and U+0001 in the plan's title: named by check, no export half-made.
    Case("nonchar-in-ledger", with_ledger(line(), line(id="1123456789abcdef", text="进展\uffff情况")), [
        Step(("check",), 1, ("progress/2020.jsonl:2", "U+FFFF")),
        Step(EXPORT, 1, ("progress/2020.jsonl:2",)),
    ]),
    Case("control-in-plan-title", edit("plans/2020.yaml", "title: ", 'title: "\\x01"\nx_title: '), [
        Step(("check",), 1, ("plans/2020.yaml:", "U+0001")),
        Step(REPORT, 1, ("plans/2020.yaml:",)),
    ]),
    # 10. A font name with \x01: check names it, report is a configuration error (78).
    Case("control-in-font", write("kjplan.yaml", 'fonts:\n  body: "仿宋\\x01"\n'), [
        Step(("check",), 1, ("kjplan.yaml:2", "U+0001")),
        Step(REPORT, 78, ("kjplan.yaml:2",)),
    ]),
    # 11. Aliases: recursive ones and an alias bomb, in the plan, the settings and a --from file.
    Case("recursive-alias-in-plan", edit("plans/2020.yaml", "title: ", "loop: &x [*x]\ntitle: "), [
        Step(("check",), 1, ("plans/2020.yaml:", "别名")),
        Step(("plan",), 1, ("别名",)),
    ]),
    Case("alias-bomb-in-plan", edit("plans/2020.yaml", "title: ", BOMB + "title: "), [
        Step(("check",), 1, ("plans/2020.yaml:", "别名")),
        Step(REPORT, 1, ("别名",)),
    ]),
    Case("recursive-alias-in-settings", write("kjplan.yaml", "report: &r {printer: *r}\n"), [
        Step(("check",), 1, ("kjplan.yaml:1", "别名")),
        Step(REPORT, 78, ("kjplan.yaml:1",)),
    ]),
    Case("recursive-alias-in-from", write("batch.yaml", "- &r {item: 1, text: *r}\n"), [
        Step(("add-progress", "--from", "batch.yaml"), 1, ("batch.yaml:1", "别名")),
    ]),
    Case("deep-yaml-in-from", write("batch.yaml", "- {item: 1, text: " + "[" * 300 + "]" * 300 + "}\n"), [
        Step(("add-progress", "--from", "batch.yaml"), 1, ("batch.yaml:1", "嵌套")),
    ]),
    # 12. A date-like scalar that is no date, in the plan, the settings and a --from file.
    Case("no-such-day-in-plan", edit("plans/2020.yaml", "date: 2020-", "date: 2020-02-30\nx_date: 2020-"), [
        Step(("check",), 1, ("plans/2020.yaml:", "2020-02-30")),
        Step(REPORT, 1, ("2020-02-30",)),
    ]),
    Case("date-like-text-in-settings", write("kjplan.yaml", "report:\n  recipients: 2020-02-30\n"), [
        Step(("check",), 0),
        Step(REPORT, 0, (), ("reports/report-2020Q2.docx",)),
    ]),
    Case("no-such-day-in-from", write("batch.yaml", "- {item: 1, text: 进展, status: done, date: 2020-02-30}\n"), [
        Step(("add-progress", "--from", "batch.yaml"), 1, ("batch.yaml:1", "2020-02-30")),
    ]),
    Case("yaml-tags-in-plan", edit("plans/2020.yaml", "title: ", "x: !!python/object:os.system echo\ntitle: "), [
        Step(("check",), 1, ("plans/2020.yaml:", "标签")),
    ]),
    Case("yaml-second-document", write("kjplan.yaml", "report: {}\n---\nfonts: {}\n"), [
        Step(("check",), 1, ("kjplan.yaml:2", "第二部分")),
        Step(REPORT, 78, ("kjplan.yaml:2",)),
    ]),
]


def _matches(relative: str, patterns: tuple) -> bool:
    from fnmatch import fnmatch

    return any(fnmatch(relative, p) for p in patterns)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_no_crash_and_nothing_changed_behind_the_users_back(tmp_path, case):
    ws = init_workspace(tmp_path / "ws")
    case.setup(ws)
    for step in case.steps:
        before = files(ws.root)
        started = time.monotonic()
        result = run(ws, *step.args, cwd=ws.root)
        took = time.monotonic() - started
        assert took < 30, f"{step.args} ran {took:.0f} s"
        if step.code == 0:
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr and "内部错误" not in result.stderr, result.stderr
            for fragment in step.says:
                assert fragment in result.stderr + result.stdout, result.stderr
            if result.stderr.strip():
                assert_chinese(result.stderr)
        else:
            assert_clean_failure(result, step.code, *step.says)
        after = files(ws.root)
        for name in set(before) | set(after):
            if not _matches(name, step.changes):
                assert before.get(name) == after.get(name), f"{step.args} changed {name}"
        assert_all_open(ws.root / "reports")


# ------------------------------------------------------------------------ 13. closed standard streams

def _close(*fds):
    import os

    def apply():
        for fd in fds:
            os.close(fd)
    return apply


STREAM_CASES = [
    # (name, args, closed descriptors, exit code, message)
    ("log-stdout-closed", ("log",), (1,), 73, "标准输出已关闭"),
    ("status-stdout-closed", ("status", "-q", "2"), (1,), 73, "标准输出已关闭"),
    ("plan-stdout-closed", ("plan",), (1,), 73, "标准输出已关闭"),
    ("text-from-closed-stdin", ("add-progress", "-i", "1", "-q", "2", "-s", "done", "--text", "-"), (0,), 1,
     "标准输入已关闭"),
    ("amend-from-closed-stdin", ("amend", "0123456789abcdef", "--text", "-"), (0,), 1, "标准输入已关闭"),
]


@pytest.mark.parametrize("name,args,closed,code,says", STREAM_CASES, ids=[c[0] for c in STREAM_CASES])
def test_closed_streams_are_a_message_not_a_crash(tmp_path, name, args, closed, code, says):
    import subprocess

    ws = init_workspace(tmp_path / "ws")
    with_ledger(line())(ws)
    before = files(ws.root)
    result = run(ws, *args, input=None, stdin=subprocess.DEVNULL, preexec_fn=_close(*closed))
    assert_clean_failure(result, code, says)
    assert files(ws.root) == before


def test_stderr_closed_too_is_still_no_crash(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    result = run(ws, "log", input=None, preexec_fn=_close(1, 2))
    assert result.returncode == 73 and result.stderr == ""


# --------------------------------------------------------------- 14. templates that fail while filled in

TEMPLATE_CASES = [
    # (name, inserted into the title macro, the line named (0: the macro's own line; None: no line), words)
    ("division-by-zero", "{{ 1/0 }}", 0, "除数为零"),
    ("text-plus-number", "{{ issuer + 1 }}", 0, "类型不符"),
    ("undefined-name", "{{ nosuch }}", 0, "“nosuch”没有定义"),
    ("undefined-field", "{{ issuer.nosuch.deeper }}", 0, "“nosuch”"),
    ("recursive-macro", "{% macro again(n) %}{{ again(n) }}{% endmacro %}{{ again(1) }}", 0, "调用自身"),
    ("huge-repetition", '{{ "很长" * 1000000000 }}', 0, "过长"),
    ("huge-power", "{{ 10 ** 100000000 }}", 0, "过大"),
    ("huge-range", "{% for i in range(10**9) %}{% endfor %}", 0, "range"),
    ("sandbox-escape", "{{ issuer.__class__.__mro__ }}", 0, "不允许"),
    ("control-character-output", '{{ "\\x01" }}', None, "U+0001"),
    ("syntax", "{% if %}", 0, "模板语法错误"),
    ("unclosed-block", "{% if true %}", 2, "模板语法错误"),
]


@pytest.mark.parametrize("name,body,offset,says", TEMPLATE_CASES, ids=[c[0] for c in TEMPLATE_CASES])
def test_a_failing_template_is_exit_78_with_file_and_line(tmp_path, name, body, offset, says):
    ws = init_workspace(tmp_path / "ws")
    assert run(ws, *REPORT).returncode == 0
    template = ws.templates_dir / "report.j2"
    text = template.read_text(encoding="utf-8")
    start = text.index("{% macro title(")
    end = text.index("%}", start) + 2
    line = text[:end].count("\n") + 1
    template.write_text(text[:end] + body + text[end:], encoding="utf-8")
    before = files(ws.root)
    started = time.monotonic()
    result = run(ws, *REPORT)
    assert time.monotonic() - started < 30
    where = "report.j2:" if offset is None else f"report.j2:{line + offset}:"
    assert_clean_failure(result, 78, where, says)
    assert files(ws.root) == before


def test_an_unreadable_template_is_exit_78_naming_it(tmp_path, monkeypatch):
    import datetime as dt

    import jinja2.loaders

    from kjplan.errors import ConfigError
    from kjplan.report_job import write_report

    ws = init_workspace(tmp_path / "ws")

    def unreadable(filename, *args, **kwargs):
        raise PermissionError(13, "Permission denied", filename)

    # As the loader sees a template the user cannot read (tests run as root, which reads anything).
    monkeypatch.setattr(jinja2.loaders, "open", unreadable, raising=False)
    with pytest.raises(ConfigError) as caught:
        write_report(ws, "2", date=dt.date(2020, 7, 6), today=dt.date(2020, 7, 6))
    assert caught.value.exit_code == 78
    assert "report.j2" in caught.value.message and "无法读取模板（没有权限）" in caught.value.message
    assert_chinese(caught.value.message)
