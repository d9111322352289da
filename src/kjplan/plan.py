"""The annual work plan (工作要点): pydantic models and the YAML loader.

Key names (items, number, title, text, targets, id, name, value, unit) are an interface that other
programs read; change them only with a migration.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from kjplan.errors import DataError, DataErrors, KjplanError
from kjplan.fields import parse_date
from kjplan.loading import field_path, load_yaml, validate_model
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
    # defer_build: validators are built when first used; a plan read from its cache needs none.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


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
    # Proposed by `kjplan plan import` and not yet checked by a person: `check` lists it and the report
    # warns until someone has compared it with the source and removed the mark.
    review: StrictBool = False


class Part(_Strict):
    """A part of the plan ("一、强化科技创新引领") that groups items."""

    number: Annotated[StrictInt, Field(ge=1, le=99)]
    title: OneLine


class Item(_Strict):
    number: Annotated[StrictInt, Field(ge=1, le=99)]
    title: OneLine
    text: NonEmpty
    part: Annotated[StrictInt, Field(ge=1, le=99)] | None = None  # the number of the part holding the item
    # How the document numbers the item when that is not "N." (（三） in a plan that restarts per part).
    label: OneLine | None = None
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
    preamble: NonEmpty | None = None  # the guiding paragraph(s) before the items
    # Plan-wide targets (主要预期目标): figures for the whole plan, not for one item.
    targets: list[Target] = []
    parts: list[Part] = []
    items: Annotated[list[Item], Field(min_length=1)]

    @cached_property
    def _by_number(self) -> dict[int, Item]:
        return {item.number: item for item in self.items}

    def item(self, number: int) -> Item | None:
        return self._by_number.get(number)

    @property
    def numbers(self) -> list[int]:
        return [item.number for item in self.items]

    def target(self, target_id: str) -> Target | None:
        """A plan-wide target (主要预期目标) by id; records of any item may report it."""
        return next((t for t in self.targets if t.id == target_id), None)

    def metric_target(self, item_number: int, target_id: str) -> Target | None:
        """The target a record of item `item_number` reports as `target_id`: the item's own, else plan-wide."""
        item = self.item(item_number)
        return (item.target(target_id) if item is not None else None) or self.target(target_id)

    def part(self, number: int | None) -> Part | None:
        return next((p for p in self.parts if p.number == number), None)

    def all_targets(self) -> list[tuple[Item | None, Target]]:
        """Every target with the item it belongs to (None: plan-wide), plan-wide ones first."""
        return [(None, t) for t in self.targets] + [(item, t) for item in self.items for t in item.targets]

    def to_review(self) -> list[tuple[Item | None, Target]]:
        """Targets still marked `review: true` (proposed by an import, not yet checked)."""
        return [(item, t) for item, t in self.all_targets() if t.review]

    def review_warning(self) -> str | None:
        """One line for a report made while targets are still unchecked (their figures are in it)."""
        pending = self.to_review()
        if not pending:
            return None
        names = "、".join(t.id for _, t in pending[:6]) + ("等" if len(pending) > 6 else "")
        return (f"{self.year} 年计划中有 {len(pending)} 个量化指标标着 review: true，尚未核对（{names}）；"
                "报告按计划文件中的数值计算，请对照原文核对后删去该标记（kjplan check 列出位置）")


def load_plan(path: Path) -> Plan:
    """Load and validate a plan file; every problem is a DataError naming file and line."""
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise DataError(path, 1, "计划文件应为键值对（year:、title:、items: 等），而不是空文件或列表")
    plan = validate_model(Plan, data, lines, path)
    errors: list[DataError] = []
    seen: dict[int, int] = {}
    target_ids: dict[str, str] = {}

    def unique_target(target: Target, loc: tuple, where: str) -> None:
        if target.id in target_ids:
            errors.append(DataError(path, lines.get(loc + ("id",)), f"{field_path(loc)}.id：指标编号“{target.id}”重复"
                                    f"（已用于{target_ids[target.id]}；指标编号在全年计划内须唯一）"))
        target_ids.setdefault(target.id, where)

    part_numbers: dict[int, int] = {}
    for k, part in enumerate(plan.parts):
        if part.number in part_numbers:
            errors.append(DataError(path, lines.get(("parts", k, "number")),
                                    f"parts[{k}].number：部分编号 {part.number} 重复（已用于 parts[{part_numbers[part.number]}]）"))
        part_numbers.setdefault(part.number, k)
    for j, target in enumerate(plan.targets):
        unique_target(target, ("targets", j), f" targets[{j}]（全局指标）")
    for i, item in enumerate(plan.items):
        line = lines.get(("items", i, "number"))
        if item.number in seen:
            errors.append(DataError(path, line, f"items[{i}].number：事项编号 {item.number} 重复（已用于 items[{seen[item.number]}]）"))
        seen.setdefault(item.number, i)
        if item.part is not None and item.part not in part_numbers:
            have = "、".join(map(str, part_numbers)) or "无（文件没有 parts:）"
            errors.append(DataError(path, lines.get(("items", i, "part")),
                                    f"items[{i}].part：没有编号为 {item.part} 的部分；parts 中的编号为：{have}"))
        for j, target in enumerate(item.targets):
            unique_target(target, ("items", i, "targets", j), f"第 {item.number} 项")
    if plan.date.year != plan.year and plan.date.year != plan.year - 1:
        errors.append(DataError(path, lines.get(("date",)), f"date：成文日期 {plan.date} 与计划年度 {plan.year} 不符"))
    if errors:
        raise DataErrors(errors)
    return plan
