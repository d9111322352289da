"""分工: kjplan assign (one item, --from a table), init's units list, plan showing 牵头/配合, check."""

from __future__ import annotations

import difflib

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from conftest import run_kjplan
from collect_fixtures import collect_workspace, set_units
from kjplan.assign import Assignment, edit_plan_text, recipient_units, split_units
from kjplan.plan import load_plan
from kjplan.workspace import bundled_root, init_workspace


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]


def test_assign_changes_only_the_two_lines_of_the_item(tmp_path):
    ws = collect_workspace(tmp_path)
    path = ws.plan_path()
    before = path.read_bytes()
    r = run_kjplan("--root", ws.root, "assign", "9", "--lead", "成果转化科", "--partner", "高新技术科、办公室",
                   "--partner", "市科技资源统筹中心")
    assert r.returncode == 0, r.stderr
    after = path.read_bytes()
    diff = changed_lines(before.decode(), after.decode())
    assert sorted(diff) == sorted([
        "-     lead:        # 牵头科室：原文未写明",
        "-     partners: [] # 配合单位：原文未写明",
        "+     lead: 成果转化科  # 牵头科室：原文未写明",
        "+     partners: [高新技术科, 办公室, 市科技资源统筹中心] # 配合单位：原文未写明",
    ])
    # Every other line byte for byte, line endings included.
    assert len(before.splitlines(keepends=True)) == len(after.splitlines(keepends=True))
    plan = load_plan(path)
    assert plan.item(9).lead == "成果转化科" and plan.item(9).partners == ["高新技术科", "办公室", "市科技资源统筹中心"]
    # Clearing restores the original bytes exactly.
    r = run_kjplan("--root", ws.root, "assign", "9", "--clear")
    assert r.returncode == 0, r.stderr
    assert path.read_bytes() == before


def test_assign_refuses_unknown_units_and_leaves_the_plan(tmp_path):
    ws = collect_workspace(tmp_path)
    before = ws.plan_path().read_bytes()
    r = run_kjplan("--root", ws.root, "assign", "9", "--lead", "成果转换科")
    assert r.returncode == 1
    assert "“成果转换科”不在设置文件 kjplan.yaml 的报送单位名单（units:）中" in r.stderr and "Traceback" not in r.stderr
    r = run_kjplan("--root", ws.root, "assign", "9", "--lead", "成果转化科、办公室")
    assert r.returncode == 1 and "牵头单位只能写一个" in r.stderr
    r = run_kjplan("--root", ws.root, "assign", "17", "--lead", "办公室")
    assert r.returncode == 1 and "没有第 17 项" in r.stderr
    r = run_kjplan("--root", ws.root, "assign", "9", "--lead", "办公室", "--partner", "办公室")
    assert r.returncode == 1 and "不能同时是配合单位" in r.stderr
    assert ws.plan_path().read_bytes() == before


def test_assign_without_units_list_takes_any_name(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    set_units(ws, [])
    r = run_kjplan("--root", ws.root, "assign", "2", "--lead", "规划科")
    assert r.returncode == 0, r.stderr
    assert load_plan(ws.plan_path()).item(2).lead == "规划科"
    shown = run_kjplan("--root", ws.root, "assign", "2")
    assert "牵头单位：规划科" in shown.stdout


def test_assign_from_csv_and_xlsx(tmp_path):
    from openpyxl import Workbook

    ws = collect_workspace(tmp_path)
    csv = tmp_path / "分工表.csv"
    csv.write_text("序号,重点任务,牵头单位,配合单位\n9,提升科技成果转移转化能力,成果转化科,高新技术科、市科技资源统筹中心\n"
                   "12,孵化器,高新技术科,\n\n", encoding="utf-8-sig")
    r = run_kjplan("--root", ws.root, "assign", "--from", csv)
    assert r.returncode == 0, r.stderr
    plan = load_plan(ws.plan_path())
    assert (plan.item(9).lead, plan.item(9).partners) == ("成果转化科", ["高新技术科", "市科技资源统筹中心"])
    assert (plan.item(12).lead, plan.item(12).partners) == ("高新技术科", [])

    wb = Workbook()
    sheet = wb.active
    sheet.title = "分工"
    sheet.append(["2020年工作要点分工表"])  # a title row above the header
    sheet.append(["序号", "重点任务", "牵头单位", "配合单位"])
    sheet.append([1, "加强党对科技工作的全面领导", "办公室", None])
    sheet.append([3.0, "支持重点区域高质量发展", "高新技术科", "富平县科技局，办公室"])
    book = tmp_path / "分工表.xlsx"
    wb.save(book)
    r = run_kjplan("--root", ws.root, "assign", "--from", book)
    assert r.returncode == 0, r.stderr
    plan = load_plan(ws.plan_path())
    assert plan.item(1).lead == "办公室" and plan.item(3).partners == ["富平县科技局", "办公室"]
    assert plan.item(9).lead == "成果转化科"  # items not in the table keep their 分工
    r = run_kjplan("--root", ws.root, "plan")
    assert "成果转化科" in r.stdout and "富平县科技局" in r.stdout
    r = run_kjplan("--root", ws.root, "plan", "3")
    assert "牵头单位：高新技术科" in r.stdout and "配合单位：富平县科技局、办公室" in r.stdout


def test_assign_from_table_is_all_or_nothing_and_names_each_cell(tmp_path):
    from openpyxl import Workbook

    ws = collect_workspace(tmp_path)
    before = ws.plan_path().read_bytes()
    wb = Workbook()
    sheet = wb.active
    sheet.title = "分工"
    sheet.append(["序号", "牵头单位", "配合单位"])
    sheet.append([9, "成果转化科", "高新技术科"])
    sheet.append([17, "办公室", None])
    sheet.append([12, "高新技术科", "不存在的科"])
    sheet.append([9, "办公室", None])
    book = tmp_path / "分工表.xlsx"
    wb.save(book)
    r = run_kjplan("--root", ws.root, "assign", "--from", book)
    assert r.returncode == 1
    assert "分工表.xlsx 分工!A3（序号）: 没有第 17 项" in r.stderr
    assert "分工表.xlsx 分工!C4（配合单位）: “不存在的科”不在" in r.stderr
    assert "分工表.xlsx 分工!A5（序号）: 第 9 项重复" in r.stderr
    assert ws.plan_path().read_bytes() == before

    csv = tmp_path / "bad.csv"
    csv.write_text("序号,牵头单位\n九,成果转化科\n二十,办公室\n", encoding="utf-8")
    r = run_kjplan("--root", ws.root, "assign", "--from", csv)
    assert r.returncode == 1 and "bad.csv:3: 没有第 20 项" in r.stderr
    csv.write_text("事项名称,单位\n9,成果转化科\n", encoding="utf-8")
    r = run_kjplan("--root", ws.root, "assign", "--from", csv)
    assert r.returncode == 1 and "没有找到表头" in r.stderr
    assert ws.plan_path().read_bytes() == before


def test_init_lists_the_recipients_the_notice_names(tmp_path):
    r = run_kjplan("init", tmp_path / "ws")
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "ws" / "kjplan.yaml").read_text(encoding="utf-8")
    units = yaml.safe_load(text)["units"]
    assert units == ["渭南高新区发改局", "经开区发改局", "卤阳湖发改局", "市科技资源统筹中心"]
    assert "# 各县（市、区）科技主管部门：原文未列出名称，请补充渭南市 11 个县（市、区）" in text
    assert "# 局属各科室：原文未列出名称" in text
    assert run_kjplan("--root", tmp_path / "ws", "check").returncode == 0


def test_recipient_units_split_outside_brackets():
    plan = load_plan(bundled_root() / "plans" / "2020.yaml")
    assert ("各县（市、区）科技主管部门", False) in recipient_units(plan)


def test_check_names_assigned_units_missing_from_the_list(tmp_path):
    ws = collect_workspace(tmp_path)
    assert run_kjplan("--root", ws.root, "assign", "9", "--lead", "成果转化科").returncode == 0
    set_units(ws, ["办公室"])
    r = run_kjplan("--root", ws.root, "check")
    assert r.returncode == 1 and "第 9 项的牵头单位“成果转化科”不在 kjplan.yaml 的 units: 名单中" in r.stderr


UNIT = st.text(alphabet=st.sampled_from(list("科技局办公室,，:#'\"[]{} -&*!|>%@`甲乙")), min_size=1, max_size=12).map(str.strip)


@settings(max_examples=60, deadline=None)
@given(lead=UNIT, partners=st.lists(UNIT, max_size=3))
def test_any_unit_name_round_trips_through_the_yaml_edit(lead, partners):
    """Names with YAML's special characters are quoted; the file loads back to exactly those names."""
    lead = split_units(lead)
    partners = [p for p in split_units(partners) if p not in lead]
    path = bundled_root() / "plans" / "2020.yaml"
    text = path.read_text(encoding="utf-8")
    a = Assignment(9, lead[0] if lead else None, tuple(partners))
    new = edit_plan_text(text, path, {9: a})
    data = yaml.safe_load(new)
    item = data["items"][8]
    assert item["lead"] == a.lead and (item["partners"] or []) == list(a.partners)
    assert len(changed_lines(text, new)) <= 4
    assert edit_plan_text(new, path, {9: Assignment(9, None, ())}) .count("\n") == text.count("\n")


def test_block_style_partners_are_rewritten_in_place(tmp_path):
    path = tmp_path / "2020.yaml"
    text = (bundled_root() / "plans" / "2020.yaml").read_text(encoding="utf-8")
    text = text.replace("    partners: [] # 配合单位：原文未写明\n    targets:\n      - id: innovation_fund",
                        "    partners:\n      - 甲科\n      - 乙科\n    targets:\n      - id: innovation_fund")
    path.write_text(text, encoding="utf-8")
    new = edit_plan_text(text, path, {9: Assignment(9, "丙科", ("丁科",))})
    assert "    partners: [丁科]\n    targets:\n      - id: innovation_fund" in new
    assert yaml.safe_load(new)["items"][8]["partners"] == ["丁科"]


def test_missing_keys_are_added_to_the_item(tmp_path):
    path = tmp_path / "2020.yaml"
    text = (bundled_root() / "plans" / "2020.yaml").read_text(encoding="utf-8")
    text = text.replace("    lead:        # 牵头科室：原文未写明\n    partners: [] # 配合单位：原文未写明\n    targets: []\n\n  - number: 2",
                        "    targets: []\n\n  - number: 2")
    new = edit_plan_text(text, path, {1: Assignment(1, "办公室", ("甲科",))})
    item = yaml.safe_load(new)["items"][0]
    assert item["lead"] == "办公室" and item["partners"] == ["甲科"]
    assert [line for line in changed_lines(text, new)] == ["+     lead: 办公室", "+     partners: [甲科]"]


def test_assigning_the_same_again_leaves_the_file_untouched(tmp_path):
    ws = collect_workspace(tmp_path)
    assert run_kjplan("--root", ws.root, "assign", "9", "--lead", "成果转化科").returncode == 0
    stamp = ws.plan_path().stat().st_mtime_ns
    r = run_kjplan("--root", ws.root, "assign", "9", "--lead", "成果转化科")
    assert r.returncode == 0 and "文件未改动" in r.stderr
    assert ws.plan_path().stat().st_mtime_ns == stamp


@pytest.mark.parametrize("args", [["assign"], ["assign", "9", "--clear", "--lead", "办公室"],
                                  ["assign", "9", "--from", "x.csv"]])
def test_assign_usage_mistakes(tmp_path, args):
    ws = collect_workspace(tmp_path)
    r = run_kjplan("--root", ws.root, *args)
    assert r.returncode == 1 and r.stderr.startswith("错误：") and "Traceback" not in r.stderr
