"""Commands for collecting from every unit: assign (分工), forms (填报表), remind (催报)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from kjplan.cli import command, state, streams
from kjplan.errors import KjplanError


@command("assign")
def assign(
    ctx: typer.Context,
    item: Optional[str] = typer.Argument(None, metavar="[N]", help="事项序号（1-16）。"),
    lead: Optional[str] = typer.Option(None, "--lead", "-l", metavar="UNIT", help="牵头单位（一个），如 --lead 成果转化科。"),
    partner: Optional[List[str]] = typer.Option(
        None, "--partner", "-p", metavar="UNIT",
        help="配合单位，可写多次，或在一个值里用顿号分隔：--partner 高新技术科 --partner 市科技资源统筹中心。"),
    clear: bool = typer.Option(False, "--clear", help="清除该事项的分工（牵头和配合单位都清空）。"),
    from_file: Optional[Path] = typer.Option(
        None, "--from", metavar="FILE",
        help="从分工表（.xlsx 或 .csv）批量设定，列为 序号、牵头单位、配合单位（多个单位用 、 或 ， 分隔）；"
             "表头前可有标题行。全部无误才写入。"),
):
    """设定事项的分工：牵头单位和配合单位，写入计划文件的 lead、partners（文件其余内容一字不改）。

    写了的选项替换原有分工；设置文件 kjplan.yaml 列出 units: 名单时，单位须在名单中。

    示例：kjplan assign 9 --lead 成果转化科 --partner 高新技术科　　kjplan assign --from 分工表.xlsx
    """
    from kjplan import assign as api

    st = state(ctx)
    ws = st.workspace
    year = st.plan().year
    if from_file is not None:
        if item is not None or lead is not None or partner or clear:
            raise KjplanError("--from 不能与事项序号、--lead、--partner、--clear 同时使用：分工请写在分工表中")
        result = api.assign_from(ws, from_file, year=year)
        streams.committed()
    else:
        if item is None:
            raise KjplanError("缺少事项序号：如 kjplan assign 9 --lead 成果转化科，或用 --from 分工表.xlsx 批量设定")
        if clear and (lead is not None or partner):
            raise KjplanError("--clear 不能与 --lead、--partner 同时使用")
        if not clear and lead is None and not partner:
            plan = ws.plan(year)
            from kjplan.fields import parse_item as resolve_item

            one = resolve_item(plan, item)
            typer.echo(f"第 {one.number} 项 {one.title}")
            typer.echo(f"牵头单位：{one.lead or '（未指定）'}")
            typer.echo(f"配合单位：{'、'.join(one.partners) or '（未指定）'}")
            typer.echo("设定分工：kjplan assign 序号 --lead 单位 [--partner 单位 …]", err=True)
            return
        result = api.assign(ws, item, lead=lead, partners=partner or [], year=year)
        streams.committed()
    rel = result.path.relative_to(ws.root) if result.path.is_relative_to(ws.root) else result.path
    for a in result.changed:
        partners = "、".join(a.partners) or "无"
        typer.echo(f"第 {a.item} 项：牵头 {a.lead or '（未指定）'}；配合 {partners}")
    if result.changed:
        typer.echo(f"已更新 {rel} 中 {len(result.changed)} 项的分工"
                   + (f"（另有 {len(result.unchanged)} 项分工未变）" if result.unchanged else "") + "。", err=True)
    else:
        typer.echo(f"分工与 {rel} 中现有的相同，文件未改动。", err=True)


def print_by_unit(ws, model, *, missing: bool, partners: bool, fmt: str) -> bool:
    """`status --by-unit` (and `--missing`): print; return True when some unit owes a record."""
    import json

    from kjplan.collect import NOT_REPORTED, by_unit
    from kjplan.tables import print_table

    table = by_unit(model, list(ws.settings.units))
    owing = table.owing(partners)
    q = model.quarter
    if fmt == "json":
        typer.echo(json.dumps(table.as_dict(missing=missing, partners=partners), ensure_ascii=False, indent=2))
        return bool(owing)
    who = "牵头和配合单位" if partners else "牵头单位"
    if missing:
        if not owing:
            typer.echo(f"{q.year}年{q.name}（{q.code}）各{who}均已报送其负责的事项。")
            return False
        count = sum(len(u.duties) for u in owing)
        rows = [[u.unit, f"第{d.item.number}项 {d.item.title}", d.role] for u in owing for d in u.duties]
        print_table(["单位", "尚未报送的事项", "职责"], rows,
                    title=f"{q.year}年{q.name}（{q.code}）欠报：{len(owing)} 个单位、{count} 项（按{who}计）")
        return True
    rows = []
    for u in table.units:
        for d in u.duties:
            reported = f"已报送 {d.records} 条" if d.reported else NOT_REPORTED
            rows.append([u.unit, d.role, f"第{d.item.number}项 {d.item.title}", reported, d.report.status or (NOT_REPORTED if d.report.missing else "—")])
    print_table(["单位", "职责", "事项", "本单位本季记录", "事项状态"], rows,
                title=f"{q.year}年{q.name}（{q.code}）各单位报送情况")
    if table.unassigned:
        typer.echo(f"未设定牵头单位的事项（{len(table.unassigned)} 项）：{'、'.join(str(i.number) for i in table.unassigned)}"
                   "；可用 kjplan assign 设定")
    lead_owing = table.owing(False)
    if lead_owing:
        typer.echo(f"欠报的牵头单位：{'、'.join(u.unit for u in lead_owing)}；"
                   f"可用 kjplan remind --quarter {q.number} 生成催报提醒")
    return bool(owing)


@command("remind")
def remind(
    ctx: typer.Context,
    quarter: Optional[str] = typer.Option(None, "--quarter", "-q", metavar="Q",
                                          help="催报哪个季度：2、Q2、2020Q2、第二季度；默认为今天所在的季度。"),
    deadline: Optional[str] = typer.Option(None, "--deadline", metavar="YYYY-MM-DD",
                                           help="报送截止日期，写进提醒和通知，如 --deadline 2020-06-25。"),
    partners: bool = typer.Option(False, "--partners", help="配合单位没有记录的事项也催报（默认只催牵头单位）。"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", metavar="FILE.docx",
                                       help="写一份催报通知（GB/T 9704 公文格式的 .docx），主送各欠报单位。"),
    date: Optional[str] = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="通知的成文日期；默认为今天。"),
):
    """催报：为本季度尚未报送的每个单位生成一段提醒（可直接粘贴到政务微信、短信），或写一份催报通知。

    欠报按分工计算（kjplan assign）：牵头单位在其牵头的每个事项上都应有本季度的进展记录。

    示例：kjplan remind --quarter 2 --deadline 2020-06-25　　kjplan remind -q 2 --out 催报通知.docx
    """
    from kjplan import collect, progress
    from kjplan.cli import parse_date
    st = state(ctx)
    ws = st.workspace
    plan = st.plan(quarter)
    due = parse_date(deadline, "--deadline")
    day = parse_date(date, "--date") or st.today
    model = progress.status_report(ws, plan, today=st.today, quarter=quarter)
    table = collect.by_unit(model, list(ws.settings.units))
    q = model.quarter
    if not table.owing(partners):
        typer.echo(f"{q.year}年{q.name}各{'牵头和配合' if partners else '牵头'}单位均已报送，无需催报。")
        return
    if out is not None:
        path, warnings = collect.write_reminder(ws, table, out, deadline=due, date=day, partners=partners)
        streams.committed()
        for warning in warnings:
            typer.echo(f"警告：{warning}", err=True)
        typer.echo(str(path))
        typer.echo(f"已写出催报通知，主送 {len(table.owing(partners))} 个单位。", err=True)
    else:
        for n, (_, text) in enumerate(collect.reminder_texts(ws, table, deadline=due, partners=partners)):
            typer.echo(("\n" if n else "") + text)


@command("forms")
def forms(
    ctx: typer.Context,
    quarter: Optional[str] = typer.Option(None, "--quarter", "-q", metavar="Q",
                                          help="填报哪个季度：2、Q2、2020Q2、第二季度；默认为今天所在的季度。"),
    unit: Optional[List[str]] = typer.Option(
        None, "--unit", "-u", metavar="UNIT",
        help="只给这些单位生成（可写多次）；默认给每个有分工的单位各生成一份（未分工时给 units: 名单中的每个单位）。"),
    out: Path = typer.Option(..., "--out", "-o", metavar="DIR", help="填报表放到哪个文件夹（不存在时新建）。"),
    deadline: Optional[str] = typer.Option(None, "--deadline", metavar="YYYY-MM-DD",
                                           help="报送截止日期，印在表头，如 --deadline 2020-06-25。"),
):
    """生成填报表：每个单位一份 Excel（.xlsx），列出其牵头、配合的事项，供各单位填写后发回。

    表中状态为下拉选择，指标列只收数字，固定内容已锁定；发回的表用 kjplan add-progress --from 导入。
    文件名如“2020年第二季度进展填报表-成果转化科.xlsx”。

    示例：kjplan forms --quarter 2 --deadline 2020-06-25 --out 填报表　　kjplan forms -q 2 -u 成果转化科 -o 填报表
    """
    from kjplan.cli import parse_date
    from kjplan.forms import write_forms
    from kjplan.periods import default_quarter, parse_quarter

    st = state(ctx)
    ws = st.workspace
    plan = st.plan(quarter)
    q = parse_quarter(quarter, plan.year, st.today) if quarter is not None else default_quarter(plan.year, st.today)
    paths = write_forms(ws, plan, q, out, units=unit or None, deadline=parse_date(deadline, "--deadline"), today=st.today)
    streams.committed()
    for path in paths:
        typer.echo(str(path))
    typer.echo(f"已生成 {len(paths)} 份{q.year}年{q.name}填报表。填好发回后用 kjplan add-progress --from 文件或文件夹 导入。",
               err=True)
