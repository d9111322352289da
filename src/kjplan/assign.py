"""分工: each item's 牵头单位 (lead) and 配合单位 (partners), kept in the plan file's lead/partners fields.

The plan file holds the bureau's text word for word and offices keep it in git, so an assignment never
re-dumps the YAML: it rewrites the value of those two keys on the items it changes and leaves every
other byte of the file as it was (comments, quoting, the long text lines). The edited text is parsed
and validated again before it replaces the file, atomically.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from kjplan.errors import DataError, KjplanError
from kjplan.loading import SafeLoader, read_text
from kjplan.plan import Plan, load_plan
from kjplan.readers import Origin
from kjplan.sheets import blank, cell_text, raise_all, read_table
from kjplan.workspace import Workspace

# Units in one cell or option: 成果转化科、高新技术科 / 成果转化科，高新技术科 / a, b / one per line.
UNIT_SEPARATORS = re.compile(r"[、，,;；/\n\r]+")
COLUMNS = {
    "序号": "item", "事项序号": "item", "事项": "item", "item": "item", "number": "item",
    "牵头单位": "lead", "牵头科室": "lead", "lead": "lead",
    "配合单位": "partners", "配合科室": "partners", "partners": "partners",
}


@dataclass(frozen=True)
class Assignment:
    item: int
    lead: str | None
    partners: tuple[str, ...] = ()


def split_units(values: str | Iterable[str] | None) -> list[str]:
    """'成果转化科、高新技术科' or ['a', 'b、c'] -> the units, in order, each once."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        for part in UNIT_SEPARATORS.split(str(value)):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def _unit_problems(units: Iterable[str], known: list[str]) -> list[str]:
    if not known:
        return []
    return [f"“{u}”不在设置文件 kjplan.yaml 的报送单位名单（units:）中；名单现有：{'、'.join(known)}。"
            f"如确是新单位，请先把它加入 units:" for u in units if u not in known]


class AssignProblems(KjplanError):
    """What is wrong with one item's 分工, by field (lead, partners), so a table can name the cell."""

    def __init__(self, number: int, problems: list[tuple[str, str]]):
        self.number = number
        self.problems = problems
        super().__init__(f"第 {number} 项：" + "；".join(msg for _, msg in problems))


def make_assignment(plan: Plan, item: int | str, lead: str | None, partners: Iterable[str] | str | None,
                    known_units: list[str]) -> Assignment:
    """Check one item's 分工 (the item exists, one lead, units known) and return it."""
    from kjplan.fields import parse_item as resolve_item

    number = resolve_item(plan, item).number
    leads = split_units(lead)
    others = split_units(partners)
    problems = []
    if len(leads) > 1:
        problems.append(("lead", f"牵头单位只能写一个，现为“{'、'.join(leads)}”；其余单位请写为配合单位"))
    if leads and leads[0] in others:
        problems.append(("partners", f"“{leads[0]}”已是牵头单位，不能同时是配合单位"))
    problems += [("lead", msg) for msg in _unit_problems(leads, known_units)]
    problems += [("partners", msg) for msg in _unit_problems(others, known_units)]
    if problems:
        raise AssignProblems(number, problems)
    return Assignment(number, leads[0] if leads else None, tuple(others))


# ------------------------------------------------------------------------------ editing the plan text

def _scalar(value: str, flow: bool = False) -> str:
    """value as YAML: plain where that reads back as the same string, else double-quoted."""
    probe = f"k: [{value}]" if flow else f"k: {value}"
    try:
        ok = yaml.load(probe, Loader=SafeLoader) == {"k": [value] if flow else value}
    except yaml.YAMLError:
        ok = False
    if ok and "#" not in value and value == value.strip():
        return value
    return json.dumps(value, ensure_ascii=False)


def _value_text(key: str, a: Assignment) -> str:
    if key == "lead":
        return _scalar(a.lead) if a.lead else ""
    return "[" + ", ".join(_scalar(p, flow=True) for p in a.partners) + "]"


def _comment_after(line: str, column: int) -> str:
    """The '# …' comment that ends `line` after `column` ('' when none)."""
    rest = line[column:]
    match = re.search(r"(^|\s)#", rest)
    return rest[match.start():].lstrip() if match else ""


def _last_line(node: yaml.Node) -> int:
    """0-based line of the node's last character (a block sequence ends at its last entry, not at
    the next key)."""
    if isinstance(node, yaml.SequenceNode) and node.flow_style is False and node.value:
        return _last_line(node.value[-1])
    if isinstance(node, yaml.MappingNode) and node.flow_style is False and node.value:
        return _last_line(node.value[-1][1])
    end = node.end_mark
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


def edit_plan_text(text: str, path: Path, assignments: Mapping[int, Assignment]) -> str:
    """The plan text with lead/partners of the given items replaced, every other line kept as it was."""
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError:
        raise DataError(path, None, "计划文件有格式错误，请先运行 kjplan check 查看并改正") from None
    items = next((v for k, v in root.value if k.value == "items"), None) if isinstance(root, yaml.MappingNode) else None
    if not isinstance(items, yaml.SequenceNode):
        raise DataError(path, None, "计划文件没有 items: 列表")
    lines = text.splitlines(keepends=True)
    # (first line, last line, new lines) per change, applied bottom-up so earlier line numbers hold.
    edits: list[tuple[int, int, list[str]]] = []
    for node in items.value:
        if not isinstance(node, yaml.MappingNode):
            continue
        pairs = {k.value: (k, v) for k, v in node.value}
        number = pairs.get("number")
        if number is None or not number[1].value.isdigit() or int(number[1].value) not in assignments:
            continue
        a = assignments[int(number[1].value)]
        if node.flow_style:
            raise DataError(path, node.start_mark.line + 1, f"第 {a.item} 项写成了一行（{{…}}），无法自动填写分工，请手工修改")
        for key in ("lead", "partners"):
            new = _value_text(key, a)
            if key in pairs:
                key_node, value_node = pairs[key]
                first = key_node.start_mark.line
                last = max(first, _last_line(value_node))
                colon = lines[first].index(":", key_node.end_mark.column)
                tail_line = lines[last].rstrip("\r\n")
                tail_col = value_node.end_mark.column if value_node.end_mark.line == last else len(tail_line)
                comment = _comment_after(tail_line, tail_col)
                ending = lines[last][len(tail_line):] or "\n"
                body = lines[first][: colon + 1] + (" " + new if new else "")
                if comment:
                    # An aligned comment (more than one space before it) keeps its column when the new
                    # value fits before it; otherwise one space.
                    at = tail_line.rindex(comment)
                    aligned = last == first and tail_line[at - 2: at] == "  "
                    pad = at - len(body) if aligned else 1
                    body += " " * max(1, pad) + comment
                edits.append((first, last, [body + ending]))
            else:
                anchor = pairs.get("text") or pairs.get("title") or number
                after = _last_line(anchor[1])
                indent = " " * node.value[0][0].start_mark.column
                edits.append((after + 1, after, [f"{indent}{key}: {new}\n".replace(": \n", ":\n")]))
    missing = sorted(set(assignments) - {int(v.value) for n in items.value if isinstance(n, yaml.MappingNode)
                                         for k, v in n.value if k.value == "number" and v.value.isdigit()})
    if missing:
        raise DataError(path, None, f"计划文件中没有第 {'、'.join(map(str, missing))} 项")
    # Bottom-up so that earlier line numbers hold; two inserts at one place keep their order (lead first).
    order = {id(e): n for n, e in enumerate(edits)}
    for first, last, new_lines in sorted(edits, key=lambda e: (e[0], e[1], order[id(e)]), reverse=True):
        lines[first: last + 1] = new_lines
    return "".join(lines)


# ------------------------------------------------------------------------------------------- the API

@dataclass(frozen=True)
class AssignResult:
    path: Path
    changed: list[Assignment]  # what changed (items already so assigned are left out)
    unchanged: list[int]


def assign_many(ws: Workspace, assignments: Iterable[Assignment], *, year: int | None = None) -> AssignResult:
    """Write the 分工 of several items into the plan file at once (all or nothing)."""
    from kjplan.fsutil import atomic_write

    path = ws.plan_path(year)
    plan = load_plan(path)
    wanted = {a.item: a for a in assignments}
    changed = {n: a for n, a in wanted.items()
               if (plan.item(n).lead, tuple(plan.item(n).partners)) != (a.lead, a.partners)}
    if changed:
        text = read_text(path)
        new_text = edit_plan_text(text, path, changed)
        _verify(plan, new_text, path, changed)
        atomic_write(path, new_text.encode("utf-8"))
    return AssignResult(path, [changed[n] for n in sorted(changed)], sorted(set(wanted) - set(changed)))


def _verify(before: Plan, text: str, path: Path, changed: Mapping[int, Assignment]) -> None:
    """The edited file must load, and differ from the old plan in exactly the assigned fields."""
    from kjplan.loading import parse_yaml, validate_model

    data, lines = parse_yaml(text, path)
    after = validate_model(Plan, data, lines, path)
    expected = before.model_copy(update={"items": [
        item.model_copy(update={"lead": changed[item.number].lead, "partners": list(changed[item.number].partners)})
        if item.number in changed else item for item in before.items]})
    if after != expected:  # a bug in the editor, never the user's doing: refuse rather than corrupt the plan
        raise KjplanError(f"内部错误：改写 {path} 的分工时结果与预期不符，文件未修改；请加 --debug 重试并报告维护人员")


def assign(ws: Workspace, item: int | str, *, lead: str | None, partners: Iterable[str] | str | None = None,
           year: int | None = None) -> AssignResult:
    """Set one item's 牵头单位 and 配合单位 (both replaced; None/empty clears)."""
    plan = ws.plan(year)
    return assign_many(ws, [make_assignment(plan, item, lead, partners, list(ws.settings.units))], year=year)


def read_assignments(ws: Workspace, plan: Plan, path: Path | str) -> list[Assignment]:
    """The rows of a 分工表 (.xlsx or .csv: 序号, 牵头单位, 配合单位); every bad cell is reported at once."""
    from kjplan.fields import parse_item as resolve_item

    path = Path(path)
    rows, headers = read_table(path, COLUMNS, what="分工表")
    missing = [name for key, name in (("item", "序号"), ("lead", "牵头单位")) if key not in headers]
    if missing:
        raise DataError(path, None, f"分工表缺少列：{'、'.join(missing)}（应有 序号、牵头单位、配合单位 三列）")
    known = list(ws.settings.units)
    errors: list[KjplanError] = []
    out: dict[int, tuple[Origin, Assignment]] = {}
    for row in rows:
        raw = row.values.get("item")
        if blank(raw):
            if any(not blank(v) for v in row.values.values()):
                errors.append(row.place("item").error("缺少事项序号"))
            continue
        try:
            number = resolve_item(plan, cell_text(raw)).number
        except KjplanError as exc:
            errors.append(row.place("item").error(exc.message))
            continue
        try:
            a = make_assignment(plan, number, cell_text(row.values.get("lead")) or None,
                                cell_text(row.values.get("partners")), known)
        except AssignProblems as exc:
            errors += [row.place(key).error(msg) for key, msg in exc.problems]
            continue
        if number in out:
            errors.append(row.place("item").error(f"第 {number} 项重复（{out[number][0]} 已写过）"))
            continue
        out[number] = (row.place("item"), a)
    raise_all(errors)
    if not out:
        raise DataError(path, None, "分工表中没有任何事项")
    return [a for _, a in out.values()]


def assign_from(ws: Workspace, path: Path | str, *, year: int | None = None) -> AssignResult:
    plan = ws.plan(year)
    return assign_many(ws, read_assignments(ws, plan, path), year=year)


# ------------------------------------------------------------------------------- units: from the plan

# The words that name a kind of office at the end of a recipient ("卤阳湖发改局"), which the notice writes
# once for a list of places ("渭南高新区、经开区、卤阳湖发改局" = three 发改局).
OFFICE_KINDS = ("发展和改革局", "发改局", "科技主管部门", "科技局", "管委会", "管理委员会")


def _split_list(text: str) -> list[str]:
    """Split on 、 outside brackets: "各县（市、区）科技主管部门" stays whole."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch in "（(" 
        depth -= ch in "）)"
        if ch == "、" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [p.strip() for p in parts + [current] if p.strip()]


def recipient_units(plan: Plan) -> list[tuple[str, bool]]:
    """The plan notice's recipients as (unit, spelled out). Collective names (各县（市、区）…, 局属各科室)
    are not units the text names: they come back with False, for the office to fill in."""
    out: list[tuple[str, bool]] = []
    for recipient in plan.recipients:
        parts = _split_list(recipient)
        kind = next((k for k in OFFICE_KINDS if parts[-1].endswith(k) and parts[-1] != k), None)
        for part in parts:
            if "各" in part:
                out.append((part, False))
                continue
            if kind and not any(part.endswith(k) for k in OFFICE_KINDS):
                part += kind
            out.append((part, True))
    return out


def units_yaml(plan: Plan) -> str:
    """The units: block `kjplan init` writes: the recipients the notice names, and a comment for each
    group it names only collectively."""
    # With no unit named (a plan without a notice, or one naming groups only) the list stays empty: []
    empty = not any(named for _, named in recipient_units(plan))
    lines = [f"units:{' []' if empty else ''}   # 报送单位名单：--unit、分工（kjplan assign）和填报表只接受名单中的单位，可防止错别字",
             f"  # 按《{plan.title}》印发通知的主送机关逐一列出；原文只写了统称的，请办公室补充具体单位（每行一个）："]
    for unit, named in recipient_units(plan):
        if named:
            lines.append(f"  - {_scalar(unit)}")
        elif "县" in unit:
            lines.append(f"  # {unit}：原文未列出名称，请补充渭南市 11 个县（市、区）的科技主管部门，每行一个，如 - ××县科技局")
        else:
            lines.append(f"  # {unit}：原文未列出名称，请补充，每行一个，如 - 办公室")
    return "\n".join(lines) + "\n"


def fill_units(settings_text: str, plan: Plan) -> str:
    """settings text with its empty `units: []` line replaced by the plan's recipients."""
    pattern = re.compile(r"^units:\s*\[\s*\]\s*(#.*)?$\n?", re.M)
    if not pattern.search(settings_text):
        return settings_text
    return pattern.sub(lambda m: units_yaml(plan), settings_text, count=1)


# --------------------------------------------------------------------------------------- who does what

@dataclass(frozen=True)
class Duty:
    unit: str
    item: int
    role: str  # 牵头 or 配合


ROLES = ("牵头", "配合")


def duties(plan: Plan) -> list[Duty]:
    """Every (unit, item, role) of the plan's 分工, leads first, in item order."""
    out = []
    for item in plan.items:
        if item.lead:
            out.append(Duty(item.lead, item.number, "牵头"))
        out += [Duty(p, item.number, "配合") for p in item.partners]
    return out


def units_of(plan: Plan, known: Iterable[str] = ()) -> list[str]:
    """Responsible units: those in units: first (in its order), then the others in order of appearance."""
    named = list(dict.fromkeys(d.unit for d in duties(plan)))
    known = [u for u in known if u in named]
    return known + [u for u in named if u not in known]


def check_assignments(ws: Workspace, plan: Plan | None, result) -> None:
    """`kjplan check`: every unit of the 分工 is in units: (when that list is set)."""
    known = list(ws.settings.units)
    if plan is None or not known:
        return
    for year, path in ws.plan_paths().items():  # every year's plan in the workspace, not only the latest
        try:
            year_plan = plan if plan.year == year else ws.plan(year)
        except KjplanError:
            continue  # the plan check has named what is wrong with it
        for duty in duties(year_plan):
            if duty.unit not in known:
                result.problems.append(DataError(path, None, f"第 {duty.item} 项的{duty.role}单位“{duty.unit}”"
                                                             "不在 kjplan.yaml 的 units: 名单中"))
