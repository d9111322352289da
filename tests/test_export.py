"""kjplan export: the formats' content, stable names, reruns that touch nothing, failures that change nothing.

The command runs as a process (the installed `python -m kjplan`), as cron would run it; the PDF tests
skip with a message where LibreOffice is absent. Records are made through the progress API.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_kjplan

from kjplan import progress
from kjplan.errors import KjplanError
from kjplan.export_job import export, export_lock, output_names, parse_formats, resolve_quarter
from kjplan.periods import Quarter
from kjplan.render.pdf import find_soffice

TODAY = dt.date(2020, 7, 10)  # auto -> 2020Q2
TODAY_ARG = TODAY.isoformat()
NOW = dt.datetime(2020, 7, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DATA_FORMATS = "docx,json,csv,xlsx"  # everything but the PDF (LibreOffice is slow and may be absent)
Q2_NAMES = ["report-2020Q2.docx", "report-2020Q2.json", "records-2020Q2.csv", "ledger-2020Q2.xlsx"]
PDF = "report-2020Q2.pdf"
NO_SOFFICE = "LibreOffice (soffice) not found: apt-get install libreoffice-writer-nogui to run the PDF export tests"
needs_soffice = pytest.mark.skipif(find_soffice() is None, reason=NO_SOFFICE)


# --------------------------------------------------------------------------------------------- helpers

def fill(ws) -> dict:
    """Records for every item: Q1 and Q2 ones, an amendment, a retraction and a Q3 record (after Q2)."""
    plan = ws.plan()
    ids: dict = {"q1": [], "q2": []}

    def add(item, quarter, date, text, **kw):
        entry = progress.add_progress(ws, plan, item=item.number, text=text, quarter=quarter, date=date,
                                      today=TODAY, now=NOW, by="测试员", unit=f"第{item.number}科", **kw)
        return entry.id

    for item in plan.items:
        metrics = {t.id: f"{t.value / 4:g}{t.unit}" for t in item.targets} or None
        ids["q1"].append(add(item, 1, "2020-03-20", f"第{item.number}项一季度：启动“{item.title}”相关工作。",
                             metrics=metrics, status=None if metrics else "序时推进"))
        if item.number == 5:
            continue  # no record in Q2: missing
        ids["q2"].append(add(item, 2, "2020-06-18", f"第{item.number}项二季度进展。\n第二段：持续推进。",
                             metrics=metrics, status=None if metrics else "序时推进",
                             problems="资金拨付偏慢" if item.number % 4 == 0 else None, next="加快推进"))
    ids["amended"] = ids["q2"][0]
    progress.amend(ws, plan, ids["amended"], today=TODAY, now=NOW, text="第1项二季度进展（已更正）。")
    ids["retracted"] = ids["q2"][1]
    progress.retract(ws, plan, ids["retracted"], reason="重复报送", now=NOW)
    ids["q3"] = add(plan.items[2], 3, "2020-07-05", "第3项三季度的记录，不属于第二季度。", status="序时推进")
    ids["expected"] = set(ids["q1"] + ids["q2"]) - {ids["retracted"]}
    return ids


def add_one(ws, text="新增的一条二季度记录。"):
    plan = ws.plan()
    progress.add_progress(ws, plan, item=7, text=text, quarter=2, date="2020-06-25", today=TODAY, now=NOW,
                          status="序时推进")


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in a folder (hidden ones too): bytes and modification time in nanoseconds."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith((".kjplan-export-", ".kjplan-pdf-"))
            or p.name.endswith(".tmp")]


def kjplan(ws, *args, **kw) -> subprocess.CompletedProcess:
    return run_kjplan("--root", ws.root, "--today", TODAY_ARG, *args, input="", **kw)


def one_line(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    return lines[0]


def run_without_soffice(ws, *args) -> subprocess.CompletedProcess:
    """The installed kjplan with LibreOffice out of reach: PATH without it, and KJPLAN_SOFFICE="" so that
    the converter's search of the usual install folders (/usr/lib/libreoffice ...) finds nothing either."""
    env = {"PATH": "/nonexistent", "KJPLAN_ROOT": str(ws.root), "KJPLAN_SOFFICE": ""}
    return subprocess.run([sys.executable, "-m", "kjplan", "--today", TODAY_ARG, *map(str, args)], env=env, cwd="/",
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, encoding="utf-8", timeout=120)


# ------------------------------------------------------------------------------------------ options

def test_stable_names():
    q2 = Quarter(2020, 2)
    assert output_names(q2, False) == {
        "docx": "report-2020Q2.docx", "pdf": "report-2020Q2.pdf", "json": "report-2020Q2.json",
        "csv": "records-2020Q2.csv", "xlsx": "ledger-2020Q2.xlsx"}
    assert output_names(q2, True) == {
        "docx": "report-2020Q2-cumulative.docx", "pdf": "report-2020Q2-cumulative.pdf",
        "json": "report-2020Q2-cumulative.json", "csv": "records-2020Q2.csv",
        "xlsx": "ledger-2020Q2-cumulative.xlsx"}


@pytest.mark.parametrize("today, expected", [
    (dt.date(2020, 4, 1), Quarter(2020, 1)), (dt.date(2020, 7, 1), Quarter(2020, 2)),
    (dt.date(2020, 12, 31), Quarter(2020, 3)), (dt.date(2021, 1, 1), Quarter(2020, 4)),
    (dt.date(2023, 5, 5), Quarter(2020, 4)),
])
def test_auto_is_the_last_ended_quarter(today, expected):
    assert resolve_quarter("auto", 2020, today) == expected
    assert resolve_quarter("AUTO", 2020, today) == expected


def test_auto_before_any_quarter_ended():
    with pytest.raises(KjplanError, match="还没有结束的季度"):
        resolve_quarter("auto", 2020, dt.date(2020, 3, 31))


def test_formats():
    assert parse_formats("docx, PDF,json,docx") == ("docx", "pdf", "json")
    assert parse_formats("all") == ("docx", "pdf", "json", "csv", "xlsx")
    with pytest.raises(KjplanError) as info:
        parse_formats("docx,odt")
    assert info.value.exit_code == 2 and "odt" in info.value.message


# ------------------------------------------------------------------------------------------ content

def test_every_item_and_every_record_in_xlsx_csv_json(ws):
    ids = fill(ws)
    result = export(ws, formats=DATA_FORMATS, today=TODAY)
    assert result.quarter == Quarter(2020, 2)
    assert sorted(p.name for p in result.written) == sorted(Q2_NAMES) and result.unchanged == []
    plan = ws.plan()

    # xlsx: one row per item on the 台账 sheet, every record of the period on the second (tests/test_ledger_xlsx.py
    # has the layout).
    import openpyxl

    book = openpyxl.load_workbook(ws.reports_dir / "ledger-2020Q2.xlsx")
    sheet = book["台账"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in rows] == [item.number for item in plan.items]
    by_number = {r[0]: r for r in rows}
    assert "已更正" in by_number[1][12]  # the amended text
    assert by_number[5][4:6] == ("未报送", None)  # no record in Q2: no status, no source
    assert by_number[1][4:6] == ("序时推进", "填报")
    assert by_number[9][4:6] == ("序时推进", "按指标推算")  # status and its source, each in its own column
    words = "\n".join(str(cell) for row in rows for cell in row if cell is not None)
    assert "本期未报送" not in words and "测算" not in words and "达标率" not in words
    assert "资金拨付偏慢" in by_number[4][13]
    nine = plan.item(9)
    assert by_number[9][6] == nine.targets[0].name
    assert {r[0] for r in book["进度记录"].iter_rows(min_row=2, values_only=True)} == set(ids["q2"]) - {ids["retracted"]}
    assert book.properties.created == dt.datetime(2020, 7, 10) and book.properties.modified == dt.datetime(2020, 7, 10)

    # csv: every current record of the year up to the end of Q2, with a BOM for Excel.
    raw = (ws.reports_dir / "records-2020Q2.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(ws.reports_dir / "records-2020Q2.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert {row["记录编号"] for row in table} == ids["expected"]
    assert len(table) == len(ids["expected"])
    assert ids["retracted"] not in {row["记录编号"] for row in table}
    amended = next(row for row in table if row["记录编号"] == ids["amended"])
    assert amended["进展情况"] == "第1项二季度进展（已更正）。" and amended["已更正"] == "是"
    multi = next(row for row in table if row["记录编号"] == ids["q2"][3])  # item 4
    assert multi["进展情况"] == "第4项二季度进展。\n第二段：持续推进。" and multi["存在问题"] == "资金拨付偏慢"
    assert {row["事项序号"] for row in table} == {str(item.number) for item in plan.items}

    # json: the report model with per-item status, metrics and the period's records.
    data = json.loads((ws.reports_dir / "report-2020Q2.json").read_text(encoding="utf-8"))
    assert data["quarter"] == "2020Q2" and data["period"] == "第二季度" and data["missing"] == [2, 5]  # 2: its Q2 record was retracted
    assert [i["number"] for i in data["items"]] == [item.number for item in plan.items]
    nine_json = data["items"][8]
    metric = nine_json["metrics"][0]
    assert metric["target"] == nine.targets[0].value and metric["unit"] == nine.targets[0].unit
    assert metric["achieved"] == pytest.approx(nine.targets[0].value / 2)  # Q1 + Q2, a quarter each
    assert metric["completion"] == pytest.approx(0.5) and metric["expected"] == 0.5
    assert {"status", "status_source", "status_derived", "stated", "behind", "missing", "title"} <= set(nine_json)
    assert (nine_json["status"], nine_json["status_source"]) == ("序时推进", "按指标推算")
    assert data["items"][4]["status"] == "未报送" and data["items"][4]["status_source"] is None
    assert data["version"] == 2 and data["counts"] == {"已完成": 0, "序时推进": 14, "滞后": 0, "未启动": 0, "未报送": 2}
    record_ids = {r["id"] for i in data["items"] for r in i["records"]}
    assert record_ids == set(ids["q2"]) - {ids["retracted"]}  # the quarter's own records
    record = data["items"][3]["records"][0]
    assert {"id", "date", "unit", "text", "status", "metrics", "problems", "next"} <= set(record)


def test_cumulative_names_and_records(ws):
    ids = fill(ws)
    result = export(ws, quarter="2", cumulative=True, formats="json,xlsx,csv", today=TODAY)
    assert sorted(p.name for p in result.written) == [
        "ledger-2020Q2-cumulative.xlsx", "records-2020Q2.csv", "report-2020Q2-cumulative.json"]
    data = json.loads((ws.reports_dir / "report-2020Q2-cumulative.json").read_text(encoding="utf-8"))
    assert data["period"] == "上半年" and data["cumulative"] is True
    assert {r["id"] for i in data["items"] for r in i["records"]} == ids["expected"]


# --------------------------------------------------------------------------------------------- reruns

def test_rerun_without_new_records_touches_nothing(ws):
    fill(ws)
    first = kjplan(ws, "export", "--formats", DATA_FORMATS)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "" and first.stderr == ""
    before = snapshot(ws.reports_dir)
    assert set(Q2_NAMES) <= set(before)
    second = kjplan(ws, "export", "--formats", DATA_FORMATS, "--verbose")
    assert second.returncode == 0, second.stderr
    assert snapshot(ws.reports_dir) == before  # bytes and modification times
    assert second.stdout.count("未变：") == 4 and "已写入" not in second.stdout
    assert leftovers(ws.reports_dir) == []


def test_a_new_record_rewrites_the_files(ws):
    fill(ws)
    export(ws, formats=DATA_FORMATS, today=TODAY)
    add_one(ws)
    result = export(ws, formats=DATA_FORMATS, today=TODAY)
    assert sorted(p.name for p in result.written) == sorted(Q2_NAMES)
    with open(ws.reports_dir / "records-2020Q2.csv", encoding="utf-8-sig", newline="") as fh:
        assert any(row["进展情况"] == "新增的一条二季度记录。" for row in csv.DictReader(fh))


@needs_soffice
def test_pdf_rerun_keeps_the_pdf_and_follows_the_report(ws):
    fill(ws)
    first = export(ws, formats="docx,pdf", today=TODAY)
    assert [p.name for p in first.written] == ["report-2020Q2.docx", PDF]
    pdf = ws.reports_dir / PDF
    assert pdf.read_bytes().startswith(b"%PDF")
    before = snapshot(ws.reports_dir)
    again = export(ws, formats="docx,pdf", today=TODAY)
    assert again.written == [] and [p.name for p in again.unchanged] == ["report-2020Q2.docx", PDF]
    assert again.seconds["pdf"] < 0.5  # LibreOffice was not started
    assert snapshot(ws.reports_dir) == before
    # A PDF someone replaced by hand (or `kjplan report --pdf` rewrote) is made anew from the report.
    pdf.write_bytes(b"%PDF-1.4 not ours")
    third = export(ws, formats="pdf", today=TODAY)
    assert [p.name for p in third.written] == [PDF] and pdf.read_bytes() != b"%PDF-1.4 not ours"
    # A new record: the report changes, so does the PDF.
    add_one(ws)
    fourth = export(ws, formats="docx,pdf", today=TODAY)
    assert [p.name for p in fourth.written] == ["report-2020Q2.docx", PDF]


@needs_soffice
def test_report_pdf_option_end_to_end(ws):
    fill(ws)
    result = kjplan(ws, "report", "--quarter", "2", "--date", "2020-07-10", "--pdf")
    assert result.returncode == 0, result.stderr
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert [p.name for p in paths] == ["report-2020Q2.docx", PDF]
    assert paths[1].read_bytes().startswith(b"%PDF")
    assert leftovers(ws.reports_dir) == []


# ------------------------------------------------------------------------------------------- failures

def _previous_run(ws, formats=DATA_FORMATS) -> dict:
    fill(ws)
    first = kjplan(ws, "export", "--formats", formats)
    assert first.returncode == 0, first.stderr
    add_one(ws)  # so that a new run would change every file
    return snapshot(ws.reports_dir)


def test_broken_template_exits_78_and_changes_nothing(ws):
    before = _previous_run(ws)
    (ws.templates_dir / "report.j2").write_text("{% macro title(issuer, year, period) %}\n{{ oops(\n",
                                                encoding="utf-8")
    result = kjplan(ws, "export", "--formats", DATA_FORMATS)
    assert result.returncode == 78
    line = one_line(result)
    assert line.startswith("错误：") and "report.j2" in line and "模板" in line
    assert snapshot(ws.reports_dir) == before  # json, csv and xlsx were staged, then dropped
    assert leftovers(ws.reports_dir) == []


def test_unwritable_output_folder_exits_73(ws, tmp_path):
    before = _previous_run(ws)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder's parent should be", encoding="utf-8")
    result = kjplan(ws, "export", "--formats", DATA_FORMATS, "--out", blocker / "reports")
    assert result.returncode == 73
    assert "not-a-folder" in one_line(result)
    assert snapshot(ws.reports_dir) == before
    assert blocker.read_text(encoding="utf-8").startswith("a file")


def test_a_folder_in_the_way_of_one_file_changes_no_file(ws):
    before = _previous_run(ws, formats="json,csv")
    (ws.reports_dir / "ledger-2020Q2.xlsx").mkdir()
    result = kjplan(ws, "export", "--formats", "json,csv,xlsx")
    assert result.returncode == 73
    assert "ledger-2020Q2.xlsx" in one_line(result)
    after = snapshot(ws.reports_dir)
    assert after == before  # the json and csv, ready to go, were not moved in either
    assert leftovers(ws.reports_dir) == []


def test_libreoffice_missing_exits_69_naming_the_package(ws):
    formats = "docx,pdf,json,csv,xlsx" if find_soffice() else DATA_FORMATS
    before = _previous_run(ws, formats=formats)
    result = run_without_soffice(ws, "export", "--formats", "docx,pdf,json,csv,xlsx")
    assert result.returncode == 69
    line = one_line(result)
    assert "LibreOffice" in line and "libreoffice-writer" in line
    assert snapshot(ws.reports_dir) == before
    assert leftovers(ws.reports_dir) == []


def test_bad_options_are_usage_errors(ws):
    fill(ws)
    for args in (["--formats", "docx,odt"], ["--date", "2020-02-30"], ["--quarter", "7"]):
        result = kjplan(ws, "export", *args)
        assert result.returncode in (1, 2), (args, result.returncode)
        one_line(result)
    assert kjplan(ws, "export", "--formats", "odt").returncode == 2
    assert kjplan(ws, "export", "--date", "2020-02-30").returncode == 2
    assert not any(ws.reports_dir.glob("*.docx"))


# ------------------------------------------------------------------------------------ lock and log

def test_a_second_export_exits_75_naming_the_first(ws):
    fill(ws)
    with export_lock(ws, command="kjplan export（测试）"):
        result = kjplan(ws, "export", "--formats", "json")
        assert result.returncode == 75
        line = one_line(result)
        assert "另一个导出正在进行" in line and str(os.getpid()) in line and "--wait" in line
    assert not (ws.reports_dir / "report-2020Q2.json").exists()
    assert kjplan(ws, "export", "--formats", "json").returncode == 0


def test_wait_for_the_running_export(ws):
    fill(ws)
    env = dict(os.environ)
    with export_lock(ws):
        proc = subprocess.Popen([sys.executable, "-m", "kjplan", "--root", str(ws.root), "--today", TODAY_ARG,
                                 "export", "--formats", "json", "--wait", "60"], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            proc.wait(timeout=3)
            pytest.fail(f"did not wait: {proc.returncode} {proc.stderr.read().decode()}")
        except subprocess.TimeoutExpired:
            pass  # still waiting for the lock, as it should
        assert not (ws.reports_dir / "report-2020Q2.json").exists()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    assert out == b"" and err == b""
    assert (ws.reports_dir / "report-2020Q2.json").exists()


def test_wait_gives_up_after_the_given_seconds(ws):
    fill(ws)
    with export_lock(ws):
        result = kjplan(ws, "export", "--formats", "json", "--wait", "0.5")
    assert result.returncode == 75 and "0.5 秒" in one_line(result)


def test_log_has_one_line_per_run_also_on_failure(ws, tmp_path):
    fill(ws)
    log = tmp_path / "logs" / "export.log"
    assert kjplan(ws, "export", "--formats", "json,csv", "--log", log).returncode == 0
    assert kjplan(ws, "export", "--formats", "json,csv", "--log", log).returncode == 0
    with export_lock(ws):
        assert kjplan(ws, "export", "--formats", "json", "--log", log).returncode == 75
    assert kjplan(ws, "export", "--formats", "odt", "--log", log).returncode == 2
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    first, second, busy, usage = lines
    stamp = dt.datetime.fromisoformat(first.split(" ", 1)[0])
    assert stamp.tzinfo is not None
    assert " 2020Q2 exit=0 " in first and "written=report-2020Q2.json,records-2020Q2.csv" in first
    assert "unchanged=-" in first
    assert "written=- unchanged=report-2020Q2.json,records-2020Q2.csv" in second
    assert " exit=75 失败：另一个导出正在进行" in busy
    assert " exit=2 失败：未知的导出格式" in usage


def test_auto_on_new_years_day_exports_the_year_just_ended(ws):
    """Next year's plan is often in place before the Q4 export runs on 1 January."""
    fill(ws)
    text = (ws.plans_dir / "2020.yaml").read_text(encoding="utf-8")
    (ws.plans_dir / "2021.yaml").write_text(text.replace("year: 2020", "year: 2021", 1), encoding="utf-8")
    result = export(ws, formats="json,csv", today=dt.date(2021, 1, 1))
    assert result.quarter == Quarter(2020, 4)
    assert sorted(p.name for p in result.written) == ["records-2020Q4.csv", "report-2020Q4.json"]
    explicit = export(ws, quarter="2020Q4", formats="json", today=dt.date(2021, 1, 1))
    assert [p.name for p in explicit.unchanged] == ["report-2020Q4.json"]
    later = export(ws, formats="json", today=dt.date(2021, 4, 2))
    assert later.quarter == Quarter(2021, 1)
