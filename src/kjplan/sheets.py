"""Tables people fill in by hand (.csv, .xlsx): a header row, then rows, each value with where it came from.

An error about a value names its place (a kjplan.readers.Origin) the way the person who typed it will look
for it: the file and line of a CSV, or the file, sheet, cell and column header of a workbook
("分工表.xlsx 分工!C5（配合单位）").
The header row need not be the first: tables sent round offices often start with a title row, so the
first row (of the first ten) that names a known column is the header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kjplan.errors import DataError, KjplanError
from kjplan.loading import read_text
from kjplan.readers import Origin

HEADER_SEARCH_ROWS = 10


@dataclass
class Row:
    """One data row: {field: value} for the known columns, with each value's place."""

    line: int
    values: dict[str, Any]
    places: dict[str, Origin]
    row_place: Origin
    extra: dict[str, Any] = field(default_factory=dict)  # columns not among the known headers

    def place(self, key: str) -> Origin:
        return self.places.get(key, self.row_place)


def _normal(header: Any) -> str:
    text = "" if header is None else str(header)
    return "".join(text.split()).replace("（", "(").replace("）", ")").lower()


def _match_header(cells: list[Any], columns: Mapping[str, str]) -> dict[int, str]:
    """{column index: field} for the cells that name a known column (aliases compared without spaces)."""
    known = {_normal(alias): key for alias, key in columns.items()}
    return {i: known[_normal(c)] for i, c in enumerate(cells) if _normal(c) in known}


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(path: Path | str, columns: Mapping[str, str], *, what: str = "表格",
               sheet: str | None = None) -> tuple[list[Row], dict[str, Origin]]:
    """Rows of a .csv or .xlsx file. columns: header as written (Chinese or English) -> field name.

    Returns the rows that have any value and the header cell of each known field. Blank rows are left out.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        grid = _csv_grid(path)
        sheet_name = None
    elif suffix in (".xlsx", ".xlsm"):
        sheet_name, grid = _xlsx_grid(path, sheet)
    else:
        raise DataError(path, None, f"{what}应为 .xlsx 或 .csv 文件")
    for index, (line, cells) in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found = _match_header(cells, columns)
        if found:
            header_line, header_cells, header_index = line, cells, index
            break
    else:
        names = "、".join(dict.fromkeys(columns))
        raise DataError(path, None, f"没有找到表头：{what}的前 {HEADER_SEARCH_ROWS} 行中应有一行写明列名（{names}）")
    from openpyxl.utils import get_column_letter

    def place(line: int, column: int, header: str | None = None) -> Origin:
        if sheet_name is None:
            return Origin(path, line)
        return Origin(path, line, sheet_name, f"{get_column_letter(column)}{line}" if column else None, header)

    seen: dict[str, int] = {}
    for i, key in found.items():
        if key in seen:
            first = place(header_line, seen[key] + 1)
            raise place(header_line, i + 1, str(header_cells[i])).error(
                f"与 {first.cell or '前面'}（{header_cells[seen[key]]}）是同一列，表头只能出现一次")
        seen[key] = i
    headers = {key: place(header_line, i + 1, str(header_cells[i]).strip()) for i, key in found.items()}
    rows = []
    for line, cells in grid[header_index + 1:]:
        if all(blank(c) for c in cells):
            continue
        values, places, extra = {}, {}, {}
        for i, value in enumerate(cells):
            if i in found:
                key = found[i]
                values[key] = value
                places[key] = place(line, i + 1, headers[key].column)
            elif not blank(value) and i < len(header_cells) and not blank(header_cells[i]):
                extra[str(header_cells[i]).strip()] = value
        rows.append(Row(line, values, places, place(line, 1), extra))
    return rows, headers


def _csv_grid(path: Path) -> list[tuple[int, list[Any]]]:
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    grid = []
    try:
        for values in reader:
            grid.append((reader.line_num, values))
    except csv.Error as exc:
        raise DataError(path, reader.line_num, f"CSV 格式错误（{exc}）") from None
    return grid


def _xlsx_grid(path: Path, sheet: str | None) -> tuple[str, list[tuple[int, list[Any]]]]:
    from kjplan.readers.xlsx import open_workbook

    wb = open_workbook(path)
    if sheet is not None:
        if sheet not in wb.sheetnames:
            raise DataError(path, None, f"没有名为“{sheet}”的工作表；现有：{'、'.join(wb.sheetnames)}")
        ws = wb[sheet]
    else:
        visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
        ws = visible[0] if visible else wb.worksheets[0]
    return ws.title, sheet_grid(ws)


def sheet_grid(ws) -> list[tuple[int, list[Any]]]:
    return [(cells[0].row, [c.value for c in cells]) for cells in ws.iter_rows() if cells]


def cell_text(value: Any) -> str:
    """A cell's value as the text a person sees: numbers without a trailing .0, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def raise_all(errors: Iterable[KjplanError]) -> None:
    from kjplan.errors import DataErrors

    errors = list(errors)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DataErrors(errors)
