"""Progress records as a Python API: add, add from a file, amend, retract, list, status.

Everything the CLI does with records goes through here; the tests call these functions directly too.
Each function takes the workspace and plan and an explicit `today` / `now` (never the system clock), and
raises KjplanError with a Chinese message naming the problem. Input is validated completely before
anything is written: a refused command leaves the ledger byte for byte as it was.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kjplan import fields, ledger, ledger_index, readers
from kjplan.errors import DataError, DataErrors, KjplanError
from kjplan.ledger_index import duplicate_key, record_key
from kjplan.loading import describe_error
from kjplan.numerals import format_number, format_quantity
from kjplan.periods import Quarter
from kjplan.plan import Item, Plan
from kjplan.readers import FIELDS, LABELS as _FIELD_LABELS
from kjplan.records import MAX_SHORT, MAX_TEXT, STATUSES, AmendEntry, ProgressEntry, Record, RetractEntry, new_id, resolve
from kjplan.workspace import Workspace

LABELS = {**_FIELD_LABELS, "reason": "撤回原因", "id": "记录编号"}
MIN_PREFIX = 6
OnProblem = Callable[[DataError], None] | None


def option_name(key: str) -> str:
    return "--metric" if key == "metrics" else f"--{key}"


class _Problems(Exception):
    """Field problems found while validating one record: [(field, message)]."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(problems)
        self.problems = problems


def _cli_error(problems: list[tuple[str, str]]) -> KjplanError:
    lines = [f"{LABELS.get(k, k)}（{option_name(k)}）：{msg}" for k, msg in problems]
    return KjplanError("\n".join(lines))


# ---------------------------------------------------------------------------------------- one record

@dataclass
class _Context:
    """What validating a record needs besides the record: the plan, today, the settings' units, the
    options that let a suspicious figure or a duplicate through, and (read once, when first needed) the
    live records of the year, which year totals and duplicates are checked against."""

    ws: Workspace
    plan: Plan
    today: dt.date
    units: list[str]
    force: bool = False
    allow_duplicate: bool = False
    # Records validated earlier in the same batch (an import), counted like records already written, and
    # the records they replace (a form's changed row amends its record).
    pending: list[dict[str, Any]] = field(default_factory=list)
    replaced: set[str] = field(default_factory=set)
    _summary: ledger_index.Summary | None = None
    _records: list[Record] | None = None

    def summary(self) -> ledger_index.Summary:
        """The live records' duplicate keys and targets' totals, without reading the ledger when the
        summary kept beside the index is up to date (kjplan.ledger_index): add-progress takes as long on
        a ledger of 100,000 records as on one of ten."""
        if self._summary is None:
            self._summary = ledger_index.summary(self.ws.progress_path(self.plan.year))
        return self._summary

    def records(self) -> list[Record]:
        if self._records is None:
            self._records = ledger_index.load(self.ws.progress_path(self.plan.year)).records
        return self._records


def _context(ws: Workspace, plan: Plan, today: dt.date, *, force: bool = False,
             allow_duplicate: bool = False) -> _Context:
    return _Context(ws, plan, today, list(ws.settings.units), force, allow_duplicate)


def _dates(ctx: _Context, raw: Mapping[str, Any], given: set[str], base: Record | None,
           out: dict[str, Any], problems: list[tuple[str, str]]) -> None:
    """The record's date and quarter. A date lies in the plan's year, not after today and not before its
    quarter begins; when today is outside the plan's year nothing is stamped with it: the date must be
    written, and then the quarter follows from it unless it is given too."""
    plan, today = ctx.plan, ctx.today
    day: dt.date | None = None
    if "date" in given:
        try:
            day = fields.parse_date(raw["date"])
        except (ValueError, KjplanError) as exc:
            problems.append(("date", str(exc)))
    elif base is not None:
        day = base.date
    elif today.year == plan.year:
        day = today
    else:
        problems.append(("date", f"今天（{today}）不在计划年度 {plan.year} 年内，不能用今天作为进展日期；"
                                  f"请写明进展发生的日期，如 --date {plan.year}-06-28"))
    quarter = None
    try:
        if "quarter" in given:
            quarter = fields.parse_quarter(raw["quarter"], plan.year, today)
        elif base is not None:
            quarter = fields.parse_quarter(base.quarter, plan.year)
        elif "date" in given and day is not None:
            quarter = Quarter.of_date(day) if day.year == plan.year else None
        elif today.year == plan.year:
            quarter = fields.parse_quarter(None, plan.year, today)
    except (ValueError, KjplanError) as exc:
        problems.append(("quarter", str(exc)))
    if day is not None:
        if day > today:  # a day still to come is wrong whatever the year (a date of 2031 is no typo of the plan year)
            problems.append(("date", f"{day} 晚于今天（{today}）"))
            day = None
        elif day.year != plan.year:
            side = "早于" if day.year < plan.year else "晚于"
            problems.append(("date", f"{day} {side}计划年度 {plan.year} 年；进展的日期须在计划年度之内"))
            day = None
        elif quarter is not None and day < quarter.start:
            if "date" in given or base is not None:
                problems.append(("date", f"{day} 早于所属季度 {quarter.code} 的开始（{quarter.start}）；"
                                         "请改正日期，或写明所属的季度"))
            else:
                problems.append(("quarter", f"{quarter.code} 从 {quarter.start} 开始，今天（{today}）还不能登记"
                                            "这个季度的进展；请检查季度，或写明进展的日期"))
            day = None
    if day is not None:
        out["date"] = day
    if quarter is not None:
        out["quarter"] = quarter


def _year_totals(ctx: _Context, item: Item, metrics: Mapping[str, float], base: Record | None,
                 problems: list[tuple[str, str]]) -> None:
    """A cumulative target's figures add up over the year: refuse a record that would make the total more
    than ten times the target (2000 typed for 亿元 when 2000万 was meant), unless forced."""
    if ctx.force:
        return
    for target in [*item.targets, *ctx.plan.targets]:
        if target.kind != "cumulative" or target.id not in metrics:
            continue
        replaced = ctx.replaced | ({base.id} if base is not None else set())
        pending = [c["metrics"].get(target.id, 0.0) for c in ctx.pending]
        # Exact sums, rounded once: the summary's total and the records' sum agree to the last digit.
        if ctx._records is None and not replaced:
            earlier = float(ctx.summary().total(target.id) + sum(map(Fraction, pending)))
        else:
            earlier = math.fsum([*(r.metrics.get(target.id, 0.0) for r in ctx.records() if r.id not in replaced),
                                 *pending])
        total = earlier + metrics[target.id]
        if total > 10 * target.value:
            problems.append(("metrics", f"指标“{target.name}”：加上这条，全年累计将达到 "
                                        f"{format_quantity(total, target.unit)}，是目标 "
                                        f"{format_quantity(target.value, target.unit)} 的 "
                                        f"{format_number(total / target.value, 1)} 倍，像是写错了单位；"
                                        "如果确实如此，请加 --force"))


def _validate(ctx: _Context, raw: Mapping[str, Any], base: Record | None = None,
              replaces: Record | None = None) -> dict[str, Any]:
    """Check every field; return the content of an entry. Raises _Problems listing all that is wrong.

    raw holds what the user gave (keys absent: not given). base is the record being amended, whose
    values stand for every field the user left out; replaces is a record the entry will supersede whose
    values do not stand in (an imported row found by its key), left out of the year's totals."""
    problems: list[tuple[str, str]] = []
    out: dict[str, Any] = {}
    given = {k for k, v in raw.items() if v is not None}

    def attempt(key, fn):
        try:
            out[key] = fn()
        except (ValueError, KjplanError) as exc:
            problems.append((key, str(exc)))

    plan = ctx.plan
    if "item" in given:
        attempt("item", lambda: fields.parse_item(plan, raw["item"]))
    elif base is not None:
        attempt("item", lambda: fields.parse_item(plan, base.item))
    else:
        problems.append(("item", f"没有写事项序号；{fields.item_span(plan)}"))
    item: Item | None = out.get("item")

    _dates(ctx, raw, given, base, out, problems)

    for key, limit, required in (("text", MAX_TEXT, True), ("problems", MAX_TEXT, False),
                                 ("next", MAX_TEXT, False)):
        if key in given:
            attempt(key, lambda key=key, limit=limit, required=required:
                    fields.parse_text(raw[key], limit=limit, required=required))
        elif base is not None:
            out[key] = getattr(base, key)
        elif required:
            problems.append((key, "不能为空"))
        else:
            out[key] = ""
    if "unit" in given:
        attempt("unit", lambda: fields.parse_unit(raw["unit"], ctx.units))
    else:
        out["unit"] = base.unit if base is not None else ""

    metrics: dict[str, float] = {}
    metrics_failed = False
    if item is not None:
        old = dict(base.metrics) if base is not None else {}
        try:
            pairs = fields.parse_metric_pairs(raw.get("metrics"))
            changes = fields.parse_metrics(item, pairs, plan=plan, force=ctx.force, allow_remove=base is not None)
        except ValueError as exc:
            problems.append(("metrics", str(exc)))
            metrics_failed = True
        else:
            for key, value in changes.items():
                if value is None:
                    old.pop(key, None)
                else:
                    old[key] = value
            stale = [k for k in old if item.target(k) is None and plan.target(k) is None]
            if stale:
                problems.append(("metrics", f"记录中的指标 {'、'.join(stale)} 不属于第 {item.number} 项，"
                                            f"请用 --metric {stale[0]}= 删除；{fields.targets_hint(item, plan.targets)}"))
            metrics = old
            if changes:
                _year_totals(ctx, item, metrics, base or replaces, problems)
    out["metrics"] = metrics

    if "status" in given:
        attempt("status", lambda: fields.parse_status(raw["status"]))
    elif base is not None:
        out["status"] = base.status
    else:
        out["status"] = None
    if item is not None and out.get("status", "?") is None:
        if not item.targets:
            problems.append(("status", f"第 {item.number} 项没有量化指标，须写明状态：{' / '.join(STATUSES)}"))
        elif not any(item.target(k) for k in metrics) and not metrics_failed:  # plan-wide ones say nothing of the item
            problems.append(("status", f"第 {item.number} 项有量化指标，请写明状态（{' / '.join(STATUSES)}），"
                                       f"或用 --metric 填报指标数值（状态将按序时进度推算）；{fields.targets_hint(item)}"))
    if problems:
        raise _Problems(problems)
    out["item"] = item.number
    out["quarter"] = out["quarter"].code
    return out


# ------------------------------------------------------------------------------------------ duplicates

def _content_key(content: Mapping[str, Any]) -> tuple:
    return duplicate_key(content["item"], content["quarter"], content["unit"], content["text"])


def find_duplicate(ctx: _Context, content: Mapping[str, Any], base: Record | None = None) -> Record | None:
    """The live record (other than `base`) that `content` would repeat, or None."""
    key = _content_key(content)
    if ctx._records is None and not ctx.summary().may_hold(key):
        return None  # no live record has this key (a digest found is only a hint: compared below)
    return next((r for r in ctx.records() if (base is None or r.id != base.id)
                 and record_key(r) == key), None)


class Duplicate(KjplanError):
    """A record that repeats a live one (same item, quarter, unit and text)."""

    def __init__(self, record: Record):
        self.record = record
        unit = f"，{record.unit}" if record.unit else ""
        super().__init__(f"与已有记录 {record.id}（{record.date}，第 {record.item} 项 {record.quarter}{unit}）"
                         f"的事项、季度、报送单位和进展情况都相同，没有写入。如果要更正那条记录，请用 "
                         f"kjplan amend {record.id[:8]}；确实要再登记一条，请加 --allow-duplicate")


def _make(cls, content: dict, **extra):
    try:
        return cls(**content, **extra)
    except ValidationError as exc:  # the checks above should have caught it; say it in Chinese anyway
        raise _Problems([(str(e["loc"][0]) if e["loc"] else "记录", describe_error(e))
                         for e in exc.errors(include_url=False)]) from None


def _now(now: dt.datetime | None) -> dt.datetime:
    now = now or dt.datetime.now()
    return now if now.tzinfo is not None else now.astimezone()


def _by(by: str | None) -> str:
    by = ledger.login_name() if by is None else by
    try:
        return fields.parse_name(by)
    except ValueError as exc:
        raise _Problems([("by", str(exc))]) from None


# -------------------------------------------------------------------------------------------- writing

def build_progress(ws: Workspace, plan: Plan, *, today: dt.date, now: dt.datetime | None = None,
                   by: str | None = None, force: bool = False, allow_duplicate: bool = False,
                   **values: Any) -> ProgressEntry:
    """Validate one record (fields as add_progress takes them) without writing it. Raises Duplicate when
    it repeats a live record, unless allow_duplicate."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    ctx = _context(ws, plan, today, force=force, allow_duplicate=allow_duplicate)
    try:
        content = _validate(ctx, values)
        entry = _make(ProgressEntry, content, id=new_id(), created=_now(now), by=_by(by))
    except _Problems as exc:
        raise _cli_error(exc.problems) from None
    if not allow_duplicate:
        twin = find_duplicate(ctx, content)
        if twin is not None:
            raise Duplicate(twin)
    return entry


def add_progress(ws: Workspace, plan: Plan, *, item: Any, text: str, today: dt.date,
                 now: dt.datetime | None = None, quarter: Any = None, status: str | None = None,
                 unit: str | None = None, by: str | None = None,
                 metrics: Iterable[str] | Mapping[str, Any] | None = None, problems: str | None = None,
                 next: str | None = None, date: Any = None, force: bool = False, allow_duplicate: bool = False,
                 timeout: float | None = None) -> ProgressEntry:
    """Append one progress record; return the stored entry (its .id is the record's id).

    metrics: ["基金=6000万", ...] or {"innovation_fund": "6000万"}: a target by id, Chinese name or a part of
    the name only it has; money and percentages carry their unit, and values are converted to the target's
    unit. For a cumulative target the value is the amount achieved in this record (records add up over the
    year); for a level target it is the current level. status None: derived from the metrics when reported
    (allowed only when the item has targets and metrics are given). force: let a percentage above 100 or a
    figure over ten times its target through. allow_duplicate: record it even when a live record has the
    same item, quarter, unit and text."""
    entry = build_progress(ws, plan, today=today, now=now, by=by, force=force, allow_duplicate=allow_duplicate,
                           item=item, text=text, quarter=quarter, status=status, unit=unit, metrics=metrics,
                           problems=problems, next=next, date=date)
    ledger.append(ws.progress_path(plan.year), [entry], timeout=timeout, command="kjplan add-progress")
    return entry


@dataclass
class Import:
    """What an import would write: new records and amendments, and the rows that found their record unchanged."""

    files: list[Path]
    entries: list  # ProgressEntry (new) and AmendEntry (a row whose record changed), in file order
    skipped: int = 0  # rows whose record (found by row key / 记录编号) already says the same
    empty: list[Path] = field(default_factory=list)  # filled forms with no row filled in

    @property
    def added(self) -> int:
        return sum(1 for e in self.entries if isinstance(e, ProgressEntry))

    @property
    def amended(self) -> int:
        return sum(1 for e in self.entries if isinstance(e, AmendEntry))


def import_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files given, a folder standing for the record files in it (not its subfolders; Office's ~$ lock
    files and hidden files left out)."""
    suffixes = {sfx for name in readers.READERS for sfx in readers.get(name).SUFFIXES}
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes
                           and not p.name.startswith(("~$", ".")))
            if not found:
                raise DataError(path, None, f"文件夹中没有可导入的文件（{'、'.join(sorted(suffixes))}）")
            out += found
        else:
            out.append(path)
    return list(dict.fromkeys(out))


def _target_columns(plan: Plan, item: Item | None, row) -> tuple[dict[str, Any], list[DataError]]:
    """A sheet's columns headed with a target's name and unit ("科技创新发展基金募集规模（万元）") -> {id: figure}."""
    from kjplan.readers.xlsx import figure_text, heading_name

    # The row's own item first, then the plan-wide targets (主要预期目标), then any item (to say whose it is).
    lookups = [{t.name: t for t in targets} for targets in (
        item.targets if item is not None else [], plan.targets, [t for i in plan.items for t in i.targets])]
    by_name = {name: t for lookup in reversed(lookups) for name, t in lookup.items()}
    out, errors = {}, []
    for heading, value in row.extra.items():
        target = next((found for lookup in lookups for found in (lookup.get(heading_name(heading)), lookup.get(heading))
                       if found is not None), None)
        where = row.origin_of(f"metrics:{heading}")
        if target is None:
            names = "、".join(f"{t.name}（{t.unit}）" for t in by_name.values())
            errors.append(where.error(f"未知的列“{heading}”；可用的列：{', '.join(FIELDS)}，或指标列：{names}"))
        elif item is not None and item.target(target.id) is None and plan.target(target.id) is None:
            errors.append(where.error(f"“{target.name}”不是第 {item.number} 项的指标；{fields.targets_hint(item)}"))
        else:
            out[target.id] = figure_text(value, heading)  # a bare number takes the column's unit
    return out, errors


def build_import(ws: Workspace, plan: Plan, paths: Iterable[Path | str], *, today: dt.date,
                 now: dt.datetime | None = None, defaults: Mapping[str, Any] | None = None,
                 force: bool = False, allow_duplicate: bool = False) -> Import:
    """Validate every row of every file; raise DataErrors naming file and line (or sheet and cell) for
    all bad rows. A row with a key (a form's row key, an exported 记录编号) is its record: unchanged it is
    skipped, changed it becomes an amendment. A row without one that repeats a live record (the same
    item, quarter, unit and text: a file imported again) is skipped when it says the same, and refused
    when it says something else (that is a correction: kjplan amend); allow_duplicate records it anyway."""
    from kjplan.records import ID_PATTERN

    files = import_paths(paths)
    ctx = _context(ws, plan, today, force=force, allow_duplicate=allow_duplicate)
    now = _now(now)
    defaults = {k: v for k, v in (defaults or {}).items() if v is not None}
    book = ledger.load(ws.progress_path(plan.year))
    ctx._records = resolve(book.entries)
    live = {r.id: r for r in ctx._records}
    known_ids = {e.id for e in book.entries}
    errors: list[DataError] = []
    result = Import(files, [])
    keys: dict[str, Any] = {}
    seen: dict[tuple, Any] = {}  # duplicate key -> origin of the row of this import that has it
    for path in files:
        try:
            rows = readers.read(path)
        except DataErrors as exc:
            errors += exc.errors
            continue
        except DataError as exc:
            errors.append(exc)
            continue
        if not rows:
            if path.suffix.lower() in readers.get("xlsx").SUFFIXES:
                result.empty.append(path)
            else:
                errors.append(DataError(path, None, "文件中没有记录"))
            continue
        for row in rows:
            _key_and_ignored_columns(row)
            values = {**defaults, **row.values}
            try:
                item = fields.parse_item(plan, values.get("item")) if values.get("item") is not None else None
            except fields.FieldError:
                item = None  # _validate names it
            if row.extra:
                figures, problems = _target_columns(plan, item, row)
                if problems:
                    errors += problems
                    continue
                if figures:
                    try:
                        values["metrics"] = {**fields.parse_metric_pairs(values.get("metrics")), **figures}
                    except (ValueError, KjplanError) as exc:
                        errors.append(row.origin_of("metrics").error(f"metrics（指标）：{exc}"))
                        continue
            key = row.key
            if key is not None:
                if not re.fullmatch(ID_PATTERN, key):
                    errors.append(row.origin.error(f"记录编号“{key[:40]}”无效：应为 16 位十六进制数字（kjplan log 显示的编号）"))
                    continue
                if key in keys:
                    errors.append(row.origin.error(f"与 {keys[key]} 是同一条记录（记录编号相同），只能出现一次"))
                    continue
                keys[key] = row.origin
                if "date" not in values and "quarter" in values:  # a form's 填报日期 left blank
                    try:
                        end = fields.parse_quarter(values["quarter"], plan.year, today).end
                        values["date"] = min(today, end)
                    except (ValueError, KjplanError):
                        pass
            by = values.pop("by", None)
            existing = live.get(key) if key else None
            try:
                content = _validate(ctx, values, replaces=existing)
                created = now + dt.timedelta(microseconds=len(result.entries))  # file order kept
                if existing is None and key is None and not allow_duplicate:
                    twin, earlier = find_duplicate(ctx, content), seen.get(_content_key(content))
                    if earlier is not None:
                        errors.append(row.origin.error(f"与 {earlier} 的事项、季度、报送单位和进展情况都相同（同一条写了两次？）；"
                                                       "确实要登记两条，请加 --allow-duplicate"))
                        continue
                    if twin is not None:
                        differs = _differences(twin, content, given=values)
                        if not differs:
                            result.skipped += 1  # already recorded: a file imported again adds nothing
                            continue
                        errors.append(row.origin.error(
                            f"与已有记录 {twin.id} 的事项、季度、报送单位和进展情况相同，但{'、'.join(differs)}不同；"
                            f"如果要更正那条记录，请用 kjplan amend {twin.id[:8]}；确实要另登记一条，请加 --allow-duplicate"))
                        continue
                    seen[_content_key(content)] = row.origin
                if existing is not None:
                    if all(getattr(existing, k) == content[k] for k in _CONTENT):
                        result.skipped += 1
                        continue
                    entry = _make(AmendEntry, content, id=new_id(), created=created, by=_by(by and str(by)),
                                  supersedes=existing.version)
                elif key is not None and key in known_ids:
                    result.skipped += 1  # its record was retracted: importing the row again does not revive it
                    continue
                else:
                    entry = _make(ProgressEntry, content, id=key or new_id(), created=created, by=_by(by and str(by)))
                result.entries.append(entry)
                ctx.pending.append(content)
                if existing is not None:
                    ctx.replaced.add(existing.id)
            except _Problems as exc:
                for k, msg in exc.problems:
                    errors.append(row.origin_of(k).error(f"{k}（{LABELS.get(k, k)}）：{msg}"))
    if errors:
        raise DataErrors(errors)
    return result


def _key_and_ignored_columns(row) -> None:
    """An exported table's 记录编号 (or log's id) is the row's key; its 重点任务, 已更正, created… are
    there for people and are not read back."""
    from kjplan.readers.xlsx import IGNORED_HEADINGS, KEY_HEADINGS

    for heading in list(row.extra):
        if heading in KEY_HEADINGS:
            value = row.extra.pop(heading)
            row.key = row.key or (None if value is None or not str(value).strip() else str(value).strip())
        elif heading in IGNORED_HEADINGS:
            row.extra.pop(heading)


_CONTENT = ("item", "quarter", "date", "text", "status", "unit", "metrics", "problems", "next")
_DIFFERENCES = {"status": "状态", "metrics": "指标", "problems": "存在问题", "next": "下步打算", "date": "日期"}


def _differences(record: Record, content: Mapping[str, Any], *, given: Mapping[str, Any]) -> list[str]:
    """What a row says differently from the record it repeats (its date only when the row gives one:
    a row without a date is dated the day it is imported)."""
    return [label for key, label in _DIFFERENCES.items()
            if (key != "date" or given.get("date") is not None) and getattr(record, key) != content[key]]


def import_files(ws: Workspace, plan: Plan, paths: Iterable[Path | str], *, today: dt.date,
                 now: dt.datetime | None = None, defaults: Mapping[str, Any] | None = None,
                 force: bool = False, allow_duplicate: bool = False, timeout: float | None = None) -> Import:
    """Import records files (YAML, CSV, Excel forms and sheets; a folder for its files) in one locked
    write, or nothing at all when any row of any file is wrong."""
    result = build_import(ws, plan, paths, today=today, now=now, defaults=defaults, force=force,
                          allow_duplicate=allow_duplicate)
    if result.entries:
        ledger.append(ws.progress_path(plan.year), result.entries, timeout=timeout, command="kjplan add-progress --from")
    return result


def build_batch(ws: Workspace, plan: Plan, path: Path, *, today: dt.date, now: dt.datetime | None = None,
                defaults: Mapping[str, Any] | None = None, force: bool = False,
                allow_duplicate: bool = False) -> list:
    """Validate every row of a file; raise DataErrors naming file and line (or cell) for all bad rows."""
    path = Path(path)
    result = build_import(ws, plan, [path], today=today, now=now, defaults=defaults, force=force,
                          allow_duplicate=allow_duplicate)
    if not result.entries and not result.skipped:
        raise DataError(path, None, "文件中没有记录")
    return result.entries


def add_from_file(ws: Workspace, plan: Plan, path: Path, *, today: dt.date, now: dt.datetime | None = None,
                  defaults: Mapping[str, Any] | None = None, force: bool = False, allow_duplicate: bool = False,
                  timeout: float | None = None) -> list:
    """Append every record of a records file (YAML, CSV, xlsx) in one locked write, or none of them.

    defaults: values (quarter, unit, by, date) for rows that leave them blank."""
    entries = build_batch(ws, plan, path, today=today, now=now, defaults=defaults, force=force,
                          allow_duplicate=allow_duplicate)
    if entries:
        ledger.append(ws.progress_path(plan.year), entries, timeout=timeout, command="kjplan add-progress --from")
    return entries


# -------------------------------------------------------------------------------------- corrections

def find_record(ws: Workspace, plan: Plan, ref: str) -> tuple[Record, ledger.Ledger]:
    """The live record whose id (or a version's id) starts with `ref` (>= 6 hex digits, like git)."""
    text = str(ref).strip().lower()
    if not re.fullmatch(r"[0-9a-f]+", text) or not MIN_PREFIX <= len(text) <= 16:
        raise KjplanError(f"记录编号“{ref}”无效：应为 kjplan log 显示的编号（16 位，可只写前 {MIN_PREFIX} 位以上，如 3f2a9c）")
    book = ledger.load(ws.progress_path(plan.year))
    records = resolve(book.entries)
    live = {r.id: r for r in records if r.id.startswith(text) or r.version.startswith(text)}
    if len(live) == 1:
        return next(iter(live.values())), book
    if len(live) > 1:
        ids = "、".join(sorted(live))
        raise KjplanError(f"编号“{text}”对应多条记录（{ids}），请多写几位")
    if any(e.id.startswith(text) for e in book.entries):
        raise KjplanError(f"编号以“{text}”开头的记录已撤回（或本身是一条撤回记录），不能再修改或撤回")
    hint = f"；另有 {len(book.problems)} 行无法读取，可运行 kjplan check 查看" if book.problems else ""
    raise KjplanError(f"没有编号以“{text}”开头的记录；可用 kjplan log 查看记录编号{hint}")


def find_records(ws: Workspace, plan: Plan, refs: Iterable[str]) -> list[Record]:
    """The live records of several ids (each as find_record takes it): all found, each once, or a
    KjplanError listing every id that is not."""
    found: dict[str, Record] = {}
    problems = []
    for ref in refs:
        try:
            record, _ = find_record(ws, plan, ref)
        except KjplanError as exc:
            problems.append(exc.message)
            continue
        if record.id in found:
            problems.append(f"编号“{ref}”与前面的编号是同一条记录 {record.id}，只能写一次")
            continue
        found[record.id] = record
    if not found and not problems:
        raise KjplanError("没有写记录编号：请写出 kjplan log 显示的编号")
    if problems:
        raise KjplanError("\n".join(problems))
    return list(found.values())


def amend_many(ws: Workspace, plan: Plan, refs: Iterable[str], *, today: dt.date, now: dt.datetime | None = None,
               by: str | None = None, force: bool = False, allow_duplicate: bool = False,
               timeout: float | None = None, **changes: Any) -> list[AmendEntry]:
    """The same change to several records (amend A B --status 已完成): every one valid, or none written."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    changes = {k: v for k, v in changes.items() if v is not None and not (k == "metrics" and not v)}
    if not changes:
        raise KjplanError("没有要修改的内容：请写出要改的选项，如 --text、--status、--metric")
    records = find_records(ws, plan, refs)
    ctx = _context(ws, plan, today, force=force, allow_duplicate=allow_duplicate)
    created = _now(now)
    entries, problems = [], []
    for record in records:
        where = f"记录 {record.id}：" if len(records) > 1 else ""
        try:
            content = _validate(ctx, changes, base=record)
            entry = _make(AmendEntry, content, id=new_id(), created=created + dt.timedelta(microseconds=len(entries)),
                          by=_by(by), supersedes=record.version)
        except _Problems as exc:
            problems += [f"{where}{line}" for line in _cli_error(exc.problems).message.split("\n")]
            continue
        if all(getattr(record, k) == content[k] for k in _CONTENT):
            problems.append(f"{where}修改后的内容与记录 {record.id} 现有内容相同，未写入")
            continue
        twin = None if allow_duplicate else find_duplicate(ctx, content, base=record)
        if twin is not None:
            problems.append(f"{where}{Duplicate(twin).message}")
            continue
        entries.append(entry)
    if problems:
        raise KjplanError("\n".join(problems))
    ledger.append(ws.progress_path(plan.year), entries, timeout=timeout, command="kjplan amend")
    return entries


def amend(ws: Workspace, plan: Plan, ref: str, *, today: dt.date, now: dt.datetime | None = None,
          by: str | None = None, timeout: float | None = None, **changes: Any) -> AmendEntry:
    """Append an amendment superseding record `ref`: fields given replace the record's, the rest stay.

    changes: the fields of add_progress (item, quarter, text, status, unit, metrics, problems, next,
    date, force, allow_duplicate); a metric with an empty value ("基金=") is removed."""
    (entry,) = amend_many(ws, plan, [ref], today=today, now=now, by=by, timeout=timeout, **changes)
    return entry


def retract_many(ws: Workspace, plan: Plan, refs: Iterable[str], *, reason: str | None,
                 now: dt.datetime | None = None, by: str | None = None,
                 timeout: float | None = None) -> list[RetractEntry]:
    """Withdraw several records for one reason, all in one write or none."""
    try:
        reason = fields.parse_text(reason, limit=MAX_SHORT, required=True)
    except ValueError as exc:
        raise _cli_error([("reason", str(exc))]) from None
    records = find_records(ws, plan, refs)
    created = _now(now)
    try:
        entries = [_make(RetractEntry, {}, id=new_id(), created=created + dt.timedelta(microseconds=i), by=_by(by),
                         retracts=record.id, reason=reason) for i, record in enumerate(records)]
    except _Problems as exc:
        raise _cli_error(exc.problems) from None
    ledger.append(ws.progress_path(plan.year), entries, timeout=timeout, command="kjplan retract")
    return entries


def retract(ws: Workspace, plan: Plan, ref: str, *, reason: str | None, now: dt.datetime | None = None,
            by: str | None = None, timeout: float | None = None) -> RetractEntry:
    """Append a retraction withdrawing record `ref`; the reason is required. History stays in the file."""
    (entry,) = retract_many(ws, plan, [ref], reason=reason, now=now, by=by, timeout=timeout)
    return entry


# ------------------------------------------------------------------------------------------- reading

def summarize(problems: list[DataError], limit: int | None = None) -> list[DataError]:
    """Problems as a person wants to read them: a file saved as GBK is one message listing its lines,
    not one message a line; beyond `limit` messages, one line saying how many more there are."""
    grouped: dict[tuple, list[DataError]] = {}
    for problem in problems:
        grouped.setdefault((problem.path, problem.detail) if "GBK" in problem.detail or "UTF-8" in problem.detail
                           else (id(problem),), []).append(problem)
    out = []
    for group in grouped.values():
        first = group[0]
        if len(group) == 1:
            out.append(first)
            continue
        shown = "、".join(str(p.line) for p in group[:10]) + ("……" if len(group) > 10 else "")
        out.append(DataError(first.path, first.line, f"{first.detail}（共 {len(group)} 行：第 {shown} 行）"))
    if limit is not None and len(out) > limit:
        rest = len(out) - limit
        out = out[:limit] + [DataError(out[limit].path, None, f"另有 {rest} 处无法读取的行，可运行 kjplan check 查看全部")]
    return out


def load_records(ws: Workspace, plan: Plan, *, on_problem: OnProblem = None) -> list[Record]:
    """All live records of the plan's year (latest versions, date order). Lines that cannot be loaded
    are passed to on_problem (the CLI prints them as warnings, at most 10) and skipped."""
    records, problems = ledger.load_records(ws, plan.year)
    if on_problem is not None:
        for problem in summarize(problems, limit=10):
            on_problem(problem)
    return records


def newest_records(ws: Workspace, plan: Plan, *, on_problem: OnProblem = None):
    """load_records, the newest first at hand (kjplan.ledger_index.Newest): what `log` needs to show its
    first screen before the older records are decoded. Problems are passed on as load_records does."""
    from kjplan import ledger_index

    view = ledger_index.load_newest(ws.progress_path(plan.year))
    if on_problem is not None:
        for problem in summarize(view.problems, limit=10):
            on_problem(problem)
    return view


def list_records(ws: Workspace, plan: Plan, *, today: dt.date, quarter: Any = None, item: Any = None,
                 unit: str | None = None, on_problem: OnProblem = None) -> list[Record]:
    """Records filtered by quarter, item and reporting unit (each optional)."""
    q = fields.parse_quarter(quarter, plan.year, today) if quarter is not None else None
    number = fields.parse_item(plan, item).number if item is not None else None
    unit = unit.strip() if unit is not None else None
    out = []
    for record in load_records(ws, plan, on_problem=on_problem):
        if q is not None and record.quarter != q.code:
            continue
        if number is not None and record.item != number:
            continue
        if unit is not None and record.unit != unit:
            continue
        out.append(record)
    return out


def year_total(ws: Workspace, plan: Plan, target_id: str) -> float:
    """What the live records of the plan's year report for a target, added up (a cumulative target's
    year to date, before a new figure is added to it)."""
    return sum(r.metrics.get(target_id, 0.0) for r in load_records(ws, plan))


def record_dict(record: Record) -> dict:
    """A record as `log --format json` shows it."""
    return record.as_dict()


def status_report(ws: Workspace, plan: Plan, *, today: dt.date, quarter: Any = None,
                  on_problem: OnProblem = None):
    """The report model (kjplan.report_model) of one quarter: per item, records, status, metrics, missing."""
    from kjplan.report_model import build_report

    q = fields.parse_quarter(quarter, plan.year, today)
    return build_report(plan, load_records(ws, plan, on_problem=on_problem), q)


def status_dict(model) -> dict:
    """The report model as `status --format json` shows it."""
    items = []
    for rep in model.items:
        items.append({
            "item": rep.item.number, "title": rep.item.title, "records": len(rep.records),
            "status": rep.status_word, "status_source": rep.source, "status_derived": rep.status_derived,
            "behind": rep.behind, "missing": rep.missing, "units": rep.units,
            "metrics": [m.as_dict() for m in rep.metrics],
        })
    return {"quarter": model.quarter.code, "expected": model.quarter.elapsed_share, "counts": model.counts,
            "missing": model.missing, "targets": [m.as_dict() for m in model.targets], "items": items}


def metric_text(m) -> str:
    """'0.6亿元 / 1亿元' for a metric of the status table."""
    achieved = "—" if m.achieved is None else format_quantity(m.achieved, m.target.unit)
    return f"{achieved} / {format_quantity(m.target.value, m.target.unit)}"


# --------------------------------------------------------------------------------------------- check

def check_progress(ws: Workspace, plan: Plan | None, result) -> None:
    """`kjplan check`: every ledger line loads, and every current record passes the rules add-progress
    applies (item, quarter, date, metrics, status), so that what check passes every command uses."""
    for path in sorted(ws.progress_dir.glob("*.jsonl")):
        if not (path.stem.isdigit() and len(path.stem) == 4):
            continue
        year = int(path.stem)
        book = ledger.load(path)
        rel = path.relative_to(ws.root)
        result.checked.append(f"进度记录 {rel}（{len(book.entries)} 条）")
        result.problems.extend(summarize(book.problems))
        year_plan = plan if plan is not None and plan.year == year else None
        if year_plan is None:
            try:
                year_plan = ws.plan(year)
            except KjplanError:
                result.problems.append(DataError(path, None, f"没有 {year} 年的计划（plans/{year}.yaml），无法核对这些记录"))
                continue
        today = getattr(result, "today", None) or dt.date.today()
        result.problems.extend(_check_entries(path, book, _Context(ws, year_plan, today, [])))


def _check_entries(path: Path, book: ledger.Ledger, ctx: _Context) -> list[DataError]:
    out = []
    ids = {e.id for e in book.entries}
    line_of = book.line_of()
    for entry in book.entries:
        line = line_of[entry.id]
        ref = getattr(entry, "supersedes", None) or getattr(entry, "retracts", None)
        if ref is not None and ref not in ids:
            out.append(DataError(path, line, f"记录 {entry.id} 要{'修改' if entry.type == 'amend' else '撤回'}的记录 {ref} 不存在"))
    for record in resolve(book.entries):
        try:  # the record as an amendment that changes nothing: every rule of entry applies to it
            _validate(ctx, {}, base=record)
        except _Problems as exc:
            line = line_of.get(record.version)
            for key, message in exc.problems:
                out.append(DataError(path, line, f"{key}（{LABELS.get(key, key)}）：{message}；"
                                                 f"可用 kjplan amend {record.id[:8]} 更正，或 kjplan retract 撤回"))
    out.sort(key=lambda p: p.line or 0)
    return out


def repair_ledgers(ws: Workspace, *, now: dt.datetime | None = None, timeout: float | None = None) -> list[ledger.Repair]:
    """`kjplan check --repair`: move the lines that cannot be loaded out of every ledger, into a file of
    their own beside it (never deleted); returns what was moved where."""
    done = []
    for path in sorted(ws.progress_dir.glob("*.jsonl")):
        if path.stem.isdigit() and len(path.stem) == 4:
            result = ledger.repair(path, now=_now(now), timeout=timeout)
            if result.rejected_path is not None:
                done.append(result)
    return done
