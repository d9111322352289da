"""One value a person gave, parsed into a typed value: the same rules for flags, files, forms and prompts.

Each parser takes what arrived (a str from a flag or a CSV cell; int, float, date or bool from YAML or an
Excel cell) and returns the typed value, or raises FieldError, which is both a ValueError and a
KjplanError, with a Chinese message that says what is wrong and what would be accepted. Where the value
came from (an option, a file's line, a sheet's cell) is for the caller to add: one parser serves them all.
"""

from __future__ import annotations

import calendar
import math
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kjplan.errors import KjplanError
from kjplan.numerals import format_quantity, parse_cn_number, to_target_unit
from kjplan.periods import Quarter, default_quarter
from kjplan.periods import parse_quarter as _parse_quarter
from kjplan.records import MAX_FIGURE, MAX_SHORT, MAX_TEXT, STATUS_ALIASES, STATUSES, check_text, is_blank

if TYPE_CHECKING:  # the plan's models are only passed in: the plan's loader itself parses dates here
    from kjplan.plan import Item, Plan, Target


class FieldError(KjplanError, ValueError):
    """A value that cannot be taken, with the Chinese reason (catchable as ValueError or KjplanError)."""


# ---------------------------------------------------------------------------------------------- items

def item_span(plan: Plan) -> str:
    return f"{plan.year} 年工作要点的事项序号为 {min(plan.numbers)} 到 {max(plan.numbers)}"


def parse_item(plan: Plan, value: Any) -> Item:
    """'9', 9, 9.0 (a spreadsheet's number), '第9项', '九' -> the plan's item 9; otherwise a Chinese error
    naming the range."""
    span = item_span(plan)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FieldError(f"没有写事项序号；{span}")
    if isinstance(value, bool):  # YAML reads `item: yes` or `item: true` as a truth value
        raise FieldError(f"“{str(value).lower()}”不是事项序号；{span}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    core = unicodedata.normalize("NFKC", text).strip().removeprefix("第").removesuffix("项").strip()
    try:
        number = value if isinstance(value, int) else parse_cn_number(core)
    except ValueError:
        raise FieldError(f"“{text}”不是事项序号；{span}") from None
    item = plan.item(number)
    if item is None:
        raise FieldError(f"没有第 {number} 项；{span}")
    return item


# ------------------------------------------------------------------------------------------- quarters

def parse_quarter(value: Any, plan_year: int, today: dt.date | None = None) -> Quarter:
    """A quarter of the plan's year (2, Q2, 2020Q2, 第二季度, current, previous); None: today's."""
    if value is None:
        if today is None:
            raise FieldError("没有写季度")
        return default_quarter(plan_year, today)
    return _parse_quarter(value, plan_year, today)


# ---------------------------------------------------------------------------------------------- dates

DATE_FORMS = "2020-07-06、2020/7/6 或 2020年7月6日"
# Year, month and day with one separator (- / .), or 年月日; a time after it (Excel's "2020/7/6 0:00") is ignored.
_DATE = re.compile(r"(?P<y>\d{4})(?:(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})|年(?P<cm>\d{1,2})月(?P<cd>\d{1,2})日?)"
                   r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def parse_date(value: Any) -> dt.date:
    """2020-07-06, 2020/7/6, 2020.7.6, 2020年7月6日 (or a date from YAML or a spreadsheet cell).

    Refused, each with the reason: 20200706 (no separator: too easily a typo), week dates (2020-W27-1),
    a bare number (an Excel cell formatted as a number), and days that do not exist (2020-02-30)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FieldError(f"日期应写成 {DATE_FORMS}")
    raw = str(value).strip()
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", raw))
    text = re.sub(r"\s*([-/.年月日])\s*", r"\1", text)
    if not text:
        raise FieldError(f"没有写日期；请写成 {DATE_FORMS}")
    match = _DATE.fullmatch(text)
    if match is None:
        if re.fullmatch(r"\d{8}", text):
            reason = "年月日之间缺少分隔符"
        elif re.fullmatch(r"\d{4}-?W\d{1,2}(-?\d)?", text, flags=re.I):
            reason = "这是按周写的日期"
        elif isinstance(value, (int, float)):
            reason = "这是一个数字（Excel 单元格请设为“日期”格式）"
        else:
            reason = "无法识别"
        raise FieldError(f"日期“{raw}”{reason}；请写成 {DATE_FORMS}")
    year = int(match["y"])
    month = int(match["m"] or match["cm"])
    day = int(match["d"] or match["cd"])
    if year < 1:
        raise FieldError(f"日期“{raw}”的年份 {year} 不存在")
    if not 1 <= month <= 12:
        raise FieldError(f"日期“{raw}”的月份 {month} 不存在（月份为 1 到 12）")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise FieldError(f"日期“{raw}”不存在：{year} 年 {month} 月只有 {days} 天")
    return dt.date(year, month, day)


# ------------------------------------------------------------------------------------------- statuses

def parse_status(value: Any) -> str:
    """已完成 / 序时推进 / 滞后 / 未启动, or their English aliases."""
    text = str(value).strip()
    if text in STATUSES:
        return text
    alias = STATUS_ALIASES.get(text.lower())
    if alias is None:
        raise FieldError(f"状态“{value}”无效，应为 {' / '.join(STATUSES)}（或 done / on-track / behind / not-started）")
    return alias


# ---------------------------------------------------------------------------------------------- texts

def parse_text(value: Any, *, limit: int = MAX_TEXT, required: bool = False, single_line: bool = False) -> str:
    """A text field (progress, problems, next steps, unit, name): characters Word can hold, not too long,
    and (required) something a reader can see; single_line: no line breaks (names, units)."""
    if value is None:
        value = ""
    if isinstance(value, bool):
        raise FieldError(f"应为文字，而不是 {str(value).lower()}（YAML 把 yes、no、true、false 等读作是非值，请加引号）")
    if isinstance(value, (int, float)):
        value = str(value)
    if not isinstance(value, str):
        raise FieldError("应为文字")
    try:
        check_text(value, limit=limit, one_line=single_line)
    except ValueError as exc:
        raise FieldError(str(exc)) from None
    if required and is_blank(value):
        raise FieldError("不能为空" if not value else "不能为空（只有空格或看不见的字符）")
    return value


def parse_unit(value: Any, units: Iterable[str] = ()) -> str:
    """A reporting unit (报送单位); when the settings list units, one of them."""
    unit = parse_text(value, limit=MAX_SHORT, single_line=True).strip()
    units = list(units)
    if units and unit and unit not in units:
        raise FieldError(f"“{unit}”不在设置文件 kjplan.yaml 的报送单位名单中：{'、'.join(units)}")
    return unit


def parse_name(value: Any) -> str:
    """Who recorded it (填报人)."""
    return parse_text(value, limit=MAX_SHORT, single_line=True).strip()


# -------------------------------------------------------------------------------------------- figures

def _metric_pairs(values: Iterable[str]) -> dict[str, str]:
    """['innovation_fund=6000万', ...] (or 'a=1;b=2') -> {'innovation_fund': '6000万'}."""
    pairs: dict[str, str] = {}
    for raw in values:
        for part in re.split(r"[;；]", str(raw)):
            if not part.strip():
                continue
            key, sep, val = part.replace("＝", "=").partition("=")
            if not sep:
                raise FieldError(f"“{part.strip()}”应写成 指标编号=数值，如 innovation_fund=6000万")
            key = key.strip()
            if not key:
                raise FieldError(f"“{part.strip()}”缺少指标编号，应写成 指标编号=数值，如 innovation_fund=6000万")
            if key in pairs:
                raise FieldError(f"指标“{key}”填写了两次")
            pairs[key] = val.strip()
    return pairs


def parse_metric_pairs(values: Iterable[str] | Mapping[str, Any] | str | None) -> dict[str, str]:
    """The --metric options (or a file's metrics cell or mapping) as {target key: value text}."""
    if values is None:
        return {}
    if isinstance(values, Mapping):
        out = {}
        for key, val in values.items():
            out[str(key).strip()] = "" if val is None else str(val).strip()
        return out
    if isinstance(values, str):
        values = [values]
    return _metric_pairs(values)


def targets_hint(item: Item, plan_targets: Sequence[Target] = ()) -> str:
    names = "、".join(f"{t.id}（{t.name}，{t.unit}）" for t in item.targets)
    hint = f"第 {item.number} 项的指标有：{names}" if item.targets else f"第 {item.number} 项没有量化指标"
    if plan_targets:  # plan-wide targets (主要预期目标) may be reported with any item
        hint += "；全局指标有：" + "、".join(f"{t.id}（{t.name}，{t.unit}）" for t in plan_targets)
    return hint


def find_target(item: Item, key: str, plan_targets: Sequence[Target] = ()) -> Target:
    """The target named by `key` (its id): the item's own, or a plan-wide one."""
    target = item.target(key) or next((t for t in plan_targets if t.id == key), None)
    if target is None:
        raise FieldError(f"“{key}”不是第 {item.number} 项的指标；{targets_hint(item, plan_targets)}")
    return target


def parse_figure(text: Any, target: Target) -> float:
    """A figure typed for `target`, in the target's unit ('6000万' -> 0.6 for a 亿元 target)."""
    text = "" if text is None else str(text).strip()
    if not text:
        raise FieldError(f"指标“{target.id}”缺少数值，如 {target.id}=6000万")
    try:
        value = to_target_unit(text, target.unit)
    except ValueError as exc:
        raise FieldError(f"指标“{target.id}”（{target.name}，单位{target.unit}）：{exc}") from None
    if value < 0:
        raise FieldError(f"指标“{target.id}”的数值不能为负数：{text}")
    if not math.isfinite(value) or value > MAX_FIGURE:  # 400 digits once became Infinity in the ledger
        shown = text if len(text) <= 20 else text[:19] + "…"
        raise FieldError(f"指标“{target.id}”的数值“{shown}”过大（最多 {format_quantity(MAX_FIGURE, target.unit)}），"
                         "请检查是否多写了数字或写错了单位")
    return value


def parse_metrics(item: Item, pairs: Mapping[str, str], *, allow_remove: bool = False,
                  plan_targets: Sequence[Target] = ()) -> dict[str, float | None]:
    """{key: typed value} -> {target id: value in the target's unit}. All problems in one FieldError.

    None means "remove this metric" (an empty value, in an amendment only)."""
    out: dict[str, float | None] = {}
    problems = []
    for key, text in pairs.items():
        if not text and allow_remove:
            out[key] = None
            continue
        try:
            target = find_target(item, key, plan_targets)
            out[target.id] = parse_figure(text, target)
        except FieldError as exc:
            problems.append(exc.message)
    if problems:
        raise FieldError("；".join(problems))
    return out
