"""One status per item, the same word in every output (issue 8): the example workspace's Q1, Q2 and 上半年
exports read back (report attachment, report JSON, 台账 xlsx, records CSV and sheet) and `status` as JSON."""

from __future__ import annotations

import csv
import json

import docx
import openpyxl
import pytest

from conftest import run_kjplan

STATUSES = {"已完成", "序时推进", "滞后", "未启动"}
SOURCES = {"填报", "按指标推算"}
NO_RECORD = "未报送"  # the working outputs' word for an item without a record in the period
REPORTS = {"Q1": ("1",), "Q2": ("2",), "上半年": ("2", "--cumulative")}


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    folder = tmp_path_factory.mktemp("agreement") / "ws"
    made = run_kjplan("init", "--example", folder)
    assert made.returncode == 0, made.stderr
    return folder


def status_json(root, quarter: str) -> dict[int, tuple]:
    result = run_kjplan("--root", root, "--today", "2020-07-06", "status", "-q", quarter, "-f", "json")
    assert result.returncode == 0, result.stderr
    return {i["item"]: (i["status"], i["status_source"]) for i in json.loads(result.stdout)["items"]}


@pytest.fixture(scope="module", params=list(REPORTS))
def exported(request, example, tmp_path_factory):
    quarter, *flags = REPORTS[request.param]
    out = tmp_path_factory.mktemp("export")
    result = run_kjplan("--root", example, "--today", "2020-07-06", "export", "-q", quarter, *flags,
                        "-f", "docx,json,csv,xlsx", "-o", out, "--date", "2020-07-06")
    assert result.returncode == 0, result.stderr
    suffix = "-cumulative" if flags else ""
    code = f"2020Q{quarter}"
    return {"name": request.param, "root": example, "quarter": code, "cumulative": bool(flags),
            "docx": out / f"report-{code}{suffix}.docx", "json": out / f"report-{code}{suffix}.json",
            "xlsx": out / f"ledger-{code}{suffix}.xlsx", "csv": out / f"records-{code}.csv"}


def attachment(path) -> dict[int, str]:
    """Item -> the first line of the 进度 column (the report's word: 无新进展 for no record)."""
    table = docx.Document(str(path)).tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows][1:]
    return {int(r[0]): r[6].split("\n")[0] for r in rows}


def ledger(path) -> tuple[dict[int, tuple], list[dict]]:
    book = openpyxl.load_workbook(path)
    sheet = book["台账"]
    header = [c.value for c in sheet[3]]
    items = {r[0]: (r[header.index("状态")], r[header.index("状态来源")])
             for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] is not None}
    records = book["进度记录"]
    names = [c.value for c in records[1]]
    return items, [dict(zip(names, r)) for r in records.iter_rows(min_row=2, values_only=True)]


def test_every_output_shows_the_same_status_and_source_for_each_item(exported):
    report = json.loads(exported["json"].read_text(encoding="utf-8"))
    items = {i["number"]: (i["status"], i["status_source"]) for i in report["items"]}
    assert len(items) == 16
    for status, source in items.values():  # one vocabulary, the source beside it, never a suffix
        assert (status in STATUSES and source in SOURCES) or (status, source) == (NO_RECORD, None)
    # The report document: the same status, 无新进展 where the working outputs say 未报送.
    in_report = {n: (NO_RECORD if word == "无新进展" else word) for n, word in attachment(exported["docx"]).items()}
    assert in_report == {n: status for n, (status, _) in items.items()}
    sheet_items, _ = ledger(exported["xlsx"])
    assert sheet_items == items
    counts = {s: sum(1 for status, _ in items.values() if status == s) for s in [*sorted(STATUSES), NO_RECORD]}
    assert {s: report["counts"][s] for s in counts} == counts
    if not exported["cumulative"]:  # `status` shows quarters
        assert status_json(exported["root"], exported["quarter"][-1]) == items


def test_records_tables_show_each_records_item_status_of_its_quarter(exported):
    """CSV and the 进度记录 sheet: beside what each record states, its item's status in the record's quarter,
    as that quarter's report and `status` give it (so a cumulative export's Q1 rows say what Q1 said)."""
    with open(exported["csv"], encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    _, sheet_rows = ledger(exported["xlsx"])
    by_quarter = {q: status_json(exported["root"], q[-1]) for q in {r["季度"] for r in rows}}
    for row in rows:
        expected = by_quarter[row["季度"]][int(row["事项序号"])]
        assert (row["事项状态"], row["状态来源"] or None) == expected, row["记录编号"]
        assert row["状态"] in STATUSES | {""}
    assert sheet_rows and all(
        (r["事项状态"], r["状态来源"]) == by_quarter[r["季度"]][r["事项序号"]] for r in sheet_rows)
    if exported["quarter"] == "2020Q2":  # item 3: 富平县科技局 said 滞后, 高新技术科 序时推进; the item is 滞后
        three = {(r["报送单位"], r["状态"], r["事项状态"]) for r in rows if r["事项序号"] == "3" and r["季度"] == "2020Q2"}
        assert three == {("富平县科技局", "滞后", "滞后"), ("高新技术科", "序时推进", "滞后")}


def test_the_records_csv_imports_back_unchanged(exported, tmp_path):
    """事项状态 and 状态来源 are shown, not read back: importing the exported CSV adds nothing."""
    ledger_file = exported["root"] / "progress" / "2020.jsonl"
    before = ledger_file.read_bytes()
    result = run_kjplan("--root", exported["root"], "--today", "2020-07-06", "add-progress", "--from", exported["csv"])
    assert result.returncode == 0, result.stderr
    assert "新登记 0 条" in result.stderr and ledger_file.read_bytes() == before
