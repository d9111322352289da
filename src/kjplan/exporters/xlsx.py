"""ledger-2020Q2.xlsx: the 台账 offices keep and print.

Sheet 台账: a title row with the period, a line with the period's dates and the report date, then one
row per item of the plan (an extra row per further target of an item): 序号, 重点任务, 牵头单位, 配合单位,
状态 (one word), 状态来源 (填报 / 按指标推算), the target with its unit, target value, year-to-date figure
and completion share as numbers, the period's progress, problems and next steps of every record. Empty
cells are empty (a blank filter finds them). Row heights are computed from the wrapped text, so that
LibreOffice and WPS, which do not grow rows themselves, print every line. 宋体 headers, 仿宋 text,
A4 landscape, header frozen and repeated on each page.

Sheet 进度记录: every record of the period, one row per record (latest version), with one numeric column
per target named with its unit — the columns `kjplan add-progress --from` reads back. Beside the record's
own 状态 (what its unit stated), 事项状态 and 状态来源 give its item's status in the record's quarter, the
words the quarter's report, `status` and the 台账 use (shown, not read back).

Written with XlsxWriter (openpyxl took 11 s for the 300,000 styled cells of
20,000 records); tests/test_ledger_xlsx.py checks cell for cell that the workbook is the one openpyxl made.
Row heights are whole pixels (what Excel shows anyway), rounded up. The bytes are deterministic: the
workbook's dates are the report date, the zip has fixed timestamps.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import Any

from kjplan.cells import EXCEL_CELL_LIMIT, fit_cell, is_formula_like
from kjplan.exporters import ExportJob, Output, suffix
from kjplan.numerals import cn_date
from kjplan.plan import Plan, Target
from kjplan.records import Record
from kjplan.report_model import ItemReport, ReportModel, quarter_items

LABEL = "工作台账（Excel）"

# (header, width in characters of the default font; a CJK character is about 2)
LEDGER_COLUMNS = [
    ("序号", 5), ("重点任务", 22), ("牵头单位", 11), ("配合单位", 13), ("状态", 9), ("状态来源", 10),
    ("量化指标", 16), ("单位", 6), ("目标值", 9), ("年初至今完成", 11), ("完成比例", 8), ("序时进度", 8),
    ("本期进展", 56), ("存在问题", 30), ("下步打算", 30), ("报送单位", 13),
]
# 状态 is what the record states (read back on import); 事项状态 and 状态来源 are its item's status in the
# record's quarter as that quarter's report, status and 台账 show it (shown, not read back).
RECORD_COLUMNS = [("记录编号", 18), ("事项序号", 8), ("重点任务", 22), ("季度", 9), ("日期", 11), ("报送单位", 13),
                  ("状态", 9), ("事项状态", 9), ("状态来源", 10), ("进展情况", 56)]
RECORD_TAIL = [("存在问题", 30), ("下步打算", 30), ("填报人", 10), ("已更正", 7)]

# Money is written in 万元 in the sheets (as in the forms), other units as the plan gives them.
SHEET_UNITS = {"亿元": ("万元", 10000.0), "元": ("元", 1.0)}


def filename(model: ReportModel) -> str:
    return f"ledger-{model.quarter.code}{suffix(model.cumulative)}.xlsx"


def sheet_unit(target: Target) -> tuple[str, float]:
    """(unit shown in the sheet, factor from the target's unit): 亿元 targets in 万元."""
    return SHEET_UNITS.get(target.unit, (target.unit, 1.0))


def target_header(target: Target) -> str:
    """"科技创新发展基金募集规模（万元）": the column of a target in the record sheet and the forms."""
    return f"{target.name}（{sheet_unit(target)[0]}）"


def number(value: float | None, factor: float = 1.0) -> float | int | None:
    if value is None:
        return None
    scaled = round(value * factor, 6)
    return int(scaled) if float(scaled).is_integer() else scaled


def number_format(value) -> str:
    return "#,##0" if isinstance(value, int) else "#,##0.00"


def period_records(model: ReportModel) -> list[Record]:
    """Every record of the period (latest versions), in date order."""
    records = [r for rep in model.items for r in rep.records]
    return sorted(records, key=lambda r: (r.date, r.created, r.id))


def _record_line(r: Record, field: str) -> str:
    text = getattr(r, field).strip()
    if not text:
        return ""
    who = f"（{r.unit}）" if r.unit else ""
    return f"{r.date.month}月{r.date.day}日{who}：{text}"


def ledger_rows(rep: ItemReport) -> list[list]:
    """The 台账 rows of one item: the first holds everything, further rows one more target each."""
    item = rep.item
    status = rep.status_word or None  # the report's status, or 未报送 (report_model decides both)
    source = rep.source
    lines = {f: "\n".join(x for x in (_record_line(r, f) for r in rep.records) if x) or None
             for f in ("text", "problems", "next")}
    units = "、".join(rep.units) or None
    metric_cells = []
    for m in rep.metrics:
        unit, factor = sheet_unit(m.target)
        expected = m.expected if m.target.kind == "cumulative" else None
        metric_cells.append([m.target.name, unit, number(m.target.value, factor), number(m.achieved, factor),
                             m.completion, expected])
    if not metric_cells:
        metric_cells = [[None] * 6]
    first = [item.number, item.title, item.lead, "、".join(item.partners) or None, status, source,
             *metric_cells[0], lines["text"], lines["problems"], lines["next"], units]
    rest = [[None] * 6 + cells + [None] * 4 for cells in metric_cells[1:]]
    return [first, *rest]


def record_row(r: Record, plan: Plan, targets: list[Target], rep: ItemReport | None) -> list:
    """One record's row; `rep`: its item in the record's quarter (quarter_items), for 事项状态 and 状态来源."""
    item = plan.item(r.item)
    figures = []
    for t in targets:
        value = r.metrics.get(t.id)
        figures.append(number(value, sheet_unit(t)[1]) if value is not None else None)
    status, source = (rep.status_word or None, rep.source) if rep is not None else (None, None)
    return [r.id, r.item, item.title if item else None, r.quarter, r.date, r.unit or None, r.status, status, source,
            r.text, *figures, r.problems or None, r.next or None, r.by or None, "是" if r.amended else None]


class _Book:
    """An XlsxWriter workbook with kjplan's cell rules (kjplan.cells): text is always a string cell, a text
    Excel would read as a formula carries the quote prefix, a text beyond Excel's limit is shortened and
    the caller told; and its sheets' look (sheetstyle): formats, column widths, row heights, A4 landscape."""

    def __init__(self, on_cut):
        import xlsxwriter

        from kjplan import sheetstyle as ss

        self.ss = ss
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {
            "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "default_format_properties": dict(ss.FORMAT_PROPERTIES["default"])})
        self.on_cut = on_cut  # (where, column header, full length)
        self._formats: dict[tuple, Any] = {}

    def format(self, style: str, num_format: str | None = None, quoted: bool = False):
        key = (style, num_format, quoted)
        made = self._formats.get(key)
        if made is None:
            properties = dict(self.ss.FORMAT_PROPERTIES[style])
            if num_format:
                properties["num_format"] = num_format
            if quoted:
                properties["quote_prefix"] = True
            made = self._formats[key] = self.book.add_format(properties)
        return made

    def sheet(self, name: str, widths: list[float]):
        sheet = self.book.add_worksheet(name)
        for col, width in enumerate(widths):
            # In pixels, so that the file holds the width itself (as openpyxl wrote it): 7 px a unit.
            sheet.set_column_pixels(col, col, width * self.ss.PX_PER_UNIT)
        return sheet

    def height(self, sheet, row: int, points: float) -> None:
        """Row heights are whole pixels in XlsxWriter (as Excel shows them): never lower than computed."""
        sheet.set_row_pixels(row, math.ceil(points * 4 / 3 - 1e-9))

    def put(self, sheet, row: int, col: int, value, style: str, num_format: str | None = None,
            where: str = "", header: str = "") -> None:
        """Write one cell (0-based row and column)."""
        fmt = self.format(style, num_format)
        if value is None:
            sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            text, cut = fit_cell(value)
            if cut and self.on_cut is not None:
                self.on_cut(where, header, len(value))
            if is_formula_like(text):
                fmt = self.format(style, num_format, quoted=True)
            sheet.write_string(row, col, text, fmt)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, col, value, fmt)
        else:
            sheet.write_number(row, col, value, fmt)

    def a4_landscape(self, sheet, title_row: int) -> None:
        """Print on A4 landscape, all columns on one page width, the header row repeated on every page
        (sheetstyle.a4_landscape's settings, openpyxl's header and footer margins)."""
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.fit_to_pages(1, 0)
        ss = self.ss
        sheet.set_margins(left=ss.SIDE_MARGIN, right=ss.SIDE_MARGIN, top=ss.TOP_MARGIN, bottom=ss.TOP_MARGIN)
        sheet.set_header("", {"margin": 0.5})
        sheet.set_footer("", {"margin": 0.5})
        sheet.center_horizontally()
        sheet.repeat_rows(title_row)

    def close(self, stamp: dt.datetime) -> bytes:
        """The workbook as deterministic bytes (fixed dates, zip order and timestamps)."""
        from kjplan.fsutil import normalise_zip

        self.book.set_properties({**self.book.doc_properties, "created": stamp})
        self.book.close()
        return normalise_zip(self.buffer.getvalue(), stamp)


def workbook_bytes(model: ReportModel, date: dt.date, warnings: list[str] | None = None) -> bytes:
    """The workbook; a text too long for one Excel cell is shortened there and named in `warnings`."""
    from kjplan import sheetstyle as ss

    def note(where: str, header: str, length: int) -> None:
        if warnings is not None:
            warnings.append(f"工作台账{where}的“{header}”有 {length} 字，超出 Excel 单元格 "
                            f"{EXCEL_CELL_LIMIT} 字的上限，台账中只保留了前一部分；全文见报告、JSON 和 CSV 文件")

    plan = model.plan
    period = f"{model.quarter.year}年{model.period_name}"
    book = _Book(note)
    book.book.set_properties({"title": f"{plan.title}落实情况台账（{period}）", "author": plan.issuer})
    widths = [w for _, w in LEDGER_COLUMNS]
    headers = [h for h, _ in LEDGER_COLUMNS]
    last = len(LEDGER_COLUMNS) - 1
    sheet = book.sheet("台账", widths)

    sheet.merge_range(0, 0, 0, last, "", book.format("title"))
    book.put(sheet, 0, 0, f"{plan.title}落实情况台账（{period}）", "title")
    book.height(sheet, 0, 30)
    span = f"{cn_date(model.start)}至{cn_date(model.end)}"
    sheet.merge_range(1, 0, 1, last, "", book.format("subtitle"))
    book.put(sheet, 1, 0, f"统计期间：{span}　　制表日期：{cn_date(date)}", "subtitle")
    book.height(sheet, 1, 20)
    for col, header in enumerate(headers):
        book.put(sheet, 2, col, header, "header")
    book.height(sheet, 2, ss.row_height(headers, widths))

    row = 3
    for rep in model.items:
        rows = ledger_rows(rep)
        where = f"第 {rep.item.number} 项"
        for values in rows:
            for col, value in enumerate(values):
                style, fmt = ("top_centre" if col in (0, 4, 5, 7) else "top"), None
                if col in (8, 9) and value is not None:
                    style, fmt = "top_right", number_format(value)
                if col in (10, 11) and value is not None:
                    style, fmt = "top_right", "0%"
                book.put(sheet, row, col, value, style, fmt, where, headers[col])
            book.height(sheet, row, ss.row_height(values, widths))
            row += 1
        if len(rows) > 1:  # an item with several targets: its own cells span the rows
            first = row - len(rows)
            for col in [*range(0, 6), *range(12, last + 1)]:
                style = "top_centre" if col in (0, 4, 5) else "top"
                sheet.merge_range(first, col, row - 1, col, "", book.format(style))
                book.put(sheet, first, col, rows[0][col], style, None, where, headers[col])
    sheet.freeze_panes(3, 2)
    sheet.autofilter(2, 0, row - 1, last)
    book.a4_landscape(sheet, 2)
    sheet.print_area(0, 0, row - 1, last)

    _records_sheet(book, model)
    return book.close(dt.datetime.combine(date, dt.time(0, 0)))


def record_targets(plan: Plan) -> list[Target]:
    """One column per target a record may report: the plan-wide ones (主要预期目标) first, then the items'."""
    return [t for _, t in plan.all_targets()]


def _records_sheet(book: _Book, model: ReportModel) -> None:
    from kjplan import sheetstyle as ss

    plan = model.plan
    targets = record_targets(plan)
    columns = RECORD_COLUMNS + [(target_header(t), 12) for t in targets] + RECORD_TAIL
    widths = [w for _, w in columns]
    headers = [h for h, _ in columns]
    sheet = book.sheet("进度记录", widths)
    for col, header in enumerate(headers):
        book.put(sheet, 0, col, header, "header")
    book.height(sheet, 0, ss.row_height(headers, widths))
    figures = range(len(RECORD_COLUMNS), len(RECORD_COLUMNS) + len(targets))
    date_col = 4
    body = book.format("top")
    write_string, write_blank = sheet.write_string, sheet.write_blank
    row = 1
    records = period_records(model)
    items = quarter_items(model, records)  # a cumulative sheet holds every quarter of the year to date
    for r in records:
        values = record_row(r, plan, targets, items.get((r.quarter, r.item)))
        for col, value in enumerate(values):
            # Most of the 300,000 cells of 20,000 records: a blank, or a text that is neither too long
            # for a cell nor formula-like, in the body style; everything else goes by put's rules.
            if value is None:
                write_blank(row, col, None, body)
            elif type(value) is str and len(value) <= EXCEL_CELL_LIMIT and not is_formula_like(value):
                write_string(row, col, value, body)
            else:
                fmt = "yyyy-mm-dd" if col == date_col else number_format(value) if col in figures else None
                book.put(sheet, row, col, value, "top", fmt, f"“进度记录”表中记录 {r.id[:8]}（第 {r.item} 项）",
                         headers[col])
        book.height(sheet, row, ss.row_height(values[:1] + [str(v or "") for v in values[1:]], widths))
        row += 1
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(row - 1, 0), len(columns) - 1)
    book.a4_landscape(sheet, 0)


def render(job: ExportJob) -> list[Output]:
    return [Output(filename(job.model), workbook_bytes(job.model, job.date, job.warnings))]
