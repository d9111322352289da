"""Who owes what: per responsible unit, the items it leads or supports and whether it reported.

Reads the plan's 分工 (kjplan.assign) and the report model of one quarter; the item's status is the
model's, never recomputed here. A lead owes a record on each item it leads; a partner owes one only
when partners are asked for (`--partners`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kjplan.assign import duties, units_of
from kjplan.errors import KjplanError
from kjplan.plan import Item
from kjplan.report_model import ItemReport, ReportModel

NOT_REPORTED = "未报送"


@dataclass(frozen=True)
class Duty:
    """One item of one unit, with what the unit recorded on it in the quarter."""

    item: Item
    role: str  # 牵头 / 配合
    records: int  # this unit's records on the item in the quarter
    report: ItemReport  # the item's report (its status is the model's)

    @property
    def reported(self) -> bool:
        return self.records > 0

    def owed(self, partners: bool) -> bool:
        return not self.reported and (self.role == "牵头" or partners)

    def as_dict(self) -> dict:
        return {"item": self.item.number, "title": self.item.title, "role": self.role, "records": self.records,
                "reported": self.reported, "status": self.report.status}


@dataclass(frozen=True)
class UnitDuties:
    unit: str
    duties: list[Duty]

    def owed(self, partners: bool = False) -> list[Duty]:
        return [d for d in self.duties if d.owed(partners)]


@dataclass(frozen=True)
class ByUnit:
    model: ReportModel
    units: list[UnitDuties]
    unassigned: list[Item]  # items nobody leads

    def owing(self, partners: bool = False) -> list[UnitDuties]:
        """The units that owe something, each with only what it owes."""
        out = []
        for u in self.units:
            owed = u.owed(partners)
            if owed:
                out.append(UnitDuties(u.unit, owed))
        return out

    def as_dict(self, *, missing: bool = False, partners: bool = False) -> dict:
        units = self.owing(partners) if missing else self.units
        return {
            "quarter": self.model.quarter.code,
            "partners": partners,
            "units": [{"unit": u.unit, "items": [d.as_dict() for d in u.duties],
                       "owed": [d.item.number for d in u.owed(partners)]} for u in units],
            "unassigned": [i.number for i in self.unassigned],
        }


def by_unit(model: ReportModel, known_units: list[str] = ()) -> ByUnit:
    """The quarter's duties per unit, units in the order of units: (then as they appear in the plan)."""
    if model.cumulative:
        raise ValueError("by_unit reads one quarter, not a cumulative period")
    plan = model.plan
    all_duties = duties(plan)
    if not all_duties:
        raise KjplanError("尚未设定分工：计划中没有任何事项的牵头或配合单位。请先用 kjplan assign 序号 --lead 单位 设定"
                          "（或 kjplan assign --from 分工表.xlsx）；不分单位查看缺报事项可用 kjplan status --missing")
    reports = {r.item.number: r for r in model.items}
    grouped: dict[str, list[Duty]] = {u: [] for u in units_of(plan, known_units)}
    for d in all_duties:
        rep = reports[d.item]
        count = sum(1 for r in rep.records if r.unit == d.unit)
        grouped[d.unit].append(Duty(plan.item(d.item), d.role, count, rep))
    unassigned = [i for i in plan.items if not i.lead]
    return ByUnit(model, [UnitDuties(u, ds) for u, ds in grouped.items()], unassigned)


# ----------------------------------------------------------------------------------------- reminders

def _wording(ws):
    from kjplan.render.text import Wording

    return Wording(ws.templates_dir, "remind.j2")


def reminder_texts(ws, table: ByUnit, *, deadline: dt.date | None, partners: bool = False) -> list[tuple[str, str]]:
    """[(unit, message)] for every unit that owes a record: short Chinese text to paste into a message."""
    from kjplan.numerals import cn_date

    w = _wording(ws)
    model = table.model
    out = []
    for u in table.owing(partners):
        items = [_item_view(d) for d in u.duties]
        out.append((u.unit, w("message", u.unit, model.plan.title, model.quarter.year, model.period_name, items,
                              cn_date(deadline) if deadline else "")))
    return out


def _item_view(d: Duty) -> dict:
    return {"number": d.item.number, "title": d.item.title, "role": d.role}


def reminder_document(ws, table: ByUnit, *, deadline: dt.date | None, date: dt.date, partners: bool = False):
    """One 催报通知 to every unit that owes, as a Document for the GB/T 9704 renderer."""
    from kjplan.numerals import cn_date
    from kjplan.render.document import Document, Paragraph, signing

    owing = table.owing(partners)
    if not owing:
        raise KjplanError(f"{table.model.quarter.year}年{table.model.period_name}各单位均已报送，无需催报")
    w = _wording(ws)
    model = table.model
    plan, year, period = model.plan, model.quarter.year, model.period_name
    settings = ws.settings
    body = [Paragraph("body", w("notice_intro", plan.title, year, period, cn_date(date)))]
    for u in owing:
        body.append(Paragraph("body", w("notice_unit", u.unit, [_item_view(d) for d in u.duties])))
    body.append(Paragraph("body", w("notice_request", cn_date(deadline) if deadline else "")))
    body.append(Paragraph("body", w("notice_close")))
    return Document(
        title=w("notice_title", year, period),
        recipients="、".join(u.unit for u in owing),
        body=body,
        date=date,
        fonts=settings.fonts,
        # Signed by the office that prints the bureau's documents (印发机关) where one is set, laid out
        # (sealed or not) exactly as the report is.
        **signing(settings.report, plan.issuer, by=settings.report.printer),
    )


def write_reminder(ws, table: ByUnit, out: Path, *, deadline: dt.date | None, date: dt.date,
                   partners: bool = False) -> tuple[Path, list[str]]:
    """Write the 催报通知 .docx (atomically); return its path and the renderer's warnings."""
    from kjplan.fsutil import atomic_write
    from kjplan.render.docx import render_docx

    out = Path(out)
    if out.suffix.lower() != ".docx":
        raise KjplanError(f"输出文件应以 .docx 结尾：{out}")
    document = reminder_document(ws, table, deadline=deadline, date=date, partners=partners)
    data, warnings = render_docx(document, timestamp=dt.datetime.combine(date, dt.time(0), tzinfo=dt.timezone.utc))
    atomic_write(out, data)
    return out, warnings
