"""report-2020Q2.json: the report model for other programs: per item its status, metrics and records.

Layout (version 2):
  {"format": "kjplan-report", "version": 2, "plan": {year, title, issuer},
   "quarter": "2020Q2", "period": "第二季度", "cumulative": false, "start", "end", "expected": 0.5,
   "counts": {"已完成": n, "序时推进": n, "滞后": n, "未启动": n, "未报送": n}, "missing": [未报送的事项序号],
   "targets": [plan-wide targets (主要预期目标), each as a metric below],
   "items": [{number, title, lead, status, status_source, status_derived, stated, behind, missing, units,
              metrics: [{id, name, unit, kind, target, achieved, completion, expected, ahead_points, gap,
                         status, behind}],
              records: [{id, quarter, date, unit, by, text, status, metrics, problems, next, amended}]}]}
An item's status is the one the report shows: 已完成 / 序时推进 / 滞后 / 未启动, or 未报送 when it has no
record in the period; status_source says where it came from (填报: a unit stated it; 按指标推算: its
targets decided), stated maps each unit to its latest stated status. A record's own status is what its
unit wrote (null: figures only). Numbers are in the target's unit; completion and expected are shares
(0.5 = 50%); null: not reported. Version 1 had counts 无报送 / 未标明 and no status_source.
The report date is not part of it: the file changes only when the plan or the records do.
"""

from __future__ import annotations

import json

from kjplan.exporters import ExportJob, Output, suffix
from kjplan.records import Record
from kjplan.report_model import ItemReport, ReportModel

LABEL = "报告数据（JSON）"
FORMAT_VERSION = 2


def filename(model: ReportModel) -> str:
    return f"report-{model.quarter.code}{suffix(model.cumulative)}.json"


RECORD_KEYS = ("id", "quarter", "date", "unit", "by", "text", "status", "metrics", "problems", "next", "amended")


def record_dict(r: Record) -> dict:
    full = r.as_dict()
    return {key: full[key] for key in RECORD_KEYS}


def item_dict(rep: ItemReport) -> dict:
    return {
        "number": rep.item.number, "title": rep.item.title, "lead": rep.item.lead,
        "status": rep.status_word, "status_source": rep.source, "status_derived": rep.status_derived,
        "stated": rep.stated, "behind": rep.behind, "missing": rep.missing, "units": rep.units,
        "metrics": [m.as_dict() for m in rep.metrics],
        "records": [record_dict(r) for r in rep.records],
    }


def model_dict(model: ReportModel) -> dict:
    plan = model.plan
    return {
        "format": "kjplan-report", "version": FORMAT_VERSION,
        "plan": {"year": plan.year, "title": plan.title, "issuer": plan.issuer},
        "quarter": model.quarter.code, "period": model.period_name, "cumulative": model.cumulative,
        "start": model.start.isoformat(), "end": model.end.isoformat(),
        "expected": model.quarter.elapsed_share,
        "counts": model.counts, "missing": model.missing,
        "targets": [m.as_dict() for m in model.targets],
        "items": [item_dict(rep) for rep in model.items],
    }


def render(job: ExportJob) -> list[Output]:
    text = json.dumps(model_dict(job.model), ensure_ascii=False, indent=2) + "\n"
    return [Output(filename(job.model), text.encode("utf-8"))]
