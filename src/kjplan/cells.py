"""Cells for spreadsheets: text stays text, in every xlsx and CSV kjplan writes or reads.

A text that starts with =, +, -, @ (or a tab or a carriage return) is a formula to Excel and WPS:
"=1+1" would show 2 and lose the text, "=HYPERLINK(…)" would be a link nobody typed. So:

- xlsx (`set_text`, `append_row`): every text is written as a string cell, never a formula, marked with
  Excel's own "quote prefix" (what typing '=1+1 in Excel gives), so it stays text when edited;
- CSV (`csv_cell`): such a cell gets a leading apostrophe, the way spreadsheet users neutralise it by
  hand; `csv_value` takes it off again when kjplan reads a CSV (`add-progress --from`), so a text makes
  the round trip unchanged;
- a cell holds at most 32,767 characters in Excel (openpyxl silently cuts the rest): a longer text is
  shortened with a note saying so, and the caller's warning names the cell; other formats keep it whole.

Every xlsx writer of kjplan (the 台账, the forms) puts its cells through here, by way of
`kjplan.sheetstyle.put`; every CSV writer through `csv_cell`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

EXCEL_CELL_LIMIT = 32_767
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CUT_NOTE = "……（以下略：超出 Excel 单元格 {limit} 字的上限，全文共 {total} 字，见报告和 JSON/CSV 文件）"


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def csv_cell(value: Any) -> Any:
    """A value for a CSV cell: a text a spreadsheet would evaluate gets a leading apostrophe."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def csv_value(text: str) -> str:
    """The inverse of csv_cell, for a cell read from a CSV: '=1+1 -> =1+1 (only before a formula
    character, so an apostrophe someone meant stays)."""
    if text.startswith("'") and is_formula_like(text[1:]):
        return text[1:]
    return text


def fit_cell(text: str) -> tuple[str, bool]:
    """(text that fits in one Excel cell, whether it had to be shortened)."""
    if len(text) <= EXCEL_CELL_LIMIT:
        return text, False
    note = _CUT_NOTE.format(limit=EXCEL_CELL_LIMIT, total=len(text))
    return text[: EXCEL_CELL_LIMIT - len(note)] + note, True


def set_text(cell, value: Any, on_cut: Callable[[Any, int], None] | None = None) -> None:
    """Put `value` into an openpyxl cell; text as a string cell, never a formula.

    on_cut(cell, full_length) is called when the text had to be shortened to Excel's limit."""
    if not isinstance(value, str):
        cell.value = value
        return
    fitted, cut = fit_cell(value)
    cell.value = fitted
    cell.data_type = "s"  # openpyxl makes "=…" a formula: undo that, the text is data
    if is_formula_like(fitted):
        cell.quotePrefix = True
    if cut and on_cut is not None:
        on_cut(cell, len(value))


def append_row(sheet, values: Iterable[Any], on_cut: Callable[[Any, int], None] | None = None) -> int:
    """Append a row of values (texts through set_text) where openpyxl's append would; return its number."""
    values = list(values)
    sheet.append([None] * len(values))
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        set_text(sheet.cell(row=row, column=column), value, on_cut)
    return row
