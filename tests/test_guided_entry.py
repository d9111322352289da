"""`kjplan add-progress` in a terminal, driven through a pseudo-terminal as a clerk would type: every
answer checked at once and asked again with the reason, a summary to confirm, nothing lost when writing
fails (a draft in the workspace, reusable as it is), and Ctrl-C writing nothing."""

from __future__ import annotations

import json
import os
import sys

import pytest
import yaml

from kjplan import ledger
from kjplan.workspace import init_workspace

from progress_fixtures import ledger_bytes, run
from pty_helpers import spawn

pytestmark = pytest.mark.skipif(os.name != "posix", reason="a pseudo-terminal (POSIX)")

EDITOR = """
import pathlib, sys
path = pathlib.Path(sys.argv[-1])
template = path.read_text(encoding="utf-8")
assert "保存并关闭编辑器即完成" in template
path.write_text(pathlib.Path(sys.argv[1]).read_text(encoding="utf-8") + template, encoding="utf-8")
"""


@pytest.fixture
def ws(tmp_path):
    ws = init_workspace(tmp_path / "科技局 工作区")
    settings = ws.settings_path.read_text(encoding="utf-8")
    ws.settings_path.write_text(settings.replace("  - 渭南高新区发改局\n", "  - 成果转化科\n  - 渭南高新区发改局\n"),
                                encoding="utf-8")
    return ws


def environment(tmp_path, editor_text: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR")}
    if editor_text is not None:
        script, reply = tmp_path / "editor.py", tmp_path / "reply.txt"
        script.write_text(EDITOR, encoding="utf-8")
        reply.write_text(editor_text, encoding="utf-8")
        env["EDITOR"] = f'"{sys.executable}" "{script}" "{reply}"'
    return env


def start(ws, env, today="2020-05-10"):
    return spawn([sys.executable, "-m", "kjplan", "--root", str(ws.root), "--today", today, "add-progress"],
                 env=env, columns=100)


def answer(child, prompt: str, reply: str):
    child.expect_exact(prompt)
    child.sendline(reply)


def waiting_for_the_answer(child, seconds: float = 10) -> None:
    """Until the program sleeps reading the terminal, as a person presses Ctrl-C at a prompt (the prompt
    is printed a moment before the read starts; on a loaded machine that moment can be long)."""
    import time

    wchan = f"/proc/{child.pid}/wchan"
    if not os.path.exists(wchan):
        time.sleep(0.5)
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open(wchan, encoding="ascii", errors="replace") as handle:
            if handle.read().strip() in ("n_tty_read", "wait_woken"):
                return
        time.sleep(0.02)


def finish(child) -> tuple[str, int]:
    import pexpect

    child.expect(pexpect.EOF)
    child.close()
    return child.before, child.exitstatus


def records(ws) -> list[dict]:
    result = run(ws, "log", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_record_is_asked_for_step_by_step_and_wrong_answers_are_asked_again(ws, tmp_path):
    child = start(ws, environment(tmp_path))
    answer(child, "事项（", "17")
    child.expect_exact("没有第 17 项")
    answer(child, "事项（", "基金")  # two items mention it
    child.expect_exact("“基金”可以指 2 项")
    answer(child, "事项（", "成果转移")  # words of item 9's title
    answer(child, "季度", "")  # today's quarter by default
    child.expect_exact("1. 成果转化科")
    answer(child, "报送单位（写序号", "9")
    child.expect_exact("报送单位名单")
    answer(child, "报送单位（写序号", "1")
    answer(child, "科技创新发展基金募集规模（目标 1亿元，全年累计", "2000")
    child.expect_exact("“2000”没有写单位")
    answer(child, "科技创新发展基金募集规模（目标 1亿元", "6000万")
    answer(child, "进展状态", "")  # derived from the figure
    child.expect_exact("写完后输入一个空行结束")
    child.sendline("完成基金第二期扩资")
    child.sendline("到位资金6000万元")
    child.sendline("")
    answer(child, "存在问题", "社会资本参与不足")
    child.sendline("")
    answer(child, "下步打算", "")
    child.expect_exact("请核对")
    child.expect_exact("日期：2020-05-10（今天）")
    child.expect_exact("报送单位：成果转化科")
    answer(child, "登记这条记录吗？", "y")
    shown, code = finish(child)
    assert code == 0, shown
    (record,) = records(ws)
    assert record["id"] in shown and "已登记第 9 项 2020Q2 的进展" in shown
    assert {k: record[k] for k in ("item", "quarter", "date", "unit", "status", "metrics", "text", "problems", "next")} == {
        "item": 9, "quarter": "2020Q2", "date": "2020-05-10", "unit": "成果转化科", "status": None,
        "metrics": {"innovation_fund": 0.6}, "text": "完成基金第二期扩资\n到位资金6000万元", "problems": "社会资本参与不足",
        "next": ""}


def test_the_editor_writes_the_text_when_one_is_set_and_a_rate_needs_its_percent_sign(ws, tmp_path):
    child = start(ws, environment(tmp_path, "孵化器新入驻企业6家\n#2 举办路演2场"))
    answer(child, "事项（", "孵化器")
    answer(child, "季度", "第二季度")
    answer(child, "报送单位（写序号", "成果转化科")
    answer(child, "孵化器入驻率（目标 80%", "0.72")
    child.expect_exact("若是指 72%，请写 72%")
    answer(child, "孵化器入驻率（目标 80%", "120%")
    child.expect_exact("超过 100%")
    answer(child, "数值确实如此吗？", "n")
    answer(child, "孵化器入驻率（目标 80%", "72%")
    answer(child, "进展状态", "2")
    child.expect_exact("正在打开编辑器")
    answer(child, "存在问题", "")
    answer(child, "下步打算", "三季度开展专场招商")
    child.sendline("")
    answer(child, "登记这条记录吗？", "")
    shown, code = finish(child)
    assert code == 0, shown
    (record,) = records(ws)
    assert (record["item"], record["status"], record["metrics"], record["text"], record["next"]) == (
        12, "序时推进", {"incubator_occupancy": 72.0}, "孵化器新入驻企业6家\n#2 举办路演2场", "三季度开展专场招商")
    # The editor's own notes are gone; a line of the clerk's that starts with # is kept.


def test_when_today_is_outside_the_plan_year_the_date_is_asked_for(ws, tmp_path):
    child = start(ws, environment(tmp_path), today="2026-11-28")
    answer(child, "事项（", "1")
    child.expect_exact("季度（如 2 或 第二季度）：")  # no default quarter years later
    child.sendline("4")
    answer(child, "进展的日期（今天（2026-11-28）不在 2020 年内", "2020-13-01")
    child.expect_exact("月份 13 不存在")
    answer(child, "进展的日期", "2020/12/30")
    answer(child, "报送单位（写序号", "1")
    answer(child, "进展状态", "1")
    child.expect_exact("写完后输入一个空行结束")
    child.sendline("全年学习计划完成")
    child.sendline("")
    answer(child, "存在问题", "")
    answer(child, "下步打算", "")
    answer(child, "登记这条记录吗？", "y")
    shown, code = finish(child)
    assert code == 0, shown
    (record,) = records(ws)
    assert (record["quarter"], record["date"], record["status"]) == ("2020Q4", "2020-12-30", "已完成")


def _fill_to_the_end(child, text="学习会两次"):
    answer(child, "事项（", "1")
    answer(child, "季度", "")
    answer(child, "报送单位（写序号", "1")
    answer(child, "进展状态", "1")
    child.expect_exact("写完后输入一个空行结束")
    child.sendline(text)
    child.sendline("")
    answer(child, "存在问题", "")
    answer(child, "下步打算", "")
    answer(child, "登记这条记录吗？", "y")


def test_a_failed_write_keeps_everything_typed_in_a_draft_that_the_suggested_command_records(ws, tmp_path):
    run(ws, "add-progress", "-i", "2", "-s", "done", "-u", "成果转化科", "--text", "已有的一条")
    before = ledger_bytes(ws)
    env = dict(environment(tmp_path), KJPLAN_LOCK_TIMEOUT="0.5")
    with ledger.locked(ws.progress_path(2020), timeout=5, command="测试占用"):
        child = start(ws, env)
        _fill_to_the_end(child, "在记录文件被占用时写的进展")
        shown, code = finish(child)
    assert code == 75 and "没有登记" in shown and "正被" in shown
    assert ledger_bytes(ws) == before
    drafts = list((ws.root / "drafts").glob("进展草稿-*.yaml"))
    assert len(drafts) == 1 and str(drafts[0]) in shown.replace("\r\n", "")
    command = f'kjplan add-progress --from "{drafts[0]}"'
    assert command in shown.replace("\r\n", "")  # quoted: the workspace's path has a space
    (draft,) = yaml.safe_load(drafts[0].read_text(encoding="utf-8"))
    assert draft["进展情况"] == "在记录文件被占用时写的进展" and draft["事项"] == 1
    again = run(ws, "add-progress", "--from", drafts[0])
    assert again.returncode == 0, again.stderr
    assert [(r["item"], r["unit"], r["status"], r["text"]) for r in records(ws)][-1] == (
        1, "成果转化科", "已完成", "在记录文件被占用时写的进展")


def test_a_duplicate_is_refused_with_the_record_and_the_draft(ws, tmp_path):
    first = run(ws, "add-progress", "-i", "1", "-s", "done", "-u", "成果转化科", "--text", "学习会两次")
    before = ledger_bytes(ws)
    child = start(ws, environment(tmp_path))
    _fill_to_the_end(child)
    shown, code = finish(child)
    assert code == 1 and f"与已有记录 {first.stdout.strip()}" in shown and "已把这次填写的内容保存在" in shown
    assert ledger_bytes(ws) == before


@pytest.mark.parametrize("at", ["事项（", "报送单位（写序号", "写完后输入一个空行结束", "下步打算", "登记这条记录吗？"])
def test_ctrl_c_at_any_point_writes_nothing(ws, tmp_path, at):
    run(ws, "add-progress", "-i", "2", "-s", "done", "-u", "成果转化科", "--text", "已有的一条")
    before = ledger_bytes(ws)
    child = start(ws, environment(tmp_path))
    steps = [("事项（", "1"), ("季度", ""), ("报送单位（写序号", "1"), ("进展状态", "1"),
             ("写完后输入一个空行结束", "已经写好的进展"), ("存在问题", ""), ("下步打算", "")]
    for prompt, reply in steps:
        if prompt == at:
            break
        answer(child, prompt, reply)
        if prompt == "写完后输入一个空行结束":
            child.sendline("")
    child.expect_exact(at)
    waiting_for_the_answer(child)
    child.sendcontrol("c")
    shown, code = finish(child)
    assert code == 130 and "已取消，没有写入任何记录" in shown and "Traceback" not in shown
    assert ledger_bytes(ws) == before
    typed = at in ("下步打算", "登记这条记录吗？")
    assert ("已把这次填写的内容保存在" in shown) == typed  # what was typed is kept, once there is text
