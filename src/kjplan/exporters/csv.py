"""records-2020Q2.csv: the ledger of progress records, for Excel and other tables.

One row per current record (after corrections) of the plan's year up to the period's end, in date
order, whatever --cumulative says (the file name has no -cumulative). UTF-8 with a BOM, so that Excel
opens the Chinese correctly by double-click; CRLF line ends; fields with line breaks are quoted.
"""

from __future__ import annotations

import csv
import io

from kjplan.exporters import ExportJob, Output
from kjplan.numerals import format_quantity
from kjplan.records import Record
from kjplan.report_model import ReportModel

LABEL = "进度记录（CSV）"
HEADER = ["记录编号", "事项序号", "重点任务", "季度", "日期", "报送单位", "状态", "进展情况",
          "量化指标", "存在问题", "下步打算", "登记人", "已更正"]


def filename(model: ReportModel) -> str:
    return f"records-{model.quarter.code}.csv"


def metrics_text(record: Record, model: ReportModel) -> str:
    item = model.plan.item(record.item)
    parts = []
    for key, value in record.metrics.items():
        target = item.target(key) if item is not None else None
        parts.append(f"{target.name}：{format_quantity(value, target.unit)}" if target else f"{key}：{value:g}")
    return "；".join(parts)


def rows(job: ExportJob) -> list[list[str]]:
    model = job.model
    titles = {item.number: item.title for item in model.plan.items}
    out = []
    for r in job.records:
        out.append([
            r.id, str(r.item), titles.get(r.item, ""), r.quarter, r.date.isoformat(), r.unit, r.status or "",
            r.text, metrics_text(r, model), r.problems, r.next, r.by, "是" if r.amended else "",
        ])
    return out


def render(job: ExportJob) -> list[Output]:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows(job))
    return [Output(filename(job.model), buffer.getvalue().encode("utf-8-sig"))]
