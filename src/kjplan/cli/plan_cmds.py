"""Commands about the workspace and the plan: init, check, plan (show, import)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from typer.core import TyperGroup

from kjplan.cli import _app, command, state, streams
from kjplan.errors import KjplanError
from kjplan.numerals import cn_number


@command("init")
def init(
    folder: Path = typer.Argument(..., metavar="文件夹", help="要新建工作区的文件夹（可以不存在）。"),
    example: bool = typer.Option(False, "--example",
                                 help="同时放入虚构的示例记录（2020 年第一、二季度）和示例设置，用来试用和演示。"),
    plan_file: Optional[Path] = typer.Option(
        None, "--plan", metavar="FILE",
        help="用这份工作要点（.docx、.txt 或 .md）开始，而不是随程序附带的 2020 年工作要点；"
             "导入方法同 kjplan plan import。",
    ),
    year: Optional[int] = typer.Option(None, "--year", metavar="YYYY",
                                       help="与 --plan 一起用：计划年度；不写时取文件标题中的年份。"),
):
    """新建工作区：放入工作要点（默认为 2020 年的，或用 --plan 导入新的）、默认报告模板和设置文件，已有内容一律不覆盖。

    示例：kjplan init D:/科技局/kjplan　　kjplan init --example 示例工作区　　kjplan init --year 2021 --plan 2021年工作要点.docx D:/科技局/kjplan2021
    """
    from kjplan.errors import shell_path
    from kjplan.workspace import PLANS, init_workspace, is_workspace

    if plan_file is None and year is not None:
        raise KjplanError("--year 要与 --plan 一起使用：kjplan init --year 2021 --plan 工作要点.docx 文件夹")
    if plan_file is not None and example:
        raise KjplanError("--example 的示例记录属于 2020 年的工作要点，不能与 --plan 一起使用")
    existed = is_workspace(folder.expanduser())
    if plan_file is not None:
        from kjplan.plan_import import import_plan

        result = import_plan(plan_file, plans_dir=Path(folder) / PLANS, year=year, write=False)
        ws = init_workspace(folder, plan=(result.plan.year, result.yaml))
        result.path = ws.plan_path(result.plan.year)
        streams.committed()
        _print_import(result, ws.root)
    else:
        ws = init_workspace(folder, example=example)
        streams.committed()
    kind = "示例工作区" if example else "工作区"
    if existed:
        typer.echo(f"{kind}已经在这里，内容与{'导入的' if plan_file else '随程序附带的'}相同，未做改动：{ws.root}")
    else:
        typer.echo(f"已新建{kind}：{ws.root}")
    if example:
        typer.echo(f"下一步：kjplan --root {shell_path(folder)} report --quarter 2 --date 2020-07-06 生成示例报告")
    elif plan_file is not None:
        typer.echo(f"下一步：cd {shell_path(ws.root)} 后运行 kjplan check，逐条核对导入时提出的量化指标")
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

        repaired = repair_ledgers(ws)
        streams.committed()
        for done in repaired:
            numbers = "、".join(str(p.line) for p in done.moved)
            typer.echo(f"已把 {done.path.relative_to(ws.root)} 中无法读取的 {len(done.moved)} 行（第 {numbers} 行）"
                       f"移到 {done.rejected_path.relative_to(ws.root)}")
    result = check_workspace(ws, today=state(ctx).today)
    for line in result.checked:
        typer.echo(f"已检查 {line}")
    if not result.ok:
        for problem in result.problems:
            typer.echo(f"错误：{problem.message}", err=True)
        typer.echo(f"共发现 {len(result.problems)} 处问题。", err=True)
        raise typer.Exit(1)
    for notice in result.to_review:
        typer.echo(f"待核对：{notice.message}")
    if result.to_review:
        typer.echo(f"检查通过，没有发现问题；有 {len(result.to_review)} 个导入时提出的量化指标尚待核对（见上）。")
    else:
        typer.echo("检查通过，没有发现问题。")


def item_dict(item) -> dict:
    return item.model_dump(mode="json")


class _PlanGroup(TyperGroup):
    """`kjplan plan [N]` shows the plan (the `show` command, the default); `kjplan plan import FILE`."""

    default = "show"

    def parse_args(self, ctx, args):
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = [self.default, *args]
        return super().parse_args(ctx, args)


plan_app = typer.Typer(
    cls=_PlanGroup,
    help=(
        "工作要点：查看（kjplan plan [N]，即 kjplan plan show）、排成公文（--format docx）、从新年度的文件导入（import）。\n\n"
        "示例：kjplan plan　　kjplan plan 9　　kjplan plan --format docx　　kjplan plan import 2021年工作要点.docx"
    ),
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
_app.add_typer(plan_app, name="plan")


@command("show", group=plan_app)
def plan(
    ctx: typer.Context,
    number: Optional[int] = typer.Argument(None, metavar="[N]", help="事项序号（如 9）；不写则列出全部事项。"),
    fmt: str = typer.Option("table", "--format", help="输出格式：table（表格，默认）、json（供其他程序读取）"
                                                      "或 docx（按公文格式排成 Word 文件，便于对照原文核对）。"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", metavar="FILE",
                                       help="--format docx 的输出文件；默认为工作区 reports/ 下的 plan-年份.docx。"),
):
    """查看工作要点：全部事项的序号、名称、牵头和配合单位、量化指标；写序号时显示该事项全文。--format docx 排成公文。

    工作区有多个年度的计划时，用全局选项 --year 选择年度，如 kjplan --year 2021 plan。

    示例：kjplan plan　　kjplan plan 9　　kjplan plan --format json　　kjplan plan --format docx
    """
    if fmt not in ("table", "json", "docx"):
        raise typer.BadParameter(f"格式“{fmt}”无效，应为 table、json 或 docx", param_hint="--format")
    st = state(ctx)
    plan = st.plan()
    if fmt == "docx":
        if number is not None:
            raise KjplanError("--format docx 排出整份工作要点，不能只写一项；请去掉序号")
        from kjplan.plan_document import default_plan_docx, write_plan_docx

        path, warnings = write_plan_docx(plan, out or default_plan_docx(st.workspace.reports_dir, plan),
                                         st.workspace.settings.fonts)
        streams.committed()
        for warning in warnings:
            typer.echo(f"提示：{warning}", err=True)
        typer.echo(str(path))
        return
    if number is not None:
        item = plan.item(number)
        if item is None:
            raise KjplanError(f"没有第 {number} 项；{plan.year} 年工作要点的事项序号为 {min(plan.numbers)} 到 {max(plan.numbers)}")
        if fmt == "json":
            typer.echo(json.dumps(item_dict(item), ensure_ascii=False, indent=2))
        else:
            typer.echo(format_item(item, plan))
        return
    if fmt == "json":
        data = plan.model_dump(mode="json")
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    from kjplan.tables import CUT, KEEP, print_table

    rows = [[str(i.number), i.title, i.lead or "—", "、".join(i.partners) or "—",
             "；".join(target_label(t) for t in i.targets)] for i in plan.items]
    print_table(["序号", "事项", "牵头单位", "配合单位", "量化指标"], rows, title=plan.title,
                fits=[KEEP, f"{CUT}:3", f"{CUT}:1", f"{CUT}:1", f"{CUT}:2"])
    if not any(i.lead or i.partners for i in plan.items):
        typer.echo("尚未分工：可用 kjplan assign 序号 --lead 单位 --partner 单位 设定牵头和配合单位。")
    if plan.targets:
        typer.echo("全局指标（主要预期目标）：")
        for target in plan.targets:
            typer.echo(f"  - {target_label(target)}")
    if plan.to_review():
        typer.echo(f"有 {len(plan.to_review())} 个量化指标标着 review: true，尚待核对；可运行 kjplan check 查看。")


@command("import", group=plan_app)
def import_cmd(
    ctx: typer.Context,
    document: Path = typer.Argument(..., metavar="FILE", help="工作要点文件：.docx（Word）、.txt 或 .md。"),
    year: Optional[int] = typer.Option(None, "--year", metavar="YYYY", help="计划年度；不写时取标题中的年份。"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", metavar="PATH",
                                       help="写到这个文件；默认为工作区的 plans/年份.yaml。"),
    force: bool = typer.Option(False, "--force", help="该年度的计划文件已存在时覆盖它（默认不覆盖）。"),
    issuer: Optional[str] = typer.Option(None, "--issuer", metavar="NAME",
                                         help="发文机关。原文（通知落款或标题开头）没有写明时必须写；写了则以它为准。"),
    date: Optional[str] = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="成文日期。原文没有写明时必须写；写了则以它为准。"),
):
    """从工作要点原文导入新年度的计划：读出标题、印发通知、导语、各部分和各事项（逐字照录），找出写明数字的量化指标供核对，写成 plans/年份.yaml。

    读 .docx 时，Word 自动编号的序号照原样还原；.txt、.md 可为 UTF-8（含 BOM）或 GB18030/GBK 编码。

    导入后列出各部分、事项数、提出的指标（及其原文）和未能归入的文字（及其行号）。提出的指标都标着 review: true，核对后删去；kjplan check 列出尚未核对的指标。没有找到编号的事项时不写入任何文件，退出码为 1。

    示例：kjplan plan import 2021年工作要点.docx　　kjplan plan import 要点.txt --year 2021 --out 2021.yaml
    """
    from kjplan.cli import parse_date
    from kjplan.plan_import import import_plan
    from kjplan.workspace import PLANS

    st = state(ctx)
    if year is not None and st.year is not None and year != st.year:
        raise KjplanError(f"全局选项 --year {st.year} 与 plan import 的 --year {year} 不符；请只写其中一个")
    root = None
    if out is None:
        root = st.workspace.root
        plans_dir = root / PLANS
    result = import_plan(document, out, plans_dir=None if out is not None else plans_dir,
                         year=year if year is not None else st.year, issuer=issuer,
                         date=parse_date(date, "--date"), force=force)
    streams.committed()
    _print_import(result, root)


def _shown_path(path: Path, root: Path | None) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve())) if root is not None else str(path)
    except ValueError:
        return str(path)


def _print_import(result, root: Path | None) -> None:
    """What the import did, for the person who will check it against the source."""
    from kjplan.numerals import cn_date

    plan, source = result.plan, result.source
    typer.echo(f"已导入《{plan.title}》，写入 {_shown_path(result.path, root)}")
    typer.echo(f"  来源：{source.path.name}（{len(source.lines)} {source.unit}文字{'；' if source.notes else ''}"
               f"{'；'.join(source.notes)}）")
    typer.echo(f"  {plan.year} 年，发文机关 {plan.issuer}，成文日期 {cn_date(plan.date)}；"
               f"主送机关 {len(plan.recipients)} 个；印发通知：{'有' if plan.notice else '无'}；"
               f"导语：{len(plan.preamble.splitlines()) if plan.preamble else 0} 段")
    if plan.parts:
        counts = {p.number: sum(1 for i in plan.items if i.part == p.number) for p in plan.parts}
        typer.echo(f"  部分：{len(plan.parts)} 个")
        for part in plan.parts:
            typer.echo(f"    {cn_number(part.number)}、{part.title}（{counts[part.number]} 项）")
    typer.echo(f"  事项：{len(plan.items)} 项（第 {plan.items[0].number} 至 {plan.items[-1].number} 项）")
    if result.proposed:
        typer.echo(f"  提出的量化指标：{len(result.proposed)} 个（都标着 review: true，请对照原文逐条核对后删去该标记）")
        for proposal in result.proposed:
            where = "全局" if proposal.item is None else f"第 {proposal.item} 项"
            typer.echo(f"    {where}　{target_label(proposal.target)}")
            typer.echo(f"      原文（{source.where(proposal.line)}）：{proposal.target.source}")
    else:
        typer.echo("  提出的量化指标：无（原文没有写明“达到……”等带数字的目标）")
    if result.unplaced:
        typer.echo(f"  未能归入计划的文字：{len(result.unplaced)} 处")
        for unplaced in result.unplaced:
            typer.echo(f"    {source.where(unplaced.line.number)}：{_short(unplaced.line.text, 30)}（{unplaced.why}）")
    else:
        typer.echo("  未能归入计划的文字：无")
    for note in result.notes:
        if not note.startswith("编码："):
            typer.echo(f"  注意：{note}")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def target_label(target) -> str:
    from kjplan.numerals import format_quantity

    kind = "全年累计" if target.kind == "cumulative" else "水平"
    review = "，待核对" if target.review else ""
    return f"{target.name} {format_quantity(target.value, target.unit)}（{kind}，编号 {target.id}{review}）"


def format_item(item, plan=None) -> str:
    part = plan.part(item.part) if plan is not None and item.part is not None else None
    lines = [f"{item.number}. {item.title}" + (f"（原文序号 {item.label}）" if item.label else ""), ""]
    if part is not None:
        lines += [f"所属部分：{cn_number(part.number)}、{part.title}", ""]
    lines += [item.text, ""]
    lines.append(f"牵头单位：{item.lead or '（未指定）'}")
    lines.append(f"配合单位：{'、'.join(item.partners) if item.partners else '（未指定）'}")
    if item.targets:
        lines.append("量化指标：")
        lines += [f"  - {target_label(t)}" + (f"\n    原文：{t.source}" if t.source else "") for t in item.targets]
    else:
        lines.append("量化指标：（原文未写明可量化的指标）")
    return "\n".join(lines)
