"""Input formats: one small module per format behind one interface, mirroring `kjplan.exporters`.

A reader turns one file (records for `add-progress --from`: YAML, CSV, and filled Excel forms) into
rows of raw values under canonical keys, each with its origin (file and line, or sheet and cell), so
that every later message names where a value came from. Readers know formats, not meanings: turning a
raw value into a typed one is `kjplan.fields`' job, checking a record against the plan and the ledger
is `kjplan.progress`'.

A reader module has SUFFIXES (the file name endings it reads), LABEL (how help and messages name the
format) and read(path) -> list[Row]; it raises DataError/DataErrors for what it cannot read at all.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kjplan.errors import DataError

# Canonical keys of a record row, in the order they are documented.
FIELDS = ("item", "quarter", "text", "status", "unit", "by", "metrics", "problems", "next", "date")
LABELS = {
    "item": "事项", "quarter": "季度", "text": "进展情况", "status": "状态", "unit": "报送单位",
    "by": "填报人", "metrics": "指标", "problems": "存在问题", "next": "下步打算", "date": "日期",
}
# Column headings people write for each key (besides the key itself), as forms and exported tables name them.
ALIASES = {
    "item": ("事项", "序号", "事项序号"),
    "quarter": ("季度",),
    "text": ("进展情况", "进展"),
    "status": ("状态",),
    "unit": ("报送单位", "单位"),
    "by": ("填报人", "登记人"),
    "metrics": ("指标", "量化指标"),
    "problems": ("存在问题", "问题"),
    "next": ("下步打算", "下一步打算"),
    "date": ("日期", "填报日期"),
}
_CANONICAL = {name: key for key, names in ALIASES.items() for name in names} | {key: key for key in FIELDS}

# The reader modules, in the order help lists them.
READERS = ("yaml", "csv", "xlsx")


def canonical_key(heading: Any) -> str | None:
    """The canonical key of a column heading or mapping key ('进展情况', ' Text ' -> 'text'), or None."""
    text = str(heading).strip()
    return _CANONICAL.get(text) or _CANONICAL.get(text.lower())


@dataclass(frozen=True)
class Origin:
    """Where a value came from: a text file's line, or a spreadsheet's sheet and cell (with its heading)."""

    path: Path
    line: int | None = None
    sheet: str | None = None
    cell: str | None = None  # "F7"
    column: str | None = None  # the column's heading, "状态"

    def __str__(self) -> str:
        if self.sheet is not None:
            where = f"{self.path} {self.sheet}" + (f"!{self.cell}" if self.cell else "")
            return where + (f"（{self.column}）" if self.column else "")
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def error(self, message: str) -> DataError:
        """A DataError for a problem found here, its message starting with this origin."""
        return DataError(self.path, self.line, message, where=str(self))


@dataclass
class Row:
    """One record's raw values as a file gave them, under canonical keys (absent: not given)."""

    origin: Origin
    values: dict[str, Any]
    # Where each value came from, where a reader knows better than the row's origin (a cell, a YAML line).
    # Keys are canonical keys, or "metrics:<heading>" for a figure in a column of its own.
    origins: dict[str, Origin] = field(default_factory=dict)
    # Columns or keys that are no canonical key, {heading: value}: target columns or mistakes.
    extra: dict[str, Any] = field(default_factory=dict)
    # The id of the record this row stands for: a form's row key, or an exported record's 记录编号. Importing
    # the row again finds that record: unchanged it adds nothing, changed it amends it.
    key: str | None = None

    def origin_of(self, key: str) -> Origin:
        return self.origins.get(key, self.origin)


def get(name: str):
    if name not in READERS:
        raise KeyError(name)
    return importlib.import_module(f"kjplan.readers.{name}")


def reader_for(path: Path):
    """The reader module for a file, by its suffix; a DataError listing what can be read otherwise."""
    suffix = Path(path).suffix.lower()
    modules = [get(name) for name in READERS]
    for module in modules:
        if suffix in module.SUFFIXES:
            return module
    kinds = [f"{'/'.join(m.SUFFIXES)}（{m.LABEL}）" for m in modules]
    accepted = kinds[0] if len(kinds) == 1 else "、".join(kinds[:-1]) + "或 " + kinds[-1]
    raise DataError(path, None, f"只能导入 {accepted}文件")


def read(path: Path | str) -> list[Row]:
    """Every row of a records file (dispatching on its suffix), each with its origin."""
    path = Path(path)
    return reader_for(path).read(path)
