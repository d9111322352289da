"""Forms and sheets back in: filled as a clerk would with openpyxl, imported with add-progress --from."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from collect_fixtures import assigned_workspace
from conftest import run_kjplan
from kjplan import progress
from kjplan.forms import row_key

TODAY = "2020-06-28"


def kj(ws, *args):
    return run_kjplan("--root", ws.root, "--today", TODAY, *args)


def ledger_bytes(ws) -> bytes:
    path = ws.progress_path(2020)
    return path.read_bytes() if path.exists() else b""


def forms(ws, tmp_path, *units):
    out = tmp_path / "发出"
    args = [a for u in units for a in ("--unit", u)]
    r = kj(ws, "forms", "-q", "2", "--deadline", "2020-06-25", "--out", out, *args)
    assert r.returncode == 0, r.stderr
    return {p.name.split("-")[-1].removesuffix(".xlsx"): p for p in out.iterdir()}


def fill(path, rows: dict[int, dict[str, object]], save_as=None):
    """Type into the form: rows {item: {header: value}} (the header as the form shows it)."""
    book = openpyxl.load_workbook(path)
    sheet = book["填报表"]
    header = {sheet.cell(4, c).value: c for c in range(1, sheet.max_column + 1)}
    for r in range(5, sheet.max_row + 1):
        item = sheet.cell(r, 1).value
        for heading, value in rows.get(item, {}).items():
            sheet.cell(r, header[heading]).value = value
    book.save(save_as or path)
    return save_as or path


FUND = "科技创新发展基金募集规模（万元）"
OCCUPANCY = "孵化器入驻率（%）"


def test_filled_form_is_imported_with_date_cells_and_figures(tmp_path):
    ws = assigned_workspace(tmp_path)
    sent = forms(ws, tmp_path, "成果转化科")
    back = fill(sent["成果转化科"], {
        9: {"进展情况": "完成基金二期扩资。", "状态": "序时推进", FUND: 6000, "填报人": "王敏",
            "填报日期": dt.datetime(2020, 6, 20), "存在问题": "社会资本观望。", "下一步打算": "三季度再募集2000万元。"},
        12: {"进展情况": "配合开展招商。", OCCUPANCY: "72%", "填报日期": "2020/6/22"},
    }, tmp_path / "二季度-成果转化科.xlsx")
    r = kj(ws, "add-progress", "--from", back)
    assert r.returncode == 0, r.stderr
    assert "新登记 2 条" in r.stderr
    records = {r.item: r for r in progress.list_records(ws, ws.plan(), today=dt.date(2020, 6, 28))}
    nine = records[9]
    assert (nine.unit, nine.quarter, nine.date, nine.status, nine.by) == ("成果转化科", "2020Q2", dt.date(2020, 6, 20), "序时推进", "王敏")
    assert nine.metrics == {"innovation_fund": pytest.approx(0.6)} and nine.problems == "社会资本观望。"
    assert nine.id == row_key(2020, "2020Q2", "成果转化科", 9)
    twelve = records[12]
    assert twelve.metrics == {"incubator_occupancy": 72} and twelve.date == dt.date(2020, 6, 22) and twelve.status is None

    # The same form again adds nothing; the ledger stays byte for byte.
    before = ledger_bytes(ws)
    r = kj(ws, "add-progress", "--from", back)
    assert r.returncode == 0 and "2 条与已有记录相同" in r.stderr and "新登记 0 条" in r.stderr
    assert ledger_bytes(ws) == before

    # The unit changes a row and sends it again: its record is amended, never doubled.
    fill(back, {9: {FUND: "7000万", "进展情况": "完成基金二期扩资（更正）。"}})
    r = kj(ws, "add-progress", "--from", back)
    assert r.returncode == 0 and "更正 1 条" in r.stderr and "1 条与已有记录相同" in r.stderr
    records = progress.list_records(ws, ws.plan(), today=dt.date(2020, 6, 28), item=9)
    assert len(records) == 1 and records[0].amended and records[0].metrics == {"innovation_fund": pytest.approx(0.7)}
    assert records[0].id == nine.id


def test_bad_cells_are_named_and_nothing_is_written(tmp_path):
    ws = assigned_workspace(tmp_path)
    sent = forms(ws, tmp_path, "成果转化科")
    back = fill(sent["成果转化科"], {
        9: {"进展情况": "完成基金扩资。", "状态": "完成了", FUND: "六千万"},
        12: {"状态": "序时推进", "填报日期": "2020年13月1日"},
    }, tmp_path / "二季度-成果转化科.xlsx")
    before = ledger_bytes(ws)
    r = kj(ws, "add-progress", "--from", back)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    err = r.stderr
    assert "二季度-成果转化科.xlsx 填报表!F5（状态）" in err and "完成了" in err
    assert "二季度-成果转化科.xlsx 填报表!G5（科技创新发展基金募集规模（万元））" in err
    assert "填报表!C6（进展情况）" in err  # a status without any text
    assert "填报表!J6（填报日期）" in err
    assert ledger_bytes(ws) == before


def test_a_folder_of_forms_from_three_units_all_or_nothing(tmp_path):
    ws = assigned_workspace(tmp_path)
    sent = forms(ws, tmp_path)
    inbox = tmp_path / "收回"
    inbox.mkdir()
    fill(sent["办公室"], {1: {"进展情况": "召开党组会。", "状态": "序时推进"}}, inbox / "办公室.xlsx")
    fill(sent["高新技术科"], {3: {"进展情况": "园区方案。", "状态": "滞后"},
                             12: {"进展情况": "招商7家。", OCCUPANCY: 72, "状态": "序时推进"}}, inbox / "高新技术科.xlsx")
    fill(sent["成果转化科"], {}, inbox / "成果转化科.xlsx")  # sent back empty
    (inbox / "~$办公室.xlsx").write_bytes(b"lock file of an open workbook")
    bad = fill(sent["富平县科技局"], {3: {"进展情况": "配合。", "状态": "不知道"}}, inbox / "富平县科技局.xlsx")
    before = ledger_bytes(ws)
    r = kj(ws, "add-progress", "--from", inbox)
    assert r.returncode == 1 and "富平县科技局.xlsx 填报表!F5（状态）" in r.stderr
    assert ledger_bytes(ws) == before
    bad.unlink()
    r = kj(ws, "add-progress", "--from", inbox)
    assert r.returncode == 0, r.stderr
    assert "新登记 3 条" in r.stderr and "成果转化科.xlsx 中没有填写任何事项" in r.stderr
    data = json.loads(kj(ws, "status", "-q", "2", "--missing", "--by-unit", "--format", "json").stdout)
    assert [u["unit"] for u in data["units"]] == ["成果转化科"]  # it still owes item 9


def test_several_files_after_from(tmp_path):
    ws = assigned_workspace(tmp_path)
    sent = forms(ws, tmp_path)
    a = fill(sent["办公室"], {1: {"进展情况": "党组会。", "状态": "序时推进"}}, tmp_path / "a.xlsx")
    b = fill(sent["成果转化科"], {9: {"进展情况": "扩资。", FUND: 1000}}, tmp_path / "b.xlsx")
    r = kj(ws, "add-progress", "--from", a, b)
    assert r.returncode == 0 and "已从 2 个文件导入：新登记 2 条" in r.stderr
    r = kj(ws, "add-progress", a)
    assert r.returncode == 1 and "导入文件请写在 --from 后面" in r.stderr


def test_any_sheet_with_chinese_headers(tmp_path):
    ws = assigned_workspace(tmp_path)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "二季度进展"
    sheet.append(["序号", "季度", "报送单位", "进展情况", "状态", "科技创新发展基金募集规模（万元）", "日期", "填报人"])
    sheet.append([9, "第二季度", "成果转化科", "基金扩资。", None, 6000, dt.datetime(2020, 6, 20), "王敏"])
    sheet.append([None] * 8)
    sheet.append(["3", "2", "高新技术科", "园区方案。", "滞后", None, "2020年6月21日", None])
    sheet.append(["12", "2", "高新技术科", "招商。", "序时推进", 500, "2020-06-22", None])  # 12 has no fund target
    path = tmp_path / "进展.xlsx"
    book.save(path)
    r = kj(ws, "add-progress", "--from", path)
    assert r.returncode == 1
    assert "进展.xlsx 二季度进展!F5（科技创新发展基金募集规模（万元））" in r.stderr and "不是第 12 项的指标" in r.stderr
    sheet.delete_rows(5)
    book.save(path)
    r = kj(ws, "add-progress", "--from", path)
    assert r.returncode == 0, r.stderr
    records = {r.item: r for r in progress.list_records(ws, ws.plan(), today=dt.date(2020, 6, 28))}
    assert records[9].metrics == {"innovation_fund": pytest.approx(0.6)} and records[9].date == dt.date(2020, 6, 20)
    assert records[3].date == dt.date(2020, 6, 21) and records[3].status == "滞后"


def test_exported_record_sheet_imports_back_adding_nothing(tmp_path):
    from kjplan.export_job import export

    ws = assigned_workspace(tmp_path)
    plan = ws.plan()
    today = dt.date(2020, 7, 6)
    progress.add_progress(ws, plan, item=9, text="扩资。", metrics={"innovation_fund": "6000万"}, unit="成果转化科",
                          quarter=2, date="2020-06-20", today=today)
    progress.add_progress(ws, plan, item=3, text="=方案\n第二段。", status="滞后", unit="高新技术科", quarter=2,
                          date="2020-06-21", today=today, problems="用地。")
    export(ws, quarter="2", formats="xlsx", today=today)
    before = ledger_bytes(ws)
    r = run_kjplan("--root", ws.root, "--today", "2020-07-06", "add-progress", "--from", ws.reports_dir / "ledger-2020Q2.xlsx")
    assert r.returncode == 0, r.stderr
    assert "新登记 0 条" in r.stderr and "2 条与已有记录相同" in r.stderr
    assert ledger_bytes(ws) == before


def test_log_csv_and_records_csv_import_back_adding_nothing(tmp_path):
    from kjplan.export_job import export

    ws = assigned_workspace(tmp_path)
    plan = ws.plan()
    today = dt.date(2020, 7, 6)
    progress.add_progress(ws, plan, item=9, text="扩资，\"二期\"。", metrics={"innovation_fund": "6000万"},
                          unit="成果转化科", quarter=2, date="2020-06-20", today=today, by="王敏")
    progress.add_progress(ws, plan, item=12, text="入驻率72%。", metrics={"incubator_occupancy": "72%"},
                          unit="高新技术科", quarter=1, date="2020-03-21", today=today, next="招商。")
    first = progress.add_progress(ws, plan, item=3, text="方案\n第二段。", status="滞后", unit="高新技术科",
                                  quarter=2, date="2020-06-21", today=today, problems="用地。")
    progress.amend(ws, plan, first.id, today=today, text="方案（更正）\n第二段。")
    before = ledger_bytes(ws)

    log = run_kjplan("--root", ws.root, "--today", "2020-07-06", "log", "--format", "csv")
    assert log.returncode == 0
    (tmp_path / "log.csv").write_text(log.stdout, encoding="utf-8")
    export(ws, quarter="2", formats="csv", today=today)
    for path in (tmp_path / "log.csv", ws.reports_dir / "records-2020Q2.csv"):
        r = run_kjplan("--root", ws.root, "--today", "2020-07-06", "add-progress", "--from", path)
        assert r.returncode == 0, r.stderr
        assert "新登记 0 条" in r.stderr and "3 条与已有记录相同" in r.stderr, r.stderr
        assert ledger_bytes(ws) == before
