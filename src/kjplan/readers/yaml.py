"""Records written as YAML: a list of mappings (item:, text:, …), or a mapping with one key `records:`."""

from __future__ import annotations

from pathlib import Path

from kjplan.errors import DataError
from kjplan.loading import parse_yaml, read_text
from kjplan.readers import Origin, Row, canonical_key

SUFFIXES = (".yaml", ".yml")
LABEL = "记录列表"


def read(path: Path) -> list[Row]:
    data, lines = parse_yaml(read_text(path), path)
    if isinstance(data, dict) and set(data) == {"records"}:
        data = data["records"]
        lines = {k[1:]: v for k, v in lines.items() if k[:1] == ("records",)}
    if not isinstance(data, list):
        raise DataError(path, 1, "文件应为记录的列表（每条以“- ”开头，写 item:、text: 等）")
    rows = []
    for i, mapping in enumerate(data):
        line = lines.get((i,), 1)
        if not isinstance(mapping, dict):
            raise DataError(path, line, f"第 {i + 1} 条应为键值对（item:、text: 等）")
        row = Row(Origin(path, line), {})
        for name, value in mapping.items():
            key = canonical_key(name)
            origin = Origin(path, lines.get((i, name), line))
            if key is None:
                row.extra[str(name).strip()] = value
                row.origins[str(name).strip()] = origin
            else:
                row.values[key] = value
                row.origins[key] = origin
        rows.append(row)
    return rows
