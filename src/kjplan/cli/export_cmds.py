"""The export command: everything a scheduled job needs, silent on success."""

from __future__ import annotations

import datetime as dt
import time
from typing import Optional

import typer

from kjplan.cli import command, path_option, state, streams
from kjplan.errors import EXIT_USAGE, KjplanError


def _report_date(value: Optional[str]) -> Optional[dt.date]:
    # A usage error, but as one line (a cron job's mail should say just what is wrong).
    from kjplan.fields import parse_date

    try:
        return parse_date(value) if value is not None else None
    except KjplanError as exc:
        raise KjplanError(f"--date：{exc.message}", exit_code=EXIT_USAGE) from None


@command("export")
def export_cmd(
    ctx: typer.Context,
    quarter: str = typer.Option("auto", "--quarter", "-q", metavar="auto|Q",
                                help="导出的季度：auto（默认，计划年度内最近一个已结束的季度；年度结束后为第四季度），"
                                     "或 2、Q2、2020Q2、第二季度。"),
    cumulative: bool = typer.Option(False, "--cumulative",
                                    help="按年初至该季度末累计（第一季度 / 上半年 / 前三季度 / 全年）。"),
    formats: str = typer.Option("docx,pdf,json,csv,xlsx", "--formats", "-f", metavar="LIST",
                                help="导出的格式，逗号分隔：docx（报告）、pdf（需 LibreOffice）、json（报告数据）、"
                                     "csv（进度记录）、xlsx（工作台账）；all 为全部。"),
    out: Optional[str] = typer.Option(None, "--out", "-o", metavar="DIR",
                                       help="输出文件夹；默认为工作区的 reports/。文件名固定，如 report-2020Q2.docx。"),
    date: Optional[str] = typer.Option(None, "--date", metavar="YYYY-MM-DD",
                                       help="报告的成文日期；默认为今天。"),
    log: Optional[str] = typer.Option(None, "--log", metavar="FILE",
                                       help="每次运行向该文件追加一行：时间、季度、退出码、结果、写入和未变的文件（失败也记录）。"),
    wait: float = typer.Option(0, "--wait", metavar="SECONDS", min=0,
                               help="已有导出在运行时最多等待的秒数；默认不等待，直接以退出码 75 结束。"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="列出写入和未变的文件及提示；默认成功时不输出任何内容。"),
):
    """导出季度报告和数据文件（供定时任务使用）：成功时不输出，失败时输出一行原因并以相应退出码结束。

    全部格式先写入输出文件夹内的临时文件夹，都成功后才替换；内容未变的文件保持原样（修改时间不变）。
    同一工作区同时只能运行一个导出。

    示例：kjplan --root /srv/kjplan export -q auto --log /var/log/kjplan.log
    """
    from kjplan.export_job import append_log, export

    st = state(ctx)
    started = time.monotonic()
    log = path_option(log, "--log")
    try:
        ws = st.workspace
        written_date = _report_date(date)
    except KjplanError as exc:  # before the export proper: still leave the line in the log
        if log is not None:
            try:
                append_log(log, period=quarter, exit_code=exc.exit_code, outcome=f"失败：{exc.message}",
                           seconds=time.monotonic() - started)
            except KjplanError:
                pass
        raise
    result = export(ws, quarter=quarter, cumulative=cumulative, formats=formats, out_dir=out,
                    date=written_date, today=st.today, wait=wait, log=log, year=st.year)
    streams.committed()
    if verbose:
        for path in result.written:
            typer.echo(f"已写入：{path}")
        for path in result.unchanged:
            typer.echo(f"未变：{path}")
        for warning in result.warnings:
            typer.echo(f"提示：{warning}", err=True)
        timing = "，".join(f"{name} {seconds:.2f} 秒" for name, seconds in result.seconds.items())
        typer.echo(f"{result.quarter.code}{'（累计）' if cumulative else ''}：{timing}")
