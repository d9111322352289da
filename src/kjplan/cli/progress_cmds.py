"""Commands about progress records: add-progress, amend, retract, log, status."""

from __future__ import annotations

import json
import sys
from typing import List, Optional

import typer

from kjplan.cli import command, state, streams
from kjplan.errors import EXIT_MISSING, KjplanError

STATUS_HELP = "进展状态：已完成 / 序时推进 / 滞后 / 未启动（也可写 done / on-track / behind / not-started）。"
METRIC_HELP = (
    "量化指标的数值，写成 指标名称=数值，可写多次，如 --metric 基金=6000万　--metric 入驻率=72%。"
    "名称可以只写其中几个字（只要不会指到别的指标），也可以写指标编号（如 innovation_fund）。"
    "金额和百分比必须带单位（6000万、0.6亿、72%），自动换算为指标的单位；家、项、个等计数可只写数字。"
    "全年累计的指标（如资金）填本条记录新增的量，全年各条相加；水平类指标（如入驻率）填当前达到的水平。"
    "可用 kjplan plan 9 查看某项的指标。"
)
FORCE_HELP = "确认数值无误：允许超过 100% 的百分比，以及超过目标 10 倍的数值（否则视为单位写错而拒收）。"
DUPLICATE_HELP = "即使已有事项、季度、报送单位和进展情况都相同的记录，也照样登记（否则拒收并给出那条记录的编号）。"


def interactive() -> bool:
    return sys.stdin.isatty()


def _read_stdin() -> str:
    from kjplan.loading import decode_utf8

    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
    return decode_utf8(data, "标准输入").rstrip("\r\n")


def _text_input(value: Optional[str], item, option: str = "--text") -> str:
    if value == "-":
        return _read_stdin()
    if value is not None:
        return value
    if interactive():
        from kjplan.cli import guided

        try:
            return guided.write_progress_text(item, ask_again=False)
        except guided.Cancelled:
            raise KjplanError("已取消，没有写入任何记录", exit_code=130) from None
    raise KjplanError(f"缺少 {option}：请写进展情况，如 --text \"…\"，或用 --text - 从标准输入读取")


def _status_label(status: Optional[str]) -> str:
    return status or "未写明，按指标推算"


def _status_source(status: Optional[str]) -> str:
    from kjplan.report_model import DERIVED, STATED

    return STATED if status else DERIVED


@command("add-progress")
def add_progress(
    ctx: typer.Context,
    item: Optional[str] = typer.Option(None, "--item", "-i", metavar="N",
                                       help="事项序号（1-16），或事项名称中的词（如 孵化器）。在终端里不写时逐项询问。"),
    quarter: Optional[str] = typer.Option(None, "--quarter", "-q", metavar="Q",
                                          help="所属季度：2、Q2、2020Q2、第二季度、current 或 previous；默认为今天所在的季度。"),
    text: Optional[str] = typer.Option(None, "--text", "-t", metavar="TEXT",
                                       help="进展情况。写 - 时从标准输入读取；在终端里不写时打开编辑器（$EDITOR）。"),
    status: Optional[str] = typer.Option(None, "--status", "-s", metavar="STATUS",
                                         help=STATUS_HELP + "不写时：有量化指标的事项按 --metric 的数值对照序时进度推算；没有指标的事项必须写明。"),
    unit: Optional[str] = typer.Option(None, "--unit", "-u", metavar="UNIT", help="报送单位（科室或县市区），如 --unit 成果转化科。"),
    by: Optional[str] = typer.Option(None, "--by", metavar="NAME", help="填报人；默认为当前登录用户名。"),
    metric: Optional[List[str]] = typer.Option(None, "--metric", "-m", metavar="指标=数值", help=METRIC_HELP),
    problems: Optional[str] = typer.Option(None, "--problems", metavar="TEXT", help="存在问题。"),
    next_: Optional[str] = typer.Option(None, "--next", metavar="TEXT", help="下步打算。"),
    date: Optional[str] = typer.Option(None, "--date", metavar="YYYY-MM-DD",
                                       help="进展发生的日期，如 2020-06-28、2020/6/28 或 2020年6月28日；默认为今天"
                                            "（今天不在计划年度内时必须写明）。不写 --quarter 时，季度按日期推算。"),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
    allow_duplicate: bool = typer.Option(False, "--allow-duplicate", help=DUPLICATE_HELP),
    from_file: Optional[str] = typer.Option(
        None, "--from", metavar="FILE",
        help="从文件批量登记：kjplan forms 生成、各单位填好发回的 Excel 填报表，首行为表头的 Excel 工作表或 CSV，"
             "或 YAML 记录列表；可在后面接着写更多文件，或写一个文件夹（导入其中全部文件）。全部无误才写入。"
             "列（中英文均可）：序号/item, 季度/quarter, 进展情况/text, 状态/status, 报送单位/unit, 填报人/by, "
             "指标/metrics（如 innovation_fund=6000万;…）或以指标名称和单位为列名的列, 存在问题/problems, "
             "下步打算/next, 日期/date。同一张填报表再导入不会重复；单位改过的行会更正原记录。"
             "此时 --quarter、--unit、--by、--date 作为文件中留空的列的默认值。",
    ),
    more: Optional[List[str]] = typer.Argument(None, metavar="[FILE…]", help="与 --from 同用：更多要导入的文件或文件夹。"),
):
    """登记一条进展记录，输出新记录的编号。记录只追加、不改写；改错用 kjplan amend，作废用 kjplan retract。

    示例：kjplan add-progress -i 9 -q 2 -t "完成基金扩资方案" -m 基金=6000万
    """
    from kjplan import fields, progress

    st = state(ctx)
    ws = st.workspace
    plan = st.plan(quarter)
    if from_file is not None:
        mixed = [name for name, value in (("--item", item), ("--text", text), ("--status", status),
                                          ("--metric", metric), ("--problems", problems), ("--next", next_))
                 if value]
        if mixed:
            raise KjplanError(f"--from 不能与 {'、'.join(mixed)} 同时使用：这些内容请写在文件的各列中")
        from pathlib import Path

        paths = [Path(from_file), *map(Path, more or [])]
        result = progress.import_files(ws, plan, paths, today=st.today, force=force, allow_duplicate=allow_duplicate,
                                       defaults={"quarter": quarter, "unit": unit, "by": by, "date": date})
        streams.committed()
        for entry in result.entries:
            typer.echo(entry.id)
        for path in result.empty:
            typer.echo(f"注意：{path} 中没有填写任何事项，已跳过。", err=True)
        source = f"{paths[0]} " if len(result.files) == 1 else f"{len(result.files)} 个文件"
        done = [f"新登记 {result.added} 条"] + ([f"更正 {result.amended} 条"] if result.amended else [])
        if result.skipped:
            done.append(f"{result.skipped} 条与已有记录相同，未重复登记")
        typer.echo(f"已从 {source}导入：{'，'.join(done)}。", err=True)
        return
    if more:
        raise KjplanError(f"多余的参数：{' '.join(more)}（导入文件请写在 --from 后面）")
    given = (item, text, status, unit, metric, problems, next_, date, quarter)
    if interactive() and all(value is None for value in given):
        from kjplan.cli import guided

        entry = guided.run(ws, plan, st.today, by=by, force=force, allow_duplicate=allow_duplicate)
        streams.committed()
        typer.echo(entry.id)
        typer.echo(f"已登记第 {entry.item} 项 {entry.quarter} 的进展（状态：{_status_label(entry.status)}）。", err=True)
        return
    if item is None and not interactive():
        raise KjplanError(f"缺少 --item：请写事项序号（{min(plan.numbers)}-{max(plan.numbers)}），如 --item 9；"
                          "可用 kjplan plan 查看全部事项")
    chosen = fields.parse_item(plan, item) if item is not None else None
    if chosen is None or (status is None and not chosen.targets and interactive()):
        from kjplan.cli import guided  # in a terminal, what is missing is asked for (only then imported)

        try:
            if chosen is None:
                chosen = guided.ask_item(plan)
            if status is None and not chosen.targets and interactive():
                status = guided.ask_status(chosen, has_figures=False)
        except guided.Cancelled:
            raise KjplanError("已取消，没有写入任何记录", exit_code=130) from None
    typed = text is None and interactive()
    body = _text_input(text, chosen)
    try:
        entry = progress.add_progress(
            ws, plan, item=chosen.number, text=body, today=st.today, quarter=quarter, status=status, unit=unit,
            by=by, metrics=metric or None, problems=problems, next=next_, date=date, force=force,
            allow_duplicate=allow_duplicate,
        )
    except KjplanError as exc:
        if not typed:
            raise
        answers = {"item": chosen.number, "quarter": quarter, "date": date, "unit": unit, "status": status,
                   "metrics": fields.parse_metric_pairs(metric) if metric else None, "text": body,
                   "problems": problems, "next": next_}
        from kjplan.cli import guided

        path = guided.save_draft(ws, answers, exc.message)
        raise KjplanError(f"没有登记：{exc.message}\n{guided.draft_message(path)}", exit_code=exc.exit_code) from None
    streams.committed()
    typer.echo(entry.id)
    typer.echo(f"已登记第 {entry.item} 项 {entry.quarter} 的进展（状态：{_status_label(entry.status)}）。", err=True)


@command("amend")
def amend(
    ctx: typer.Context,
    record_ids: List[str] = typer.Argument(..., metavar="编号...",
                                           help="要修改的记录编号（kjplan log 中显示的编号，可只写前 6 位以上）；"
                                                "可写多个，对每条记录做同样的修改。"),
    item: Optional[str] = typer.Option(None, "--item", "-i", metavar="N", help="改为第几项。"),
    quarter: Optional[str] = typer.Option(None, "--quarter", "-q", metavar="Q", help="改为哪个季度。"),
    text: Optional[str] = typer.Option(None, "--text", "-t", metavar="TEXT", help="新的进展情况；写 - 时从标准输入读取。"),
    status: Optional[str] = typer.Option(None, "--status", "-s", metavar="STATUS", help=STATUS_HELP),
    unit: Optional[str] = typer.Option(None, "--unit", "-u", metavar="UNIT", help="新的报送单位。"),
    by: Optional[str] = typer.Option(None, "--by", metavar="NAME", help="修改人；默认为当前登录用户名（原填报人不变）。"),
    metric: Optional[List[str]] = typer.Option(None, "--metric", "-m", metavar="指标=数值",
                                               help=METRIC_HELP + "只改写出的指标；写 指标= （不写数值）则删除该指标。"),
    problems: Optional[str] = typer.Option(None, "--problems", metavar="TEXT", help="新的存在问题。"),
    next_: Optional[str] = typer.Option(None, "--next", metavar="TEXT", help="新的下步打算。"),
    date: Optional[str] = typer.Option(None, "--date", metavar="YYYY-MM-DD", help="新的日期。"),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
    allow_duplicate: bool = typer.Option(False, "--allow-duplicate",
                                         help="改后与另一条记录的事项、季度、报送单位和进展情况都相同时，也照样修改。"),
):
    """修改进展记录：追加一条新版本取代原记录，原记录保留在文件中。只改写出的选项，其余不变。
    写多个编号时，每条都做同样的修改，全部无误才写入。

    示例：kjplan amend 3f2a9c --metric 基金=7000万 --status 序时推进　　kjplan amend 3f2a9c 8b1d07 --unit 成果转化科
    """
    from kjplan import progress

    st = state(ctx)
    ws = st.workspace
    plan = st.record_plan(record_ids[0])
    if text == "-":
        text = _read_stdin()
    entries = progress.amend_many(ws, plan, record_ids, today=st.today, by=by, item=item, quarter=quarter,
                                  text=text, status=status, unit=unit, metrics=metric or None, problems=problems,
                                  next=next_, date=date, force=force, allow_duplicate=allow_duplicate)
    streams.committed()
    for entry in entries:
        record, _ = progress.find_record(ws, plan, entry.id)
        typer.echo(record.id)
        typer.echo(f"已修改记录 {record.id}（第 {entry.item} 项 {entry.quarter}，新版本 {entry.id}）。", err=True)


@command("retract")
def retract(
    ctx: typer.Context,
    record_ids: List[str] = typer.Argument(..., metavar="编号...", help="要撤回的记录编号（可只写前 6 位以上），可写多个。"),
    reason: Optional[str] = typer.Option(None, "--reason", "-r", metavar="TEXT", help="撤回原因（必填），如 --reason \"重复登记\"。"),
    by: Optional[str] = typer.Option(None, "--by", metavar="NAME", help="撤回人；默认为当前登录用户名。"),
):
    """撤回进展记录：追加撤回记录，原记录保留在文件中，但不再计入列表和报告。可一次撤回多条，全部无误才写入。

    示例：kjplan retract 3f2a9c --reason "重复登记"　　kjplan retract 3f2a9c 8b1d07 --reason "重复导入"
    """
    from kjplan import progress

    st = state(ctx)
    ws = st.workspace
    plan = st.record_plan(record_ids[0])
    if reason is None:
        raise KjplanError("缺少 --reason：请写明撤回原因，如 --reason \"重复登记\"")
    entries = progress.retract_many(ws, plan, record_ids, reason=reason, by=by)
    streams.committed()
    for entry in entries:
        typer.echo(entry.retracts)
    typer.echo(f"已撤回记录 {'、'.join(e.retracts for e in entries)}。", err=True)


def _warn(problem) -> None:
    typer.echo(f"警告：{problem.message}（此行已跳过）", err=True)


def _check_format(fmt: str, allowed: tuple[str, ...]) -> str:
    if fmt not in allowed:
        raise KjplanError(f"格式“{fmt}”无效，应为 {' / '.join(allowed)}")
    return fmt


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@command("log")
def log(
    ctx: typer.Context,
    quarter: Optional[str] = typer.Option(None, "--quarter", "-q", metavar="Q", help="只列这个季度的记录，如 2、2020Q2。"),
    item: Optional[str] = typer.Option(None, "--item", "-i", metavar="N", help="只列这一项的记录。"),
    unit: Optional[str] = typer.Option(None, "--unit", "-u", metavar="UNIT", help="只列这个报送单位的记录。"),
    fmt: str = typer.Option("table", "--format", "-f", metavar="FORMAT",
                            help="输出格式：table（表格，默认）、json（供其他程序读取）或 csv（可用 Excel 打开）。"),
    limit: Optional[int] = typer.Option(None, "--max-count", "-n", metavar="COUNT", min=1,
                                        help="只列最新的 N 条记录（按日期）。"),
    no_pager: bool = typer.Option(False, "--no-pager",
                                  help="在终端里也不用分页器（默认用 $PAGER 或 less 分页显示，与 git log 相同）。"),
):
    """列出进展记录（修改后的最新版本，已撤回的不列）。表格最新的在前，在终端里分页显示；json、csv 按日期排序。

    示例：kjplan log　　kjplan log -n 20　　kjplan log --quarter 2 --item 9　　kjplan log --format json > 记录.json
    """
    from kjplan import progress
    from kjplan.cli import listing

    _check_format(fmt, ("table", "json", "csv"))
    st = state(ctx)
    ws = st.workspace
    plan = st.plan(quarter)
    if quarter is None and item is None and unit is None and (limit is not None or fmt == "table"):
        # The newest records first: `log -n 20` and a terminal's first screen need no others.
        view = progress.newest_records(ws, plan, on_problem=_warn)
        if limit is not None and limit <= len(view.newest):
            records = view.newest[len(view.newest) - limit:]
        elif limit is not None:
            records = (view.older() + view.newest)[-limit:]
        else:
            records = _NewestFirst(view)
    else:
        records = progress.list_records(ws, plan, today=st.today, quarter=quarter, item=item, unit=unit,
                                        on_problem=_warn)
        if limit is not None:
            records = records[-limit:]
    if fmt == "json":
        listing.write_json_texts(map(listing.record_json, records), sys.stdout)  # = write_json of record_dict
        return
    if fmt == "csv":
        _write_csv(records, plan, sys.stdout)
        return
    if not records:
        typer.echo("没有符合条件的进展记录。")
        return
    with listing.paged(not no_pager) as out:
        listing.write_lines(_log_table(records, plan, out is not sys.stdout or sys.stdout.isatty()), out)


class _NewestFirst:
    """The records of a ledger_index.Newest, as the log table reads them: their number, newest first
    (the older ones decoded only when the listing reaches them), or in date order."""

    def __init__(self, view):
        self._view = view
        self._older = None

    def __len__(self) -> int:
        return self._view.total

    def _older_records(self) -> list:
        if self._older is None:
            self._older = self._view.older()
        return self._older

    def __reversed__(self):
        yield from reversed(self._view.newest)
        yield from reversed(self._older_records())

    def __iter__(self):
        yield from self._older_records()
        yield from self._view.newest


def _write_csv(records, plan, out) -> None:
    """The records as CSV: the columns of record_dict, each text through cells.csv_cell (a text a
    spreadsheet would run is kept text), the figures with their units so that the file imports back
    as it is (add-progress --from). Written in batches of rows: 100,000 rows in about a second."""
    import csv
    from itertools import islice

    from kjplan.cells import FORMULA_START

    columns = ["id", "item", "quarter", "date", "status", "unit", "by", "text", "problems", "next",
               "metrics", "created", "updated", "amended"]
    chunk: list[str] = []
    sink = type("Sink", (), {"write": staticmethod(chunk.append)})
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow(columns)
    start = FORMULA_START
    # csv_cell inlined (x or "'" + x): called 1.3 million times, a function call per cell was a third of
    # the run. id, quarter, date and times are validated or made here and can never start like a formula.
    rows = ([r.id, r.item, r.quarter, r.date.isoformat(),
             "" if not (x := r.status) else "'" + x if x.startswith(start) else x,
             "'" + x if (x := r.unit).startswith(start) else x,
             "'" + x if (x := r.by).startswith(start) else x,
             "'" + x if (x := r.text).startswith(start) else x,
             "'" + x if (x := r.problems).startswith(start) else x,
             "'" + x if (x := r.next).startswith(start) else x,
             "" if not r.metrics else "'" + x if (x := _csv_metrics(plan, r)).startswith(start) else x,
             created := r.created.isoformat(),
             created if r.updated is r.created else r.updated.isoformat(),
             "true" if r.amended else "false"] for r in records)
    while True:
        writer.writerows(islice(rows, 512))
        if not chunk:
            break
        out.write("".join(chunk))
        out.flush()
        chunk.clear()


def _csv_metrics(plan, r) -> str:
    # With the unit, so that the file imports back as it is (add-progress --from).
    return ";".join(f"{k}={_quantity(plan, r.item, k, v)}" for k, v in r.metrics.items())


def _quantity(plan, number: int, key: str, value: float) -> str:
    from kjplan.numerals import format_number, format_quantity

    target = plan.metric_target(number, key)
    return format_quantity(value, target.unit) if target is not None else format_number(value)


def _named_quantity(plan, number: int, key: str, value: float) -> str:
    """'科技创新发展基金募集规模 6000万元': a figure as the clerk reads it (the id only for a target the plan lacks)."""
    from kjplan.numerals import format_number, format_quantity

    target = plan.metric_target(number, key)
    return f"{target.name} {format_quantity(value, target.unit)}" if target is not None else f"{key} {format_number(value)}"


def _log_table(records, plan, terminal: bool):
    """The log table, newest first: a title, the heading, one line per record (fixed widths but the last).
    100,000 lines take about a second: repeated cells (status, unit) are fitted once each.

    On a terminal the table fits the window (cells cut with "…"); under 120 columns it takes the short forms
    (06-28, Q2, the figures before the text, the status and its source in one column) so that an 80-column
    window still shows one line a record. Piped, nothing is cut: the columns are as wide as their widest cell."""
    from kjplan.cli.listing import Fitted, Table, fit, flat, terminal_columns, width
    from kjplan.report_model import DERIVED, STATED

    def figures(r) -> str:
        if not r.metrics:
            return ""
        return "；".join(_named_quantity(plan, r.item, key, value) for key, value in r.metrics.items())

    yield f"进展记录（共 {len(records)} 条，最新的在前）"
    columns = terminal_columns() if terminal else None
    if columns is not None and columns < 120:
        table = Table([("编号", 8), ("日期", 5), ("季度", 4), ("事项", 4), ("状态", 10), ("报送单位", 8),
                       ("进展情况", 0)], right=[3])
        room = max(12, columns - 1 - sum(w + 2 for _, w in table.columns[:-1]))
        yield from table.header()
        statuses, units = Fitted(10), Fitted(8)
        for r in reversed(records):
            same_year = r.date.year == plan.year and r.quarter.startswith(str(plan.year))
            day, quarter = (r.date.strftime("%m-%d"), r.quarter[4:]) if same_year else (r.date.strftime("%y%m%d"), r.quarter)
            shown = figures(r)
            text = ("（已修改）" if r.amended else "") + (f"【{shown}】" if shown else "") + flat(r.text)
            yield (f"{r.id[:8]:<8}  {fit(day, 5)}  {fit(quarter, 4)}  {r.item:>4}  {statuses[r.status or DERIVED]}  "
                   f"{units[r.unit or '—']}  {table_fit(text, room)}")
        return
    whole = None
    if columns is not None:
        fixed = 8 + 10 + 6 + 4 + 10 + 10 + 12 + 2 * 8
        text_columns, unit_columns = max(24, min(100, columns - fixed - 24)), 12
    else:  # piped: whole cells, each text measured once to find the widest
        whole = [(text, width(text)) for text in (flat(r.text) + ("（已修改）" if r.amended else "") for r in reversed(records))]
        text_columns = max([8] + [w for _, w in whole])
        unit_columns = max([8] + [width(u) for u in {r.unit or "—" for r in records}])
    table = Table([("编号", 8), ("日期", 10), ("季度", 6), ("事项", 4), ("状态", 10), ("状态来源", 10),
                   ("报送单位", unit_columns), ("进展情况", text_columns), ("指标", 0)], right=[3])
    yield from table.header()
    statuses, sources, units, quarters = Fitted(10), Fitted(10), Fitted(unit_columns), Fitted(6)
    days = _Days()
    for n, r in enumerate(reversed(records)):
        shown = figures(r) or "—"
        if whole is not None:
            text, used = whole[n]
            text += " " * (text_columns - used)
        elif not r.amended:
            text = fit(flat(r.text), text_columns)
        else:
            text = fit(table_fit(flat(r.text), text_columns - 10) + "（已修改）", text_columns)
        yield (f"{r.id[:8]:<8}  {days[r.date]:<10}  {quarters[r.quarter]}  {r.item:>4}  "
               f"{statuses[r.status or '—']}  {sources[STATED if r.status else DERIVED]}  {units[r.unit or '—']}  "
               f"{text}  {shown}")


class _Days(dict):
    """date -> its ISO text, each worked out once (a year has 366 days, a log 100,000 lines)."""

    def __missing__(self, day) -> str:
        self[day] = text = day.isoformat()
        return text


def table_fit(text: str, columns: int) -> str:
    """`text` cut to `columns` terminal columns (with "…"), not padded."""
    from kjplan.cli.listing import fit, width

    if width(text) <= columns:
        return text
    cut = fit(text, columns).rstrip(" ")
    return cut[:-1].rstrip() + "…"  # "募集规模…", not "募集规模 …" when the cut falls after a space


def bar(completion: Optional[float], width: int = 10) -> str:
    """███░░░░░░░  60% (capped at full; the percentage is not)."""
    if completion is None:
        return "—"
    filled = max(0, min(width, round(completion * width)))
    return "█" * filled + "░" * (width - filled) + f" {completion * 100:.0f}%"


_STATUS_STYLE = {"已完成": "green", "序时推进": "cyan", "滞后": "bold red", "未启动": "yellow"}


@command("status")
def status(
    ctx: typer.Context,
    quarter: Optional[str] = typer.Option(None, "--quarter", "-q", metavar="Q",
                                          help="查看哪个季度：2、Q2、2020Q2、第二季度、current 或 previous；默认为今天所在的季度。"),
    fmt: str = typer.Option("table", "--format", "-f", metavar="FORMAT", help="输出格式：table（表格，默认）或 json。"),
    missing: bool = typer.Option(False, "--missing",
                                 help="只列出本季度还没有进展记录的事项；有这样的事项时退出码为 3（供提醒脚本使用）。"),
    by_unit: bool = typer.Option(False, "--by-unit",
                                 help="按单位列出：每个牵头、配合单位负责的事项，及本季度是否已有该单位的进展记录"
                                      "（分工用 kjplan assign 设定）。与 --missing 同用时只列欠报的单位和事项。"),
    partners: bool = typer.Option(False, "--partners",
                                  help="与 --missing --by-unit 同用：配合单位没有记录的事项也算欠报（默认只算牵头单位）。"),
):
    """各事项落实情况一览：本季度记录数、最新状态、指标年初至今完成情况对照序时进度，以及尚无记录的事项。

    示例：kjplan status --quarter 2　　kjplan status --quarter 2 --missing　　kjplan status -q 2 --missing --by-unit
    """
    from kjplan import progress

    _check_format(fmt, ("table", "json"))
    st = state(ctx)
    ws = st.workspace
    plan = st.plan(quarter)
    model = progress.status_report(ws, plan, today=st.today, quarter=quarter, on_problem=_warn)
    if model.left_out_warning:
        typer.echo(f"提示：{model.left_out_warning}", err=True)
    q = model.quarter
    if by_unit or partners:
        if partners and not (by_unit and missing):
            raise KjplanError("--partners 只能与 --missing --by-unit 同用")
        from kjplan.cli.collect_cmds import print_by_unit

        owing = print_by_unit(ws, model, missing=missing, partners=partners, fmt=fmt)
        if missing and owing:
            raise typer.Exit(EXIT_MISSING)
        return
    absent = [r.item for r in model.items if r.missing]
    if missing:
        if fmt == "json":
            typer.echo(json.dumps({"quarter": q.code, "missing": [{"item": i.number, "title": i.title} for i in absent]},
                                  ensure_ascii=False, indent=2))
        elif absent:
            typer.echo(f"{q.year}年{q.name}（{q.code}）尚无进展记录的事项共 {len(absent)} 项：")
            for i in absent:
                typer.echo(f"{i.number:>3}. {i.title}")
        else:
            typer.echo(f"{q.year}年{q.name}（{q.code}）各事项均已有进展记录。")
        if absent:
            raise typer.Exit(EXIT_MISSING)
        return
    if fmt == "json":
        typer.echo(json.dumps(progress.status_dict(model), ensure_ascii=False, indent=2))
        return
    _print_status(model)


def _plan_targets_table(model):
    """The plan-wide targets (主要预期目标), year to date, above the items."""
    from rich.text import Text

    from kjplan import progress
    from kjplan.tables import CUT, KEEP, table

    rows = [[m.target.name, progress.metric_text(m), "—" if m.level else bar(m.completion),
             Text(_against(m), style="bold red" if m.behind else "")] for m in model.targets]
    return table(["指标", "年初至今 / 目标", "完成", "对照"], rows, fits=[f"{CUT}:1", KEEP, KEEP, KEEP],
                 title="全局指标（主要预期目标）")


def _against(m) -> str:
    """序时进度 for a cumulative target in the report's words (高于 / 低于 / 与…持平), the gap for a level target."""
    from kjplan.figures import metric_view

    v = metric_view(m)
    if v["achieved"] is None:
        return "暂无数据"
    if v["done"]:
        return "已达目标"
    if v["level"]:
        return f"差{v['gap']}"
    return f"高于序时进度{v['points']}个百分点" if v["ahead"] else f"低于序时进度{v['points']}个百分点" if v["behind"] else "与序时进度持平"


def _print_status(model) -> None:
    from rich.text import Text

    from kjplan import progress
    from kjplan.tables import CUT, KEEP, console, table

    q = model.quarter
    # A narrow terminal (80 columns): completion and 序时进度 go with the figures, without a bar.
    narrow = sys.stdout.isatty() and console().width < 120
    rows = []
    for rep in model.items:
        style = "magenta" if rep.missing else _STATUS_STYLE.get(rep.status or "", "")
        state_text = Text(rep.status_word or "—", style=style)
        records = Text(str(len(rep.records)), style="magenta" if rep.missing else "")
        if narrow:
            metrics = "\n".join(progress.metric_text(m).replace(" / ", "/")  # the figures first, the name last
                                 + ("" if m.level or m.completion is None else f" {m.completion * 100:.0f}%")
                                 + ("（滞后）" if m.behind else "") + f" {m.target.name}" for m in rep.metrics) or "—"
            source = "推算" if rep.status_derived else rep.source or ""
            rows.append([str(rep.item.number), rep.item.title, records, state_text, source, metrics])
            continue
        metrics = "\n".join(f"{m.target.name} {progress.metric_text(m)}" for m in rep.metrics) or "—"
        # A level target (入驻率) is never set against 序时进度: its gap to the target is shown instead.
        done = Text("\n".join("—" if m.level else bar(m.completion) for m in rep.metrics) or "—")
        lag = Text("\n".join(_against(m) for m in rep.metrics) or "—",
                   style="bold red" if any(m.behind for m in rep.metrics) else "")
        rows.append([str(rep.item.number), rep.item.title, records, state_text, rep.source or "", metrics, done, lag])
    headers = ["序号", "事项", "本季记录", "状态", "状态来源", "指标（年初至今 / 目标）", "完成", "对照"]
    fits = [KEEP, f"{CUT}:2", KEEP, KEEP, KEEP, f"{CUT}:3", KEEP, KEEP]
    if narrow:
        headers, fits = ["序号", "事项", "记录", "状态", "来源", "指标：年初至今/目标 完成"], fits[:4] + [KEEP, f"{CUT}:3"]
    out = console()
    if model.targets:
        out.print(_plan_targets_table(model))
    out.print(table(headers, rows, fits=fits,
                    title=f"{q.year}年{q.name}（{q.code}）工作要点落实情况　序时进度 {q.elapsed_share * 100:.0f}%"))
    counts = "　".join(f"{k} {v}" for k, v in model.counts.items() if v)
    out.print(f"合计：{counts}")
    if model.missing:
        out.print(Text(f"本季度未报送的事项（{len(model.missing)} 项）：{'、'.join(map(str, model.missing))}",
                       style="magenta"))
