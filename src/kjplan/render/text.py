"""Fill the wording templates (Jinja2) from the report model: the report as a Document of paragraphs.

Templates hold the words, this module decides the structure and the docx writer the layout. User text
is passed to the templates as data only; it is never compiled as template code.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2

from kjplan.errors import ConfigError
from kjplan.numerals import cn_number, format_number, format_quantity
from kjplan.render.document import Attachment, Document, Imprint, Masthead, Paragraph, Table
from kjplan.render.templating import LimitedEnvironment, checked_output, load_error, runtime_error
from kjplan.report_model import ItemReport, MetricProgress, ReportModel
from kjplan.settings import ReportSettings, Settings

TEMPLATE = "report.j2"
SUMMARY_LIMIT = 40  # characters of the latest progress in the attachment table


def template_dirs(workspace_templates: Path | None) -> list[str]:
    """The workspace's templates first; the bundled defaults fill in any file an office deleted."""
    from kjplan.workspace import TEMPLATES, bundled_root

    dirs = [str(workspace_templates)] if workspace_templates is not None else []
    return dirs + [str(bundled_root() / TEMPLATES)]


class Wording:
    """The macros of templates/report.j2 as Python callables returning one paragraph each."""

    def __init__(self, templates: Path | None, name: str = TEMPLATE):
        env = LimitedEnvironment(
            loader=jinja2.FileSystemLoader(template_dirs(templates), encoding="utf-8"),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        try:
            template = env.get_template(name)
            self.module = template.module
        except Exception as exc:  # any failure of the office's template is theirs to fix: exit 78
            raise load_error(exc, name) from None
        self.path = template.filename or name

    def __call__(self, name: str, *args) -> str:
        macro = getattr(self.module, name, None)
        if macro is None:
            raise ConfigError(f"{self.path}: 模板缺少 {name}（请勿删除或改名模板中的 macro）")
        try:
            out = checked_output(str(macro(*args)), self.path, name)
        except ConfigError:
            raise
        except Exception as exc:  # 1/0, an undefined name, a macro calling itself: the template's line
            raise runtime_error(exc, self.path, name) from None
        # Line breaks in a template are for its readability; paragraphs are decided here.
        return "".join(line.strip() for line in out.splitlines())


def percent(value: float | None) -> str:
    return "—" if value is None else f"{format_number(value * 100, 1)}%"


def metric_view(m: MetricProgress) -> dict:
    unit = m.target.unit
    return {
        "name": m.target.name,
        "target": format_quantity(m.target.value, unit),
        "achieved": None if m.achieved is None else format_quantity(m.achieved, unit),
        "rate": percent(m.completion),
        "expected": percent(m.expected),
        "level": m.target.kind == "level",
        "behind": m.behind,
        "done": m.status == "已完成",
    }


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def progress_section(w: Wording, items: list[ItemReport], period: str, no_progress: str) -> list[Paragraph]:
    out = [Paragraph("h1", w("section_progress"))]
    for report in items:
        out.append(Paragraph("h2", f"（{cn_number(report.item.number)}）{report.item.title}"))
        for record in report.records:
            for i, line in enumerate(paragraphs(record.text)):
                out.append(Paragraph("body", w("record", record.unit if i == 0 else "", line)))
        if not report.records:
            out.append(Paragraph("body", no_progress))
        for m in report.metrics:
            out.append(Paragraph("body", w("metric", metric_view(m), period)))
    return out


def by_item_section(w: Wording, heading: str, items: list[ItemReport], field: str, empty: str) -> list[Paragraph]:
    out = [Paragraph("h1", heading)]
    listed = [(r, [rec for rec in r.records if getattr(rec, field).strip()]) for r in items]
    listed = [(r, recs) for r, recs in listed if recs]
    for n, (report, records) in enumerate(listed, start=1):
        out.append(Paragraph("h2", f"（{cn_number(n)}）{report.item.title}"))
        for record in records:
            for i, line in enumerate(paragraphs(getattr(record, field))):
                out.append(Paragraph("body", w("by_item", record.unit if i == 0 else "", line)))
    if not listed:
        out.append(Paragraph("body", empty))
    return out


def summary(text: str, limit: int = SUMMARY_LIMIT) -> str:
    flat = "".join(paragraphs(text))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def attachment_table(w: Wording, model: ReportModel) -> Table:
    header = w("table_header").split("|")
    no_record = w("table_no_record")
    rows = []
    for report in model.items:
        lead = report.item.lead or "、".join(report.units)
        latest = report.latest
        progress = "；".join(percent(m.completion) for m in report.metrics) or "—"
        rows.append([
            str(report.item.number), report.item.title, lead or "—",
            summary(latest.text) if latest else no_record,
            progress, report.status or ("—" if report.records else no_record),
        ])
    # In characters (+ cell margins) at the table font: 完成进度 and 序时推进 keep to one line.
    return Table(header=header, rows=rows, widths=[3.2, 7.6, 5.9, 9.6, 5.3, 5.3])


def masthead(report: ReportSettings) -> Masthead | None:
    """版头 from the settings; a 版头 needs its 发文字号."""
    header = report.header
    if header is None:
        return None
    if not header.number:
        raise ConfigError("设置了版头（report.header）但没有发文字号：请在 kjplan.yaml 的 report.header.number 填写，"
                          "或用 kjplan report --number 渭科党发〔2020〕12号 指定")
    return Masthead(mark=header.mark, number=header.number, signer=header.signer)


def build_document(model: ReportModel, settings: Settings, templates: Path | None, date: dt.date) -> Document:
    """The whole report, in the order GB/T 9704 lays it out."""
    w = Wording(templates)
    plan, year, period = model.plan, model.quarter.year, model.period_name
    issuer = settings.report.signature or plan.issuer
    body = [Paragraph("body", w("intro", plan.title, year, period, len(model.items), model.counts))]
    body += progress_section(w, model.items, period, w("no_progress", period))
    body += by_item_section(w, w("section_problems"), model.items, "problems", w("no_problems", period))
    body += by_item_section(w, w("section_next"), model.items, "next", w("no_next", period))
    attachment = Attachment(title=w("attachment_title", year, period), table=attachment_table(w, model),
                            landscape=True)
    report = settings.report
    imprint = Imprint(cc=report.cc, printer=report.printer, date=date) if report.printer else None
    return Document(
        title=w("title", plan.issuer, year, period),
        recipients=report.recipients,
        body=body,
        signature=issuer,
        date=date,
        attachments=[attachment],
        imprint=imprint,
        fonts=settings.fonts,
        seal=report.seal,
        masthead=masthead(report),
    )
