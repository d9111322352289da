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

The bytes are deterministic: the workbook's dates are the report date, the zip has fixed timestamps.
"""

from __future__ import annotations

import datetime as dt
from copy import copy
from typing import Any

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


def workbook_bytes(model: ReportModel, date: dt.date, warnings: list[str] | None = None) -> bytes:
    """The workbook; a text too long for one Excel cell is shortened there and named in `warnings`."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from kjplan import sheetstyle as ss
    from kjplan.cells import EXCEL_CELL_LIMIT

    S = ss.styles()
    plan = model.plan
    wb = Workbook()
    ss.set_default_font(wb)
    sheet = wb.active
    sheet.title = "台账"
    widths = [w for _, w in LEDGER_COLUMNS]
    ncols = len(LEDGER_COLUMNS)
    last = get_column_letter(ncols)
    period = f"{model.quarter.year}年{model.period_name}"

    ss.put(sheet.cell(1, 1), f"{plan.title}落实情况台账（{period}）").font = S.title
    sheet.cell(1, 1).alignment = S.centre
    sheet.merge_cells(f"A1:{last}1")
    sheet.row_dimensions[1].height = 30
    span = f"{cn_date(model.start)}至{cn_date(model.end)}"
    ss.put(sheet.cell(2, 1), f"统计期间：{span}　　制表日期：{cn_date(date)}").font = S.subtitle
    sheet.cell(2, 1).alignment = S.right
    sheet.merge_cells(f"A2:{last}2")
    sheet.row_dimensions[2].height = 20
    for col, (header, _) in enumerate(LEDGER_COLUMNS, start=1):
        cell = ss.put(sheet.cell(3, col), header)
        cell.font, cell.alignment, cell.border, cell.fill = S.header, S.centre, S.border, S.header_fill
    sheet.row_dimensions[3].height = ss.row_height([h for h, _ in LEDGER_COLUMNS], widths)

    def cut(where: str):
        def note(cell, length):
            if warnings is not None:
                warnings.append(f"工作台账{where}的“{sheet_header(cell)}”有 {length} 字，超出 Excel 单元格 "
                                f"{EXCEL_CELL_LIMIT} 字的上限，台账中只保留了前一部分；全文见报告、JSON 和 CSV 文件")
        return note

    def sheet_header(cell) -> str:
        columns = LEDGER_COLUMNS if cell.parent is sheet else records_columns
        return columns[cell.column - 1][0] if cell.column <= len(columns) else cell.coordinate

    records_columns = RECORD_COLUMNS + [(target_header(t), 12) for t in record_targets(plan)] + RECORD_TAIL
    row = 4
    for rep in model.items:
        rows = ledger_rows(rep)
        for values in rows:
            for col, value in enumerate(values, start=1):
                cell = ss.put(sheet.cell(row, col), value, cut(f"第 {rep.item.number} 项"))
                cell.font, cell.border = S.body, S.border
                cell.alignment = S.top_centre if col in (1, 5, 6, 8) else S.top
                if col in (9, 10) and value is not None:
                    cell.number_format = number_format(value)
                    cell.alignment = S.top_right
                if col in (11, 12) and value is not None:
                    cell.number_format = "0%"
                    cell.alignment = S.top_right
            sheet.row_dimensions[row].height = ss.row_height(values, widths)
            row += 1
        if len(rows) > 1:  # an item with several targets: its own cells span the rows
            for col in [*range(1, 7), *range(13, ncols + 1)]:
                sheet.merge_cells(start_row=row - len(rows), end_row=row - 1, start_column=col, end_column=col)
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = "C4"
    sheet.auto_filter.ref = f"A3:{last}{row - 1}"
    ss.a4_landscape(sheet, title_rows="3:3")
    sheet.print_area = f"A1:{last}{row - 1}"

    _records_sheet(wb.create_sheet("进度记录"), model, period, cut)

    props = wb.properties
    props.creator = plan.issuer
    props.title = f"{plan.title}落实情况台账（{period}）"
    return ss.workbook_bytes(wb, dt.datetime.combine(date, dt.time(0, 0)))


def record_targets(plan: Plan) -> list[Target]:
    """One column per target a record may report: the plan-wide ones (主要预期目标) first, then the items'."""
    return [t for _, t in plan.all_targets()]


def _records_sheet(sheet, model: ReportModel, period: str, cut=None) -> None:
    from openpyxl.utils import get_column_letter

    from kjplan import sheetstyle as ss

    S = ss.styles()
    plan = model.plan
    targets = record_targets(plan)
    columns = RECORD_COLUMNS + [(target_header(t), 12) for t in targets] + RECORD_TAIL
    widths = [w for _, w in columns]
    for col, (header, width) in enumerate(columns, start=1):
        cell = ss.put(sheet.cell(1, col), header)
        cell.font, cell.alignment, cell.border, cell.fill = S.header, S.centre, S.border, S.header_fill
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.row_dimensions[1].height = ss.row_height([h for h, _ in columns], widths)
    first_figure = len(RECORD_COLUMNS) + 1
    row = 2
    records = period_records(model)
    items = quarter_items(model, records)  # a cumulative sheet holds every quarter of the year to date
    # Setting a cell's font, border and alignment makes openpyxl look each up among the workbook's
    # styles (a fifth of a millisecond a cell: a minute for 20,000 records); a cell styled the same way
    # as one before gets that cell's style indexes, which is what the lookups would give.
    made: dict[tuple, Any] = {}
    for r in records:
        values = record_row(r, plan, targets, items.get((r.quarter, r.item)))
        for col, value in enumerate(values, start=1):
            cell = ss.put(sheet.cell(row, col), value, cut and cut(f"“进度记录”表中记录 {r.id[:8]}（第 {r.item} 项）"))
            if col == 5:
                fmt = "yyyy-mm-dd"
            elif first_figure <= col < first_figure + len(targets) and value is not None:
                fmt = number_format(value)
            else:
                fmt = None
            key = (None if cell._style is None else tuple(cell._style), fmt)
            style = made.get(key)
            if style is not None:
                cell._style = copy(style)
                continue
            cell.font, cell.border, cell.alignment = S.body, S.border, S.top
            if fmt is not None:
                cell.number_format = fmt
            made[key] = copy(cell._style)
        sheet.row_dimensions[row].height = ss.row_height(values[:1] + [str(v or "") for v in values[1:]], widths)
        row += 1
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(row - 1, 1)}"
    ss.a4_landscape(sheet, title_rows="1:1")


def render(job: ExportJob) -> list[Output]:
    return [Output(filename(job.model), workbook_bytes(job.model, job.date, job.warnings))]
