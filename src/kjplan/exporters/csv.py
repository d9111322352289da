"""records-2020Q2.csv: the ledger of progress records, for Excel and other tables.

One row per current record (after corrections) of the plan's year up to the period's end, in date
order, whatever --cumulative says (the file name has no -cumulative). UTF-8 with a BOM, so that Excel
opens the Chinese correctly by double-click; CRLF line ends; fields with line breaks are quoted.
Columns as the 台账's 进度记录 sheet: 状态 is what the record states, 事项状态 / 状态来源 its item's status in
the record's quarter, as that quarter's report shows it (the same in every export of the year).
"""

from __future__ import annotations

import csv
import io

from kjplan.exporters import ExportJob, Output
from kjplan.cells import csv_cell
from kjplan.numerals import format_number
from kjplan.report_model import ReportModel, quarter_items

LABEL = "进度记录（CSV）"
# The columns of the 台账's record sheet (kjplan.exporters.xlsx), so that either imports back with
# `add-progress --from`: one numeric column per target, headed with its name and unit.


def filename(model: ReportModel) -> str:
    return f"records-{model.quarter.code}.csv"


def header(model: ReportModel) -> list[str]:
    from kjplan.exporters.xlsx import RECORD_COLUMNS, RECORD_TAIL, record_targets, target_header

    targets = [target_header(t) for t in record_targets(model.plan)]
    return [h for h, _ in RECORD_COLUMNS] + targets + [h for h, _ in RECORD_TAIL]


def rows(job: ExportJob) -> list[list[str]]:
    from kjplan.exporters.xlsx import record_row, record_targets

    model = job.model
    targets = record_targets(model.plan)
    items = quarter_items(model, job.records)
    out = []
    for r in job.records:
        values = record_row(r, model.plan, targets, items.get((r.quarter, r.item)))
        out.append(["" if v is None else v.isoformat() if hasattr(v, "isoformat") else format_number(v)
                    if isinstance(v, float) else str(v) for v in values])
    return out


def render(job: ExportJob) -> list[Output]:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header(job.model))
    # A text starting with = + - @ gets an apostrophe: Excel and WPS would run it as a formula.
    writer.writerows([csv_cell(value) for value in row] for row in rows(job))
    return [Output(filename(job.model), buffer.getvalue().encode("utf-8-sig"))]
