"""The plan itself as a document for people: `kjplan plan --format docx`.

The plan file laid out like the 工作要点 it came from (GB/T 9704, through the report's own docx
writer): title, 主送, the covering notice, the preamble, the parts and the items with their numbers,
signed with the issuer and the date. An attachment lists the targets with the sentence each comes
from, marking those still to review, so that the office can check an import against its source by eye.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kjplan.numerals import cn_number, format_quantity
from kjplan.plan import Plan
from kjplan.render.document import Attachment, Document, Paragraph, Table
from kjplan.settings import FontSettings

KIND_NAMES = {"cumulative": "全年累计", "level": "水平"}


def item_label(item) -> str:
    return item.label or f"{item.number}."


def targets_table(plan: Plan) -> Table:
    rows = []
    for item, target in plan.all_targets():
        where = "全局" if item is None else f"第{item.number}项"
        rows.append([where, target.name, format_quantity(target.value, target.unit), KIND_NAMES[target.kind],
                     target.source or "—", "待核对" if target.review else "已核对"])
    # In characters (+ cell margins) at the table font, as the report's table: 第16项, 全年累计 and 待核对
    # keep to one line; the source sentence takes what is left.
    return Table(header=["事项", "指标", "目标", "类型", "原文", "核对"], rows=rows, widths=[4.8, 8, 5.3, 5.3, 9.2, 4.3])


def plan_document(plan: Plan, fonts: FontSettings = FontSettings()) -> Document:
    body: list[Paragraph] = []
    if plan.notice:
        body.append(Paragraph("body", plan.notice))
    if plan.preamble:
        body.append(Paragraph("body", plan.preamble))
    part = None
    for item in plan.items:
        if item.part is not None and item.part != part:
            part = item.part
            heading = plan.part(part)
            body.append(Paragraph("h1", f"{cn_number(heading.number)}、{heading.title}"))
        body.append(Paragraph("body", f"{item_label(item)}{item.text}"))
    attachments = []
    if plan.targets or any(item.targets for item in plan.items):
        attachments.append(Attachment(title=f"{plan.year}年工作要点量化指标一览表",
                                      table=targets_table(plan)))
    return Document(title=plan.title, recipients="，".join(plan.recipients), body=body, signature=plan.issuer,
                    date=plan.date, attachments=attachments, fonts=fonts)


def default_plan_docx(reports_dir: Path, plan: Plan) -> Path:
    return reports_dir / f"plan-{plan.year}.docx"


def write_plan_docx(plan: Plan, out: Path, fonts: FontSettings = FontSettings()) -> tuple[Path, list[str]]:
    """Render the plan to `out` (replaced whole, or left untouched when unchanged); the warnings of the
    docx writer (fonts, characters) are returned for the command to show."""
    from kjplan.errors import KjplanError
    from kjplan.fsutil import atomic_write
    from kjplan.render.docx import render_docx

    out = Path(out)
    if out.suffix.lower() != ".docx":
        raise KjplanError(f"输出文件应以 .docx 结尾：{out}")
    stamp = dt.datetime.combine(plan.date, dt.time(0, 0), tzinfo=dt.timezone.utc)
    data, warnings = render_docx(plan_document(plan, fonts), timestamp=stamp)
    atomic_write(out, data)
    return out, warnings
