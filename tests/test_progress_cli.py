"""The progress commands as users run them: typer's runner in-process, and `python -m kjplan` as a process."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kjplan import ledger
from kjplan.errors import EXIT_MISSING

from progress_fixtures import TRACEBACK, add, invoke, ledger_bytes, ledger_path, new_workspace, run


@pytest.fixture
def ws(tmp_path):
    return new_workspace(tmp_path)


def log_json(ws, *args):
    result = invoke(ws, "log", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_add_progress_prints_the_id_and_log_shows_the_record(ws):
    result = invoke(ws, "add-progress", "--item", "9", "--quarter", "2", "--text", "完成基金扩资方案",
                    "--metric", "innovation_fund=6000万", "--unit", "成果转化科", "--by", "张三",
                    "--problems", "募集偏慢", "--next", "加快进度", "--date", "2020-05-09")
    assert result.exit_code == 0, result.stderr
    record_id = result.stdout.strip()
    assert len(record_id) == 16 and "已登记第 9 项 2020Q2" in result.stderr
    (record,) = log_json(ws)
    assert {k: record[k] for k in ("id", "item", "quarter", "text", "status", "unit", "metrics", "date", "by")} == {
        "id": record_id, "item": 9, "quarter": "2020Q2", "text": "完成基金扩资方案", "status": None,
        "unit": "成果转化科", "metrics": {"innovation_fund": 0.6}, "date": "2020-05-09", "by": "张三"}
    assert (record["problems"], record["next"], record["amended"]) == ("募集偏慢", "加快进度", False)
    assert dt.datetime.fromisoformat(record["created"]).utcoffset() is not None  # aware, with its offset
    line = ledger_path(ws).read_text(encoding="utf-8")
    assert "完成基金扩资方案" in line and line.count("\n") == 1


def test_log_table_and_csv(ws):
    first = add(ws, "--metric", "innovation_fund=6000万", "--unit", "成果转化科")
    add(ws, "--status", "done", item=1, text="学习，“两个维护”")
    table = invoke(ws, "log")
    assert table.exit_code == 0
    assert first[:8] in table.stdout and "6000万元" in table.stdout and "按指标推算" in table.stdout
    assert "状态来源" in table.stdout and "填报" in table.stdout  # a column of its own, not a status
    assert "\x1b[" not in table.stdout  # plain text when not a terminal
    csv_out = invoke(ws, "log", "--format", "csv", "--item", "1")
    lines = csv_out.stdout.splitlines()
    assert lines[0].startswith("id,item,quarter,date,status,unit,by,text")
    assert len(lines) == 2 and '"学习，“两个维护”"' not in lines[1] and "学习，“两个维护”" in lines[1]
    assert invoke(ws, "log", "--quarter", "3").stdout.strip() == "没有符合条件的进展记录。"
    assert log_json(ws, "--unit", "成果转化科")[0]["id"] == first
    bad = invoke(ws, "log", "--format", "xml")
    assert bad.exit_code == 1 and "table / json / csv" in bad.stderr


def _reject(ws, *args, words, input=None):
    """A refused command: Chinese message naming the problem, exit 1, no traceback, ledger unchanged."""
    before = ledger_bytes(ws)
    result = invoke(ws, *args, input=input)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("错误：")
    for word in words:
        assert word in result.stderr, result.stderr
    assert TRACEBACK not in result.stdout + result.stderr
    assert result.stdout == ""
    assert ledger_bytes(ws) == before
    return result


GOOD = ["--item", "9", "--text", "完成基金扩资方案", "--metric", "innovation_fund=6000万"]


def _with(option, value, args=GOOD):
    args = list(args)
    i = args.index(option)
    args[i + 1] = value
    return args


@pytest.mark.parametrize("args, words", [
    (_with("--item", "0"), ["没有第 0 项", "1 到 16"]),
    (_with("--item", "17"), ["没有第 17 项", "1 到 16"]),
    (_with("--item", "abc"), ["“abc”不是事项序号", "1 到 16"]),
    (GOOD + ["--quarter", "5"], ["季度（--quarter）", "1 到 4", "“5”"]),
    (GOOD + ["--quarter", "2019Q1"], ["2019 年", "2020 年"]),
    (_with("--text", ""), ["进展情况（--text）：不能为空"]),
    (_with("--text", "   "), ["进展情况（--text）：不能为空"]),
    (_with("--metric", "fund=6000万"), ["“fund”不是第 9 项的指标", "innovation_fund"]),
    (_with("--metric", "innovation_fund=六千万"), ["不是数值", "innovation_fund"]),
    (_with("--metric", "innovation_fund=82%"), ["单位“%”不能换算为“亿元”"]),
    (_with("--metric", "innovation_fund"), ["指标名称=数值"]),
    (_with("--text", "有响铃\x07字符"), ["U+0007", "控制字符", "--text"]),
    (_with("--text", "字" * 5001), ["内容过长", "5000"]),
    (GOOD + ["--problems", "\x1b[31m"], ["存在问题（--problems）", "U+001B"]),
    (GOOD + ["--status", "差不多"], ["状态“差不多”无效"]),
    (GOOD + ["--date", "2020-02-30"], ["2020 年 2 月只有 29 天"]),
    (["--item", "1", "--text", "学习"], ["第 1 项没有量化指标", "--status"]),
    (["--item", "9", "--text", "无指标"], ["--status", "--metric"]),
    (["--text", "没有事项"], ["缺少 --item"]),
    (["--item", "9", "--metric", "innovation_fund=1亿"], ["缺少 --text"]),
    (GOOD + ["--from", "x.yaml"], ["--from 不能与"]),
])
def test_bad_input_is_refused_and_the_ledger_is_unchanged(ws, args, words):
    add(ws, "--metric", "innovation_fund=1000万")  # the ledger exists, so "unchanged" means byte for byte
    _reject(ws, "add-progress", *args, words=words)


def test_bad_input_on_an_empty_workspace_creates_no_ledger(ws):
    _reject(ws, "add-progress", *_with("--item", "17"), words=["没有第 17 项"])
    assert not ledger_path(ws).exists()


def test_template_syntax_is_stored_and_shown_exactly(ws):
    text = "{{ 7*7 }} 与 {% if x %}条件{% endif %}"
    add(ws, "--metric", "innovation_fund=1亿", text=text)
    assert log_json(ws)[0]["text"] == text
    assert "{{ 7*7 }}" in invoke(ws, "log").stdout


def test_text_from_standard_input(ws):
    result = invoke(ws, "add-progress", "--item", "1", "--status", "done", "--text", "-",
                    input="第一段\n第二段：{{ x }}\n")
    assert result.exit_code == 0, result.stderr
    assert log_json(ws)[0]["text"] == "第一段\n第二段：{{ x }}"


def test_gbk_standard_input_is_named(ws):
    result = _reject(ws, "add-progress", "--item", "1", "--status", "done", "--text", "-",
                     input="旧电脑".encode("gbk"), words=["GBK"])
    assert "标准输入" in result.stderr


_text = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"),
                min_size=1, max_size=120).filter(lambda s: s.strip() and s != "-")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_text)
def test_any_text_round_trips_through_add_progress_and_log_json(ws, text):
    record_id = add(ws, "--status", "done", item=1, text=text)
    found = [r for r in log_json(ws, "--item", "1") if r["id"] == record_id]
    assert [r["text"] for r in found] == [text]


def test_amend_and_retract(ws):
    first = add(ws, "--metric", "innovation_fund=6000万")
    second = add(ws, "--status", "done", item=1, text="重复")
    result = invoke(ws, "amend", first[:7], "--metric", "innovation_fund=7000万", "--text", "更正")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == first and "已修改记录" in result.stderr
    result = invoke(ws, "retract", second[:10], "--reason", "重复登记")
    assert result.exit_code == 0, result.stderr
    (record,) = log_json(ws)
    assert (record["id"], record["text"], record["amended"]) == (first, "更正", True)
    assert record["metrics"] == {"innovation_fund": pytest.approx(0.7)}
    assert len(ledger_path(ws).read_bytes().splitlines()) == 4  # history stays


@pytest.mark.parametrize("args, words", [
    (["amend", "abc", "--text", "x"], ["前 6 位"]),
    (["amend", "ffffff", "--text", "x"], ["没有编号以“ffffff”开头的记录"]),
    (["amend", "{id}"], ["没有要修改的内容"]),
    (["amend", "{id}", "--item", "17"], ["没有第 17 项"]),
    (["amend", "{id}", "--text", "带\x00字符"], ["U+0000"]),
    (["retract", "{id}"], ["缺少 --reason"]),
    (["retract", "{id}", "--reason", ""], ["撤回原因", "不能为空"]),
])
def test_bad_corrections_are_refused(ws, args, words):
    record_id = add(ws, "--metric", "innovation_fund=6000万")
    _reject(ws, *[a.replace("{id}", record_id) for a in args], words=words)


def test_status_table_json_and_missing(ws):
    add(ws, "--metric", "innovation_fund=6000万")
    add(ws, "--status", "behind", item=1, text="学习")
    table = invoke(ws, "status", "--quarter", "2")
    assert table.exit_code == 0, table.stderr
    out = table.stdout
    assert "序时进度 50%" in out and "██████░░░░ 60%" in out and "6000万元 / 1亿元" in out
    assert "滞后" in out and "未报送" in out and "\x1b[" not in out
    assert "按指标推算" in out and "高于序时进度10个百分点" in out  # the source has a column of its own
    assert "（推算）" not in out and "无记录" not in out
    assert "本季度未报送的事项（14 项）" in out and "未报送 14" in out
    data = json.loads(invoke(ws, "status", "--quarter", "2", "--format", "json").stdout)
    nine = data["items"][8]
    assert (nine["records"], nine["status"], nine["status_derived"], nine["behind"]) == (1, "序时推进", True, False)
    assert nine["status_source"] == "按指标推算" and data["items"][0]["status_source"] == "填报"
    assert data["items"][1]["status"] == "未报送" and data["counts"]["未报送"] == 14
    assert nine["metrics"][0]["completion"] == pytest.approx(0.6)
    assert data["items"][0]["behind"] is True
    assert data["missing"] == [n for n in range(1, 17) if n not in (1, 9)]
    missing = invoke(ws, "status", "--quarter", "2", "--missing")
    assert missing.exit_code == EXIT_MISSING == 3
    assert "共 14 项" in missing.stdout and "  2. 做好科技创新发展规划编制工作" in missing.stdout
    assert invoke(ws, "status", "--quarter", "2", "--missing", "--format", "json").exit_code == 3


def test_status_missing_exits_0_when_every_item_has_a_record(ws):
    for n in range(1, 17):
        add(ws, "--status", "done", item=n, text=f"第{n}项")
    result = invoke(ws, "status", "--missing")
    assert result.exit_code == 0 and "均已有进展记录" in result.stdout
    assert invoke(ws, "status", "--quarter", "3", "--missing").exit_code == 3


def test_status_bad_quarter(ws):
    result = invoke(ws, "status", "--quarter", "2019Q1")
    assert result.exit_code == 1 and "2019" in result.stderr and TRACEBACK not in result.stderr


def test_add_from_file(ws, tmp_path):
    src = tmp_path / "q2.csv"
    src.write_text("item,text,status,metrics\n9,基金,,innovation_fund=6000万\n1,学习,done,\n", encoding="utf-8-sig")
    result = invoke(ws, "add-progress", "--from", src, "--unit", "蒲城县科技局")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.split()) == 2 and "登记 2 条" in result.stderr
    assert {r["unit"] for r in log_json(ws)} == {"蒲城县科技局"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("- item: 9\n  text: 好\n  status: done\n- item: 17\n  text: 坏\n  status: done\n", encoding="utf-8")
    result = _reject(ws, "add-progress", "--from", bad, words=[f"{bad}:4:", "没有第 17 项"])
    assert f"{bad}:1:" not in result.stderr


# ---------------------------------------------------------------------------------- hand-edited files

def test_a_hand_edited_json_error_is_named_by_file_and_line(ws):
    add(ws, "--metric", "innovation_fund=6000万")
    add(ws, "--status", "done", item=1, text="学习")
    path = ledger_path(ws)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace('"item":9', '"item":9,,')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    check = invoke(ws, "check")
    assert check.exit_code == 1
    assert f"{path}:1: JSON 格式错误" in check.stderr and "共发现 1 处问题" in check.stderr
    log = invoke(ws, "log", "--format", "json")
    assert log.exit_code == 0 and f"警告：{path}:1:" in log.stderr
    assert [r["item"] for r in json.loads(log.stdout)] == [1]


def test_a_gbk_ledger_is_named_as_gbk_and_a_bom_is_accepted(ws):
    add(ws, "--metric", "innovation_fund=6000万")
    path = ledger_path(ws)
    original = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + original)
    assert invoke(ws, "check").exit_code == 0
    assert len(log_json(ws)) == 1
    add(ws, "--status", "done", item=1, text="第二条")
    add(ws, "--status", "done", item=2, text="第三条")
    path.write_bytes(path.read_bytes().decode("utf-8-sig").encode("gbk"))
    check = invoke(ws, "check")
    assert check.exit_code == 1 and f"{path}:1:" in check.stderr and "GBK" in check.stderr
    assert "共 3 行：第 1、2、3 行" in check.stderr and "共发现 1 处问题" in check.stderr  # one message, not one a line
    log = invoke(ws, "log")
    assert log.exit_code == 0 and log.stderr.count("警告") == 1 and "GBK" in log.stderr


def test_warnings_about_bad_lines_are_capped(ws):
    add(ws, "--metric", "innovation_fund=6000万")
    with open(ledger_path(ws), "ab") as fh:
        fh.write(b"{broken\n" * 25)
    log = invoke(ws, "log", "--format", "json")
    assert log.exit_code == 0 and len(json.loads(log.stdout)) == 1
    warnings = log.stderr.splitlines()
    assert len(warnings) == 11 and "另有 15 处" in warnings[-1]
    assert "共发现 25 处问题" in invoke(ws, "check").stderr


def test_check_repair_moves_bad_lines_aside(ws):
    record_id = add(ws, "--metric", "innovation_fund=6000万")
    path = ledger_path(ws)
    with open(path, "ab") as fh:
        fh.write(b'{"type":"progress","id":"12')
    result = invoke(ws, "check", "--repair")
    assert result.exit_code == 0, result.stderr
    assert "无法读取的 1 行（第 2 行）" in result.stdout and "检查通过" in result.stdout
    (rejected,) = path.parent.glob("2020.jsonl.rejected-*.txt")
    assert rejected.read_bytes().endswith(b'{"type":"progress","id":"12\n')
    assert [r["id"] for r in log_json(ws)] == [record_id]


def test_a_busy_ledger_exits_75_naming_the_holder(ws):
    hold = ("import sys, time\nfrom pathlib import Path\nfrom kjplan import ledger\n"
            "with ledger.locked(Path(sys.argv[1]), command='kjplan add-progress'):\n"
            "    print('held', flush=True)\n    time.sleep(30)\n")
    proc = subprocess.Popen([sys.executable, "-c", hold, str(ledger_path(ws))], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        result = invoke(ws, "add-progress", *GOOD, env={ledger.ENV_LOCK_TIMEOUT: "0.2"})
        assert result.exit_code == 75
        assert "正被" in result.stderr and f"进程 {proc.pid}" in result.stderr and TRACEBACK not in result.stderr
    finally:
        proc.kill()
        proc.wait()
    assert not ledger_path(ws).exists()


# ------------------------------------------------------------------------------------ as a process

def test_the_installed_command(ws):
    result = run(ws, "add-progress", "--item", "12", "--text", "入驻率达到82%", "--metric", "incubator_occupancy=82%")
    assert result.returncode == 0, result.stderr
    record_id = result.stdout.strip()
    result = run(ws, "log", "--format", "json")
    assert json.loads(result.stdout)[0]["id"] == record_id
    bad = run(ws, "add-progress", "--item", "17", "--text", "x", "--status", "done")
    assert bad.returncode == 1 and "没有第 17 项" in bad.stderr and TRACEBACK not in bad.stderr
    piped = run(ws, "add-progress", "--item", "1", "--status", "done")  # stdin is not a terminal: no editor
    assert piped.returncode == 1 and "缺少 --text" in piped.stderr
    missing = run(ws, "status", "--missing")
    assert missing.returncode == 3


def test_without_a_login_name_by_is_empty(ws):
    env = {k: v for k, v in os.environ.items() if k not in ("USER", "LOGNAME", "USERNAME", "LNAME")}
    result = run(ws, "add-progress", "--item", "1", "--text", "x", "--status", "done", env=env)
    assert result.returncode == 0, result.stderr
    assert isinstance(json.loads(run(ws, "log", "--format", "json").stdout)[0]["by"], str)


PROBE = """
import sys
from kjplan import ledger

def refuse(*args, **kwargs):
    raise AssertionError("add-progress parsed the ledger")

ledger.scan = ledger.load = ledger.load_records = refuse
from kjplan.cli import main
sys.argv = ["kjplan", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
heavy = sorted(m for m in ("docx", "jinja2", "openpyxl", "rjieba", "rich") if m in sys.modules)
print("HEAVY", ",".join(heavy), file=sys.stderr)
"""


def test_add_progress_imports_no_heavy_library_and_parses_no_ledger_when_nothing_could_repeat(ws):
    # Duplicates are looked for in the summary kept beside the ledger index (kjplan.ledger_index); records are
    # parsed only when the summary holds the new record's key.
    add(ws, "--metric", "innovation_fund=6000万")
    result = subprocess.run([sys.executable, "-c", PROBE, "--root", ws.root, "--today", "2020-05-10",
                             "add-progress", "--item", "1", "--text", "x", "--status", "done"],
                            capture_output=True, text=True, encoding="utf-8")
    assert result.returncode == 0 and len(result.stdout.strip()) == 16, result.stderr
    assert result.stderr.splitlines()[-1] == "HEAVY "
    assert len(ledger_path(ws).read_bytes().splitlines()) == 2


# ------------------------------------------------------------------------------------ in a terminal

FAKE_EDITOR = """
import pathlib, sys
path = pathlib.Path(sys.argv[-1])
template = path.read_text(encoding="utf-8")
assert "保存并关闭编辑器即完成" in template
reply = pathlib.Path(sys.argv[1]).read_text(encoding="utf-8")
if reply == "<fail>":
    sys.exit(4)
path.write_text(reply + template, encoding="utf-8")
"""


@pytest.fixture
def terminal(monkeypatch, tmp_path):
    """Pretend standard input is a terminal, with $EDITOR a script that types what the test puts in
    edited["text"] (and counts how often it was opened)."""
    from kjplan.cli import progress_cmds

    script, reply = tmp_path / "editor.py", tmp_path / "reply.txt"
    script.write_text(FAKE_EDITOR + "open(sys.argv[1] + '.calls', 'a').write('x')\n", encoding="utf-8")
    monkeypatch.setattr(progress_cmds, "interactive", lambda: True)
    monkeypatch.setenv("VISUAL", f'"{sys.executable}" "{script}" "{reply}"')

    class Edited(dict):
        def __setitem__(self, key, value):
            reply.write_text(value, encoding="utf-8")

        @property
        def calls(self):
            calls = reply.with_name(reply.name + ".calls")
            return len(calls.read_text()) if calls.exists() else 0

    return Edited()


def test_in_a_terminal_item_and_status_are_asked_and_the_editor_opens(ws, terminal):
    # With some options given, only what is missing is asked (the guided entry without options is
    # driven through a pseudo-terminal in test_guided_entry.py).
    terminal["text"] = "在编辑器里写的进展\n第二行"
    result = invoke(ws, "add-progress", "--quarter", "2", input="17\n1\n5\n2\n")
    assert result.exit_code == 0, result.stderr
    assert " 16. 强化党风廉政建设主体责任落实" in result.stderr
    assert "没有第 17 项" in result.stderr and "状态“5”无效" in result.stderr  # asked again, not failed
    (record,) = log_json(ws)
    assert (record["item"], record["status"], record["text"]) == (1, "序时推进", "在编辑器里写的进展\n第二行")
    assert terminal.calls == 1


def test_an_empty_editor_cancels(ws, terminal):
    for text, words in (("   \n", ["为空，已取消"]), ("<fail>", ["编辑器", "退出码 4", "--text"])):  # <fail>: exits 4
        terminal["text"] = text
        result = invoke(ws, "add-progress", "--item", "1", "--status", "done")
        assert result.exit_code == 1 and result.stdout == ""
        error = result.stderr[result.stderr.index("错误："):]
        assert all(word in error for word in words), result.stderr
    assert not ledger_path(ws).exists()


def test_an_item_with_targets_is_not_asked_for_a_status(ws, terminal):
    result = invoke(ws, "add-progress", "--item", "9", "--text", "x", "--metric", "innovation_fund=1000万")
    assert result.exit_code == 0, result.stderr
    assert "请选择进展状态" not in result.stderr and terminal.calls == 0


@pytest.mark.parametrize("args", [["log"], ["log", "--format", "json"], ["status", "--quarter", "2"],
                                  ["amend", "{id}", "--text", "改"], ["retract", "{id}", "--reason", "错"]])
def test_reading_and_correcting_import_neither_docx_nor_jinja2(ws, args):
    record_id = add(ws, "--metric", "innovation_fund=6000万")
    probe = PROBE.replace("ledger.scan = ledger.load = ledger.load_records = refuse", "")
    result = subprocess.run([sys.executable, "-c", probe, "--root", ws.root, "--today", "2020-05-10",
                             *[a.replace("{id}", record_id) for a in args]],
                            capture_output=True, text=True, encoding="utf-8")
    assert "错误" not in result.stderr, result.stderr
    heavy = result.stderr.splitlines()[-1].removeprefix("HEAVY ").split(",")
    assert "docx" not in heavy and "jinja2" not in heavy and "openpyxl" not in heavy


def test_status_words_a_target_on_schedule_as_the_report_does(ws):
    """At exactly the time share (5000万 of 1亿 at mid-year) status and the report say the same words."""
    add(ws, "--metric", "innovation_fund=5000万")
    out = invoke(ws, "status", "--quarter", "2").stdout
    assert "与序时进度持平" in out and "达到序时进度" not in out
