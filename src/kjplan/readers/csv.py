"""Records as a CSV table: a header row naming the columns (item,quarter,text,… or their Chinese
headings), then one record a row. Excel's "CSV UTF-8" (with its BOM) reads as it is."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from kjplan.errors import DataError, DataErrors
from kjplan.loading import read_text
from kjplan.readers import Origin, Row, canonical_key
from kjplan.cells import csv_value

SUFFIXES = (".csv",)
LABEL = "首行为表头"


def _problem(exc: csv.Error) -> str:
    """csv's English reasons, in words a spreadsheet user knows."""
    text = str(exc)
    if "unexpected end of data" in text:
        return "双引号没有闭合：从这一行起到文件末尾都成了一个单元格；请在单元格内容的末尾补上双引号"
    if "expected after" in text:
        return "双引号用法不对：含逗号或换行的单元格应整格用双引号括起来，格内的双引号要写成两个（\"\"）"
    if "field larger than field limit" in text:
        return f"有一个单元格超过 {csv.field_size_limit()} 个字符，不像是一条进展记录（引号没有闭合？）"
    if "NUL" in text:
        return "含有空字符（NUL），这不像是文本文件；请用 Excel 另存为“CSV UTF-8”"
    return "无法按 CSV 格式读取这一行；请用 Excel 另存为“CSV UTF-8”后重试"


def read(path: Path) -> list[Row]:
    # strict: an unterminated quote is an error, not a cell that swallows the rest of the file.
    reader = csv.reader(io.StringIO(read_text(path), newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise DataError(path, 1, "文件是空的：第一行应为表头（item,quarter,text,status,…）") from None
    except csv.Error as exc:
        raise DataError(path, 1, f"CSV 格式错误：{_problem(exc)}") from None
    header = [h.strip() for h in header]
    _check_header(path, header)
    rows = []
    while True:
        start = reader.line_num + 1  # a quoted cell may span lines: a row is named by its first line
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError(path, start, f"CSV 格式错误：{_problem(exc)}") from None
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            raise DataError(path, start, f"这一行有 {len(values)} 列，比表头多（表头 {len(header)} 列）；含逗号的内容请用双引号括起来")
        row = Row(Origin(path, start), {})
        for number, (heading, value) in enumerate(zip(header, values), 1):
            if value.strip() == "":
                continue
            value = csv_value(value)  # '=1+1 as kjplan's own CSV writes a formula-like text: the text itself
            if not heading:
                raise DataError(path, start, f"第 {number} 列没有表头，这一行在该列却有内容“{value.strip()[:20]}”；请补上表头或删去该列")
            key = canonical_key(heading)
            if key is None:
                row.extra[heading] = value
            else:
                row.values[key] = value
        rows.append(row)
    return rows


def _check_header(path: Path, header: list[str]) -> None:
    """Two columns for one field (text and 进展情况, or the same heading twice) would leave one silently unread."""
    seen: dict[str, str] = {}
    errors = []
    for heading in header:
        if not heading:
            continue
        key = canonical_key(heading) or heading
        if key in seen:
            same = f"“{heading}”出现了两次" if seen[key] == heading else f"“{seen[key]}”和“{heading}”是同一列"
            errors.append(DataError(path, 1, f"表头中{same}；请删去或改名其中一列"))
        seen.setdefault(key, heading)
    if errors:
        raise DataErrors(errors) if len(errors) > 1 else errors[0]
