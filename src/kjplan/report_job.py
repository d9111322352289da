"""The report job as a Python API: plan + records -> report model -> .docx (and PDF) on disk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from kjplan.errors import KjplanError
from kjplan.periods import Quarter, parse_quarter
from kjplan.report_model import ReportModel, build_report
from kjplan.workspace import Workspace
from kjplan.years import plan_for


@dataclass
class ReportOutput:
    path: Path
    written: bool  # False: the file already held exactly these bytes and was left untouched
    warnings: list[str] = field(default_factory=list)
    pdf: Path | None = None


def load_records(ws: Workspace, year: int):
    """The resolved records of the plan's year. A damaged line stops the report: `kjplan check` names it."""
    from kjplan.ledger import load_records as load

    records, problems = load(ws, year)
    if problems:
        first = problems[0].message
        more = f"（另有 {len(problems) - 1} 处）" if len(problems) > 1 else ""
        raise KjplanError(f"进度记录有误，报告未生成：{first}{more}。请运行 kjplan check 查看，kjplan check --repair 修复")
    return records


def build_model(ws: Workspace, quarter: str | Quarter, *, cumulative: bool = False,
                today: dt.date | None = None, year: int | None = None) -> ReportModel:
    plan = plan_for(ws, quarter=quarter, year=year, today=today)
    if not isinstance(quarter, Quarter):
        quarter = parse_quarter(quarter, plan.year, today)
    return build_report(plan, load_records(ws, plan.year), quarter, cumulative=cumulative)


def default_report_path(ws: Workspace, quarter: Quarter, cumulative: bool, suffix: str = ".docx") -> Path:
    name = f"report-{quarter.code}{'-cumulative' if cumulative else ''}{suffix}"
    return ws.reports_dir / name


def render_docx(ws: Workspace, model: ReportModel, date: dt.date, *,
                number: str | None = None) -> tuple[bytes, list[str]]:
    """The report's .docx bytes, and what the office should know before sending it (Chinese);
    `number`: this report's 发文字号 (版头)."""
    from kjplan.render.docx import render_docx as draw
    from kjplan.render.text import compose
    from kjplan.settings import with_doc_number

    settings = ws.settings if number is None else with_doc_number(ws.settings, number)
    composed = compose(model, settings, ws.templates_dir, date)
    stamp = dt.datetime.combine(date, dt.time(0, 0), tzinfo=dt.timezone.utc)
    data, layout_warnings = draw(composed.document, timestamp=stamp)
    return data, composed.warnings + layout_warnings


def date_warnings(model: ReportModel, date: dt.date) -> list[str]:
    """A 成文日期 before the reported period has ended, or more than a quarter after it (a 2020
    report dated 2026: usually --date forgotten and today's date taken)."""
    from kjplan.numerals import cn_date

    end = model.end
    latest = model.quarter.next().end
    period = f"{model.quarter.year}年{model.period_name}"
    if date < end:
        return [f"成文日期 {cn_date(date)} 早于报告期（{period}）结束的 {cn_date(end)}；请用 --date 写明成文日期"]
    if date > latest:
        return [f"成文日期 {cn_date(date)} 距报告期（{period}）结束已超过一个季度；如非有意，请用 --date 写明成文日期"]
    return []


def write_report(ws: Workspace, quarter: str | Quarter, *, date: dt.date, cumulative: bool = False,
                 out: Path | None = None, today: dt.date | None = None, pdf: bool = False,
                 year: int | None = None, number: str | None = None) -> ReportOutput:
    """Render the report and replace `out` atomically; an earlier report survives any failure.
    `number`: the 发文字号 printed in the 版头 (overrides report.header.number)."""
    from kjplan.fsutil import atomic_write

    model = build_model(ws, quarter, cumulative=cumulative, today=today, year=year)
    data, warnings = render_docx(ws, model, date, number=number)
    if model.plan.review_warning():
        warnings = [model.plan.review_warning(), *warnings]
    warnings = date_warnings(model, date) + warnings
    path = Path(out) if out is not None else default_report_path(ws, model.quarter, cumulative)
    if path.suffix.lower() != ".docx":
        raise KjplanError(f"输出文件应以 .docx 结尾：{path}")
    if pdf:
        result = ReportOutput(path=path, written=False, warnings=warnings)
        result.written, result.pdf = _write_with_pdf(path, data, model)
    else:
        result = ReportOutput(path=path, written=atomic_write(path, data), warnings=warnings)
    if model.left_out_warning:
        result.warnings.append(model.left_out_warning)
    return result


def _write_with_pdf(path: Path, data: bytes, model: ReportModel) -> tuple[bool, Path]:
    """The .docx and its PDF, all or nothing: both are made in a staging folder beside them and moved
    into place together, as an export does, so that a failed conversion leaves the previous .docx and
    PDF exactly as they were. Returns whether the .docx changed, and the PDF's path."""
    from kjplan.exporters import Output
    from kjplan.export_job import ExportResult, publish, stage_file, staging
    from kjplan.render.pdf import convert_to_pdf

    out_dir = path.parent
    outcome = ExportResult(quarter=model.quarter, cumulative=model.cumulative, out_dir=out_dir)
    with staging(out_dir) as stage:
        docx = Output(path.name, data)
        staged_docx = stage_file(stage, docx)
        try:
            staged_pdf = convert_to_pdf(staged_docx, stage / "pdf")
        except KjplanError as exc:
            raise type(exc)(f"{exc.message.rstrip('。')}；{path.name} 也没有写入（报告和 PDF 一起更新，原有文件保持原样）。"
                            "只需要 Word 文件时去掉 --pdf", exit_code=exc.exit_code) from None
        publish(out_dir, [(docx, staged_docx), (Output(staged_pdf.name, staged_pdf.read_bytes()), staged_pdf)],
                outcome)
    return path in outcome.written, out_dir / staged_pdf.name
