"""Plan-wide targets (主要预期目标, `targets:` at the top of a plan): reported with any item's record,
checked, shown by status, carried by the report model and its JSON."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kjplan.export_job import export
from kjplan.plan import load_plan

from progress_fixtures import invoke

PLAN = """\
year: 2021
title: 2021年科技工作要点
issuer: 中共渭南市科学技术局党组
date: 2021-03-15
targets:
  - id: hitech_firms
    name: 国家高新技术企业总数
    value: 11000
    unit: 家
    kind: level
    source: 国家高新技术企业总数达到11000家
  - id: contract_value
    name: 技术合同成交额
    value: 2500
    unit: 亿元
    kind: cumulative
    source: 全市技术合同成交额保持在2500亿元以上
    review: true
parts:
  - number: 1
    title: 强化创新引领
items:
  - number: 1
    title: 加强党的建设
    text: 加强党的建设。
    part: 1
  - number: 2
    title: 培育科技企业
    text: 培育科技企业。孵化器入驻率达到85%以上。
    part: 1
    label: （二）
    targets:
      - id: occupancy
        name: 孵化器入驻率
        value: 85
        unit: '%'
        kind: level
"""


@pytest.fixture
def ws(tmp_path):
    from kjplan.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws")
    (ws.plans_dir / "2020.yaml").unlink()
    (ws.plans_dir / "2021.yaml").write_text(PLAN, encoding="utf-8")
    return ws


def add(ws, *args, today="2021-05-10"):
    result = invoke(ws, "add-progress", *args, today=today)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_the_model_reads_them(ws):
    plan = load_plan(ws.plans_dir / "2021.yaml")
    assert [t.id for t in plan.targets] == ["hitech_firms", "contract_value"]
    assert plan.target("hitech_firms").kind == "level" and plan.target("occupancy") is None
    assert [(i and i.number, t.id) for i, t in plan.to_review()] == [(None, "contract_value")]
    assert plan.part(1).title == "强化创新引领" and plan.item(2).label == "（二）"


def test_reported_with_any_item_and_shown_by_status(ws):
    add(ws, "--item", "1", "--text", "开展高企认定培训", "--status", "序时推进", "--metric", "hitech_firms=10500",
        "--metric", "contract_value=800亿")
    add(ws, "--item", "2", "--text", "入驻率82%，高企再增", "--metric", "occupancy=82%", "--metric", "hitech_firms=10800",
        "--metric", "contract_value=500亿", today="2021-06-20")
    result = invoke(ws, "status", "-q", "2", "--format", "json", today="2021-07-06")
    assert result.exit_code == 0, result.stderr
    targets = {t["id"]: t for t in json.loads(result.stdout)["targets"]}
    assert targets["hitech_firms"]["achieved"] == 10800  # level: the latest
    assert targets["contract_value"]["achieved"] == 1300  # cumulative: added up over the year
    assert targets["contract_value"]["completion"] == pytest.approx(0.52) and not targets["contract_value"]["behind"]
    table = invoke(ws, "status", "-q", "2", today="2021-07-06")
    assert table.exit_code == 0 and "全局指标（主要预期目标）" in table.stdout and "国家高新技术企业总数" in table.stdout
    checked = invoke(ws, "check", today="2021-07-06")
    assert checked.exit_code == 0, checked.stderr
    assert "待核对：" in checked.stdout and "contract_value" in checked.stdout


def test_an_item_without_targets_still_needs_its_status(ws):
    result = invoke(ws, "add-progress", "--item", "1", "--text", "x", "--metric", "hitech_firms=10500", today="2021-05-10")
    assert result.exit_code == 1 and "第 1 项没有量化指标，须写明状态" in result.stderr
    result = invoke(ws, "add-progress", "--item", "2", "--text", "x", "--metric", "hitech_firms=10500", today="2021-05-10")
    assert result.exit_code == 1 and "请写明状态" in result.stderr
    wrong = invoke(ws, "add-progress", "--item", "1", "--text", "x", "--status", "序时推进", "--metric", "firms=1",
                   today="2021-05-10")
    assert wrong.exit_code == 1 and "全局指标有：国家高新技术企业总数（家，编号 hitech_firms）" in wrong.stderr


def test_the_report_model_and_its_json_carry_them(ws):
    add(ws, "--item", "1", "--text", "培训", "--status", "序时推进", "--metric", "contract_value=1000亿")
    result = export(ws, quarter="2", formats="json", today=dt.date(2021, 7, 6))
    data = json.loads((ws.reports_dir / "report-2021Q2.json").read_text(encoding="utf-8"))
    assert [(t["id"], t["achieved"]) for t in data["targets"]] == [("hitech_firms", None), ("contract_value", 1000)]
    assert any("review: true" in w for w in result.warnings)



def test_plan_wide_figures_survive_every_record_output(ws, tmp_path):
    """A record's plan-wide figure shows with its unit in log, and the records CSV and the 台账's record
    sheet carry it in its own column, so that either imports back adding nothing."""
    add(ws, "--item", "1", "--text", "高企再增", "--status", "序时推进", "--metric", "hitech_firms=10800",
        "--metric", "contract_value=800亿")
    add(ws, "--item", "2", "--text", "入驻率82%", "--metric", "occupancy=82%", today="2021-06-20")
    table = invoke(ws, "log", today="2021-07-06")
    assert table.exit_code == 0  # named as the clerk knows them (issue 10), with their units
    assert "国家高新技术企业总数 10800家" in table.stdout and "技术合同成交额 800亿元" in table.stdout
    log_csv = invoke(ws, "log", "--format", "csv", today="2021-07-06")
    assert "hitech_firms=10800家;contract_value=800亿元" in log_csv.stdout
    export(ws, quarter="2", formats="csv,xlsx", today=dt.date(2021, 7, 6))
    import csv as csvlib

    with open(ws.reports_dir / "records-2021Q2.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csvlib.DictReader(f))
    by_item = {row["事项序号"]: row for row in rows}  # amounts in 万元, as in every sheet kjplan writes
    assert by_item["1"]["国家高新技术企业总数（家）"] == "10800" and by_item["1"]["技术合同成交额（万元）"] == "8000000"
    assert by_item["2"]["孵化器入驻率（%）"] == "82" and by_item["2"]["国家高新技术企业总数（家）"] == ""
    from openpyxl import load_workbook

    sheet = load_workbook(ws.reports_dir / "ledger-2021Q2.xlsx")["进度记录"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert "国家高新技术企业总数（家）" in header and "技术合同成交额（万元）" in header
    ledger = ws.progress_path(2021).read_bytes()
    log_path = tmp_path / "log.csv"
    log_path.write_text(log_csv.stdout, encoding="utf-8")
    for path in (log_path, ws.reports_dir / "records-2021Q2.csv", ws.reports_dir / "ledger-2021Q2.xlsx"):
        back = invoke(ws, "add-progress", "--from", path, today="2021-07-06")
        assert back.exit_code == 0, back.stderr
        assert "新登记 0 条" in back.stderr and "2 条与已有记录相同" in back.stderr, back.stderr
        assert ws.progress_path(2021).read_bytes() == ledger


def test_report_warns_while_targets_await_review(ws, tmp_path):
    add(ws, "--item", "1", "--text", "培训", "--status", "序时推进")
    result = invoke(ws, "report", "-q", "2", "--out", tmp_path / "r.docx", today="2021-07-06")
    assert result.exit_code == 0, result.stderr
    assert "提示：2021 年计划中有 1 个量化指标标着 review: true，尚未核对（contract_value）" in result.stderr
    path = ws.plans_dir / "2021.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    review: true\n", ""), encoding="utf-8")
    result = invoke(ws, "report", "-q", "2", "--out", tmp_path / "r.docx", today="2021-07-06")
    assert result.exit_code == 0 and "review" not in result.stderr
    checked = invoke(ws, "check", today="2021-07-06")
    assert checked.exit_code == 0 and "待核对" not in checked.stdout
