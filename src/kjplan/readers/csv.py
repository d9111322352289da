"""Records as a CSV table: a header row naming the columns (item,quarter,text,… or their Chinese
headings), then one record a row. Excel's "CSV UTF-8" (with its BOM) reads as it is."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from kjplan.errors import DataError
from kjplan.loading import read_text
from kjplan.readers import Origin, Row, canonical_key

SUFFIXES = (".csv",)
LABEL = "首行为表头"


def read(path: Path) -> list[Row]:
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DataError(path, 1, "文件是空的：第一行应为表头（item,quarter,text,status,…）") from None
    except csv.Error as exc:
        raise DataError(path, 1, f"CSV 格式错误（{exc}）") from None
    header = [h.strip() for h in header]
    rows = []
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError(path, reader.line_num, f"CSV 格式错误（{exc}）") from None
        if not any(v.strip() for v in values):
            continue
        line = reader.line_num
        if len(values) > len(header):
            raise DataError(path, line, f"这一行有 {len(values)} 列，比表头多（表头 {len(header)} 列）；含逗号的内容请用双引号括起来")
        row = Row(Origin(path, line), {})
        for heading, value in zip(header, values):
            if not heading or value.strip() == "":
                continue
            key = canonical_key(heading)
            if key is None:
                row.extra[heading] = value
            else:
                row.values[key] = value
        rows.append(row)
    return rows
