"""Fill the wording templates (Jinja2) from the report model: the report as a Document of paragraphs.

Templates hold the words, this module decides the structure (which parts appear, how they are
numbered) and the docx writer the layout. User text is passed to the templates as data only; it is
never compiled as template code.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from kjplan.errors import ConfigError, KjplanError
from kjplan.figures import NONE, metric_view
from kjplan.numerals import cn_number, cn_ordinal
from kjplan.render.document import Attachment, Document, Imprint, Masthead, Paragraph, Table, signing
from kjplan.render.templating import LimitedEnvironment, checked_output, load_error, runtime_error
from kjplan.render.titles import text_width
from kjplan.report_model import ItemReport, ReportModel
from kjplan.settings import ReportSettings, Settings

TEMPLATE = "report.j2"
# Every macro the report calls. A workspace template edited before a macro existed is refused with
# the names of the missing ones (a report must not come out half in the old wording).
MACROS = (
    "title", "overview", "plan_targets", "progress_heading", "problems_heading", "next_heading", "record",
    "no_new_progress", "target_progress", "point", "closing", "attachment_title", "table_columns",
    "table_status", "table_figure",
)
# Characters of 小四 (12 pt) table text across the sideways attachment page (225 mm = 637.8 pt), less
# the cell margins of seven columns: the budget column widths are shared out of.
TABLE_CHARS = 47.0
# Rows of up to this many lines (estimated) are kept on one page; a sideways page holds about 22 of
# them under the table's header, and the estimate may be short by half.
KEEP_LINES = 12
CELL_MARGIN_CHARS = 1.1  # 108 twips on either side of a cell (0.9 of a 12 pt character) and a little air


def template_dirs(workspace_templates: Path | None) -> list[str]:
    """The workspace's templates first; the bundled defaults fill in any file an office deleted."""
    from kjplan.workspace import TEMPLATES, bundled_root

    dirs = [str(workspace_templates)] if workspace_templates is not None else []
    return dirs + [str(bundled_root() / TEMPLATES)]


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once (jinja2's bytecode cache), kept in kjplan's cache folder: compiling
    report.j2 costs a small report a sixth of its time. jinja2 recompiles a template whose text changed
    (it checks the source's checksum); kjplan.cache checks the file's own hash and the code that wrote
    it, so a damaged or foreign file is a miss, never an error."""

    def _entry(self, bucket: jinja2.bccache.Bucket):
        from kjplan import cache

        return cache.named_entry(f"templates/{bucket.key}.compiled")

    @staticmethod
    def _expect() -> dict[str, str]:
        from kjplan import cache

        return {"code": cache.code_fingerprint(), "jinja": jinja2.__version__}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        from kjplan import cache

        payload = cache.read(self._entry(bucket), self._expect())
        if payload is not None:
            try:
                bucket.bytecode_from_string(payload)
            except Exception:  # whatever a damaged file does: compile afresh
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        from kjplan import cache

        entry = self._entry(bucket)
        if entry is not None:
            cache.write(entry, self._expect(), bucket.bytecode_to_string())


class Wording:
    """The macros of templates/report.j2 as Python callables returning one paragraph each."""

    def __init__(self, templates: Path | None, name: str = TEMPLATE, required: tuple[str, ...] = ()):
        """`required`: the macros the caller will use, checked at once so that a template edited
        before one of them existed fails before anything is written, naming all that are missing."""
        env = LimitedEnvironment(
            loader=jinja2.FileSystemLoader(template_dirs(templates), encoding="utf-8"),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            bytecode_cache=CompiledTemplates(),
        )
        try:
            template = env.get_template(name)
            self.module = template.module
        except Exception as exc:  # any failure of the office's template is theirs to fix: exit 78
            raise load_error(exc, name) from None
        self.path = template.filename or name
        missing = [macro for macro in required if not callable(getattr(self.module, macro, None))]
        if missing:
            raise ConfigError(
                f"{self.path}: 模板缺少 macro {'、'.join(missing)}。这份模板可能是按旧版本修改的："
                f"请对照 kjplan 自带的默认模板（kjplan init 新建的工作区中的 templates/{name}）补上这些 macro，"
                f"或删除工作区中的这份模板以使用默认措辞"
            )

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


def as_of(model: ReportModel) -> str:
    """截至6月底 / 12月底: the period's last month."""
    return f"{model.end.month}月底"


# --- the body -----------------------------------------------------------------------------------
def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def by_unit(records: list) -> list:
    """Records grouped by unit (units in order of first report), each unit's records in date order."""
    groups: dict[str, list] = {}
    for record in records:
        groups.setdefault(record.unit, []).append(record)
    return [record for group in groups.values() for record in group]


def record_paragraphs(w: Wording, records: list, prefix: bool) -> list[Paragraph]:
    out = []
    previous_unit = None
    for record in by_unit(records):
        for line in paragraphs(record.text):
            unit = record.unit if prefix and record.unit != previous_unit else ""
            previous_unit = record.unit
            out.append(Paragraph("body", w("record", unit, line)))
    return out


def progress_section(w: Wording, model: ReportModel, prefix: bool) -> list[Paragraph]:
    out = []
    for report in model.items:
        out.append(Paragraph("h2", f"（{cn_number(report.item.number)}）{report.item.title}"))
        out += record_paragraphs(w, report.records, prefix)
        if not report.records:
            out.append(Paragraph("body", w("no_new_progress", model.this_period)))
        for m in report.metrics:
            out.append(Paragraph("body", w("target_progress", metric_view(m), as_of(model))))
    return out


_CLOSING_MARKS = "。；;，,、.：:！!？? \u3000"


def latest_said(records: list, field_name: str) -> list:
    """Each unit's latest record that fills `field_name` (存在问题, 下步打算) among its records of the
    last quarter it reported in: what the unit says now. In a cumulative report a problem or a plan of
    an earlier quarter is not repeated: the unit has reported since, and what it wrote then is what
    stands (a problem it no longer names is over, and July does not promise what was planned for April)."""
    last_quarter: dict[str, str] = {}
    for record in records:
        last_quarter[record.unit] = max(last_quarter.get(record.unit, record.quarter), record.quarter)
    latest: dict[str, object] = {}
    for record in records:  # in date order
        if record.quarter == last_quarter[record.unit] and getattr(record, field_name).strip():
            latest[record.unit] = record
    return [r for r in by_unit(records) if latest.get(r.unit) is r]


def points_of(model: ReportModel, field_name: str) -> list[tuple[str, int]]:
    """(text, item number) of each unit's latest `field_name` in the period, by item; closing
    punctuation dropped (the template ends each point)."""
    out = []
    for report in model.items:
        said = set()  # two units writing the same words about one item make one point
        for record in latest_said(report.records, field_name):
            lines = [line.rstrip(_CLOSING_MARKS) for line in paragraphs(getattr(record, field_name))]
            text = "；".join(line for line in lines if line)
            if text and text not in said:
                said.add(text)
                out.append((text, report.item.number))
    return out


def points_section(w: Wording, found: list[tuple[str, int]]) -> list[Paragraph]:
    return [
        Paragraph("body", w("point", cn_ordinal(n), text, item, n == len(found)))
        for n, (text, item) in enumerate(found, start=1)
    ]


@dataclass
class Composed:
    document: Document
    warnings: list[str] = field(default_factory=list)


def body(w: Wording, model: ReportModel, settings: Settings) -> tuple[list[Paragraph], list[str]]:
    """导语, then the sections that have something to say, numbered 一、二、… as they come, then 特此报告。"""
    groups = {status: [r.item for r in model.with_status(status)] for status in ("已完成", "序时推进", "滞后", "未启动")}
    quiet = [r.item for r in model.items if r.missing]
    out = [Paragraph("body", w(
        "overview", model.plan.title, model.quarter.year, model.period_name, len(model.items),
        groups["已完成"], groups["序时推进"], groups["滞后"], groups["未启动"], quiet, model.this_period,
    ))]
    if model.targets:  # the plan's own targets (主要预期目标), right after the 导语
        out.append(Paragraph("body", w("plan_targets", [metric_view(m) for m in model.targets], as_of(model))))
    warnings = []
    sections: list[tuple[str, list[Paragraph]]] = []
    if model.record_count or any(r.metrics for r in model.items):
        sections.append((w("progress_heading"), progress_section(w, model, settings.report.unit_prefix)))
    else:
        warnings.append(f"{model.period_name}没有任何进展记录，报告略去“{w('progress_heading')}”一节")
    for heading, field_name, label in (("problems_heading", "problems", "存在问题"), ("next_heading", "next", "下步打算")):
        found = points_of(model, field_name)
        if found:
            sections.append((w(heading), points_section(w, found)))
        else:
            warnings.append(f"{model.period_name}的进展记录都没有填写“{label}”，报告略去“{w(heading)}”一节，其后各节依次提前编号")
    for number, (heading, paragraphs_) in enumerate(sections, start=1):
        out.append(Paragraph("h1", f"{cn_number(number)}、{heading}"))
        out += paragraphs_
    out.append(Paragraph("body", w("closing")))
    return out, warnings


# --- the attachment -----------------------------------------------------------------------------
def cell_text(w: Wording, records: list, field_name: str, prefix: bool) -> str:
    """The records' `field_name` in full, a paragraph each; units named when several reported."""
    lines = []
    previous_unit = None
    for record in by_unit(records):
        for line in paragraphs(getattr(record, field_name)):
            unit = record.unit if prefix and record.unit != previous_unit else ""
            previous_unit = record.unit
            lines.append(w("record", unit, line))
    return "\n".join(lines) or NONE


def progress_cell(w: Wording, report: ItemReport) -> str:
    return "\n".join([w("table_status", report.status or "")] + [w("table_figure", metric_view(m)) for m in report.metrics])


def attachment_table(w: Wording, model: ReportModel, prefix: bool) -> Table:
    header = w("table_columns").split("|")
    if len(header) != 7:
        raise ConfigError(f"{w.path}: table_columns 应写 7 个列名（用 | 分隔），实际为 {len(header)} 个")
    rows = []
    for report in model.items:
        several = prefix or len(report.units) > 1
        rows.append([
            str(report.item.number), report.item.title, "、".join(report.responsible) or NONE,
            cell_text(w, report.records, "text", several) if report.records else NONE,
            cell_text(w, latest_said(report.records, "problems"), "problems", several),
            cell_text(w, latest_said(report.records, "next"), "next", several),
            progress_cell(w, report),
        ])
    widths, heights = column_widths(header, rows)
    # A row that may not fit on one page must be allowed to break across pages: a row kept whole that is
    # taller than the page loses its last lines (LibreOffice and Word cut it off).
    return Table(header=header, rows=rows, widths=widths, may_split=[h > KEEP_LINES for h in heights])


def _longest_line(texts: list[str]) -> float:
    return max(text_width(line) for text in texts for line in text.split("\n"))


def _rough_width(text: str) -> float:
    """text_width without the spacing between Chinese and Latin: fast enough for 20,000 records."""
    return len(text) - 0.5 * len(text.encode("ascii", "ignore"))


def _lines(widths: list[float], column: float) -> float:
    """About how many lines a cell of paragraphs this wide takes in a column of `column` characters."""
    room = column - 0.5  # a line seldom comes out full: words and numbers move down whole
    if len(widths) > 20:  # many paragraphs: summed up, for speed
        return sum(widths) / room + len(widths) / 2
    return sum(max(1, math.ceil(w / room - 1e-9)) for w in widths)


def column_widths(header: list[str], rows: list[list[str]]) -> tuple[list[float], list[float]]:
    """Widths in 12 pt characters (cell margins included) that follow the content, and each row's
    height in lines at those widths. 序号 and 进度 are as narrow as their longest line allows; the rest
    is shared out so that the table is as short as it can be (a row is as tall as its fullest cell)."""
    columns = list(zip(*rows)) if rows else [()] * len(header)
    floor = [text_width(name) for name in header]  # a heading never wraps
    narrow = {0: max(floor[0], _longest_line(list(columns[0]) or [""])),
              6: max(floor[6], min(_longest_line(list(columns[6]) or [""]), 8.0))}
    budget = TABLE_CHARS - narrow[0] - narrow[6]
    cells = [[[_rough_width(p) for p in cell.split("\n")] for cell in columns[i]] for i in range(len(header))]

    known: dict[tuple[int, float], list[float]] = {}  # (column, width) -> each row's lines: computed once

    def lines(i: int, w: float) -> list[float]:
        if (i, w) not in known:
            known[i, w] = [_lines(cell, w) for cell in cells[i]]
        return known[i, w]

    def heights(widths: dict[int, float]) -> list[float]:
        return [max(column) for column in zip(*(lines(i, w) for i, w in widths.items()))] if rows else []

    # Start every shared column at its floor and hand out the rest half a character at a time to the
    # column that shortens the table most.
    chosen = {1: max(floor[1], 5.0), 2: max(floor[2], 4.0), 3: max(floor[3], 5.0), 4: max(floor[4], 5.0),
              5: max(floor[5], 5.0)}
    caps = {1: 8.0, 2: 6.0, 3: budget, 4: budget, 5: budget}
    step = 0.5
    while sum(chosen.values()) + step <= budget + 1e-9:
        current = sum(heights(chosen))
        gains = [(current - sum(heights({**chosen, i: chosen[i] + step})), -i, i)
                 for i in chosen if chosen[i] + step <= caps[i]]
        if not gains:
            break
        chosen[max(gains)[2]] += step
    widths = [narrow[0], chosen[1], chosen[2], chosen[3], chosen[4], chosen[5], narrow[6]]
    return [round(width + CELL_MARGIN_CHARS, 2) for width in widths], heights(chosen)


# --- the whole report ---------------------------------------------------------------------------
def masthead(report: ReportSettings) -> Masthead | None:
    """版头 from the settings; a 版头 needs its 发文字号."""
    header = report.header
    if header is None:
        return None
    if not header.number:
        raise ConfigError("设置了版头（report.header）但没有发文字号：请在 kjplan.yaml 的 report.header.number 填写，"
                          "或用 kjplan report --number 渭科党发〔2020〕12号 指定")
    return Masthead(mark=header.mark, number=header.number, signer=header.signer)


def undecided_error(model: ReportModel) -> KjplanError | None:
    """Items with records but nothing to judge their progress by: the report does not guess."""
    stuck = [r for r in model.items if r.undecided]
    if not stuck:
        return None
    named = "、".join(f"第 {r.item.number} 项（{'、'.join(rec.id[:8] for rec in r.records)}）" for r in stuck)
    example = stuck[0].records[-1].id[:8]
    return KjplanError(
        f"{model.period_name}以下事项的进展记录既没有写明状态，也没有可据以判断的指标数值，报告无法判断其进度：{named}。"
        f"请用 kjplan amend 编号 --status 补写状态，如 kjplan amend {example} --status 序时推进"
        f"（或 已完成 / 滞后 / 未启动）；kjplan check 列出这些记录所在的行"
    )


def compose(model: ReportModel, settings: Settings, templates: Path | None, date: dt.date) -> Composed:
    """The whole report, in the order GB/T 9704 lays it out, and what the office should know about it."""
    error = undecided_error(model)
    if error is not None:
        raise error
    w = Wording(templates, required=MACROS)
    plan, year, period = model.plan, model.quarter.year, model.period_name
    report = settings.report
    paragraphs_, warnings = body(w, model, settings)
    attachment = Attachment(title=w("attachment_title", year, period),
                            table=attachment_table(w, model, report.unit_prefix), landscape=True)
    imprint = Imprint(cc=report.cc, printer=report.printer, date=date) if report.printer else None
    document = Document(
        title=w("title", plan.issuer, year, period),
        recipients=report.recipients,
        body=paragraphs_,
        date=date,
        attachments=[attachment],
        imprint=imprint,
        fonts=settings.fonts,
        masthead=masthead(report),
        **signing(report, plan.issuer),
    )
    return Composed(document, warnings)


def build_document(model: ReportModel, settings: Settings, templates: Path | None, date: dt.date) -> Document:
    return compose(model, settings, templates, date).document
