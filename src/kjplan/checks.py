"""`kjplan check`: validate everything in a workspace and report every problem, not just the first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kjplan.errors import DataError, DataErrors, KjplanError
from kjplan.workspace import Workspace


@dataclass
class CheckResult:
    checked: list[str] = field(default_factory=list)  # what was looked at, for the summary line
    problems: list[KjplanError] = field(default_factory=list)
    # Not errors, but work left for a person: targets an import proposed that nobody has checked yet.
    to_review: list[DataError] = field(default_factory=list)
    today: dt.date | None = None  # records may not be dated after it (the system date when None)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, exc: KjplanError) -> None:
        self.problems.extend(exc.errors if isinstance(exc, DataErrors) else [exc])


# Other parts of kjplan (records, templates) register their checks here: fn(workspace, plan, result).
EXTRA_CHECKS: list = []


def _check_progress(ws: Workspace, plan, result: CheckResult) -> None:
    from kjplan.progress import check_progress

    check_progress(ws, plan, result)


def _check_assignments(ws: Workspace, plan, result: CheckResult) -> None:
    from kjplan.assign import check_assignments

    check_assignments(ws, plan, result)


EXTRA_CHECKS.append(_check_progress)
EXTRA_CHECKS.append(_check_assignments)


def review_notices(path, plan) -> list[DataError]:
    """Each target still marked `review: true`, at its line in the plan file."""
    if not plan.to_review():
        return []
    from kjplan.loading import load_yaml
    from kjplan.numerals import format_quantity

    _, lines = load_yaml(path)
    out = []
    for loc, target in [(("targets", j), t) for j, t in enumerate(plan.targets)] + [
            (("items", i, "targets", j), t) for i, item in enumerate(plan.items) for j, t in enumerate(item.targets)]:
        if target.review:
            where = "全局指标" if loc[0] == "targets" else f"第 {plan.items[loc[1]].number} 项的指标"
            out.append(DataError(path, lines.get(loc + ("review",)) or lines.get(loc),
                                 f"{where} {target.id}（{target.name} {format_quantity(target.value, target.unit)}）"
                                 f"：请对照原文“{target.source or '—'}”核对后删去 review: true"))
    return out


def check_workspace(ws: Workspace, today: dt.date | None = None) -> CheckResult:
    result = CheckResult(today=today)
    plan = None
    paths = ws.plan_paths()
    if not paths:
        result.problems.append(DataError(ws.plans_dir, None, "没有计划文件（应为 plans/2020.yaml 这样以年份命名的文件）"))
    for year, path in paths.items():
        try:
            loaded = ws.plan(year)
        except KjplanError as exc:
            result.add(exc)
        else:
            result.checked.append(f"计划 {path.relative_to(ws.root)}（{len(loaded.items)} 项）")
            if loaded.year != year:
                result.problems.append(DataError(path, None, f"文件名是 {year} 年，但 year 写的是 {loaded.year}"))
            plan = loaded if plan is None or loaded.year > plan.year else plan
            result.to_review += review_notices(path, loaded)
    try:
        ws.settings  # noqa: B018 - loading validates
        if ws.settings_path.exists():
            result.checked.append(f"设置 {ws.settings_path.name}")
    except KjplanError as exc:
        result.add(exc)
    for extra in EXTRA_CHECKS:
        try:
            extra(ws, plan, result)
        except KjplanError as exc:
            result.add(exc)
    return result
