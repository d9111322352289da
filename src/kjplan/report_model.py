"""The report model: per-item facts for one period, computed from the plan and the records.

Pure functions over typed models. Every output (docx, json, csv, xlsx, the status table) reads this
model, so they all agree on which records count, what a metric adds up to and which item is behind.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kjplan.periods import Quarter
from kjplan.plan import Item, Plan, Target
from kjplan.records import STATUSES, Record

# Tolerance for float noise when comparing completion with 序时进度 (0.5 == 0.5000000001).
EPS = 1e-9


@dataclass(frozen=True)
class MetricProgress:
    target: Target
    achieved: float | None  # year to date, in the target's unit; None: nothing reported yet
    expected: float  # 序时进度: the elapsed share of the year at the period's end
    completion: float | None  # achieved / target value

    @property
    def behind(self) -> bool:
        """Below 序时进度 (nothing reported at all also counts as behind once the year has begun)."""
        return (self.completion or 0.0) + EPS < self.expected and (self.completion or 0.0) + EPS < 1.0

    def as_dict(self) -> dict:
        """For machines (status --format json, the exported report JSON): numbers in the target's unit,
        completion and expected as shares (0.5 = 50%)."""
        t = self.target
        return {
            "id": t.id, "name": t.name, "unit": t.unit, "kind": t.kind, "target": t.value,
            "achieved": self.achieved, "completion": self.completion, "expected": self.expected,
            "status": self.status, "behind": self.behind,
        }

    @property
    def status(self) -> str:
        completion = self.completion or 0.0
        if completion + EPS >= 1.0:
            return "已完成"
        if completion + EPS >= self.expected:
            return "序时推进"
        return "滞后" if completion > 0 else "未启动"


@dataclass(frozen=True)
class ItemReport:
    item: Item
    records: list[Record]  # latest versions in the period, in date order
    status: str | None  # the latest stated status in the period, else derived from the metrics
    status_derived: bool
    metrics: list[MetricProgress]
    missing: bool  # no record in the reported quarter

    @property
    def behind(self) -> bool:
        return self.status == "滞后" or any(m.behind for m in self.metrics)

    @property
    def units(self) -> list[str]:
        """Reporting units in order of first appearance (牵头/报送单位 for the attachment table)."""
        return list(dict.fromkeys(r.unit for r in self.records if r.unit))

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
    def start(self):
        return self.quarter.year_start if self.cumulative else self.quarter.start

    @property
    def end(self):
        return self.quarter.end

    @property
    def counts(self) -> dict[str, int]:
        """How many items stand at each status; items without a record in the period count as 无报送."""
        tally = Counter(r.status for r in self.items if not r.missing and r.status)
        counts = {status: tally.get(status, 0) for status in STATUSES}
        counts["未标明"] = sum(1 for r in self.items if not r.missing and not r.status)
        counts["无报送"] = len(self.missing)
        return counts

    @property
    def missing(self) -> list[int]:
        return [r.item.number for r in self.items if r.missing]

    @property
    def record_count(self) -> int:
        return sum(len(r.records) for r in self.items)


def _quarter_number(code: str) -> tuple[int, int]:
    year, q = code.split("Q")
    return int(year), int(q)


def metric_progress(target: Target, records: list[Record], quarter: Quarter) -> MetricProgress:
    """Year to date up to the quarter's end: cumulative targets add up, level targets take the latest."""
    # (date, position in the ledger's order, value): the latest level is the last one of the latest day.
    values = [(r.date, n, r.metrics[target.id]) for n, r in enumerate(records) if target.id in r.metrics]
    if not values:
        achieved = None
    elif target.kind == "cumulative":
        achieved = sum(v for _, _, v in values)
    else:
        achieved = max(values, key=lambda t: (t[0], t[1]))[2]
    completion = None if achieved is None or not target.value else achieved / target.value
    return MetricProgress(target=target, achieved=achieved, expected=quarter.elapsed_share, completion=completion)


def derive_status(metrics: list[MetricProgress]) -> str | None:
    """An item's status from its metrics: all done -> 已完成, nothing yet -> 未启动, any behind -> 滞后."""
    if not metrics:
        return None
    statuses = [m.status for m in metrics]
    if all(s == "已完成" for s in statuses):
        return "已完成"
    if all(s == "未启动" for s in statuses):
        return "未启动"
    if any(s in ("滞后", "未启动") for s in statuses):
        return "滞后"
    return "序时推进"


def build_item(item: Item, records: list[Record], quarter: Quarter, cumulative: bool) -> ItemReport:
    """records: this item's records of the plan's year up to the quarter's end, in date order."""
    in_quarter = [r for r in records if _quarter_number(r.quarter) == (quarter.year, quarter.number)]
    in_period = records if cumulative else in_quarter
    metrics = [metric_progress(t, records, quarter) for t in item.targets]
    stated = next((r.status for r in reversed(in_period) if r.status), None)
    if stated is not None:
        status, derived = stated, False
    elif in_period or metrics:
        status, derived = derive_status(metrics) if metrics else None, bool(metrics)
    else:
        status, derived = None, False
    return ItemReport(item=item, records=in_period, status=status, status_derived=derived,
                      metrics=metrics, missing=not in_quarter)


def build_report(plan: Plan, records: list[Record], quarter: Quarter, *, cumulative: bool = False) -> ReportModel:
    """The report for one quarter (or the year to its end, when cumulative) of the plan's year."""
    by_item: dict[int, list[Record]] = {item.number: [] for item in plan.items}
    left_out = []
    for record in records:
        year, q = _quarter_number(record.quarter)
        if year != plan.year or record.item not in by_item:
            left_out.append(record)
        elif year == quarter.year and q <= quarter.number:
            by_item[record.item].append(record)
    items = [build_item(item, by_item[item.number], quarter, cumulative) for item in plan.items]
    year_to_date = [r for rs in by_item.values() for r in rs]  # a plan-wide figure may come with any item
    order = {id(r): n for n, r in enumerate(records)}  # the ledger's order within a day, not the clock
    year_to_date.sort(key=lambda r: (r.date, order[id(r)]))
    targets = [metric_progress(t, year_to_date, quarter) for t in plan.targets]
    return ReportModel(plan=plan, quarter=quarter, cumulative=cumulative, items=items, targets=targets,
                       left_out=tuple(left_out))
