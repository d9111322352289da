"""Commands about the workspace and the plan: init, check, plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from kjplan.cli import command, state
from kjplan.errors import KjplanError


@command("init")
def init(
    folder: Path = typer.Argument(..., metavar="文件夹", help="要新建工作区的文件夹（可以不存在）。"),
    example: bool = typer.Option(False, "--example",
                                 help="同时放入虚构的示例记录（2020 年第一、二季度）和示例设置，用来试用和演示。"),
):
    """新建工作区：放入 2020 年工作要点、默认报告模板和设置文件，已有内容一律不覆盖。

    示例：kjplan init D:/科技局/kjplan　　kjplan init --example 示例工作区
    """
    from kjplan.errors import shell_path
    from kjplan.workspace import init_workspace, is_workspace

    existed = is_workspace(folder.expanduser())
    ws = init_workspace(folder, example=example)
    kind = "示例工作区" if example else "工作区"
    if existed:
        typer.echo(f"{kind}已经在这里，内容与随程序附带的相同，未做改动：{ws.root}")
    else:
        typer.echo(f"已新建{kind}：{ws.root}")
    if example:
        typer.echo(f"下一步：kjplan --root {shell_path(folder)} report --quarter 2 --date 2020-07-06 生成示例报告")
    else:
        typer.echo(f"下一步：cd {shell_path(ws.root)} 后运行 kjplan plan 查看 16 项工作要点")


@command("check")
def check(
    ctx: typer.Context,
    repair: bool = typer.Option(
        False, "--repair",
        help="先修复进度记录：把无法读取的行（如写入中断留下的残行）移到记录文件旁单独的文件"
             "（如 progress/2020.jsonl.rejected-20200510T013000Z.txt，注明原行号），不会删除任何内容；然后再检查。",
    ),
):
    """检查工作区：计划文件、设置、进度记录是否有错，逐条指出文件和行号。有错时退出码为 1。

    示例：kjplan check　　kjplan check --repair
    """
    from kjplan.checks import check_workspace

    ws = state(ctx).workspace
    if repair:
        from kjplan.progress import repair_ledgers

        for done in repair_ledgers(ws):
            numbers = "、".join(str(p.line) for p in done.moved)
            typer.echo(f"已把 {done.path.relative_to(ws.root)} 中无法读取的 {len(done.moved)} 行（第 {numbers} 行）"
                       f"移到 {done.rejected_path.relative_to(ws.root)}")
    result = check_workspace(ws)
    for line in result.checked:
        typer.echo(f"已检查 {line}")
    if not result.ok:
        for problem in result.problems:
            typer.echo(f"错误：{problem.message}", err=True)
        typer.echo(f"共发现 {len(result.problems)} 处问题。", err=True)
        raise typer.Exit(1)
    typer.echo("检查通过，没有发现问题。")


def item_dict(item) -> dict:
    return item.model_dump(mode="json")


@command("plan")
def plan(
    ctx: typer.Context,
    number: Optional[int] = typer.Argument(None, metavar="[N]", help="事项序号（1-16）；不写则列出全部事项。"),
    fmt: str = typer.Option("table", "--format", help="输出格式：table（表格，默认）或 json（供其他程序读取）。"),
):
    """查看工作要点：全部事项的序号、名称、牵头和配合单位、量化指标；写序号时显示该事项全文。

    示例：kjplan plan　　kjplan plan 9　　kjplan plan --format json
    """
    if fmt not in ("table", "json"):
        raise typer.BadParameter(f"格式“{fmt}”无效，应为 table 或 json", param_hint="--format")
    plan = state(ctx).plan()
    if number is not None:
        item = plan.item(number)
        if item is None:
            raise KjplanError(f"没有第 {number} 项；{plan.year} 年工作要点的事项序号为 {min(plan.numbers)} 到 {max(plan.numbers)}")
        if fmt == "json":
            typer.echo(json.dumps(item_dict(item), ensure_ascii=False, indent=2))
        else:
            typer.echo(format_item(item))
        return
    if fmt == "json":
        data = plan.model_dump(mode="json")
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from kjplan.tables import print_table

    rows = [[str(i.number), i.title, i.lead or "—", "、".join(i.partners) or "—",
             "；".join(target_label(t) for t in i.targets)] for i in plan.items]
    print_table(["序号", "事项", "牵头单位", "配合单位", "量化指标"], rows, title=plan.title)
    if not any(i.lead or i.partners for i in plan.items):
        typer.echo("尚未分工：可用 kjplan assign 序号 --lead 单位 --partner 单位 设定牵头和配合单位。")


def target_label(target) -> str:
    from kjplan.numerals import format_quantity

    kind = "全年累计" if target.kind == "cumulative" else "水平"
    return f"{target.name} {format_quantity(target.value, target.unit)}（{kind}，编号 {target.id}）"


def format_item(item) -> str:
    lines = [f"{item.number}. {item.title}", "", item.text, ""]
    lines.append(f"牵头单位：{item.lead or '（未指定）'}")
    lines.append(f"配合单位：{'、'.join(item.partners) if item.partners else '（未指定）'}")
    if item.targets:
        lines.append("量化指标：")
        lines += [f"  - {target_label(t)}" + (f"\n    原文：{t.source}" if t.source else "") for t in item.targets]
    else:
        lines.append("量化指标：（原文未写明可量化的指标）")
    return "\n".join(lines)
