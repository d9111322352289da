"""One value a person gave, parsed into a typed value: the same rules for flags, files, forms and prompts.

Each parser takes what arrived (a str from a flag or a CSV cell; int, float, date or bool from YAML or an
Excel cell) and returns the typed value, or raises FieldError, which is both a ValueError and a
KjplanError, with a Chinese message that says what is wrong and what would be accepted. Where the value
came from (an option, a file's line, a sheet's cell) is for the caller to add: one parser serves them all.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kjplan.errors import KjplanError
from kjplan.numerals import convert, format_number, format_quantity, parse_cn_number, parse_quantity, unit_kind
from kjplan.periods import Quarter, default_quarter
from kjplan.periods import parse_quarter as _parse_quarter
from kjplan.records import MAX_FIGURE, MAX_SHORT, MAX_TEXT, STATUS_ALIASES, STATUSES, check_text, is_blank

if TYPE_CHECKING:  # the plan's models are only passed in: the plan's loader itself parses dates here
    from kjplan.plan import Item, Plan, Target


class FieldError(KjplanError, ValueError):
    """A value that cannot be taken, with the Chinese reason (catchable as ValueError or KjplanError)."""


class Implausible(FieldError):
    """A figure that may be meant but looks like a slip (a rate over 100%, ten times the target): taken
    only when confirmed (--force). `reason` is the message without the hint about --force."""

    def __init__(self, reason: str):
        super().__init__(f"{reason}；如果确实如此，请加 --force")
        self.reason = reason


# ---------------------------------------------------------------------------------------------- items

def item_span(plan: Plan) -> str:
    return f"{plan.year} 年工作要点的事项序号为 {min(plan.numbers)} 到 {max(plan.numbers)}"


def parse_item(plan: Plan, value: Any) -> Item:
    """'9', 9, 9.0 (a spreadsheet's number), '第9项', '九' -> the plan's item 9; words of an item's title
    ('孵化器', '科技 宣传') -> that item, when only one title (or, failing that, one item's text) has them
    all. Otherwise a Chinese error naming the range, or the items the words could mean."""
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
        return _item_by_words(plan, text, span)
    item = plan.item(number)
    if item is None:
        raise FieldError(f"没有第 {number} 项；{span}")
    return item


def _item_by_words(plan: Plan, text: str, span: str) -> Item:
    words = unicodedata.normalize("NFKC", text).split()
    if not words or any(re.fullmatch(r"[\d.\-]+", w) for w in words):
        raise FieldError(f"“{text}”不是事项序号；{span}")
    for where in ("title", "text"):
        found = [i for i in plan.items if all(w in unicodedata.normalize("NFKC", getattr(i, where)) for w in words)]
        if len(found) == 1:
            return found[0]
        if found:
            names = "、".join(f"{i.number}. {i.title}" for i in found[:6]) + ("……" if len(found) > 6 else "")
            raise FieldError(f"“{text}”可以指 {len(found)} 项：{names}；请写序号，或多写几个词")
    raise FieldError(f"“{text}”不是事项序号，也不在任何事项的名称中；{span}")


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

PAIR_HINT = "应写成 指标名称=数值，如 基金=6000万（名称可只写其中几个字，也可写指标编号）"


def _metric_pairs(values: Iterable[str]) -> dict[str, str]:
    """['基金=6000万', ...] (or 'a=1;b=2') -> {'基金': '6000万'}."""
    pairs: dict[str, str] = {}
    for raw in values:
        for part in re.split(r"[;；]", str(raw)):
            if not part.strip():
                continue
            key, sep, val = part.replace("＝", "=").partition("=")
            if not sep:
                raise FieldError(f"“{part.strip()}”{PAIR_HINT}")
            key = key.strip()
            if not key:
                raise FieldError(f"“{part.strip()}”缺少指标名称，{PAIR_HINT}")
            if key in pairs:
                raise FieldError(f"指标“{key}”填写了两次")
            pairs[key] = val.strip()
    return pairs


def parse_metric_pairs(values: Iterable[str] | Mapping[str, Any] | str | None) -> dict[str, Any]:
    """The --metric options (or a file's metrics cell or mapping) as {target name or id: value}."""
    if values is None:
        return {}
    if isinstance(values, Mapping):
        return {str(key).strip(): val for key, val in values.items()}
    if isinstance(values, str):
        values = [values]
    return _metric_pairs(values)


def _listed(targets: Sequence[Target]) -> str:
    return "、".join(f"{t.name}（{t.unit}，编号 {t.id}）" for t in targets)


def targets_hint(item: Item, plan_targets: Sequence[Target] = ()) -> str:
    hint = f"第 {item.number} 项的指标有：{_listed(item.targets)}" if item.targets else f"第 {item.number} 项没有量化指标"
    if plan_targets:  # plan-wide targets (主要预期目标) may be reported with any item
        hint += f"；全局指标有：{_listed(plan_targets)}"
    return hint


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def _matches(target: Target, key: str) -> tuple[bool, bool]:
    """(exactly, partly): the target's id or Chinese name is `key`; its Chinese name contains `key`
    (ids are matched whole: "fund" is a typo more often than a choice)."""
    name = _key(target.name)
    return key in (name, _key(target.id)), bool(key) and key in name


def find_target(item: Item, key: str, plan: Plan | None = None) -> Target:
    """The target named by `key`, among the item's own and (given the plan) the plan-wide ones (主要预期目标,
    which any item's record may report): its id, its Chinese name, or any part of the name that only one
    of them has (基金, 入驻率). Ambiguous parts list the candidates; a target of another item is named as such."""
    wanted = _key(key)
    plan_targets = list(plan.targets) if plan is not None else []
    found = [(t, *_matches(t, wanted)) for t in [*item.targets, *plan_targets]]
    exact = [t for t, whole, _ in found if whole]
    if exact:
        return exact[0]
    partial = [t for t, _, part in found if part]
    if len(partial) == 1:
        return partial[0]
    if partial:
        names = "、".join(f"{t.name}（{t.id}）" for t in partial)
        raise FieldError(f"“{key}”可以指第 {item.number} 项的多个指标：{names}；请写得更完整")
    elsewhere = [(other, t) for other in (plan.items if plan is not None else ()) if other.number != item.number
                 for t in other.targets if any(_matches(t, wanted))]
    if len(elsewhere) == 1:
        other, target = elsewhere[0]
        raise FieldError(f"“{key}”是第 {other.number} 项的指标（{target.name}），不是第 {item.number} 项的；"
                         f"{targets_hint(item, plan_targets)}")
    raise FieldError(f"“{key}”不是第 {item.number} 项的指标；{targets_hint(item, plan_targets)}")


def accepted_forms(target: Target) -> str:
    """How a figure for `target` may be written, for messages and prompts."""
    kind = unit_kind(target.unit)
    if kind == "money":
        return "请带上单位，如 6000万、0.6亿 或 500元"
    if kind == "percent":
        return "请带上百分号，如 72%"
    return f"可写 12 或 12{target.unit}"


def parse_figure(value: Any, target: Target, *, force: bool = False) -> float:
    """A figure given for `target`, in the target's unit ('6000万' -> 0.6 for a 亿元 target).

    Money and percentages must carry their unit: a bare 2000 for a 亿元 target is far more often 2000万
    than 2000亿, and 0.8 for a rate is 80% as often as 0.8%. Counts (家、项、个、人 …) may be bare. A
    percentage above 100, or a level more than ten times its target, is refused unless `force`."""
    if isinstance(value, bool):
        raise FieldError(f"应为数值，而不是 {str(value).lower()}；{accepted_forms(target)}")
    text = "" if value is None else str(value).strip()
    if not text:
        raise FieldError(f"缺少数值；{accepted_forms(target)}")
    try:
        number, unit = parse_quantity(text)
    except ValueError:
        raise FieldError(f"“{text}”不是数值；{accepted_forms(target)}") from None
    kind = unit_kind(target.unit)
    if not unit and kind in ("money", "percent"):
        hint = f"（{text} 若是指 {format_number(number * 100)}%，请写 {format_number(number * 100)}%）" \
            if kind == "percent" and 0 < number <= 1 else ""
        raise FieldError(f"“{text}”没有写单位（这个指标以{target.unit}计）；{accepted_forms(target)}{hint}")
    try:
        converted = convert(number, unit, target.unit)
    except ValueError:
        raise FieldError(f"单位“{unit}”不能换算为“{target.unit}”；{accepted_forms(target)}") from None
    if converted < 0:
        raise FieldError(f"不能为负数：{text}")
    result = float(converted)
    if not math.isfinite(result) or result > MAX_FIGURE:  # 400 digits once became Infinity in the ledger
        shown = text if len(text) <= 20 else text[:19] + "…"
        raise FieldError(f"“{shown}”过大（最多 {format_quantity(MAX_FIGURE, target.unit)}），"
                         "请检查是否多写了数字或写错了单位")
    if force:
        return result
    if kind == "percent" and result > 100:
        raise Implausible(f"{text} 超过 100%")
    if target.kind == "level" and result > 10 * target.value:
        raise Implausible(f"{text} 是目标 {format_quantity(target.value, target.unit)} 的 "
                          f"{format_number(result / target.value, 1)} 倍，像是写错了单位")
    return result


def parse_metrics(item: Item, pairs: Mapping[str, Any], *, plan: Plan | None = None, force: bool = False,
                  allow_remove: bool = False) -> dict[str, float | None]:
    """{target name or id: value as given} -> {target id: value in the target's unit}. All problems in one
    FieldError, each naming its target.

    None means "remove this metric" (an empty value, in an amendment only)."""
    out: dict[str, float | None] = {}
    problems = []
    for key, value in pairs.items():
        empty = value is None or (isinstance(value, str) and not value.strip())
        try:
            target = find_target(item, key, plan)
        except FieldError as exc:
            if empty and allow_remove:  # removing a figure stored under an id the plan no longer has
                out[key] = None
            else:
                problems.append(exc.message)
            continue
        if target.id in out:
            problems.append(f"指标“{target.name}”填写了两次")
            continue
        if empty and allow_remove:
            out[target.id] = None
            continue
        try:
            out[target.id] = parse_figure(value, target, force=force)
        except FieldError as exc:
            problems.append(f"指标“{target.name}”（{target.id}）：{exc.message}")
    if problems:
        raise FieldError("；".join(problems))
    return out
