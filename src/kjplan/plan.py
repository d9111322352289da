"""The annual work plan (工作要点): pydantic models and the YAML loader.

Key names (items, number, title, text, targets, id, name, value, unit) are an interface that other
programs read; change them only with a migration.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StringConstraints

from kjplan.errors import DataError, DataErrors, KjplanError
from kjplan.fields import parse_date
from kjplan.loading import load_yaml, validate_model
from kjplan.records import MAX_FIGURE, VisibleLine, VisibleText

# Text a reader sees: something visible, and no character that Word cannot hold (checked at load, so
# that `check` names it and no report fails on it later). Names and titles are one line.
NonEmpty = VisibleText
OneLine = VisibleLine
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
# A target is a positive, finite amount (a target of 0 or .inf makes every completion rate meaningless).
TargetValue = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0, le=MAX_FIGURE)]


def _date(value):
    """Dates are read by kjplan's one date parser (YAML hands them over as text), with its reasons."""
    if isinstance(value, str):
        try:
            return parse_date(value)
        except KjplanError as exc:
            raise ValueError(exc.message) from None
    return value


Day = Annotated[dt.date, BeforeValidator(_date)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(_Strict):
    """A measurable target that the plan's text states, e.g. 基金募集规模 1 亿元."""

    id: Slug
    name: OneLine
    # Strict: a quoted "1" or 一亿 in the YAML is an error, not silently converted.
    value: TargetValue
    unit: OneLine
    # cumulative: amounts add up over the year (资金, 项目数); level: a rate or stock read at a point (入驻率).
    kind: Literal["cumulative", "level"]
    # The words of the plan that state the target, so a reader can check nothing was invented.
    source: NonEmpty | None = None


class Item(_Strict):
    number: Annotated[StrictInt, Field(ge=1, le=99)]
    title: OneLine
    text: NonEmpty
    lead: OneLine | None = None  # 牵头科室
    partners: list[OneLine] = []  # 配合单位
    targets: list[Target] = []

    def target(self, target_id: str) -> Target | None:
        return next((t for t in self.targets if t.id == target_id), None)


class Plan(_Strict):
    year: Annotated[StrictInt, Field(ge=2000, le=2100)]
    title: OneLine
    issuer: OneLine  # 发文机关, also the report's 署名
    date: Day  # 成文日期
    recipients: list[OneLine] = []  # 主送机关 of the covering notice
    notice: NonEmpty | None = None  # the covering notice's sentence
    preamble: NonEmpty | None = None  # the guiding paragraph before the items
    items: Annotated[list[Item], Field(min_length=1)]

    @cached_property
    def _by_number(self) -> dict[int, Item]:
        return {item.number: item for item in self.items}

    def item(self, number: int) -> Item | None:
        return self._by_number.get(number)

    @property
    def numbers(self) -> list[int]:
        return [item.number for item in self.items]


def load_plan(path: Path) -> Plan:
    """Load and validate a plan file; every problem is a DataError naming file and line."""
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise DataError(path, 1, "计划文件应为键值对（year:、title:、items: 等），而不是空文件或列表")
    plan = validate_model(Plan, data, lines, path)
    errors: list[DataError] = []
    seen: dict[int, int] = {}
    target_ids: dict[str, int] = {}
    for i, item in enumerate(plan.items):
        line = lines.get(("items", i, "number"))
        if item.number in seen:
            errors.append(DataError(path, line, f"items[{i}].number：事项编号 {item.number} 重复（已用于 items[{seen[item.number]}]）"))
        seen.setdefault(item.number, i)
        for j, target in enumerate(item.targets):
            tline = lines.get(("items", i, "targets", j, "id"))
            if target.id in target_ids:
                errors.append(DataError(path, tline, f"items[{i}].targets[{j}].id：指标编号“{target.id}”重复（指标编号在全年计划内须唯一）"))
            target_ids.setdefault(target.id, i)
    if plan.date.year != plan.year and plan.date.year != plan.year - 1:
        errors.append(DataError(path, lines.get(("date",)), f"date：成文日期 {plan.date} 与计划年度 {plan.year} 不符"))
    if errors:
        raise DataErrors(errors)
    return plan
