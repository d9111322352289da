"""Quarters of the plan's year: parsing (2, Q2, 2020Q2, 第二季度, current, previous) and their names."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from kjplan.errors import KjplanError
from kjplan.numerals import parse_cn_number

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
# The year to date at the end of each quarter.
YTD_NAMES = {1: "第一季度", 2: "上半年", 3: "前三季度", 4: "全年"}
SYNTAX_HINT = "可写 2、Q2、2020Q2、2020-Q2、第二季度、current（本季度）或 previous（上季度）"


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1-4

    def __post_init__(self):
        if not 1 <= self.number <= 4:
            raise KjplanError(f"季度应为 1 到 4，实际为 {self.number}")

    @classmethod
    def of_date(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        nxt = dt.date(self.year + 1, 1, 1) if self.number == 4 else dt.date(self.year, 3 * self.number + 1, 1)
        return nxt - dt.timedelta(days=1)

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def name(self) -> str:
        """第二季度"""
        return QUARTER_NAMES[self.number]

    @property
    def ytd_name(self) -> str:
        """The year to date: 第一季度 / 上半年 / 前三季度 / 全年."""
        return YTD_NAMES[self.number]

    @property
    def elapsed_share(self) -> float:
        """序时进度: the share of the year that has passed at the quarter's end (0.25 after Q1)."""
        return self.number / 4

    def previous(self) -> Quarter:
        return Quarter(self.year, self.number - 1) if self.number > 1 else Quarter(self.year - 1, 4)

    def next(self) -> Quarter:
        return Quarter(self.year, self.number + 1) if self.number < 4 else Quarter(self.year + 1, 1)

    def name_for(self, cumulative: bool) -> str:
        return self.ytd_name if cumulative else self.name

    def __str__(self) -> str:
        return self.code


_FORMS = [
    re.compile(r"^(?:(?P<year>\d{4})\s*[-_/ ]?\s*)?Q(?P<q>\d+)$", re.IGNORECASE),
    re.compile(r"^(?P<q>\d+)$"),
    re.compile(r"^(?:(?P<year>\d{4})年)?第?(?P<cq>[一二三四五六七八九十〇零\d]+)季度?$"),
]


def _in_plan_year(quarter: Quarter, plan_year: int, text: str) -> Quarter:
    if quarter.year != plan_year:
        raise KjplanError(f"“{text}”是 {quarter.year} 年的季度，而计划年度是 {plan_year} 年")
    return quarter


def _relative(lowered: str) -> str | None:
    if lowered in ("current", "本季度", "当前"):
        return "current"
    if lowered in ("previous", "上季度", "上一季度"):
        return "previous"
    return None


def _named(norm: str, raw: str) -> tuple[int | None, int] | None:
    """(year or None, quarter number) of a written quarter; None when the text is no quarter at all."""
    for form in _FORMS:
        match = form.match(norm)
        if not match:
            continue
        groups = match.groupdict()
        try:
            number = int(groups["q"]) if groups.get("q") else parse_cn_number(groups["cq"])
        except ValueError:
            return None
        if not 1 <= number <= 4:
            raise KjplanError(f"季度应为 1 到 4，“{raw}”不是有效的季度；{SYNTAX_HINT}")
        return (int(groups["year"]) if groups.get("year") else None), number
    return None


def _today_quarter(kind: str, today: dt.date | None, raw: str) -> Quarter:
    if today is None:
        raise KjplanError(f"“{raw}”需要知道今天的日期")
    current = Quarter.of_date(today)
    return current if kind == "current" else current.previous()


def quarter_year(text: str | int | None, today: dt.date | None = None) -> int | None:
    """The year a quarter names by itself: 2021 for 2021Q2 or 2021年第二季度, the year of today's (or
    the previous) quarter for current/previous; None for 2, Q2 or 第二季度, which take the plan's year.
    Text that is no quarter gives None too: parse_quarter says what is wrong with it."""
    if text is None:
        return None
    raw = str(text).strip()
    norm = unicodedata.normalize("NFKC", raw).strip()
    kind = _relative(norm.lower())
    if kind is not None:
        return _today_quarter(kind, today, raw).year if today is not None else None
    try:
        named = _named(norm, raw)
    except KjplanError:  # Q5 and the like: reported where the quarter is parsed, with its option's name
        return None
    return named[0] if named else None


def parse_quarter(text: str | int, plan_year: int, today: dt.date | None = None) -> Quarter:
    """Parse a quarter of the plan's year. `today` is needed only for current/previous."""
    raw = str(text).strip()
    norm = unicodedata.normalize("NFKC", raw).strip()
    kind = _relative(norm.lower())
    if kind is not None:
        return _in_plan_year(_today_quarter(kind, today, raw), plan_year, raw)
    named = _named(norm, raw)
    if named is None:
        raise KjplanError(f"无法识别的季度“{raw}”；{SYNTAX_HINT}")
    year, number = named
    return _in_plan_year(Quarter(year or plan_year, number), plan_year, raw)


def last_ended_quarter(plan_year: int, today: dt.date) -> Quarter:
    """The last quarter of the plan's year that has ended by `today` (Q4 once the year is over)."""
    if today.year > plan_year:
        return Quarter(plan_year, 4)
    current = Quarter.of_date(today)
    if today.year < plan_year or current.number == 1:
        raise KjplanError(f"今天（{today}）{plan_year} 年还没有结束的季度，请用 --quarter 指定季度")
    return current.previous()


def default_quarter(plan_year: int, today: dt.date) -> Quarter:
    """The quarter records go to by default: today's, when today falls in the plan's year."""
    if today.year != plan_year:
        raise KjplanError(f"今天（{today}）不在计划年度 {plan_year} 年内，请用 --quarter 指定季度（如 --quarter 2）")
    return Quarter.of_date(today)
