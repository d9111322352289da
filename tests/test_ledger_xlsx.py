"""The xlsx 台账: layout read back with openpyxl, and printed by LibreOffice without overprinting."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from collect_fixtures import assigned_workspace
from kjplan import progress
from kjplan.export_job import export
from sheet_description import describe
from sheet_render import missing_characters, overprinted, xlsx_to_pdf

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
GOLDEN = Path(__file__).resolve().parent / "data" / "ledger-golden.json"

TODAY = dt.date(2020, 7, 10)
LONG = ("6月完成科技创新发展基金第二期扩资，新增募集4000万元，累计募集6000万元；认定登记技术合同86项，"
        "成交额4.2亿元。组织技术转移培训两场，参训人员160人次，走访重点企业23家，征集技术需求41项。") * 3


def fill(ws):
    plan = ws.plan()
    add = lambda **kw: progress.add_progress(ws, plan, today=TODAY, **kw)  # noqa: E731
    add(item=9, quarter=1, date="2020-03-20", text="一季度募集2000万元", metrics={"innovation_fund": "2000万"},
        unit="成果转化科")
    add(item=9, quarter=2, date="2020-06-29", text=LONG, metrics={"innovation_fund": "4000万"}, unit="成果转化科",
        problems="社会资本参与积极性不高。\n部分企业观望。", next="力争三季度再募集2000万元。")
    add(item=9, quarter=2, date="2020-06-20", text="配合开展基金路演两场。", status="序时推进", unit="市科技资源统筹中心")
    add(item=12, quarter=2, date="2020-06-30", text="入驻企业7家，入驻率72%。", metrics={"incubator_occupancy": "72%"},
        unit="高新技术科")
    add(item=3, quarter=2, date="2020-06-15", text="=SUM(A1:A9) 配合高新区完成特色园区创建方案。", status="滞后",
        unit="高新技术科")
    for number in range(4, 9):
        add(item=number, quarter=2, date="2020-06-10", text=f"第{number}项进展。" + "推进相关工作。" * number,
            status="序时推进", unit="办公室")


@pytest.fixture
def ledger(tmp_path):
    ws = assigned_workspace(tmp_path)
    fill(ws)
    export(ws, quarter="2", formats="xlsx", today=TODAY)
    return ws, ws.reports_dir / "ledger-2020Q2.xlsx"


def test_ledger_sheet_layout(ledger):
    ws, path = ledger
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["台账", "进度记录"]
    sheet = book["台账"]
    assert sheet["A1"].value == "中共渭南市科学技术局党组2020年科技工作要点落实情况台账（2020年第二季度）"
    assert sheet["A2"].value == "统计期间：2020年4月1日至2020年6月30日　　制表日期：2020年7月10日"
    header = [c.value for c in sheet[3]]
    assert header[:6] == ["序号", "重点任务", "牵头单位", "配合单位", "状态", "状态来源"]
    assert sheet.freeze_panes == "C4" and sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=4)}
    col = {h: i for i, h in enumerate(header)}
    nine = rows[9]
    assert nine[col["牵头单位"]].value == "成果转化科" and nine[col["配合单位"]].value == "市科技资源统筹中心"
    assert nine[col["状态"]].value == "序时推进" and nine[col["状态来源"]].value == "填报"
    assert nine[col["单位"]].value == "万元"
    assert nine[col["目标值"]].value == 10000 and nine[col["年初至今完成"]].value == 6000
    assert nine[col["年初至今完成"]].data_type == "n" and nine[col["年初至今完成"]].number_format == "#,##0"
    assert nine[col["完成比例"]].value == pytest.approx(0.6) and nine[col["完成比例"]].number_format == "0%"
    assert nine[col["序时进度"]].value == 0.5
    # Both units' records of the quarter, not only the latest.
    progress_text = nine[col["本期进展"]].value
    assert "6月20日（市科技资源统筹中心）：配合开展基金路演两场。" in progress_text and "6月29日（成果转化科）" in progress_text
    assert nine[col["报送单位"]].value == "市科技资源统筹中心、成果转化科"  # in date order
    twelve = rows[12]
    assert twelve[col["状态来源"]].value == "按指标推算" and twelve[col["年初至今完成"]].value == 72
    assert twelve[col["序时进度"]].value is None  # a level is not judged against 序时进度
    # Empty is empty: no "—" anywhere, an item without records is 未报送.
    assert all(c.value != "—" for r in sheet.iter_rows() for c in r)
    assert rows[15][col["状态"]].value == "未报送" and rows[15][col["本期进展"]].value is None
    assert rows[15][col["状态来源"]].value is None
    # Text that looks like a formula stays text.
    three = rows[3][col["本期进展"]]
    assert three.data_type == "s" and three.value.startswith("6月15日（高新技术科）：=SUM")
    # Fonts and row heights: taller rows for longer text.
    assert sheet["A1"].font.name == "宋体" and sheet["A3"].font.name == "宋体" and nine[1].font.name == "仿宋"
    assert sheet.row_dimensions[nine[0].row].height > sheet.row_dimensions[rows[15][0].row].height > 0


def test_record_sheet_has_every_record_of_the_period_with_numeric_figures(ledger):
    ws, path = ledger
    sheet = openpyxl.load_workbook(path)["进度记录"]
    header = [c.value for c in sheet[1]]
    assert header == ["记录编号", "事项序号", "重点任务", "季度", "日期", "报送单位", "状态", "事项状态", "状态来源",
                      "进展情况", "科技创新发展基金募集规模（万元）", "孵化器入驻率（%）", "存在问题", "下步打算", "填报人",
                      "已更正"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    records = progress.list_records(ws, ws.plan(), today=TODAY, quarter=2)
    assert [r[0] for r in rows] == [r.id for r in sorted(records, key=lambda r: (r.date, r.created, r.id))]
    fund = next(r for r in rows if r[10] is not None)
    assert fund[10] == 4000 and fund[4] == dt.datetime(2020, 6, 29) and fund[9] == LONG
    # 状态 is what the record says (nothing: its figure speaks); 事项状态 and 状态来源 are its item's, as on 台账.
    assert fund[6:9] == (None, "序时推进", "填报")
    assert {r[6:9] for r in rows if r[1] == 9} == {(None, "序时推进", "填报"), ("序时推进", "序时推进", "填报")}
    assert {r[6:9] for r in rows if r[1] == 12} == {(None, "序时推进", "按指标推算")}


@pytest.mark.render
def test_ledger_prints_without_overprinting(ledger, tmp_path):
    ws, path = ledger
    pdf = xlsx_to_pdf(path, tmp_path / "pdf")
    assert overprinted(pdf) == []
    lost = missing_characters(pdf, [LONG, "社会资本参与积极性不高。", "配合开展基金路演两场。"])
    assert not lost, f"clipped: {lost}"


def test_the_ledger_is_the_workbook_it_was_cell_for_cell(tmp_path, monkeypatch):
    """300 records of the benchmark's kind and the tricky ones above (formula-like text, long text, several
    targets, lines in a cell): the 台账 a clerk opens is the one the openpyxl writer made before
    (tests/data/ledger-golden.json; see sheet_description): every cell's value, number format, font, border,
    fill and alignment, the column widths, merged cells, frozen header, filter and print setup. Row heights
    are whole pixels now (what Excel shows anyway): never lower than before, less than a pixel (0.75 pt)
    higher. KJPLAN_WRITE_GOLDEN=1 writes the description anew after an intended change."""
    sys.path.insert(0, str(BENCHMARKS))
    import workloads

    ws = workloads.workspace(tmp_path / "ws", 300, quarter="2020Q2")
    made = iter(range(1, 100))  # the records fill() adds, the same in every run: ids, times, who
    monkeypatch.setattr(progress, "new_id", lambda: f"{next(made):016x}")
    start = dt.datetime(2020, 7, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    monkeypatch.setattr(progress, "_now", lambda now: start + dt.timedelta(minutes=next(made)))
    monkeypatch.setattr(progress.ledger, "login_name", lambda: "王五")
    fill(ws)
    export(ws, quarter="2", formats="xlsx", today=TODAY)
    path = ws.reports_dir / "ledger-2020Q2.xlsx"
    got = json.loads(json.dumps(describe(path), ensure_ascii=False))
    if os.environ.get("KJPLAN_WRITE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert [s["title"] for s in got["sheets"]] == [s["title"] for s in want["sheets"]] == ["台账", "进度记录"]
    assert len(want["sheets"][1]["cells"]) > 250 * 16  # the golden is what it says it is
    for mine, theirs in zip(got["sheets"], want["sheets"]):
        for key in theirs:
            if key in ("cells", "rows"):
                continue
            assert mine[key] == theirs[key], (theirs["title"], key)
        styles = lambda d, sheet: [[c[0], c[1], d["styles"][c[2]]] for c in sheet["cells"]]  # noqa: E731
        for cell, expected in zip(styles(got, mine), styles(want, theirs), strict=True):
            assert cell == expected, theirs["title"]
        assert mine["rows"].keys() == theirs["rows"].keys()
        for row, height in theirs["rows"].items():
            assert 0 <= mine["rows"][row] - height < 0.75, (theirs["title"], row, mine["rows"][row], height)
    assert got["default_font"] == want["default_font"] and got["properties"] == want["properties"]
    # And deterministic: the same workbook again gives the same bytes.
    first = path.read_bytes()
    export(ws, quarter="2", formats="xlsx", today=TODAY, out_dir=tmp_path / "again")
    assert (tmp_path / "again" / "ledger-2020Q2.xlsx").read_bytes() == first


@given(st.lists(st.tuples(st.one_of(st.none(), st.text(alphabet="科技a1 \n，", max_size=120), st.integers(),
                                    st.floats(allow_nan=False, allow_infinity=False)),
                          st.sampled_from([0.2, 1, 5, 8, 12, 56])), max_size=8))
def test_row_height_skips_measuring_only_what_fits_on_one_line(cells):
    """row_height's shortcut (a text short enough even in full-width characters is one line) gives the
    height measuring every cell gives."""
    from kjplan import sheetstyle as ss

    values, widths = [v for v, _ in cells], [w for _, w in cells]
    lines = max((ss.line_count(ss._shown(v), w) for v, w in cells), default=1)
    assert ss.row_height(values, widths) == min(ss.MAX_ROW_HEIGHT, round(lines * ss.BODY_SIZE * ss.LINE_FACTOR
                                                                          + ss.ROW_PADDING_PT, 1))
