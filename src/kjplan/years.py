"""Which year's plan a command works on, in a workspace that holds several (plans/2020.yaml, 2021.yaml).

One rule for every command, in order:
1. the quarter's own year: `-q 2021Q2`, `-q 2021年第二季度`, or today's quarter for `current`/`previous`;
2. `--year`;
3. the year of today (`--today`, else the system date), when the workspace has that year's plan;
4. the latest plan.
A quarter or --year that names a year without a plan is an error; the year of today is only a preference.
`export --quarter auto` means the last quarter that has ended, so its preference is that quarter's year
(on 1 January: the year just ended), then today's.

A record always belongs to its plan's year (progress/2020.jsonl holds 2020's records), so a command on
an existing record (amend, retract) takes the year of the ledger that holds it.
"""

from __future__ import annotations

import datetime as dt

from kjplan.errors import KjplanError
from kjplan.periods import Quarter, quarter_year
from kjplan.workspace import Workspace

AUTO = "auto"  # export's "the last quarter that has ended"


def _require(ws: Workspace, year: int, why: str) -> int:
    years = ws.plan_paths()
    if year not in years:
        have = "、".join(f"{y} 年" for y in years) or "无"
        raise KjplanError(f"{why}是 {year} 年，但工作区没有 {year} 年的计划（plans/{year}.yaml）；现有计划：{have}。"
                          f"新年度的计划可用 kjplan plan import 文件 导入")
    return year


def choose_year(ws: Workspace, *, quarter: str | int | Quarter | None = None, year: int | None = None,
                today: dt.date | None = None) -> int:
    """The plan year for a command given its --quarter, --year and today (see the module's rule)."""
    years = ws.plan_paths()
    if not years:
        ws.plan_path()  # raises the message for a workspace without plans
    auto = isinstance(quarter, str) and quarter.strip().lower() == AUTO
    named = quarter.year if isinstance(quarter, Quarter) else (None if auto else quarter_year(quarter, today))
    if named is not None:
        if year is not None and year != named:
            raise KjplanError(f"季度“{quarter}”属于 {named} 年，与 --year {year} 不符；请只写其中一个")
        return _require(ws, named, f"季度“{quarter}”的年度")
    if year is not None:
        return _require(ws, year, "--year 指定的年度")
    preferred = []
    if today is not None:
        if auto:
            preferred.append(Quarter.of_date(today).previous().year)
        preferred.append(today.year)
    return next((y for y in preferred if y in years), max(years))


def plan_for(ws: Workspace, *, quarter: str | int | Quarter | None = None, year: int | None = None,
             today: dt.date | None = None):
    """The Plan chosen by choose_year."""
    return ws.plan(choose_year(ws, quarter=quarter, year=year, today=today))


def year_of_record(ws: Workspace, ref: str, *, year: int | None = None, today: dt.date | None = None) -> int:
    """The year whose ledger holds the record `ref` (an id prefix, as kjplan log shows it).

    With --year, that year. A prefix found in no ledger gives the usual year, so that the record lookup
    says plainly that there is no such record."""
    from kjplan import ledger

    if year is not None:
        return _require(ws, year, "--year 指定的年度")
    prefix = str(ref).strip().lower()
    found = []
    if prefix:
        for plan_year in ws.plan_paths():
            path = ws.progress_path(plan_year)
            if path.exists() and any(e.id.startswith(prefix) for e in ledger.load(path).entries):
                found.append(plan_year)
    if len(found) > 1:
        raise KjplanError(f"编号以“{prefix}”开头的记录在 {'、'.join(map(str, found))} 年的进度记录中都有，"
                          f"请多写几位编号，或用 --year 指定年度")
    return found[0] if found else choose_year(ws, today=today)
