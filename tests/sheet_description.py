"""What a clerk sees in a workbook, read back with openpyxl, as plain JSON data: sheets, cell values and
styles (number format, font, border, fill, alignment, quote prefix), column widths, row heights, merged
cells, frozen panes, filter, print setup and the document properties.

Two writers that give the same description give the same workbook on screen and on paper, whatever
their XML looks like (shared or inline strings, the order of attributes, the alpha byte of a colour).
The golden description of the 台账 (tests/data/ledger-golden.json) was made by the openpyxl writer the
台账 had before XlsxWriter; tests/test_ledger_xlsx.py compares every new 台账 with it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import openpyxl


def _colour(color) -> str | None:
    """RGB of a colour; black for Excel's automatic colour (what it shows for text and borders)."""
    if color is None:
        return None
    if color.type == "rgb":
        return str(color.rgb)[-6:].upper()  # the alpha byte is ignored by Excel, WPS and LibreOffice
    if color.type == "auto" or (color.type == "theme" and color.theme == 1):
        return "000000"  # theme colour 1 is the text colour (black), as "automatic" is
    return f"{color.type}:{color.value}"


def _style(cell) -> tuple:
    f, b, a, fill = cell.font, cell.border, cell.alignment, cell.fill
    font = (f.name, float(f.sz) if f.sz is not None else None, bool(f.b), bool(f.i), f.u,
            _colour(f.color) if f.color is not None else "000000")
    sides = tuple((s.style, _colour(s.color) if s.style else None) for s in (b.left, b.right, b.top, b.bottom))
    pattern = fill.fill_type
    shade = _colour(fill.fgColor) if pattern == "solid" else None
    align = (a.horizontal or "general", a.vertical or "bottom", bool(a.wrap_text), int(a.indent or 0))
    return (cell.number_format, font, sides, (pattern, shade), align, bool(cell.quotePrefix))


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 4000 and 4000.0 are one number in a cell
    return value


def _widths(sheet) -> dict[str, float]:
    """Each column's width (a writer may store neighbours of the same width as one range)."""
    from openpyxl.utils import get_column_letter

    widths = {}
    for d in sheet.column_dimensions.values():
        if d.customWidth:
            for index in range(d.min, d.max + 1):
                widths[get_column_letter(index)] = d.width
    return dict(sorted(widths.items(), key=lambda kv: (len(kv[0]), kv[0])))


def describe(path) -> dict:
    """The description of the workbook at `path` (see the module's docstring)."""
    book = openpyxl.load_workbook(path)
    styles: list[tuple] = []
    index: dict[tuple, int] = {}
    sheets = []
    for sheet in book.worksheets:
        cells = []
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None and not cell.has_style:
                    continue
                style = _style(cell)
                if style not in index:
                    index[style] = len(styles)
                    styles.append(style)
                cells.append([cell.coordinate, _value(cell.value), index[style]])
        setup, margins = sheet.page_setup, sheet.page_margins
        sheets.append({
            "title": sheet.title,
            "cells": cells,
            "columns": _widths(sheet),
            "rows": {str(k): d.height for k, d in sorted(sheet.row_dimensions.items()) if d.height is not None},
            "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
            "freeze": sheet.freeze_panes,
            "filter": sheet.auto_filter.ref,
            "print_titles": sheet.print_title_rows,
            "print_area": sheet.print_area,
            "page": [setup.orientation, int(setup.paperSize or 0),
                     *(1 if n is None else int(n) for n in (setup.fitToWidth, setup.fitToHeight)),  # 1: the default
                     bool(sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage),
                     bool(sheet.print_options.horizontalCentered)],
            "margins": [margins.left, margins.right, margins.top, margins.bottom, margins.header, margins.footer],
        })
    props = book.properties
    normal = book._fonts[0]
    return {
        "default_font": [normal.name, float(normal.sz)],
        "properties": {"creator": props.creator, "title": props.title, "created": props.created.isoformat(),
                       "modified": props.modified.isoformat()},
        "styles": [list(s) for s in styles],
        "sheets": sheets,
    }
