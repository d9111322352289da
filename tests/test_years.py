"""Several years in one workspace: every command reaches the year it is asked for, and records stay in
their plan's year (progress/2020.jsonl, progress/2021.jsonl)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kjplan.errors import KjplanError
from kjplan.export_job import export
from kjplan.periods import Quarter, quarter_year
from kjplan.years import choose_year

from progress_fixtures import invoke

PLAN_2021 = """\
year: 2021
title: 2021年科技工作要点
issuer: 中共渭南市科学技术局党组
date: 2021-03-15
items:
  - number: 1
    title: 建设创新平台
    text: 建设创新平台。全年新增省级平台10个。
    targets:
      - id: new_platforms
        name: 新增省级平台
        value: 10
        unit: 个
        kind: cumulative
        source: 全年新增省级平台10个
  - number: 2
    title: 培育科技企业
    text: 培育科技企业。
"""


@pytest.fixture
def two_years(ws):
    (ws.plans_dir / "2021.yaml").write_text(PLAN_2021, encoding="utf-8")
    return ws


def status_quarter(ws, *args, today="2020-06-28"):
    result = invoke(ws, *args, "status", "--format", "json", today=today)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    return data["quarter"], len(data["items"])


@pytest.mark.parametrize("text,today,year", [
    ("2021Q2", None, 2021), ("2021-q2", None, 2021), ("2021年第二季度", None, 2021),
    ("2", None, None), ("Q2", None, None), ("第二季度", None, None),
    ("current", dt.date(2021, 1, 5), 2021), ("previous", dt.date(2021, 1, 5), 2020),
    ("Q5", None, None), ("nonsense", None, None), (None, None, None),
])
def test_the_year_a_quarter_names(text, today, year):
    assert quarter_year(text, today) == year


def test_choose_year_in_order(two_years):
    ws = two_years
    june_2020, june_2021, later = dt.date(2020, 6, 28), dt.date(2021, 6, 28), dt.date(2026, 11, 26)
    assert choose_year(ws, quarter="2020Q2", today=june_2021) == 2020  # the quarter's own year first
    assert choose_year(ws, quarter="2", year=2020, today=june_2021) == 2020  # then --year
    assert choose_year(ws, quarter="2", today=june_2020) == 2020  # then today's year
    assert choose_year(ws, quarter="2", today=june_2021) == 2021
    assert choose_year(ws, today=later) == 2021  # then the latest plan
    assert choose_year(ws, quarter="previous", today=dt.date(2021, 2, 1)) == 2020
    # auto: the last quarter that has ended, so on 1 January the year just ended
    assert choose_year(ws, quarter="auto", today=dt.date(2021, 1, 1)) == 2020
    assert choose_year(ws, quarter="auto", today=dt.date(2021, 7, 1)) == 2021
    assert choose_year(ws, quarter="auto", year=2020, today=dt.date(2021, 7, 1)) == 2020
    with pytest.raises(KjplanError, match="属于 2021 年，与 --year 2020 不符"):
        choose_year(ws, quarter="2021Q2", year=2020, today=june_2020)
    with pytest.raises(KjplanError, match="没有 2019 年的计划.*现有计划：2020 年、2021 年"):
        choose_year(ws, quarter="2019Q4", today=june_2020)
    with pytest.raises(KjplanError, match="--year 指定的年度是 2022 年"):
        choose_year(ws, year=2022, today=june_2020)


def test_today_quarter_q_and_year_each_reach_their_year(two_years):
    ws = two_years
    # The bug this fixes: with plans/2021.yaml present, a 2020 date showed 2021Q2.
    assert status_quarter(ws, today="2020-06-28") == ("2020Q2", 16)
    assert status_quarter(ws, today="2021-06-28") == ("2021Q2", 2)
    result = invoke(ws, "status", "-q", "2020Q2", "--format", "json", today="2021-06-28")
    assert json.loads(result.stdout)["quarter"] == "2020Q2"
    result = invoke(ws, "--year", "2020", "status", "-q", "4", "--format", "json", today="2026-11-26")
    assert json.loads(result.stdout)["quarter"] == "2020Q4"
    # With no plan for today's year, the latest plan.
    result = invoke(ws, "status", "-q", "4", "--format", "json", today="2026-11-26")
    assert json.loads(result.stdout)["quarter"] == "2021Q4"
    plan_2020 = invoke(ws, "--year", "2020", "plan", "--format", "json", today="2021-06-28")
    assert json.loads(plan_2020.stdout)["year"] == 2020
    conflict = invoke(ws, "--year", "2020", "status", "-q", "2021Q2", today="2021-06-28")
    assert conflict.exit_code == 1 and "与 --year 2020 不符" in conflict.stderr


def test_records_go_to_their_plans_year_and_can_be_corrected_later(two_years):
    ws = two_years
    old = invoke(ws, "add-progress", "--item", "9", "-q", "2020Q4", "--text", "补录：基金到位", "--status", "序时推进",
                 "--date", "2020-12-30", today="2021-01-05")
    assert old.exit_code == 0, old.stderr
    new = invoke(ws, "add-progress", "--item", "1", "--text", "新增平台2个", "--metric", "new_platforms=2",
                 today="2021-04-20")
    assert new.exit_code == 0, new.stderr
    old_id, new_id = old.stdout.strip(), new.stdout.strip()
    assert old_id in ws.progress_path(2020).read_text(encoding="utf-8")
    assert new_id in ws.progress_path(2021).read_text(encoding="utf-8")
    assert old_id not in ws.progress_path(2021).read_text(encoding="utf-8")
    # amend and retract find the record in its own year's ledger, whatever today is
    amended = invoke(ws, "amend", old_id[:8], "--text", "补录：基金到位6000万元", today="2021-04-20")
    assert amended.exit_code == 0, amended.stderr
    assert ws.progress_path(2020).read_text(encoding="utf-8").count("\n") == 2
    moved = invoke(ws, "amend", old_id[:8], "-q", "2021Q1", today="2021-04-20")
    assert moved.exit_code == 1 and "计划年度是 2020 年" in moved.stderr  # a record stays in its year
    retracted = invoke(ws, "retract", new_id[:8], "--reason", "重复", today="2021-04-20")
    assert retracted.exit_code == 0, retracted.stderr
    assert ws.progress_path(2021).read_text(encoding="utf-8").count("\n") == 2
    # log reaches either year
    log_2020 = invoke(ws, "log", "-q", "2020Q4", "--format", "json", today="2021-04-20")
    assert [r["text"] for r in json.loads(log_2020.stdout)] == ["补录：基金到位6000万元"]
    assert json.loads(invoke(ws, "log", "--format", "json", today="2021-04-20").stdout) == []
    assert invoke(ws, "check", today="2021-04-20").exit_code == 0


def test_report_reaches_each_year(two_years, tmp_path):
    ws = two_years
    out_2020 = tmp_path / "r2020.docx"
    result = invoke(ws, "report", "-q", "2020Q2", "--out", out_2020, today="2021-06-28")
    assert result.exit_code == 0, result.stderr
    from docx import Document

    text = "\n".join(p.text for p in Document(str(out_2020)).paragraphs)
    assert "2020年第二季度" in text and "16项重点任务" in text
    out_2021 = tmp_path / "r2021.docx"
    result = invoke(ws, "--year", "2021", "report", "-q", "1", "--out", out_2021, today="2026-11-26")
    assert result.exit_code == 0, result.stderr
    text = "\n".join(p.text for p in Document(str(out_2021)).paragraphs)
    assert "2021年第一季度" in text and "2项重点任务" in text


@pytest.mark.parametrize("today,expected", [
    (dt.date(2020, 7, 10), Quarter(2020, 2)),
    (dt.date(2021, 1, 1), Quarter(2020, 4)),  # the rule for 1 January: the year just ended
    (dt.date(2021, 3, 31), Quarter(2020, 4)),
    (dt.date(2021, 4, 1), Quarter(2021, 1)),
    (dt.date(2026, 11, 26), Quarter(2021, 4)),
])
def test_export_auto_reaches_the_right_year(two_years, today, expected):
    result = export(two_years, formats="json", today=today)
    assert result.quarter == expected
    data = json.loads((two_years.reports_dir / f"report-{expected.code}.json").read_text(encoding="utf-8"))
    assert len(data["items"]) == (16 if expected.year == 2020 else 2)


@pytest.mark.parametrize("today,expected", [("2021-01-01", "2020Q4"), ("2021-04-01", "2021Q1")])
def test_export_auto_from_the_command_line_takes_today_as_given(two_years, today, expected):
    """The cron line (export --quarter auto) with --today: 1 January exports the year just ended although
    the new year's plan is already in the workspace."""
    result = invoke(two_years, "export", "--quarter", "auto", "--formats", "json", "-v", today=today)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in two_years.reports_dir.glob("report-*.json")) == [f"report-{expected}.json"]
    assert f"{expected}：json" in result.stdout


def test_export_cli_with_year(two_years):
    result = invoke(two_years, "--year", "2020", "export", "--formats", "json", today="2026-11-26")
    assert result.exit_code == 0, result.stderr
    assert (two_years.reports_dir / "report-2020Q4.json").exists()


def test_a_global_option_after_the_command_gets_a_hint(two_years):
    result = invoke(two_years, "status", "--year", "2020")
    assert result.exit_code == 2 and "--year 是全局选项，请写在命令名之前" in result.stderr


def test_check_looks_at_every_years_plan(two_years):
    """The 分工 of every year is checked against units:, the 2020 plan's as well as the latest one's."""
    ws = two_years
    ws.settings_path.write_text(ws.settings_path.read_text(encoding="utf-8").replace(
        "units: []", "units: [办公室]", 1), encoding="utf-8")
    for year, unit in ((2020, "成果转化科"), (2021, "办公室")):
        path = ws.plans_dir / f"{year}.yaml"
        text = path.read_text(encoding="utf-8")
        marker = "    lead:        # 牵头科室：原文未写明" if year == 2020 else "    text: 建设创新平台。全年新增省级平台10个。"
        path.write_text(text.replace(marker, f"{marker}\n    lead: {unit}" if year == 2021 else f"    lead: {unit}", 1),
                        encoding="utf-8")
    result = invoke(ws, "check", today="2021-06-28")
    assert result.exit_code == 1
    assert "2020.yaml" in result.stderr and "第 1 项的牵头单位“成果转化科”不在 kjplan.yaml 的 units: 名单中" in result.stderr
    assert "2021.yaml" not in result.stderr


def test_plan_import_takes_the_global_year_and_refuses_two_different_ones(ws, tmp_path):
    source = tmp_path / "要点.txt"
    source.write_text("中共渭南市科学技术局党组2021年科技工作要点\n（2021年3月15日）\n1.建设创新平台。全年新增省级平台10个。\n",
                      encoding="utf-8")
    clash = invoke(ws, "--year", "2021", "plan", "import", source, "--year", "2022")
    assert clash.exit_code == 1 and "--year 2021 与 plan import 的 --year 2022 不符" in clash.stderr
    assert not (ws.plans_dir / "2022.yaml").exists() and not (ws.plans_dir / "2021.yaml").exists()
    result = invoke(ws, "--year", "2022", "plan", "import", source)
    assert result.exit_code == 0, result.stderr
    assert (ws.plans_dir / "2022.yaml").exists()
