"""填报表: one Excel form per unit and quarter, sent out by mail or 政务微信 and read back by `add-progress --from`.

The sheet 填报表 has a title, the unit and deadline, an instruction line, then one row per item the unit
leads or supports (every item when no 分工 is set): 序号 | 重点任务 | 进展情况 | 存在问题 | 下一步打算 | 状态
(a drop-down of the four statuses) | one column per target of those items, headed with its name and
unit ("科技创新发展基金募集规模（万元）", decimal validation) | 填报人 | 填报日期. Fixed cells are locked
(sheet protection without a password, so that nobody is locked out), input cells are not.

A hidden sheet carries the form's identity: year, quarter, unit, the column of each field and a row
key per item. The row key is also the id of the record that row becomes, so importing the same form
again finds its records, and importing it after the unit changed a row amends the record that row made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from kjplan.assign import duties, units_of
from kjplan.errors import KjplanError
from kjplan.exporters.xlsx import sheet_unit, target_header
from kjplan.numerals import cn_date
from kjplan.periods import Quarter
from kjplan.plan import Item, Plan, Target
from kjplan.records import STATUSES

FORM_KIND = "kjplan-form"
FORM_VERSION = 1
FORM_SHEET = "填报表"
IDENTITY_SHEET = "kjplan"
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
INPUT_ROW_HEIGHT = 96  # points: room for a paragraph without resizing the row

# (field, header, width)
LEAD_COLUMNS = [("item", "序号", 5), ("title", "重点任务", 22), ("text", "进展情况", 48), ("problems", "存在问题", 26),
                ("next", "下一步打算", 26), ("status", "状态", 11)]
TAIL_COLUMNS = [("by", "填报人", 10), ("date", "填报日期", 13)]
INPUT_FIELDS = {"text", "problems", "next", "status", "by", "date"}
_BAD_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass(frozen=True)
class FormRow:
    item: Item
    role: str  # 牵头 / 配合 / "" when no 分工 is set
    key: str  # the row key, also the id of the record the row becomes


def row_key(year: int, quarter: str, unit: str, item: int) -> str:
    """16 hex digits, the same for the same unit, quarter and item: the record's id."""
    seed = f"{FORM_KIND}|{year}|{quarter}|{unit}|{item}".encode("utf-8")
    return hashlib.sha256(seed).hexdigest()[:16]


def form_filename(quarter: Quarter, unit: str) -> str:
    return f"{quarter.year}年{quarter.name}进展填报表-{_BAD_FILENAME.sub('_', unit)}.xlsx"


def form_rows(plan: Plan, quarter: Quarter, unit: str) -> list[FormRow]:
    """The items a unit reports on: those it leads or supports; every item when nothing is assigned."""
    assigned = duties(plan)
    if not assigned:
        chosen = [(item, "") for item in plan.items]
    else:
        roles = {d.item: d.role for d in assigned if d.unit == unit}
        chosen = [(item, roles[item.number]) for item in plan.items if item.number in roles]
    return [FormRow(item, role, row_key(plan.year, quarter.code, unit, item.number)) for item, role in chosen]


def form_units(ws, plan: Plan, units: list[str] | None) -> list[str]:
    """The units to write forms for: those asked for (checked against units:), else every responsible
    unit (every unit of units: when no 分工 is set)."""
    known = list(ws.settings.units)
    if units:
        unknown = [u for u in units if known and u not in known]
        if unknown:
            raise KjplanError(f"“{'、'.join(unknown)}”不在设置文件 kjplan.yaml 的报送单位名单（units:）中；名单现有：{'、'.join(known)}")
        if duties(plan):
            idle = [u for u in units if not form_rows(plan, Quarter(plan.year, 1), u)]
            if idle:
                raise KjplanError(f"“{'、'.join(idle)}”没有牵头或配合的事项，无需填报；可用 kjplan assign 设定分工")
        return list(dict.fromkeys(units))
    if duties(plan):
        return units_of(plan, known)
    if known:
        return known
    raise KjplanError("不知道给哪些单位发填报表：请用 --unit 指定单位，或用 kjplan assign 设定分工，"
                      "或在 kjplan.yaml 的 units: 中列出报送单位")


def form_targets(rows: list[FormRow]) -> list[Target]:
    return [t for r in rows for t in r.item.targets]


def build_form(plan: Plan, quarter: Quarter, unit: str, *, deadline: dt.date | None, today: dt.date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from kjplan import sheetstyle as ss

    S = ss.styles()
    rows = form_rows(plan, quarter, unit)
    targets = form_targets(rows)
    columns = LEAD_COLUMNS + [(f"metric:{t.id}", target_header(t), 14) for t in targets] + TAIL_COLUMNS
    fields = [c[0] for c in columns]
    widths = [c[2] for c in columns]
    last = get_column_letter(len(columns))
    col_of = {f: i + 1 for i, f in enumerate(fields)}
    period = f"{quarter.year}年{quarter.name}"

    wb = Workbook()
    ss.set_default_font(wb)
    sheet = wb.active
    sheet.title = FORM_SHEET
    ss.put(sheet.cell(1, 1), f"{period}《{plan.title}》进展填报表").font = S.title
    sheet.cell(1, 1).alignment = S.centre
    sheet.merge_cells(f"A1:{last}1")
    sheet.row_dimensions[1].height = 32
    due = f"　　报送截止：{cn_date(deadline)}" if deadline else ""
    ss.put(sheet.cell(2, 1), f"填报单位：{unit}{due}").font = ss.styles().header
    sheet.cell(2, 1).alignment = S.left
    sheet.merge_cells(f"A2:{last}2")
    sheet.row_dimensions[2].height = 22
    instruction = ("填报说明：请在白色单元格中填写本单位{period}的工作进展，灰色单元格不能修改。“状态”从下拉列表中选择"
                   "（{statuses}）。指标列只填数字，单位见列名：全年累计的指标（如基金募集规模）填本季度新增的数额，"
                   "水平类指标（如入驻率）填季末达到的水平。没有进展的事项整行留空。填报日期写成 {year}-6-20 或 "
                   "{year}/6/20。请勿增删行列、修改表名，填好后原样发回。").format(
        period=period, statuses="、".join(STATUSES), year=quarter.year)
    ss.put(sheet.cell(3, 1), instruction).font = S.body
    sheet.cell(3, 1).alignment = S.left
    sheet.merge_cells(f"A3:{last}3")
    sheet.row_dimensions[3].height = ss.row_height([instruction], [sum(widths)])

    for col, (_, header, _) in enumerate(columns, start=1):
        cell = ss.put(sheet.cell(HEADER_ROW, col), header)
        cell.font, cell.alignment, cell.border, cell.fill = S.header, S.centre, S.border, S.header_fill
    sheet.row_dimensions[HEADER_ROW].height = ss.row_height([c[1] for c in columns], widths, minimum=30)

    unlocked = Protection(locked=False)
    for n, row in enumerate(rows):
        r = FIRST_ROW + n
        title = row.item.title + (f"\n（{row.role}）" if row.role else "")
        mine = {t.id for t in row.item.targets}
        for col, field in enumerate(fields, start=1):
            cell = sheet.cell(r, col)
            cell.border, cell.font = S.border, S.body
            if field == "item":
                ss.put(cell, row.item.number).alignment = S.top_centre
                cell.fill = S.fixed_fill
            elif field == "title":
                ss.put(cell, title).alignment = S.top
                cell.fill = S.fixed_fill
            elif field.startswith("metric:") and field[7:] not in mine:
                cell.fill = S.fixed_fill  # this item has no such target: nothing to fill in
            else:
                cell.protection = unlocked
                cell.fill = S.input_fill
                cell.alignment = S.top_centre if field in ("status", "date") else S.top
                if field == "date":
                    cell.number_format = "yyyy-mm-dd"
                elif field.startswith("metric:"):
                    cell.number_format = "#,##0.##"
        sheet.row_dimensions[r].height = max(INPUT_ROW_HEIGHT, ss.row_height([None, title], widths))
    end = FIRST_ROW + len(rows) - 1

    def validation(dv: DataValidation, field: str, prompt: str, error: str) -> None:
        dv.promptTitle, dv.prompt = "填写提示", prompt
        dv.errorTitle, dv.error = "填写有误", error
        dv.showInputMessage = dv.showErrorMessage = True
        letter = get_column_letter(col_of[field])
        dv.add(f"{letter}{FIRST_ROW}:{letter}{end}")
        sheet.add_data_validation(dv)

    if rows:
        validation(DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True),
                   "status", "从下拉列表中选择", f"状态应为 {'、'.join(STATUSES)} 之一")
        for t in targets:
            unit_shown = sheet_unit(t)[0]
            upper = 100 if unit_shown == "%" else None
            dv = DataValidation(type="decimal", operator="between" if upper else "greaterThanOrEqual",
                                formula1="0", formula2=str(upper) if upper else None, allow_blank=True)
            what = "季末达到的水平" if t.kind == "level" else "本季度新增的数额"
            validation(dv, f"metric:{t.id}", f"填{what}，只填数字，单位：{unit_shown}",
                       f"请填写数字（单位：{unit_shown}）" + ("，在 0 到 100 之间" if upper else "，不小于 0"))
        validation(DataValidation(type="date", operator="between", formula1=f"DATE({plan.year},1,1)",
                                  formula2=f"DATE({plan.year},12,31)", allow_blank=True),
                   "date", f"如 {plan.year}-6-20", f"请填写 {plan.year} 年内的日期，如 {plan.year}-6-20")

    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = f"C{FIRST_ROW}"
    sheet.protection.sheet = True  # no password: protection guards against slips, not people
    sheet.protection.formatRows = False  # rows and columns may still be resized
    sheet.protection.formatColumns = False
    ss.a4_landscape(sheet, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    sheet.print_area = f"A1:{last}{max(end, HEADER_ROW)}"

    from kjplan.cells import append_row

    ident = wb.create_sheet(IDENTITY_SHEET)
    ident.sheet_state = "hidden"
    meta = [("kind", FORM_KIND), ("version", FORM_VERSION), ("year", plan.year), ("quarter", quarter.code),
            ("unit", unit), ("sheet", FORM_SHEET), ("header_row", HEADER_ROW),
            ("columns", json.dumps({get_column_letter(i + 1): f for i, f in enumerate(fields)}, ensure_ascii=False)),
            ("created", today.isoformat())]
    for key, value in meta:
        append_row(ident, [key, value])  # the unit's name is text, never a formula
    ident.append([])
    ident.append(["row", "item", "key", "role"])
    for n, row in enumerate(rows):
        append_row(ident, [FIRST_ROW + n, row.item.number, row.key, row.role])
    ident.protection.sheet = True

    props = wb.properties
    props.creator = plan.issuer
    props.title = f"{period}进展填报表（{unit}）"
    return ss.workbook_bytes(wb, dt.datetime.combine(today, dt.time(0, 0)))


def write_forms(ws, plan: Plan, quarter: Quarter, out_dir: Path, *, units: list[str] | None = None,
                deadline: dt.date | None = None, today: dt.date) -> list[Path]:
    """One form per unit into out_dir (atomically each); returns the paths written."""
    from kjplan.fsutil import atomic_write

    chosen = form_units(ws, plan, units)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise KjplanError(f"--out 应为文件夹：{out_dir} 是一个文件")
    built = [(out_dir / form_filename(quarter, unit), build_form(plan, quarter, unit, deadline=deadline, today=today))
             for unit in chosen]
    for path, data in built:
        atomic_write(path, data)
    return [path for path, _ in built]
