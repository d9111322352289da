"""ledger-2020Q2.xlsx: the 台账 offices keep, one row per item of the plan.

Columns 序号, 重点任务, 牵头单位, 状态, 指标完成情况, 最新进展, 存在问题; the header is bold and frozen
and repeats on every printed page; text wraps; landscape A4, fitted to the page width. The bytes are
deterministic: the workbook's created/modified dates are the report date and the zip is rewritten
with fixed timestamps and entry order (the .docx writer's normalisation).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from kjplan.exporters import ExportJob, Output, suffix
from kjplan.report_model import ItemReport, MetricProgress, ReportModel

LABEL = "工作台账（Excel）"
HEADER = ["序号", "重点任务", "牵头单位", "状态", "指标完成情况", "最新进展", "存在问题"]
WIDTHS = [6, 28, 16, 10, 30, 60, 36]  # in characters of the default font (a CJK character is about 2)
NO_RECORD = "本期未报送"


def filename(model: ReportModel) -> str:
    return f"ledger-{model.quarter.code}{suffix(model.cumulative)}.xlsx"


def metric_text(m: MetricProgress) -> str:
    from kjplan.numerals import format_quantity
    from kjplan.render.text import percent

    unit = m.target.unit
    achieved = "未报送" if m.achieved is None else format_quantity(m.achieved, unit)
    return (f"{m.target.name}：{achieved} / 目标 {format_quantity(m.target.value, unit)}，"
            f"完成 {percent(m.completion)}（序时进度 {percent(m.expected)}，{m.status}）")


def row(rep: ItemReport) -> list:
    lead = rep.item.lead or "、".join(rep.units) or "—"
    latest = rep.latest
    if latest is None:
        progress = NO_RECORD
    else:
        prefix = f"{latest.date.month}月{latest.date.day}日"
        progress = f"{prefix}{'（' + latest.unit + '）' if latest.unit else ''}：{latest.text.strip()}"
    problems = "\n".join(
        f"{r.unit + '：' if r.unit else ''}{r.problems.strip()}" for r in rep.records if r.problems.strip()
    )
    status = rep.status or ("—" if rep.records else NO_RECORD)
    if rep.status and rep.status_derived:
        status += "（按指标测算）"
    metrics = "\n".join(metric_text(m) for m in rep.metrics) or "—"
    return [rep.item.number, rep.item.title, lead, status, metrics, progress, problems or "—"]


def workbook_bytes(model: ReportModel, date: dt.date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    from kjplan.fsutil import normalise_zip

    wb = Workbook()
    sheet = wb.active
    sheet.title = f"{model.quarter.year}年{model.period_name}"
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    top_wrap = Alignment(wrap_text=True, vertical="top")
    centre = Alignment(wrap_text=True, vertical="center", horizontal="center")

    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = centre
        cell.border = border
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
    for rep in model.items:
        sheet.append(row(rep))
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = top_wrap
            cell.border = border
        cells[0].alignment = Alignment(vertical="top", horizontal="center")
        cells[3].alignment = Alignment(wrap_text=True, vertical="top", horizontal="center")
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(HEADER))}{sheet.max_row}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    stamp = dt.datetime.combine(date, dt.time(0, 0))
    props = wb.properties
    props.creator = model.plan.issuer
    props.title = f"{model.plan.title}落实情况台账（{model.quarter.year}年{model.period_name}）"
    props.lastModifiedBy = None
    props.created = stamp
    props.modified = stamp
    raw = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook would stamp `modified` with the current time.
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return normalise_zip(raw.getvalue(), stamp)


def render(job: ExportJob) -> list[Output]:
    return [Output(filename(job.model), workbook_bytes(job.model, job.date))]
