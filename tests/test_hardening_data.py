"""Issue 11, "data lost, or a broken output file": every case as a process on a fresh workspace.

Each case asserts the documented exit code, one Chinese message without a traceback, that the ledger and
the outputs written before are byte for byte as they were when a command fails, and that every file
written opens.
"""

from __future__ import annotations

import json
import re
import sys

import pytest

from kjplan.workspace import init_workspace

from hardening_helpers import assert_all_open, assert_clean_failure, files, limit_file_size, run

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE stands in for a full disk on Linux")


def add(ws, item=1, text="完成年度方案。", *extra):
    result = run(ws, "add-progress", "-i", item, "-q", "2", "-s", "done", "--text", text, *extra)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def ws(tmp_path):
    return init_workspace(tmp_path / "ws")


# ------------------------------------------------------------------------------- 3. a full disk

def _grow(ws, n=40):
    """A ledger of n records, written in one go (fast), so that its size is known."""
    batch = ws.root / "batch.csv"
    batch.write_text("item,quarter,status,text\n" + "".join(f"1,2,done,第 {i} 条进展记录。\n" for i in range(n)),
                     encoding="utf-8")
    assert run(ws, "add-progress", "--from", batch).returncode == 0
    batch.unlink()
    return ws.progress_path(2020)


@linux_only
@pytest.mark.parametrize("room", [0, 1, 57, 200])
def test_a_failed_append_leaves_the_ledger_byte_identical(ws, room):
    path = _grow(ws)
    before = files(ws.root)
    result = run(ws, "add-progress", "-i", "2", "-q", "2", "-s", "done", "--text", "磁盘快满时登记的进展。",
                 preexec_fn=limit_file_size(path.stat().st_size + room))
    assert_clean_failure(result, 73, "没有登记", "记录文件保持原样")
    assert files(ws.root) == before
    # Nothing to repair, and the next commands run as before.
    assert run(ws, "check").returncode == 0
    assert run(ws, "export", "-q", "2", "--formats", "json,csv,xlsx,docx").returncode == 0
    assert_all_open(ws.reports_dir)


@linux_only
def test_a_failed_first_append_leaves_no_empty_ledger(ws):
    result = run(ws, "add-progress", "-i", "2", "-q", "2", "-s", "done", "--text", "第一条记录。",
                 preexec_fn=limit_file_size(10))
    assert_clean_failure(result, 73, "没有登记")
    assert not ws.progress_path(2020).exists()
    assert not (ws.progress_dir / ".gitignore").exists() or (ws.progress_dir / ".gitignore").stat().st_size > 0


def _torn(ws, where: str):
    path = _grow(ws)
    data = path.read_bytes()
    torn = b'{"type":"progress","id":"00ff'
    if where == "tail":
        path.write_bytes(data + torn)
    else:
        lines = data.splitlines(keepends=True)
        path.write_bytes(b"".join(lines[:3]) + torn + b"\n" + b"".join(lines[3:]))
    return path


@linux_only
def test_repair_of_a_torn_tail_works_on_the_full_disk_that_tore_it(ws):
    path = _torn(ws, "tail")
    good = path.read_bytes().rsplit(b"\n", 1)[0] + b"\n"
    result = run(ws, "check", "--repair", preexec_fn=limit_file_size(4096))  # the ledger is larger
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == good
    rejected = list(ws.progress_dir.glob("2020.jsonl.rejected-*.txt"))
    assert len(rejected) == 1 and b'"00ff' in rejected[0].read_bytes()


@linux_only
@pytest.mark.parametrize("where,room", [("middle", 4096), ("tail", 0)])
def test_a_repair_that_cannot_write_fails_cleanly_and_creates_no_file(ws, where, room):
    path = _torn(ws, where)
    assert path.stat().st_size > 4096
    before = files(ws.root)
    result = run(ws, "check", "--repair", preexec_fn=limit_file_size(room))
    assert_clean_failure(result, 73, "进度记录文件未改动", "没有留下新文件")
    assert files(ws.root) == before
    assert not [p for p in ws.progress_dir.iterdir() if p.stat().st_size == 0 and not p.name.endswith(".lock")]


# ---------------------------------------------------------------------- 5. a clock that runs fast

def test_a_record_from_a_clock_in_the_future_can_still_be_amended(ws):
    record = add(ws, 1, "原来的进展。")
    path = ws.progress_path(2020)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["created"] = "2031-01-01T00:00:00+08:00"  # the PC that wrote it ran eleven years fast
    path.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    for text in ("第一次更正。", "第二次更正。"):
        before = path.read_bytes()
        result = run(ws, "amend", record[:8], "--text", text)
        assert result.returncode == 0, result.stderr
        assert path.read_bytes().startswith(before) and path.read_bytes().count(b"\n") == before.count(b"\n") + 1
        shown = json.loads(run(ws, "log", "--format", "json").stdout)
        assert [(r["id"], r["text"], r["amended"]) for r in shown] == [(record, text, True)]


# --------------------------------------------------------------------------- 2. formula injection

FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "=HYPERLINK(\"http://example.com\",\"点我\")"]


def test_texts_that_look_like_formulas_stay_text_in_xlsx_and_csv(ws):
    import csv
    import io
    import zipfile

    from openpyxl import load_workbook

    settings = ws.settings_path.read_text(encoding="utf-8")  # any unit may report: no list of units
    ws.settings_path.write_text(re.sub(r"(?ms)^units:.*", "units: []\n", settings), encoding="utf-8")
    for n, text in enumerate(FORMULAS, start=1):
        add(ws, n, text, "--unit", text.strip(), "--problems", text)
    result = run(ws, "export", "-q", "2", "--formats", "csv,xlsx")
    assert result.returncode == 0, result.stderr
    assert_all_open(ws.reports_dir)
    xlsx = ws.reports_dir / "ledger-2020Q2.xlsx"
    with zipfile.ZipFile(xlsx) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet  # not one formula
    book = load_workbook(xlsx)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    for text in FORMULAS:
        assert text in texts or text.strip() in texts  # the records sheet holds each text as typed
    for c in cells:  # and what Excel would read as a formula is marked as text, as typing '=1+1 does
        if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@", "\t", "\r")):
            assert c.quotePrefix, (c.coordinate, c.value)
    rows = list(csv.reader(io.StringIO((ws.reports_dir / "records-2020Q2.csv").read_text("utf-8-sig"), newline="")))
    header = rows[0]
    for row in rows[1:]:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    texts = [row[header.index("进展情况")] for row in rows[1:]]
    assert texts == ["'" + t for t in FORMULAS]
    # log --format csv, which offices open in Excel too.
    logged = run(ws, "log", "--format", "csv").stdout
    assert "'=1+1" in logged and ",=1+1" not in logged


# ------------------------------------------------------------------ 4. an export is all or nothing

def _exported(ws):
    add(ws, 1, "第一条进展。")
    result = run(ws, "export", "-q", "2", "--formats", "docx,json,csv,xlsx")
    assert result.returncode == 0, result.stderr
    add(ws, 2, "第二条进展，改变了每一个文件。")
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in ws.reports_dir.iterdir() if p.is_file()}


def _chattr(flag: str, path) -> bool:
    import subprocess

    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


def test_a_file_that_cannot_be_replaced_stops_the_export_before_any_file_changes(ws):
    before = _exported(ws)
    docx = ws.reports_dir / "report-2020Q2.docx"
    if not _chattr("+i", docx):
        pytest.skip("chattr +i (an immutable file) is not available here")
    try:
        result = run(ws, "export", "-q", "2", "--formats", "docx,json,csv,xlsx")
    finally:
        _chattr("-i", docx)
    assert_clean_failure(result, 73, "report-2020Q2.docx", "输出文件夹未改动")
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in ws.reports_dir.iterdir() if p.is_file()}
    assert after == before
    assert not [p for p in ws.reports_dir.iterdir() if p.name.startswith(".kjplan-")]


@pytest.mark.parametrize("failing", ["report-2020Q2.docx", "ledger-2020Q2.xlsx"])
def test_a_rename_failing_midway_puts_back_every_file_already_replaced(ws, monkeypatch, failing):
    import datetime as dt
    import os

    from kjplan import export_job
    from kjplan.errors import OutputError

    before = _exported(ws)
    real = os.replace

    def replace(src, dst, *a, **kw):
        if str(dst).endswith(failing) and ".kjplan-export-" in str(src):
            raise PermissionError(13, "Permission denied", str(dst))  # Word on Windows holds it open
        return real(src, dst, *a, **kw)

    monkeypatch.setattr(export_job.os, "replace", replace)
    with pytest.raises(OutputError) as caught:
        export_job.export(ws, quarter="2", formats="docx,json,csv,xlsx", today=dt.date(2020, 7, 6))
    assert caught.value.exit_code == 73 and "输出文件夹保持原样" in caught.value.message
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in ws.reports_dir.iterdir() if p.is_file()}
    assert after == before
    assert not [p for p in ws.reports_dir.iterdir() if p.name.startswith(".kjplan-")]


# ------------------------------------------------------------- 6. Excel's 32,767 characters a cell

def test_a_cell_beyond_excels_limit_is_shortened_with_a_warning_and_kept_whole_elsewhere(ws):
    from openpyxl import load_workbook

    from kjplan.cells import EXCEL_CELL_LIMIT

    problems = "问题" * 2400  # 4,800 characters a record; eight records of item 1 make one cell of 38,000+
    batch = ws.root / "batch.csv"
    batch.write_text("item,quarter,status,text,problems\n" + "".join(f"1,2,done,第 {i} 条,{problems}\n" for i in range(8)),
                     encoding="utf-8")
    assert run(ws, "add-progress", "--from", batch).returncode == 0
    result = run(ws, "export", "-q", "2", "--formats", "json,csv,xlsx", "-v")
    assert result.returncode == 0, result.stderr
    assert "第 1 项" in result.stderr and "32767" in result.stderr and "存在问题" in result.stderr
    book = load_workbook(ws.reports_dir / "ledger-2020Q2.xlsx")
    values = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    cell = max(values, key=len)
    assert len(cell) == EXCEL_CELL_LIMIT and cell.endswith("见报告和 JSON/CSV 文件）")
    data = json.loads((ws.reports_dir / "report-2020Q2.json").read_text("utf-8"))
    item = next(i for i in data["items"] if i["number"] == 1)
    assert [r["problems"] for r in item["records"]] == [problems] * 8
    assert (ws.reports_dir / "records-2020Q2.csv").read_text("utf-8-sig").count(problems) == 8
