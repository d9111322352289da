"""How a target's figures are written: shares as whole percentages where a decimal does not matter,
percentage points against 序时进度, a level's gap to its target. Shared by the report's wording (the
templates receive `metric_view`), the 台账 and the status table, so that they write a figure alike.
"""

from __future__ import annotations

from kjplan.numerals import format_number, format_quantity
from kjplan.report_model import MetricProgress

NONE = "—"  # an empty table cell, a share not known


def percent(value: float | None, against: float | None = None) -> str:
    """A share as a whole percentage (60%), with one decimal where rounding would hide what matters:
    a share that differs from `against` (序时进度) but rounds to it, or one just short of 100%."""
    if value is None:
        return NONE
    whole = round(value * 100)
    hides = (against is not None and whole == round(against * 100) and abs(value - against) > 1e-9) or (
        whole == 100 and value < 1 - 1e-9)
    return f"{format_number(value * 100, 1 if hides else 0)}%"


def points(value: float) -> str:
    """Percentage points, whole unless rounding would make a difference vanish (0.4 -> 0.4)."""
    value = abs(value)
    return format_number(value, 0 if round(value) or value < 1e-9 else 1)


def metric_view(m: MetricProgress) -> dict:
    """What the template macros target_progress and table_figure receive as `m`."""
    unit = m.target.unit
    ahead = m.ahead_points
    gap = m.gap
    return {
        "name": m.target.name,
        "target": format_quantity(m.target.value, unit),
        "achieved": None if m.achieved is None else format_quantity(m.achieved, unit),
        "level": m.level,
        "done": m.status == "已完成",
        "share": percent(m.completion, m.expected),
        "ahead": ahead is not None and ahead > 1e-7,
        "behind": ahead is not None and ahead < -1e-7,
        "points": None if ahead is None else points(ahead),
        "gap": None if gap is None else (f"{points(gap)}个百分点" if unit in ("%", "％") else format_quantity(gap, unit)),
    }


