"""Issue 11, "wrong exit codes, English or misleading messages": each case as a process.

Exit codes are those of the table in docs/operations.md; every message is Chinese, without a traceback; a
refused command changes no file, and whatever is written opens.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from kjplan.workspace import init_workspace

from hardening_helpers import (alive, assert_all_open, assert_chinese, assert_clean_failure, fake_soffice, files,
                               run)

REPORT = ("report", "-q", "2", "--date", "2020-07-06")
DATA = ("export", "-q", "2", "--formats", "docx,json,csv,xlsx")
posix_only = pytest.mark.skipif(os.name != "posix", reason="signals, /dev/full and closed descriptors are POSIX")


@pytest.fixture
def ws(tmp_path):
    return init_workspace(tmp_path / "ws")


def add_args(text="完成年度方案。"):
    return ("add-progress", "-i", "1", "-q", "2", "-s", "done", "--text", text)


def records(ws) -> list[dict]:
    path = ws.progress_path(2020)
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()] if path.exists() else []


# ------------------------------------------------------- 15. success is not reported as failure

def _stdout_full():
    return {"stdout": open("/dev/full", "w")}


def _stdout_broken_pipe():
    read, write = os.pipe()
    os.close(read)  # nobody will ever read: every write is EPIPE
    return {"stdout": write, "_close": write}


@posix_only
@pytest.mark.parametrize("stdout", [_stdout_full, _stdout_broken_pipe], ids=["dev-full", "closed-pipe"])
@pytest.mark.parametrize("command", ["add-progress", "amend", "retract", "report"])
def test_a_durable_write_exits_0_even_when_its_output_cannot_be_printed(ws, stdout, command):
    first = run(ws, *add_args())
    assert first.returncode == 0, first.stderr
    record = first.stdout.strip()
    args = {"add-progress": add_args("第二条。"), "amend": ("amend", record, "--text", "改正。"),
            "retract": ("retract", record, "--reason", "重复"), "report": REPORT}[command]
    before = len(records(ws))
    popen = stdout()
    close = popen.pop("_close", None)
    try:
        result = run(ws, *args, **popen)
    finally:
        if close is not None:
            os.close(close)
        elif hasattr(popen["stdout"], "close"):
            popen["stdout"].close()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "错误" not in result.stderr
    if command == "report":
        assert "report-2020Q2.docx" in result.stderr and (ws.reports_dir / "report-2020Q2.docx").exists()
    else:
        assert len(records(ws)) == before + 1  # written once: a retry would not be needed
        assert records(ws)[-1]["id"][:8] in result.stderr or record in result.stderr


@posix_only
def test_a_read_only_command_whose_output_fails_says_so(ws):
    with open("/dev/full", "w") as full:
        result = run(ws, "plan", stdout=full)
    assert_clean_failure(result, 73, "无法输出结果", "磁盘空间不足")
    read, write = os.pipe()
    os.close(read)
    try:
        result = run(ws, "plan", stdout=write)
    finally:
        os.close(write)
    assert result.returncode == 141 and result.stderr == ""  # like any tool under `| head`


# ----------------------------------------------------------------------- 16. Chinese, and what to do

GOOD = {"type": "progress", "id": "0123456789abcdef", "created": "2020-07-01T09:00:00+08:00", "by": "张三",
        "item": 1, "quarter": "2020Q2", "date": "2020-06-30", "text": "完成第一项的年度方案。", "status": "序时推进",
        "unit": "办公室", "metrics": {}, "problems": "", "next": ""}

LEDGER_MESSAGES = [
    # (name, the line's fields changed, words of check's message)
    ("no-timezone", {"created": "2020-07-01T09:00:00"}, "带时区"),
    ("text-is-a-number", {"text": 5}, "应为文字"),
    ("quarter-pattern", {"quarter": "2020Q5"}, "2020Q2 这样"),
    ("id-pattern", {"id": "xyz"}, "16 位十六进制"),
    ("negative-figure", {"item": 9, "status": None, "metrics": {"innovation_fund": -1}}, "应不小于 0"),
    ("huge-figure", {"item": 9, "status": None, "metrics": {"innovation_fund": 1e300}}, "应不大于"),
    ("lone-surrogate", {"text": "\\ud800"}, "Unicode"),
    ("zero-width-text", {"text": "\u200b\u200b"}, "不能为空"),
    ("newline-in-unit", {"unit": "办公室\n科技科"}, "只能写一行"),
]


@pytest.mark.parametrize("name,changes,says", LEDGER_MESSAGES, ids=[c[0] for c in LEDGER_MESSAGES])
def test_a_bad_ledger_line_is_named_in_chinese(ws, name, changes, says):
    text = json.dumps({**GOOD, **changes}, ensure_ascii=False).replace("\\\\ud800", "\\ud800")
    ws.progress_path(2020).parent.mkdir(exist_ok=True)
    ws.progress_path(2020).write_text(text + "\n", encoding="utf-8")
    before = files(ws.root)
    assert_clean_failure(run(ws, "check"), 1, "progress/2020.jsonl:1", says)
    assert_clean_failure(run(ws, *REPORT), 1, "progress/2020.jsonl:1")
    assert files(ws.root) == before


def test_a_bom_in_the_middle_of_the_ledger_is_no_torn_record(ws):
    line = json.dumps(GOOD, ensure_ascii=False).encode("utf-8")
    second = line.replace(b"0123456789abcdef", b"1123456789abcdef")
    ws.progress_path(2020).parent.mkdir(exist_ok=True)
    ws.progress_path(2020).write_bytes(b"\xef\xbb\xbf" + line + b"\r\n\xef\xbb\xbf" + second + b"\r\n")
    assert run(ws, "check").returncode == 0
    assert len(json.loads(run(ws, "log", "--format", "json").stdout)) == 2


USAGE_MESSAGES = [
    (("export", "--wait", "-1"), 2, "应不小于 0"),
    (("export", "--wait", "很久"), 2, "应为数字"),
    (("status", "-q", "2020Q9"), 1, "季度应为 1 到 4"),
    (("export", "--formats", "doc"), 2, "未知的导出格式"),
]


@pytest.mark.parametrize("args,code,says", USAGE_MESSAGES, ids=lambda v: "-".join(v) if isinstance(v, tuple) else None)
def test_options_are_explained_in_chinese(ws, args, code, says):
    assert_clean_failure(run(ws, *args), code, says)


# -------------------------------------------------------------- 18. exit codes of the documented table

def test_an_unwritable_reports_folder_is_73_naming_it_and_out_elsewhere_still_works(ws, tmp_path):
    os.rmdir(ws.reports_dir)
    ws.reports_dir.write_text("not a folder", encoding="utf-8")  # as unwritable as it gets, even for root
    result = run(ws, *DATA)
    assert_clean_failure(result, 73, str(ws.reports_dir))
    elsewhere = tmp_path / "elsewhere"
    result = run(ws, *DATA, "--out", elsewhere)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in elsewhere.iterdir() if not p.name.startswith(".")) == [
        "ledger-2020Q2.xlsx", "records-2020Q2.csv", "report-2020Q2.docx", "report-2020Q2.json"]
    assert_all_open(elsewhere)



@pytest.mark.parametrize("command", ["report", "export", "init"])
def test_a_file_where_the_output_path_needs_a_folder_is_named(ws, tmp_path, command):
    """mkdir only says EEXIST/ENOTDIR: the message names the file that stands where a folder must be."""
    blocker = tmp_path / "报告.txt"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    target = blocker / "2020" / ("x.docx" if command == "report" else "out")
    args = {"report": REPORT + ("--out", target), "export": DATA + ("--out", target), "init": ("init", target)}
    result = run(ws, *args[command])
    assert_clean_failure(result, 73, f"{blocker} 是一个文件，不是文件夹")
    assert blocker.read_text(encoding="utf-8") == "a file, not a folder"


@posix_only
@pytest.mark.parametrize("args", [REPORT + ("--pdf",), ("export", "-q", "2", "--formats", "docx,pdf,json")],
                         ids=["report-pdf", "export"])
def test_sigterm_is_handled_like_ctrl_c(ws, tmp_path, args):
    if args[0] == "export":
        assert run(ws, *DATA).returncode == 0
    before = files(ws.root)
    soffice = fake_soffice(tmp_path, "hang")
    env = dict(os.environ, KJPLAN_SOFFICE=str(soffice), KJPLAN_LOCK_TIMEOUT="5")
    argv = [sys.executable, "-m", "kjplan", "--root", str(ws.root), "--today", "2020-07-06", *args]
    process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    pids_file = tmp_path / "hang.pids"
    deadline = time.monotonic() + 60
    while not pids_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pids_file.exists(), process.communicate(timeout=5)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err.decode()
    assert "已中断" in err.decode() and "Traceback" not in err.decode()
    for pid in map(int, pids_file.read_text().split()):
        for _ in range(50):
            if not alive(pid):
                break
            time.sleep(0.1)
        assert not alive(pid), "LibreOffice left running"
    leftovers = [p for p in ws.root.rglob(".kjplan-*")]
    assert leftovers == []  # no profile, no staging folder
    after = files(ws.root)
    if args[0] == "export":
        assert after == before  # the output folder is as it was
    else:
        assert not (ws.reports_dir / "report-2020Q2.pdf").exists()


# ------------------------------------------------------------------------- 21. an empty path is an error

@pytest.mark.parametrize("args", [("export", "--out", ""), ("export", "--log", ""), ("report", "-q", "2", "--out", ""),
                                  ("--root", "", "plan")], ids=["export-out", "export-log", "report-out", "root"])
def test_an_empty_path_is_a_usage_error(ws, tmp_path, args):
    before = files(ws.root)
    result = run(ws if args[0] != "--root" else None, *args, cwd=ws.root)
    assert_clean_failure(result, 2, "不能为空")
    assert files(ws.root) == before


# ------------------------------------------------------------------- 24. no empty or broken PDF published

@pytest.mark.parametrize("behaviour,says", [("empty", "空文件"), ("torn", "不完整"), ("none", "没有生成")])
def test_a_broken_pdf_is_never_published(ws, tmp_path, behaviour, says):
    good = dict(os.environ, KJPLAN_SOFFICE=str(fake_soffice(tmp_path, "good")))
    assert run(ws, "export", "-q", "2", env=good).returncode == 0
    first = run(ws, *("add-progress", "-i", "2", "-q", "2", "-s", "done", "--text", "新进展：报告变了。"))
    assert first.returncode == 0
    before = files(ws.root)
    bad = dict(os.environ, KJPLAN_SOFFICE=str(fake_soffice(tmp_path, behaviour)))
    result = run(ws, "export", "-q", "2", env=bad)
    assert_clean_failure(result, 1, says)
    assert files(ws.root) == before  # the old PDF and every other file as they were
    result = run(ws, *REPORT, "--pdf", "--out", tmp_path / "single" / "report.docx", env=bad)
    assert_clean_failure(result, 1, says)
    assert not (tmp_path / "single" / "report.pdf").exists()
    assert not list((tmp_path / "single").glob(".kjplan-*"))
    assert_all_open(ws.reports_dir)
    assert_chinese(result.stderr)


# ------------------------------------------------------------- 18 and 20. dates, and their exit codes

DATE_CASES = [
    # (arguments, exit code, words). A date that steers the command (--today, the report's --date) is a
    # usage error (2); a record's own date (add-progress, amend) is part of the record's content and is
    # refused with its other fields (1), as the exit-code table in docs/operations.md says.
    (("--today", "", "plan"), 2, "没有写日期"),
    (("--today", "2020-02-30", "plan"), 2, "2020 年 2 月只有 29 天"),
    (REPORT[:-1] + ("",), 2, "没有写日期"),
    (REPORT[:-1] + ("20200706",), 2, "缺少分隔符"),
    (("export", "-q", "2", "--date", ""), 2, "没有写日期"),
    (add_args() + ("--date", ""), 1, "没有写日期"),
    (add_args() + ("--date", "2020-02-30"), 1, "2020 年 2 月只有 29 天"),
    (add_args() + ("--date", "20200706"), 1, "缺少分隔符"),
    (add_args() + ("--date", "2020-W27-1"), 1, "按周"),
    (add_args() + ("--date", "2020-13-01"), 1, "月份 13 不存在"),
    (("amend", "0123456789abcdef", "--date", ""), 1, "没有写日期"),
    (add_args() + ("--date", "2019-12-31"), 1, "早于计划年度"),
    (add_args() + ("--date", "2020-07-07"), 1, "晚于今天"),
]


@pytest.mark.parametrize("args,code,says", DATE_CASES, ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_dates_say_which_part_is_wrong_with_the_documented_exit_code(ws, args, code, says):
    ws.progress_path(2020).parent.mkdir(exist_ok=True)
    ws.progress_path(2020).write_text(json.dumps(GOOD, ensure_ascii=False) + "\n", encoding="utf-8")
    before = files(ws.root)
    assert_clean_failure(run(ws, *args), code, says)
    assert files(ws.root) == before


@pytest.mark.parametrize("written", ["2020-07-06", "2020/7/6", "2020年7月6日", "2020-7-6", " 2020 / 07 / 06 "])
def test_the_forms_of_a_date_people_write_are_accepted(ws, written):
    result = run(ws, *add_args(), "--date", written)
    assert result.returncode == 0, result.stderr
    assert records(ws)[-1]["date"] == "2020-07-06"


# ------------------------------------------------------------ 1, 17, 22, 23. values at the door

INPUT_CASES = [
    # (arguments, words): refused with exit 1, the ledger untouched.
    (("add-progress", "-i", "9", "-q", "2", "--text", "x", "--metric", "innovation_fund=1" + "0" * 400 + "亿"), "过大"),
    (("add-progress", "-i", "9", "-q", "2", "--text", "x", "--metric", "innovation_fund=10000000000000亿"), "过大"),
    (("add-progress", "-i", "1", "-q", "2", "-s", "done", "--text", b"\xff\xfe\xc4\xe3\xba\xc3"), "不是 UTF-8"),
    (("add-progress", "-i", "1", "-q", "2", "-s", "done", "--text", "\u200b\u200b\u2060"), "不能为空"),
    (("add-progress", "-i", "1", "-q", "2", "-s", "done", "--text", "x", "--unit", "办公室\n科技科"), "只能写一行"),
    (("add-progress", "-i", "1", "-q", "2", "-s", "done", "--text", "进\uffff展"), "U+FFFF"),
]


@pytest.mark.parametrize("args,says", INPUT_CASES, ids=range(len(INPUT_CASES)))
def test_values_are_checked_where_they_enter(ws, args, says):
    before = files(ws.root)
    assert_clean_failure(run(ws, *args), 1, says)
    assert files(ws.root) == before


FROM_CASES = [
    # (file name, content, words naming the line)
    ("dup.csv", "item,status,text,text\n1,done,甲,乙\n", ("dup.csv:1", "两次")),
    ("alias.csv", "item,status,进展情况,text\n1,done,甲,乙\n", ("alias.csv:1", "同一列")),
    ("quote.csv", 'item,status,text\n1,done,"没有闭合\n2,done,乙\n', ("quote.csv:2", "双引号")),
    ("big.csv", 'item,status,text\n1,done,"' + "长" * 140000 + '"\n', ("big.csv:2",)),
    ("bool.yaml", "- {item: true, status: done, text: 甲}\n", ("bool.yaml:1", "“true”不是事项序号")),
    ("date.yaml", "- {item: 1, status: done, text: 甲, date: 2020-02-30}\n", ("date.yaml:1", "只有 29 天")),
    ("empty.yaml", "- {item: 1, status: done, text: \"\\u200b\"}\n", ("empty.yaml:1", "不能为空")),
    ("gbk.csv", "item,status,text\n1,done,进展\n".encode("gbk"), ("gbk.csv", "GBK")),
]


@pytest.mark.parametrize("name,content,says", FROM_CASES, ids=[c[0] for c in FROM_CASES])
def test_from_files_are_checked_with_file_and_line(ws, name, content, says):
    path = ws.root / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    before = files(ws.root)
    assert_clean_failure(run(ws, "add-progress", "--from", path, "-q", "2"), 1, *says)
    assert files(ws.root) == before


def test_the_apostrophe_kjplan_writes_before_a_formula_comes_off_again_on_the_way_in(ws):
    path = ws.root / "batch.csv"
    path.write_text("item,status,text,problems\n1,done,'=1+1,'@项目\n2,done,'普通的撇号,-\n", encoding="utf-8")
    assert run(ws, "add-progress", "--from", path, "-q", "2").returncode == 0
    assert [(r["text"], r["problems"]) for r in records(ws)] == [("=1+1", "@项目"), ("'普通的撇号", "-")]


# ---------------------------------------------- 19. what check passes, report uses; what it drops, check names

def test_check_names_every_record_a_report_would_drop_or_misread(ws):
    lines = [
        {**GOOD},
        {**GOOD, "id": "1123456789abcdef", "item": 17},
        {**GOOD, "id": "2123456789abcdef", "quarter": "2021Q1"},
        {**GOOD, "id": "3123456789abcdef", "date": "2019-12-31"},
        {**GOOD, "id": "4123456789abcdef", "date": "2031-01-01"},
        {**GOOD, "id": "5123456789abcdef", "status": None},
        {**GOOD, "id": "6123456789abcdef", "item": 9, "status": None, "metrics": {"no_such": 1}},
    ]
    ws.progress_path(2020).parent.mkdir(exist_ok=True)
    ws.progress_path(2020).write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    result = run(ws, "check")
    text = assert_clean_failure(result, 1, "共发现")
    for line, words in [(2, "没有第 17 项"), (3, "2021 年的季度"), (4, "早于计划年度"), (5, "晚于今天"),
                        (6, "须写明状态"), (7, "no_such")]:
        assert any(f"progress/2020.jsonl:{line}:" in x and words in x and "kjplan amend" in x
                   for x in text.splitlines()), (line, text)
    # Item 9's only record has neither a status nor a figure of its own: the report does not guess.
    refused = run(ws, *REPORT)
    assert_clean_failure(refused, 1, "第 9 项（61234567）", "kjplan amend 61234567 --status", "kjplan check")
    lines = [x for x in lines if x["id"] != "6123456789abcdef"]
    ws.progress_path(2020).write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    report = run(ws, *REPORT)
    assert report.returncode == 0 and "2 条进展记录不属于 2020 年" in report.stderr
    assert_chinese(report.stderr)


@pytest.mark.parametrize("value,says", [("0", "应大于 0"), ("-1", "应大于 0"), (".inf", "有限"), (".nan", "有限"),
                                        ("1.0e+999", "有限")])
def test_a_plan_target_is_a_positive_finite_number(ws, value, says):
    plan = ws.plans_dir / "2020.yaml"
    text = plan.read_text(encoding="utf-8")
    start = text.index("value:", text.index("innovation_fund"))
    end = text.index("\n", start)
    plan.write_text(text[:start] + f"value: {value}" + text[end:], encoding="utf-8")
    assert_clean_failure(run(ws, "check"), 1, "plans/2020.yaml:", says)
    assert_clean_failure(run(ws, *REPORT), 1, "plans/2020.yaml:")
