"""What every workbook kjplan writes shares: fonts, borders, row heights that fit the wrapped text,
A4 landscape printing, safe cell values and deterministic bytes. Used by the 台账 and the 填报表.

Excel stores no line layout: a row is as tall as its stored height, and LibreOffice and WPS do not grow
a row for wrapped text when a height is given (nor reliably when none is). So each row's height is
computed here from its text, the column widths and the font size, generously enough for the widest of
the fonts a reader may have (宋体/仿宋 on Windows, their free stand-ins on Linux).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
import zipfile
from typing import Any

TITLE_FONT = "宋体"
HEADER_FONT = "宋体"
BODY_FONT = "仿宋"
BODY_SIZE = 11
MAX_ROW_HEIGHT = 409  # points: Excel's limit for one row

# Column width unit: the width of "0" in the workbook's default font (Calibri 11: 7 px); a column of
# width w is 7w + 5 px wide. A CJK character at s points is s * 4/3 px; digits and Latin half that.
PX_PER_UNIT = 7
CELL_PADDING_PX = 8
LINE_FACTOR = 1.3  # line height / font size (the CJK fonts' ascent + descent, with leading)
ROW_PADDING_PT = 5


class _WideChars(dict):
    """Whether a character is full width (CJK, wide forms), looked up once per character: a 台账 of
    20,000 records measures millions of characters."""

    def __missing__(self, ch: str) -> bool:
        wide = self[ch] = unicodedata.east_asian_width(ch) in "WF"
        return wide


_WIDE = _WideChars()


def text_px(text: str, size: float) -> float:
    """Width of a line of text in pixels: full width for CJK and wide forms, half for the rest."""
    em = size * 4 / 3
    wide = sum(map(_WIDE.__getitem__, text))
    return wide * em + (len(text) - wide) * (em * 0.55)


def line_count(text: str, width: float, size: float = BODY_SIZE) -> int:
    """Lines a wrapped cell needs: each paragraph fills lines of the column's width."""
    if text is None or text == "":
        return 1
    avail = max(PX_PER_UNIT * width + 5 - CELL_PADDING_PX, size)
    total = 0
    for paragraph in str(text).split("\n"):
        total += max(1, math.ceil(text_px(paragraph, size) / avail))
    return total


def row_height(values: list[Any], widths: list[float], size: float = BODY_SIZE, minimum: float = 0) -> float:
    """Height in points for a row whose cells (with these column widths) wrap their text."""
    em = size * 4 / 3
    lines = 1
    for v, w in zip(values, widths):
        text = v if type(v) is str else _shown(v)
        if len(text) * em <= PX_PER_UNIT * w + 5 - CELL_PADDING_PX and "\n" not in text:
            continue  # one line even if every character were full width: most cells of a 台账
        lines = max(lines, line_count(text, w, size))
    return min(MAX_ROW_HEIGHT, max(minimum, round(lines * size * LINE_FACTOR + ROW_PADDING_PT, 1)))


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def put(cell, value: Any, on_cut=None):
    """Set a cell; text is always text: a leading "=" never becomes a formula (formula injection), and a
    text beyond Excel's 32,767 characters is shortened with a note (on_cut(cell, length) is told).
    The rules are kjplan.cells'."""
    from kjplan.cells import set_text

    set_text(cell, value, on_cut)
    return cell


def styles():
    """The shared styles, built on demand (openpyxl loads slowly)."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")

    class S:
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        title = Font(name=TITLE_FONT, size=16, bold=True)
        subtitle = Font(name=BODY_FONT, size=BODY_SIZE)
        header = Font(name=HEADER_FONT, size=BODY_SIZE, bold=True)
        body = Font(name=BODY_FONT, size=BODY_SIZE)
        header_fill = PatternFill("solid", fgColor="D9D9D9")
        input_fill = PatternFill("solid", fgColor="FFFFFF")
        fixed_fill = PatternFill("solid", fgColor="F2F2F2")
        top = Alignment(wrap_text=True, vertical="top")
        centre = Alignment(wrap_text=True, vertical="center", horizontal="center")
        top_centre = Alignment(wrap_text=True, vertical="top", horizontal="center")
        top_right = Alignment(wrap_text=True, vertical="top", horizontal="right")
        left = Alignment(wrap_text=True, vertical="center", horizontal="left")
        right = Alignment(vertical="center", horizontal="right")

    return S


# styles() as XlsxWriter format properties: the 台账 is written with XlsxWriter (a tenth of openpyxl's
# time for its 300,000 cells at 20,000 records), the forms with openpyxl. tests/test_ledger_xlsx.py reads
# the 台账 back and checks that it looks exactly as the openpyxl styles made it.
# A named font: no theme colour, font family or font scheme (Excel would put the theme's font for a
# "minor" scheme font in place of 仿宋).
_NAMED = {"font_family": 0, "font_scheme": False, "theme": -1}
_THIN = {"border": 1, "border_color": "#000000"}
_WRAP = {"text_wrap": True}
FORMAT_PROPERTIES: dict[str, dict] = {
    "default": {"font_name": BODY_FONT, "font_size": BODY_SIZE, **_NAMED},
    "title": {"font_name": TITLE_FONT, "font_size": 16, "bold": True, **_NAMED, **_WRAP,
              "valign": "vcenter", "align": "center"},
    "subtitle": {"font_name": BODY_FONT, "font_size": BODY_SIZE, **_NAMED, "valign": "vcenter", "align": "right"},
    "header": {"font_name": HEADER_FONT, "font_size": BODY_SIZE, "bold": True, **_NAMED, **_THIN, **_WRAP,
               "valign": "vcenter", "align": "center", "pattern": 1, "bg_color": "#D9D9D9"},
    "top": {"font_name": BODY_FONT, "font_size": BODY_SIZE, **_NAMED, **_THIN, **_WRAP, "valign": "top"},
    "top_centre": {"font_name": BODY_FONT, "font_size": BODY_SIZE, **_NAMED, **_THIN, **_WRAP, "valign": "top",
                   "align": "center"},
    "top_right": {"font_name": BODY_FONT, "font_size": BODY_SIZE, **_NAMED, **_THIN, **_WRAP, "valign": "top",
                  "align": "right"},
}


# Page margins in inches of every printed sheet (the forms through a4_landscape, the 台账 through
# exporters.xlsx, which writes with XlsxWriter).
SIDE_MARGIN, TOP_MARGIN = 0.5, 0.6


def a4_landscape(sheet, *, title_rows: str | None = None, fit_width: bool = True) -> None:
    """Print on A4 landscape, all columns on one page width, the header repeated on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    if fit_width:
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = SIDE_MARGIN
    sheet.page_margins.top = sheet.page_margins.bottom = TOP_MARGIN
    sheet.print_options.horizontalCentered = True
    if title_rows:
        sheet.print_title_rows = title_rows


def set_default_font(wb, name: str = BODY_FONT, size: float = BODY_SIZE) -> None:
    """The workbook's Normal style font (what new cells a user types into get)."""
    from openpyxl.styles import Font

    wb._fonts[0] = Font(name=name, size=size)  # openpyxl keeps the Normal style's font first


def workbook_bytes(wb, stamp: dt.datetime) -> bytes:
    """The workbook as deterministic bytes (fixed dates, zip order and timestamps)."""
    from openpyxl.writer.excel import ExcelWriter

    from kjplan.fsutil import normalise_zip

    props = wb.properties
    props.lastModifiedBy = None
    props.created = stamp
    props.modified = stamp
    raw = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook would stamp `modified` with the current time.
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return normalise_zip(raw.getvalue(), stamp)
