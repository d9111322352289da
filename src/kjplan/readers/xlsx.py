"""Records from Excel workbooks (.xlsx): filled 填报表 (kjplan.forms) and any sheet with a header row.

A filled form is recognised by its hidden identity sheet: it says the year, quarter and unit, which
column holds which field, and which row is which item, with a row key that becomes the record's id.
Rows with no text, status or figure were left empty by the unit and are skipped.

Any other workbook is read from the first sheet whose header row (in its first ten rows) names the
progress text column (进展情况 or text): every row under it is a record, columns under the headings of
`kjplan.readers.ALIASES`; a column headed with a target's name and unit ("科技创新发展基金募集规模（万元）")
is that target's figure; 记录编号 (an exported record's id) is the row's key. Cells are read as the
user sees them: numbers as numbers, date cells as dates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kjplan.errors import DataError
from kjplan.readers import Origin, Row, canonical_key

SUFFIXES = (".xlsx", ".xlsm")
LABEL = "Excel 填报表，或首行为表头的工作表"

HEADER_SEARCH_ROWS = 10
KEY_HEADINGS = ("记录编号", "id")
# Columns an exported sheet or CSV carries that are no part of a record: shown to people, not read back.
IGNORED_HEADINGS = ("重点任务", "事项状态", "状态来源", "已更正", "created", "updated", "amended", "version", "title")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def open_workbook(path: Path):
    import zipfile

    from openpyxl import load_workbook

    try:
        return load_workbook(path, data_only=True)
    except FileNotFoundError:
        raise DataError(path, None, "文件不存在") from None
    except IsADirectoryError:
        raise DataError(path, None, "这是一个文件夹，不是文件") from None
    except PermissionError:
        raise DataError(path, None, "没有读取权限") from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise DataError(path, None, "无法作为 Excel 工作簿（.xlsx）打开：文件已损坏，或实为 .xls/.et 等其他格式，"
                                    f"请在 Excel/WPS 中另存为 .xlsx（{type(exc).__name__}）") from None


def read(path: Path) -> list[Row]:
    path = Path(path)
    wb = open_workbook(path)
    from kjplan.forms import FORM_KIND, IDENTITY_SHEET

    if IDENTITY_SHEET in wb.sheetnames and wb[IDENTITY_SHEET]["B1"].value == FORM_KIND:
        return _read_form(path, wb)
    return _read_table(path, wb)


# ------------------------------------------------------------------------------------------ filled forms

def _identity(path: Path, sheet) -> tuple[dict, list[tuple[int, int, str]]]:
    from kjplan.forms import FORM_VERSION

    meta: dict[str, Any] = {}
    rows: list[tuple[int, int, str]] = []
    in_rows = False
    for values in sheet.iter_rows(values_only=True):
        first = values[0] if values else None
        if first == "row":
            in_rows = True
        elif in_rows and isinstance(first, int):
            rows.append((first, int(values[1]), str(values[2])))
        elif not in_rows and first is not None:
            meta[str(first)] = values[1]
    try:
        version = int(meta.get("version") or 0)
        meta["columns"] = json.loads(meta["columns"])
        meta["header_row"] = int(meta["header_row"])
    except (KeyError, TypeError, ValueError):
        raise DataError(path, None, "填报表隐藏的 kjplan 工作表已损坏，无法识别；请用 kjplan forms 重新生成填报表") from None
    if version > FORM_VERSION:
        raise DataError(path, None, f"这是新版 kjplan 生成的填报表（格式 {version}），请升级 kjplan 后再导入")
    return meta, rows


def _read_form(path: Path, wb) -> list[Row]:
    from kjplan.forms import IDENTITY_SHEET

    meta, keyed = _identity(path, wb[IDENTITY_SHEET])
    name = meta.get("sheet")
    if name not in wb.sheetnames:
        raise DataError(path, None, f"填报表中的工作表“{name}”不见了（被改名或删除？）；请在原表中填写，或用 kjplan forms 重新生成")
    sheet = wb[name]
    columns: dict[str, str] = meta["columns"]
    headers = {letter: sheet[f"{letter}{meta['header_row']}"].value for letter in columns}
    rows = []
    for number, item, key in keyed:
        where = lambda letter: Origin(path, number, sheet.title, f"{letter}{number}", _heading(headers[letter]))  # noqa: E731
        item_letter = next(letter for letter, field in columns.items() if field == "item")
        shown = sheet[f"{item_letter}{number}"].value
        values: dict[str, Any] = {}
        origins: dict[str, Origin] = {}
        metrics: dict[str, Any] = {}
        for letter, field in columns.items():
            value = sheet[f"{letter}{number}"].value
            if field in ("item", "title"):
                continue
            if not field.startswith("metric:"):
                origins[field] = where(letter)  # a value missing here is named by its cell too
            if _blank(value):
                continue
            if field.startswith("metric:"):
                metrics[field[7:]] = figure_text(value, headers[letter])
                origins.setdefault("metrics", where(letter))
                origins[f"metrics:{field[7:]}"] = where(letter)
            else:
                values[field] = value
        if not any(k in values for k in ("text", "status")) and not metrics:
            continue  # left empty: nothing to report on this item
        if shown != item:
            raise where(item_letter).error(f"这一行应是第 {item} 项，现为“{shown}”：行被移动或改动过；"
                                           "请在原表的原行中填写，或用 kjplan forms 重新生成")
        if metrics:
            values["metrics"] = metrics
        values.update(item=item, quarter=meta["quarter"], unit=meta["unit"])
        rows.append(Row(Origin(path, number, sheet.title, f"A{number}"), values, origins, key=key))
    return rows


def _heading(value: Any) -> str | None:
    return None if value is None else " ".join(str(value).split())


def figure_text(value: Any, heading: Any) -> Any:
    """A figure cell as text carrying its unit: 6000 under "…（万元）" -> "6000万元"; "6000万" stays."""
    from kjplan.numerals import format_number

    unit = heading_unit(heading)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return f"{format_number(value)}{unit or ''}"
    text = str(value).strip()
    if unit and text and (text[-1].isdigit() or text.endswith(".")):
        return text + unit
    return text


def heading_unit(heading: Any) -> str | None:
    """"科技创新发展基金募集规模（万元）" -> "万元"."""
    text = _heading(heading) or ""
    text = text.replace("(", "（").replace(")", "）")
    if text.endswith("）") and "（" in text:
        return text[text.rindex("（") + 1:-1].strip() or None
    return None


def heading_name(heading: Any) -> str:
    text = (_heading(heading) or "").replace("(", "（").replace(")", "）")
    return text[: text.rindex("（")].strip() if text.endswith("）") and "（" in text else text


# ------------------------------------------------------------------------------------------ other sheets

def _read_table(path: Path, wb) -> list[Row]:
    from openpyxl.utils import get_column_letter

    for sheet in [s for s in wb.worksheets if s.sheet_state == "visible"]:
        grid = [(cells[0].row, [c.value for c in cells]) for cells in sheet.iter_rows() if cells]
        for index, (line, cells) in enumerate(grid[:HEADER_SEARCH_ROWS]):
            keys = [canonical_key(c) if not _blank(c) else None for c in cells]
            if "text" in keys:
                break
        else:
            continue
        headers = [_heading(c) for c in cells]
        seen: dict[str, str] = {}
        for number, (heading, key) in enumerate(zip(headers, keys), 1):
            if heading is None:
                continue
            name = key or heading
            if name in seen:
                raise Origin(path, line, sheet.title, f"{get_column_letter(number)}{line}", heading).error(
                    f"表头中“{seen[name]}”和“{heading}”是同一列；请删去或改名其中一列")
            seen[name] = heading
        rows = []
        for row_number, values in grid[index + 1:]:
            if all(_blank(v) for v in values):
                continue
            row = Row(Origin(path, row_number, sheet.title, f"A{row_number}"), {})
            for number, value in enumerate(values, 1):
                if _blank(value):
                    continue
                heading = headers[number - 1] if number <= len(headers) else None
                where = Origin(path, row_number, sheet.title, f"{get_column_letter(number)}{row_number}", heading)
                if heading is None:
                    raise where.error(f"这一格没有表头，却有内容“{str(value).strip()[:20]}”；请补上表头或删去该列")
                key = keys[number - 1]
                if heading in KEY_HEADINGS:
                    row.key = str(value).strip()
                elif heading in IGNORED_HEADINGS:
                    continue
                elif key is None:
                    row.extra[heading] = figure_text(value, heading) if heading_unit(heading) else value
                    row.origins[f"metrics:{heading}"] = where
                else:
                    row.values[key] = value
                    row.origins[key] = where
            rows.append(row)
        return rows
    names = "、".join(s.title for s in wb.worksheets if s.sheet_state == "visible")
    raise DataError(path, None, f"没有找到记录表：工作表（{names}）的前 {HEADER_SEARCH_ROWS} 行中没有写着“进展情况”的表头行，"
                                "也不是 kjplan forms 生成的填报表")

