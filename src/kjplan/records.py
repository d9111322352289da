"""Progress records: the entries stored in progress/<year>.jsonl and the resolved view everything reads.

An entry is one line of the ledger and never changes once written. A record is what an entry means
after corrections: an `amend` entry supersedes an earlier version, a `retract` entry withdraws one.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Literal, NamedTuple, Union

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from kjplan.loading import register_pattern

STATUSES = ("已完成", "序时推进", "滞后", "未启动")
Status = Literal["已完成", "序时推进", "滞后", "未启动"]
STATUS_ALIASES = {
    "done": "已完成", "completed": "已完成",
    "on-track": "序时推进", "ontrack": "序时推进", "on_track": "序时推进",
    "behind": "滞后", "late": "滞后",
    "not-started": "未启动", "notstarted": "未启动", "not_started": "未启动",
}

MAX_TEXT = 5000  # characters in one field: several pages of a report; longer is a paste gone wrong
MAX_SHORT = 200  # unit, by, reason
# The largest figure a record or target may hold, in the target's unit. Beyond it a value is a typing
# accident (a figure of 400 digits was once stored as Infinity and broke status, JSON and the report).
MAX_FIGURE = 1e12
# XML 1.0 cannot hold these (Word and Excel would refuse the file); tab, LF and CR are allowed.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
ID_PATTERN = r"^[0-9a-f]{16}$"
QUARTER_PATTERN = r"^\d{4}Q[1-4]$"


def new_id() -> str:
    """64 random bits: unique across copies of the workspace without any shared counter.
    (os.urandom is what secrets.token_hex reads; importing secrets would cost add-progress more.)"""
    return os.urandom(8).hex()


def forbidden_char(value: str) -> str | None:
    """Why `value` cannot be stored (a character that XML 1.0, hence Word and Excel, cannot hold), or None."""
    bad = _FORBIDDEN.search(value)
    if bad is None:
        return None
    char = bad.group()
    code = ord(char)
    where = f"（第 {value[: bad.start()].count(chr(10)) + 1} 行）" if "\n" in value else ""
    if 0xDC80 <= code <= 0xDCFF:
        # Bytes that are not UTF-8 reach Python as these (surrogateescape): a GBK terminal or file.
        return (f"含有无法识别的字节 0x{code - 0xDC00:02X}{where}：输入不是 UTF-8 编码"
                "（终端或文件可能是 GBK）；请改用 UTF-8 后重试")
    if 0xD800 <= code <= 0xDFFF:
        return f"含有无效的 Unicode 字符 U+{code:04X}（单独的代理项）{where}"
    if code in (0xFFFE, 0xFFFF):
        return f"含有 Word 和 Excel 无法保存的非字符 U+{code:04X}{where}，请删除"
    return f"含有无法写入 Word 文档的控制字符 U+{code:04X}{where}，请删除"


def is_blank(value: str) -> bool:
    """Nothing a reader could see: only spaces, line breaks and invisible format characters (U+200B…)."""
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in value)


def check_text(value: str, *, limit: int = MAX_TEXT, one_line: bool = False) -> str:
    problem = forbidden_char(value)
    if problem:
        raise ValueError(problem)
    if one_line and ("\n" in value or "\r" in value or "\t" in value):
        raise ValueError("只能写一行（不能含换行或 Tab）")
    if len(value) > limit:
        raise ValueError(f"内容过长：{len(value)} 字，最多 {limit} 字")
    return value


def _nonblank(value: str) -> str:
    if is_blank(value):
        raise ValueError("不能为空")
    return value


def explain_text(value: str, *, one_line: bool = False) -> str:
    """The Chinese reason a stored text field was refused by the patterns below."""
    try:
        _nonblank(check_text(value, limit=len(value), one_line=one_line))
    except ValueError as exc:
        return str(exc)
    return "内容无效"


# The checks of check_text, as constraints pydantic-core runs natively: loading 100,000 records
# validates half a million strings, and a Python validator per string doubled the load time.
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x{FFFE}\x{FFFF}"
_LINE_CONTROLS = r"\x00-\x1f\x7f\x{FFFE}\x{FFFF}"
NO_CONTROL = f"^[^{_CONTROLS}]*$"
NONBLANK_NO_CONTROL = f"^[^{_CONTROLS}]*[^\\s\\p{{Cf}}{_CONTROLS}][^{_CONTROLS}]*$"
ONE_LINE = f"^[^{_LINE_CONTROLS}]*$"
NONBLANK_ONE_LINE = f"^[^{_LINE_CONTROLS}]*[^\\s\\p{{Cf}}{_LINE_CONTROLS}][^{_LINE_CONTROLS}]*$"
register_pattern(NO_CONTROL, explain_text)
register_pattern(NONBLANK_NO_CONTROL, explain_text)
register_pattern(ONE_LINE, lambda value: explain_text(value, one_line=True))
register_pattern(NONBLANK_ONE_LINE, lambda value: explain_text(value, one_line=True))
register_pattern(ID_PATTERN, lambda value: f"记录编号应为 16 位十六进制数字（0-9、a-f），实际为“{value[:40]}”")
register_pattern(QUARTER_PATTERN, lambda value: f"季度应写成 2020Q2 这样（四位年份、Q、1 到 4），实际为“{value[:40]}”")

LongText = Annotated[str, StringConstraints(max_length=MAX_TEXT, pattern=NO_CONTROL)]
Required = Annotated[str, StringConstraints(max_length=MAX_TEXT, pattern=NONBLANK_NO_CONTROL)]
Short = Annotated[str, StringConstraints(max_length=MAX_SHORT, pattern=ONE_LINE)]
# Text of the plan and the settings (any length): something visible, nothing Word cannot hold.
VisibleText = Annotated[str, StringConstraints(strip_whitespace=True, pattern=NONBLANK_NO_CONTROL)]
VisibleLine = Annotated[str, StringConstraints(strip_whitespace=True, pattern=NONBLANK_ONE_LINE)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, pattern=ONE_LINE)]
# A figure in its target's unit: finite, not negative, and not absurdly large.
Figure = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=MAX_FIGURE)]
EntryId = Annotated[str, Field(pattern=ID_PATTERN)]
QuarterCode = Annotated[str, Field(pattern=QUARTER_PATTERN)]


class _Entry(BaseModel):
    # defer_build: a command builds only the validators it uses (add-progress: ProgressEntry's alone).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: EntryId
    created: AwareDatetime
    by: Short = ""


class _Content(_Entry):
    item: Annotated[StrictInt, Field(ge=1, le=99)]
    quarter: QuarterCode
    date: dt.date
    text: Required
    status: Status | None = None  # None: derived from the metrics against 序时进度 when reported
    unit: Short = ""  # 报送单位
    metrics: dict[str, Figure] = {}  # target id -> value in the target's unit
    problems: LongText = ""  # 存在问题
    next: LongText = ""  # 下步打算


class ProgressEntry(_Content):
    type: Literal["progress"] = "progress"


class AmendEntry(_Content):
    type: Literal["amend"] = "amend"
    supersedes: EntryId  # the entry this one replaces (a progress entry or an earlier amendment)


class RetractEntry(_Entry):
    type: Literal["retract"] = "retract"
    retracts: EntryId
    reason: Required


Entry = Annotated[Union[ProgressEntry, AmendEntry, RetractEntry], Field(discriminator="type")]


class Record(NamedTuple):
    """The latest version of one logical record, as reports and listings use it.

    A named tuple, not a model: it is built from entries that were validated when loaded, and a status
    over 100,000 records builds one per record (a tuple is built several times faster than a frozen
    dataclass, and the ledger index builds them from stored rows)."""

    id: str  # the id of the original progress entry: stable across amendments
    version: str  # the id of the entry that holds this version
    item: int
    quarter: str
    date: dt.date
    text: str
    status: Status | None  # None: derived from the metrics when reported
    unit: str
    by: str
    metrics: dict[str, float]
    problems: str
    next: str
    created: dt.datetime  # when the original was recorded
    updated: dt.datetime  # when this version was recorded
    amended: bool

    def as_dict(self) -> dict:
        """For machines (log --format json, the exported report JSON)."""
        return {
            "id": self.id, "item": self.item, "quarter": self.quarter, "date": self.date.isoformat(),
            "text": self.text, "status": self.status, "unit": self.unit, "by": self.by,
            "metrics": dict(self.metrics), "problems": self.problems, "next": self.next,
            "created": self.created.isoformat(), "updated": self.updated.isoformat(),
            "amended": self.amended, "version": self.version,
        }


@dataclass
class Resolution:
    """resolve()'s records, and what resolving further entries needs (kjplan.ledger_index)."""

    records: list[Record]  # latest versions of live records, in date order (then line order)
    position: dict[str, int]  # each original's place in line order
    root_of: dict[str, str]  # every entry id -> the id of the record it belongs to
    referenced: set[str]  # ids named by a `supersedes` or a `retracts`
    retracted: set[str]  # records withdrawn


def resolve(entries: list) -> list[Record]:
    """Apply amendments and retractions; the result is in date order (then the ledger's line order).
    (See resolution() for the details.)"""
    return resolution(entries).records


def resolution(entries: list) -> Resolution:
    """Apply amendments and retractions; the records are in date order (then the ledger's line order).

    An amendment chain is followed to its original; among several amendments of one record the one
    later in the file wins. Versions follow the order of lines, never the `created` time: a PC whose
    clock runs fast must not make its record outrank a correction written after it. Two offices'
    amendments merged by git (union) are in the same order in every merged copy, so all copies agree.
    """
    originals: dict[str, ProgressEntry] = {}
    parent: dict[str, str] = {}
    latest: dict[str, _Content] = {}
    position: dict[str, int] = {}  # line order of each original
    retracted: set[str] = set()
    for order, entry in enumerate(entries):
        if isinstance(entry, ProgressEntry):
            originals[entry.id] = entry
            position.setdefault(entry.id, order)
        elif isinstance(entry, AmendEntry):
            parent[entry.id] = entry.supersedes

    def root(entry_id: str) -> str:
        seen = set()
        while entry_id in parent and entry_id not in seen:
            seen.add(entry_id)
            entry_id = parent[entry_id]
        return entry_id

    for entry in entries:
        if isinstance(entry, RetractEntry):
            retracted.add(root(entry.retracts))
            continue
        latest[root(entry.id) if parent else entry.id] = entry

    records = []
    for key, entry in latest.items():
        original = originals.get(key)
        if original is None or key in retracted:
            continue  # an amendment of something we don't have, or a withdrawn record
        records.append(Record(
            id=key, version=entry.id, item=entry.item, quarter=entry.quarter, date=entry.date,
            text=entry.text, status=entry.status, unit=entry.unit,
            by=original.by, metrics=dict(entry.metrics),
            problems=entry.problems, next=entry.next, created=original.created, updated=entry.created,
            amended=entry is not original,
        ))
    records.sort(key=lambda r: (r.date, position[r.id]))
    referenced = set(parent.values())
    referenced.update(e.retracts for e in entries if isinstance(e, RetractEntry))
    return Resolution(records, position, {e.id: root(e.id) for e in entries}, referenced, retracted)
