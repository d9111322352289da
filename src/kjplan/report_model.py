"""The report model: per-item facts for one period, computed from the plan and the records.

Pure functions over typed models. Every output (docx, json, csv, xlsx, the status table) reads this
model, so they all agree on which records count, what a metric adds up to and which status an item has.

An item's status (one of STATUSES) is decided once, here:
- each unit that reported on the item in the period counts with its latest stated status;
- the item takes the most serious of them (滞后, then 未启动, then 序时推进, then 已完成), combined with
  what its targets say (a cumulative target below 序时进度 makes the item 滞后 whatever a unit wrote);
- with no stated status, the targets alone decide (状态来源 按指标推算);
- an item without a record in the period has no status: it is 未报送 (无新进展 in the report).
Records are never weighed by the order they were written in, so two units' records give the same status
whichever came last.
"""

from __future__ import annotations

from collections import Counter
from operator import attrgetter
from dataclasses import dataclass, field

from kjplan.periods import Quarter
from kjplan.plan import Item, Plan, Target
from kjplan.records import STATUSES, Record

# Tolerance for float noise when comparing completion with 序时进度 (0.5 == 0.5000000001).
EPS = 1e-9
# Most serious first: an item takes the first of these that any of its units (or targets) gives.
SEVERITY = ("滞后", "未启动", "序时推进", "已完成")
# Where an item's status came from (状态来源), a field of its own beside the status.
STATED, DERIVED = "填报", "按指标推算"
# An item without a record in the period, in the working outputs (status, log, json, csv, xlsx).
NO_RECORD = "未报送"


def most_serious(statuses) -> str | None:
    present = set(statuses)
    return next((s for s in SEVERITY if s in present), None)


@dataclass(frozen=True)
class MetricProgress:
    target: Target
    achieved: float | None  # year to date, in the target's unit; None: no figure reported yet
    expected: float  # 序时进度: the elapsed share of the year at the period's end
    completion: float | None  # achieved / target value
    final: bool = False  # the period ends with the year (a level short of its target is then 滞后)

    @property
    def level(self) -> bool:
        """A rate or stock read at a point (入驻率): never compared with 序时进度."""
        return self.target.kind == "level"

    @property
    def status(self) -> str | None:
        """What the figure says; None without a figure (no judgement is made on no data)."""
        if self.completion is None:
            return None
        if self.completion + EPS >= 1.0:
            return "已完成"
        if self.level:
            return "滞后" if self.final else "序时推进"
        if self.completion + EPS >= self.expected:
            return "序时推进"
        return "滞后" if self.completion > EPS else "未启动"

    @property
    def behind(self) -> bool:
        return self.status in ("滞后", "未启动")

    @property
    def ahead_points(self) -> float | None:
        """Cumulative targets: completion minus 序时进度, in percentage points (negative: behind)."""
        if self.level or self.completion is None:
            return None
        return (self.completion - self.expected) * 100

    @property
    def gap(self) -> float | None:
        """Level targets: how far the level is below the target, in the target's unit (0 when reached)."""
        if not self.level or self.achieved is None:
            return None
        return max(0.0, self.target.value - self.achieved)

    def as_dict(self) -> dict:
        """For machines (status --format json, the exported report JSON): numbers in the target's unit,
        completion and expected as shares (0.5 = 50%); ahead_points for cumulative targets, gap for
        level ones; status null without a figure."""
        t = self.target
        return {
            "id": t.id, "name": t.name, "unit": t.unit, "kind": t.kind, "target": t.value,
            "achieved": self.achieved, "completion": self.completion, "expected": self.expected,
            "ahead_points": self.ahead_points, "gap": self.gap, "status": self.status, "behind": self.behind,
        }


@dataclass(frozen=True)
class ItemReport:
    item: Item
    records: list[Record]  # latest versions in the period, in date order
    metrics: list[MetricProgress]
    status: str | None  # one of STATUSES; None: no record in the period (or nothing to judge by)
    source: str | None  # STATED or DERIVED; None with status None
    stated: dict[str, str]  # unit -> its latest stated status in the period ("" for no unit)
    # Units that reported on the item this year up to the period's end, in order of first report: who
    # works on an item that has no record in the period (责任单位 when the plan names no lead).
    year_units: tuple[str, ...] = ()

    @property
    def missing(self) -> bool:
        """No record in the period: 未报送 (无新进展 in the report)."""
        return not self.records

    @property
    def undecided(self) -> bool:
        """Records, but neither a stated status nor a figure to judge by (only a hand-edited ledger
        can hold such a record: the input layer asks for one or the other)."""
        return bool(self.records) and self.status is None

    @property
    def status_derived(self) -> bool:
        return self.source == DERIVED

    @property
    def status_word(self) -> str:
        """The status as the working outputs show it: a status, or 未报送."""
        return self.status or (NO_RECORD if self.missing else "")

    @property
    def behind(self) -> bool:
        return self.status == "滞后"

    @property
    def units(self) -> list[str]:
        """Reporting units in order of first appearance (责任单位 for the attachment table)."""
        return list(dict.fromkeys(r.unit for r in self.records if r.unit))

    @property
    def responsible(self) -> list[str]:
        """责任单位: the plan's lead and partners, then the units that reported in the period; with none
        of these, the units that reported earlier in the year."""
        named = [u for u in (self.item.lead, *self.item.partners, *self.units) if u]
        return list(dict.fromkeys(named)) or list(self.year_units)

    @property
    def latest(self) -> Record | None:
        return self.records[-1] if self.records else None


@dataclass(frozen=True)
class ReportModel:
    plan: Plan
    quarter: Quarter
    cumulative: bool
    items: list[ItemReport]
    # The plan-wide targets (主要预期目标), year to date from every record of the year that reports them.
    targets: list[MetricProgress] = field(default_factory=list)
    # Records no report of the plan's year can count (an item the plan lacks, another year's quarter):
    # the writers warn about them, and `kjplan check` names each one.
    left_out: tuple[Record, ...] = ()

    @property
    def left_out_warning(self) -> str | None:
        if not self.left_out:
            return None
        first = self.left_out[0]
        return (f"有 {len(self.left_out)} 条进展记录不属于 {self.plan.year} 年工作要点的事项或季度"
                f"（如记录 {first.id[:8]}：第 {first.item} 项、{first.quarter}），没有计入报告；"
                "可运行 kjplan check 查看并更正")

    @property
    def period_name(self) -> str:
        """第二季度, or 上半年 for a cumulative report to the end of Q2."""
        return self.quarter.name_for(self.cumulative)

    @property
    def this_period(self) -> str:
        """本季度 in a quarterly report; 上半年 / 前三季度 / 全年 in a cumulative one."""
        return self.quarter.ytd_name if self.cumulative else "本季度"

    @property
    def start(self):
        return self.quarter.year_start if self.cumulative else self.quarter.start

    @property
    def end(self):
        return self.quarter.end

    @property
    def counts(self) -> dict[str, int]:
        """Items at each status, and 未报送: the items without a record in the period."""
        tally = Counter(r.status for r in self.items if r.status)
        counts = {status: tally.get(status, 0) for status in STATUSES}
        counts[NO_RECORD] = len(self.missing)
        return counts

    def with_status(self, status: str) -> list[ItemReport]:
        return [r for r in self.items if r.status == status]

    @property
    def missing(self) -> list[int]:
        return [r.item.number for r in self.items if r.missing]

    @property
    def record_count(self) -> int:
        return sum(len(r.records) for r in self.items)


def _quarter_number(code: str) -> tuple[int, int]:
    """(year, number) of a quarter code (the callers ask it once per distinct code, not per record)."""
    year, q = code.split("Q")
    return int(year), int(q)


def metric_progress(target: Target, records: list[Record], quarter: Quarter) -> MetricProgress:
    """Year to date up to the quarter's end: cumulative targets add up, level targets take the latest."""
    # (date, position in the ledger's order, value): the latest level is the last one of the latest day.
    key = target.id
    values = [(r.date, n, m[key]) for n, r in enumerate(records) if key in (m := r.metrics)]
    if not values:
        achieved = None
    elif target.kind == "cumulative":
        achieved = sum(v for _, _, v in values)
    else:
        achieved = max(values, key=lambda t: (t[0], t[1]))[2]
    completion = None if achieved is None or not target.value else achieved / target.value
    return MetricProgress(target=target, achieved=achieved, expected=quarter.elapsed_share,
                          completion=completion, final=quarter.number == 4)


def derive_status(metrics: list[MetricProgress]) -> str | None:
    """What the targets say together: all done -> 已完成, nothing begun -> 未启动, any behind -> 滞后,
    else 序时推进. Targets without a figure say nothing."""
    statuses = [m.status for m in metrics if m.status is not None]
    if not statuses:
        return None
    if all(s == "已完成" for s in statuses):
        return "已完成"
    if all(s == "未启动" for s in statuses):
        return "未启动"
    if any(s in ("滞后", "未启动") for s in statuses):
        return "滞后"
    return "序时推进"


def latest_stated(records: list[Record]) -> dict[str, str]:
    """Each unit's latest stated status among `records` (in date order, then as recorded)."""
    # One pass instead of sorting them all (a year of 100,000 records): each unit's earliest key gives
    # its place (the order a sort would first meet it), its latest key its status.
    first: dict[str, tuple] = {}
    last: dict[str, tuple] = {}
    for record in records:
        if record.status:
            key = (record.date, record.created, record.id)
            unit = record.unit
            if unit not in first:
                first[unit], last[unit] = key, (key, record.status)
                continue
            if key < first[unit]:
                first[unit] = key
            if key >= last[unit][0]:  # among equal keys the later one, as a stable sort leaves it
                last[unit] = (key, record.status)
    return {unit: last[unit][1] for unit in sorted(first, key=first.__getitem__)}


def decide_status(stated: dict[str, str], metrics: list[MetricProgress]) -> tuple[str | None, str | None]:
    """The item's status and its source (STATED / DERIVED); see the module docstring.

    A level target speaks only when no unit stated a status: a level short of its target is a fact
    of the moment, and the unit's own judgement of the work stands over it. A cumulative target always
    speaks: a sum below 序时进度 is 滞后 whatever was written."""
    units = set(stated.values())
    judged = [m for m in metrics if not (units and m.level)]
    from_targets = derive_status(judged)
    if not units:
        return (from_targets, DERIVED) if from_targets else (None, None)
    if from_targets == "未启动" and units != {"未启动"}:
        from_targets = "滞后"  # work is reported, but the figures have not begun to move
    status = most_serious(units | ({from_targets} if from_targets else set()))
    return status, (STATED if status in units else DERIVED)


def build_item(item: Item, records: list[Record], quarter: Quarter, cumulative: bool) -> ItemReport:
    """records: this item's records of the plan's year up to the quarter's end, in date order."""
    this = quarter.year, quarter.number
    codes = {code for code in {r.quarter for r in records} if _quarter_number(code) == this}
    in_quarter = [r for r in records if r.quarter in codes]
    in_period = records if cumulative else in_quarter
    metrics = [metric_progress(t, records, quarter) for t in item.targets]
    stated = latest_stated(in_period)
    status, source = decide_status(stated, metrics) if in_period else (None, None)
    year_units = dict.fromkeys(map(_unit, records))  # in order of first appearance
    year_units.pop("", None)
    year_units = tuple(year_units)
    return ItemReport(item=item, records=in_period, metrics=metrics, status=status, source=source, stated=stated,
                      year_units=year_units)


_date, _unit = attrgetter("date"), attrgetter("unit")


def build_report(plan: Plan, records: list[Record], quarter: Quarter, *, cumulative: bool = False) -> ReportModel:
    """The report for one quarter (or the year to its end, when cumulative) of the plan's year."""
    by_item: dict[int, list[Record]] = {item.number: [] for item in plan.items}
    left_out = []
    year_to_date = []  # a plan-wide figure may come with any item
    # Each quarter code is looked at once (a few codes, 100,000 records).
    other_year, counted = set(), set()
    for code in {r.quarter for r in records}:
        year, q = _quarter_number(code)
        if year != plan.year:
            other_year.add(code)
        elif year == quarter.year and q <= quarter.number:
            counted.add(code)
    for record in records:
        code = record.quarter
        if code in other_year or record.item not in by_item:
            left_out.append(record)
        elif code in counted:
            by_item[record.item].append(record)
            year_to_date.append(record)
    items = [build_item(item, by_item[item.number], quarter, cumulative) for item in plan.items]
    # By date, then the ledger's order within a day (not the clock): a stable sort of the records' order.
    year_to_date.sort(key=_date)
    targets = [metric_progress(t, year_to_date, quarter) for t in plan.targets]
    return ReportModel(plan=plan, quarter=quarter, cumulative=cumulative, items=items, targets=targets,
                       left_out=tuple(left_out))


def quarter_items(model: ReportModel, records: list[Record]) -> dict[tuple[str, int], ItemReport]:
    """(quarter code, item number) -> the item as the quarterly report of that quarter shows it, for
    every quarter of `records` (the plan's year, up to the model's period): the status the tables of
    records show beside each record, whatever period the table covers. `records` must hold the year
    to date, as a quarter's figures add up from January."""
    out: dict[tuple[str, int], ItemReport] = {}
    decided = set()
    if not model.cumulative:  # the model's own quarter is already decided
        out.update({(model.quarter.code, r.item.number): r for r in model.items})
        decided.add(model.quarter.code)
    for code in sorted({r.quarter for r in records} - decided):
        year, number = _quarter_number(code)
        if year == model.plan.year and number <= model.quarter.number:
            quarterly = build_report(model.plan, records, Quarter(year, number))
            out.update({(code, r.item.number): r for r in quarterly.items})
    return out
