"""Unattended export: the report and its data files for one period, safe to run from cron.

    export(ws, quarter="auto", formats=("docx", "pdf", "json", "csv", "xlsx"), today=...) -> ExportResult

Safety, in order:
1. One export at a time per workspace: an exclusive lock on reports/.export.lock (the ledger's lock,
   kjplan.ledger.locked, with a holder file naming pid, user, host and start time). A second export
   fails with LockBusy (exit 75) naming the first, or waits up to `wait` seconds.
2. Every format is rendered into a staging folder inside the output folder (same file system). Only
   when all of them succeeded is each file moved into place by a rename; a file that already holds
   exactly the new bytes is left untouched, modification time included. If any step fails, the
   staging folder is removed and the output folder is exactly as it was.
3. Unchanged inputs give byte-identical files: every exporter is deterministic, and the PDF (which
   LibreOffice stamps with the time) is kept when the report it was made from is unchanged.

`log` appends one line per run (also on failure): ISO time with zone, period, exit code, outcome,
files written and unchanged, seconds taken.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kjplan import exporters
from kjplan.errors import EXIT_USAGE, KjplanError, LockBusy, OutputError, os_reason
from kjplan.periods import Quarter, last_ended_quarter, parse_quarter
from kjplan.workspace import Workspace
from kjplan.years import plan_for

DEFAULT_FORMATS = exporters.FORMAT_HELP_ORDER
LOCK_NAME = "export"  # reports/.export.lock (+ .export.lock.info naming the holder)
STAGE_PREFIX = ".kjplan-export-"
STALE_STAGE_SECONDS = 6 * 3600  # staging folders a killed export left behind are removed after this


@dataclass
class ExportResult:
    quarter: Quarter
    cumulative: bool
    out_dir: Path
    written: list[Path] = field(default_factory=list)  # replaced or created
    unchanged: list[Path] = field(default_factory=list)  # already held exactly these bytes: untouched
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # rendering time per format

    @property
    def files(self) -> list[Path]:
        return sorted(self.written + self.unchanged)


# ------------------------------------------------------------------------------------------ options

def parse_formats(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """"docx,pdf" or ["docx", "pdf"] -> ("docx", "pdf"); "all" or None: every format. Usage error (2) otherwise."""
    if value is None:
        return DEFAULT_FORMATS
    parts = value.split(",") if isinstance(value, str) else list(value)
    names = [p.strip().lower().lstrip(".") for p in parts if p and p.strip()]
    if not names:
        raise KjplanError(f"--formats 不能为空；可选：{','.join(DEFAULT_FORMATS)}", exit_code=EXIT_USAGE)
    if "all" in names:
        return DEFAULT_FORMATS
    unknown = [n for n in names if n not in exporters.FORMATS]
    if unknown:
        raise KjplanError(f"未知的导出格式“{'、'.join(unknown)}”；可选：{','.join(DEFAULT_FORMATS)}（逗号分隔）",
                          exit_code=EXIT_USAGE)
    return tuple(dict.fromkeys(names))


def resolve_quarter(quarter: str | Quarter, plan_year: int, today: dt.date) -> Quarter:
    """`auto`: the last quarter that has ended within the plan's year (Q4 once the year is over)."""
    if isinstance(quarter, Quarter):
        return quarter
    if str(quarter).strip().lower() == "auto":
        return last_ended_quarter(plan_year, today)
    return parse_quarter(quarter, plan_year, today)


def output_names(quarter: Quarter, cumulative: bool, formats: Iterable[str] = DEFAULT_FORMATS) -> dict[str, str]:
    """The stable file name of each format: report-2020Q2.docx, records-2020Q2.csv, ..."""
    from kjplan.report_model import ReportModel

    probe = ReportModel(plan=None, quarter=quarter, cumulative=cumulative, items=[])  # names need no data
    return {name: exporters.get(name).filename(probe) for name in parse_formats(list(formats))}


# -------------------------------------------------------------------------------------------- lock

def lock_target(ws: Workspace, out_dir: Path | str | None = None) -> Path:
    """One export at a time per output folder: the lock lives in the folder it protects (reports/ by
    default), so an export to --out elsewhere runs even where reports/ cannot be written."""
    return Path(out_dir if out_dir is not None else ws.reports_dir) / LOCK_NAME


@contextmanager
def export_lock(ws: Workspace, *, wait: float = 0, command: str = "kjplan export",
                out_dir: Path | str | None = None) -> Iterator[None]:
    """Hold the output folder's export lock; LockBusy (exit 75) naming the running export when it is taken."""
    from kjplan import ledger

    target = lock_target(ws, out_dir)
    stack = ExitStack()
    try:
        stack.enter_context(ledger.locked(target, timeout=max(0.0, float(wait)), command=command,
                                           what="导出锁"))
    except LockBusy:
        waited = f"已等待 {wait:g} 秒仍未结束" if wait else "可加 --wait 秒数 等待它结束"
        raise LockBusy(f"另一个导出正在进行：{ledger.describe_holder(target)}；{waited}，请稍后重试") from None
    with stack:
        yield


# ------------------------------------------------------------------------------------------ export

def export(ws: Workspace, *, quarter: str | Quarter = "auto", cumulative: bool = False,
           formats: str | Iterable[str] | None = DEFAULT_FORMATS, out_dir: Path | str | None = None,
           date: dt.date | None = None, today: dt.date, wait: float = 0,
           log: Path | str | None = None, year: int | None = None) -> ExportResult:
    """Render the chosen formats for one period into `out_dir` (default: the workspace's reports/).

    date: the report's 成文日期 (default `today`). Raises KjplanError (with its exit code) on failure,
    after which `out_dir` is exactly as it was. With `log`, one line is appended whatever happens."""
    started = time.monotonic()
    period = str(quarter)
    result: ExportResult | None = None
    try:
        chosen = parse_formats(formats)
        plan = plan_for(ws, quarter=quarter, year=year, today=today)
        q = resolve_quarter(quarter, plan.year, today)
        period = f"{q.code}{exporters.suffix(cumulative)}"
        if out_dir is not None and not str(out_dir).strip():
            raise KjplanError("--out 不能为空：请写输出文件夹，如 --out reports", exit_code=EXIT_USAGE)
        target_dir = Path(out_dir) if out_dir is not None else ws.reports_dir
        with export_lock(ws, wait=wait, out_dir=target_dir):
            result = _export_locked(ws, plan, q, cumulative, chosen, target_dir, date or today)
    except KjplanError as exc:
        if log is not None:
            _log_quietly(log, period, exc.exit_code, exc.message, result, started)
        raise
    except KeyboardInterrupt:
        if log is not None:
            _log_quietly(log, period, 130, "已中断", result, started)
        raise
    except Exception as exc:  # a bug: still leave a trace in the log
        if log is not None:
            _log_quietly(log, period, 1, f"内部错误：{type(exc).__name__}: {exc}", result, started)
        raise
    if log is not None:
        try:
            append_log(log, period=period, exit_code=0, outcome="成功", result=result,
                       seconds=time.monotonic() - started)
        except OutputError as exc:
            raise OutputError(f"导出已完成，但{exc.message}") from None
    return result


def _export_locked(ws: Workspace, plan, quarter: Quarter, cumulative: bool, formats: tuple[str, ...],
                   out_dir: Path, date: dt.date) -> ExportResult:
    from kjplan.exporters import ExportJob
    from kjplan.report_model import build_report
    from kjplan.report_job import load_records

    records = load_records(ws, plan.year)  # stops on a damaged ledger line, naming it
    model = build_report(plan, records, quarter, cumulative=cumulative)
    numbers = {item.number for item in plan.items}
    upto = [r for r in records if r.item in numbers and _in_year_to(r.quarter, quarter)]

    result = ExportResult(quarter=quarter, cumulative=cumulative, out_dir=out_dir)
    with staging(out_dir, remove_stale=True) as stage:
        job = ExportJob(ws=ws, model=model, records=upto, date=date, stage=stage, out_dir=out_dir)
        staged: list[tuple[exporters.Output, Path]] = []
        for name in exporters.FORMATS:  # render order: data files, report, PDF
            if name not in formats:
                continue
            begin = time.monotonic()
            for output in exporters.get(name).render(job):
                staged.append((output, stage_file(stage, output)))
            result.seconds[name] = round(time.monotonic() - begin, 3)
        review = [plan.review_warning()] if plan.review_warning() else []
        left_out = [model.left_out_warning] if model.left_out else []
        result.warnings = list(dict.fromkeys(review + job.warnings + left_out))
        publish(out_dir, staged, result)
    order = {n: i for i, n in enumerate(exporters.FORMAT_HELP_ORDER)}
    result.written.sort(key=lambda p: order.get(p.suffix.lstrip("."), 9))
    result.unchanged.sort(key=lambda p: order.get(p.suffix.lstrip("."), 9))
    return result


def _in_year_to(code: str, quarter: Quarter) -> bool:
    """A record's quarter ("2020Q1") lies in the plan's year up to `quarter` (the report model's rule)."""
    year, number = code.split("Q")
    return int(year) == quarter.year and int(number) <= quarter.number


@contextmanager
def staging(out_dir: Path, *, remove_stale: bool = False) -> Iterator[Path]:
    """A staging folder inside `out_dir` (created if need be), so that publishing is a rename on one file
    system; removed afterwards, whatever happens. remove_stale (under the export lock): first remove the
    staging folders a killed export left behind."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"无法创建输出文件夹 {out_dir}（{os_reason(exc, out_dir)}）") from None
    if remove_stale:
        _remove_stale_stages(out_dir)
    try:
        stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=out_dir))
    except OSError as exc:
        raise OutputError(f"无法在输出文件夹 {out_dir} 中写入（{os_reason(exc)}）") from None
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def publish(out_dir: Path, staged: list[tuple[exporters.Output, Path]], result) -> None:
    """Move the staged files into `out_dir`, all or none (see _commit); `result.written` and
    `result.unchanged` list what happened to each."""
    _check_targets(out_dir, [o for o, _ in staged])
    _commit(out_dir, staged, result)


def stage_file(stage: Path, output: exporters.Output) -> Path:
    """Write one output into the staging folder (durably: it is about to be renamed into place)."""
    path = stage / output.name
    try:
        with open(path, "wb") as handle:
            handle.write(output.data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise OutputError(f"无法写入临时文件 {path}（{os_reason(exc)}）") from None
    return path


def _check_targets(out_dir: Path, outputs: list[exporters.Output]) -> None:
    """Refuse before anything moves when a target name is taken by a folder (a rename would fail midway)."""
    for output in outputs:
        target = out_dir / output.name
        if target.is_dir():
            raise OutputError(f"无法写入 {target}：同名的文件夹已存在；输出文件夹未改动")


def _commit(out_dir: Path, staged: list[tuple[exporters.Output, Path]], result: ExportResult) -> None:
    """Move the staged files into place, all or none.

    Before the first rename, the current version of every file about to be replaced is kept as a hard
    link in the staging folder; that also proves each one may be replaced (an immutable file refuses
    the link). If a rename still fails midway (a file open in Word on Windows), the files already
    replaced get their old versions back, and the folder is as it was before the export."""
    from kjplan.fsutil import fsync_dir, same_content

    stage = next((path.parent for _, path in staged), out_dir)
    moves: list[tuple[exporters.Output, Path, Path]] = []
    for output, path in staged:
        target = out_dir / output.name
        if same_content(target, output.data):
            if output.listed:
                result.unchanged.append(target)
            continue
        moves.append((output, path, target))
    if not moves:
        return
    kept = _keep_old_versions(stage, [target for _, _, target in moves])
    done: list[Path] = []
    try:
        for _, path, target in moves:
            os.replace(path, target)
            done.append(target)
    except BaseException as exc:
        failed = next(target for _, _, target in moves if target not in done)
        unrestored = _roll_back(done, kept)
        if not isinstance(exc, OSError):
            raise
        if unrestored:
            names = "、".join(p.name for p in unrestored)
            raise OutputError(f"无法写入 {failed}（{os_reason(exc)}）；且未能恢复 {names} 的原有版本，"
                              f"原有版本保存在 {stage}") from None
        raise OutputError(f"无法写入 {failed}（{os_reason(exc)}）；本次导出没有替换任何文件，"
                          "输出文件夹保持原样") from None
    for output, _, target in moves:
        if output.listed:
            result.written.append(target)
    fsync_dir(out_dir)  # the files are complete; this makes the renames durable too


def _keep_old_versions(stage: Path, targets: list[Path]) -> dict[Path, Path | None]:
    """target -> a hard link (or copy) of its current version in the stage; None: it does not exist yet."""
    folder = stage / "previous"
    kept: dict[Path, Path | None] = {}
    for target in targets:
        if not os.path.lexists(target):
            kept[target] = None
            continue
        if not os.access(target, os.W_OK, follow_symlinks=False):
            raise OutputError(f"无法替换 {target}：文件是只读的（或被设为不可更改）；输出文件夹未改动")
        backup = folder / target.name
        try:
            folder.mkdir(exist_ok=True)
            try:
                os.link(target, backup, follow_symlinks=False)
            except OSError:
                shutil.copy2(target, backup, follow_symlinks=False)  # a file system without hard links
        except OSError as exc:
            raise OutputError(f"无法替换 {target}（{os_reason(exc)}）；输出文件夹未改动") from None
        kept[target] = backup
    if not os.access(stage.parent, os.W_OK):
        raise OutputError(f"无法写入输出文件夹 {stage.parent}（没有权限）；输出文件夹未改动")
    return kept


def _roll_back(done: list[Path], kept: dict[Path, Path | None]) -> list[Path]:
    """Put the old versions of the files already replaced back; return those that could not be."""
    failed = []
    for target in reversed(done):
        backup = kept.get(target)
        try:
            if backup is None:
                os.unlink(target)  # it did not exist before this export
            else:
                os.replace(backup, target)
        except OSError:
            failed.append(target)
    return failed


def _remove_stale_stages(out_dir: Path) -> None:
    """Remove staging folders an export killed outright (SIGKILL, power cut) left behind."""
    limit = time.time() - STALE_STAGE_SECONDS
    for path in out_dir.glob(f"{STAGE_PREFIX}*"):
        try:
            if path.is_dir() and path.stat().st_mtime < limit:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass


# --------------------------------------------------------------------------------------------- log

def log_line(*, period: str, exit_code: int, outcome: str, result: ExportResult | None = None,
             seconds: float | None = None, now: dt.datetime | None = None) -> str:
    """2020-07-01T06:00:02+08:00 kjplan export 2020Q2 exit=0 成功 written=a.docx,b.pdf unchanged=- 1.9s"""
    now = (now or dt.datetime.now()).astimezone()
    names = lambda paths: ",".join(p.name for p in paths) or "-"  # noqa: E731
    written = names(result.written) if result else "-"
    unchanged = names(result.unchanged) if result else "-"
    took = f" {seconds:.1f}s" if seconds is not None else ""
    text = " ".join(outcome.split())  # one line, whatever the message holds
    return (f"{now.isoformat(timespec='seconds')} kjplan export {period} exit={exit_code} {text} "
            f"written={written} unchanged={unchanged}{took}\n")


def append_log(log: Path | str, *, period: str, exit_code: int, outcome: str,
               result: ExportResult | None = None, seconds: float | None = None) -> None:
    """Append one line (UTF-8, one write on an O_APPEND descriptor, so concurrent runs never interleave)."""
    path = Path(log)
    data = log_line(period=period, exit_code=exit_code, outcome=outcome, result=result,
                    seconds=seconds).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    except OSError as exc:
        raise OutputError(f"无法写入日志文件 {path}（{os_reason(exc, path.parent)}）") from None


def _log_quietly(log, period: str, exit_code: int, message: str, result, started: float) -> None:
    # The run's own failure is what the user must hear about; a log that cannot be written on top of it
    # would only hide it.
    try:
        append_log(log, period=period, exit_code=exit_code, outcome=f"失败：{message}", result=result,
                   seconds=time.monotonic() - started)
    except OutputError:
        pass
