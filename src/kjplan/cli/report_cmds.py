"""The report command."""

from __future__ import annotations

from typing import Optional

import typer

from kjplan.cli import command, parse_date, path_option, state, streams


@command("report")
def report(
    ctx: typer.Context,
    quarter: str = typer.Option(..., "--quarter", "-q", metavar="Q",
                                help="报告的季度：2、Q2、2020Q2、第二季度、current（本季度）或 previous（上季度）。"),
    cumulative: bool = typer.Option(False, "--cumulative",
                                    help="按年初至该季度末累计报告（第一季度 / 上半年 / 前三季度 / 全年）。"),
    out: Optional[str] = typer.Option(None, "--out", "-o", metavar="FILE",
                                       help="输出的 .docx 文件；默认为工作区 reports/ 下按年份和季度命名的文件。"),
    date: Optional[str] = typer.Option(None, "--date", metavar="YYYY-MM-DD",
                                       help="成文日期，写作 2020年7月6日；默认为今天。"),
    pdf: bool = typer.Option(False, "--pdf", help="同时用 LibreOffice 转换出 PDF（需已安装 LibreOffice）。"),
    number: Optional[str] = typer.Option(None, "--number", metavar="发文字号",
                                         help="版头中的发文字号，如 渭科党发〔2020〕12号；默认取 kjplan.yaml 的 "
                                              "report.header.number（需设置版头 report.header）。"),
):
    """生成季度报告（Word .docx，GB/T 9704-2012 公文格式），输出文件路径。

    示例：kjplan report --quarter 2 --date 2020-07-06　　kjplan report -q 2 --cumulative --pdf
    """
    from kjplan.report_job import write_report

    st = state(ctx)
    written_date = parse_date(date, "--date") or st.today
    result = write_report(st.workspace, quarter, date=written_date, cumulative=cumulative,
                          out=path_option(out, "--out"), today=st.today, pdf=pdf, year=st.year, number=number)
    streams.committed()
    for warning in result.warnings:
        typer.echo(f"提示：{warning}", err=True)
    typer.echo(str(result.path))
    if result.pdf is not None:
        typer.echo(str(result.pdf))
