"""The `kjplan` command: a thin typer layer over the Python API.

Each command parses its options, calls one API function and prints the result. A KjplanError becomes
one Chinese line on stderr and its exit code; a traceback shows only with --debug. Heavy libraries
(python-docx, jinja2) are imported inside the commands that need them, so that --help, plan and check
start fast. main() imports only the module of the command its line names (typer then builds that command
alone); `kjplan.cli.app` is the command with every subcommand registered.
"""

from __future__ import annotations

from kjplan.cli import startup  # noqa: F401  (first: no pydantic plugin discovery, see startup.py)

import datetime as dt
import functools
import importlib
import sys
from pathlib import Path
from typing import Optional

import typer

from kjplan import __version__
from kjplan.cli import streams, zh
from kjplan.errors import KjplanError

zh.install()

_app = typer.Typer(
    name="kjplan",
    help=(
        "科技工作要点落实情况跟踪：登记各事项的季度进展，生成符合 GB/T 9704-2012 公文格式的季度报告。\n\n"
        "示例：kjplan plan　　kjplan add-progress --item 9 --text \"…\"　　kjplan report --quarter 2"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class State:
    """Global options, shared by every command through typer's context."""

    def __init__(self, root: Path | None = None, debug: bool = False, today: dt.date | None = None,
                 year: int | None = None):
        self.root = root
        self.debug = debug
        self.today = today or dt.date.today()
        self.year = year
        self._workspace = None

    @property
    def workspace(self):
        if self._workspace is None:
            from kjplan.workspace import find_workspace

            self._workspace = find_workspace(self.root)
        return self._workspace

    def plan(self, quarter=None):
        """The plan a command works on: the quarter's own year, --year, today's year, the latest plan."""
        from kjplan.years import plan_for

        return plan_for(self.workspace, quarter=quarter, year=self.year, today=self.today)

    def record_plan(self, ref: str):
        """The plan of the year whose ledger holds record `ref` (amend, retract)."""
        from kjplan.years import year_of_record

        return self.workspace.plan(year_of_record(self.workspace, ref, year=self.year, today=self.today))


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):  # a command invoked without the callback (tests of one command)
        obj = ctx.find_root().obj = State()
    return obj


def parse_date(value: Optional[str], option: str = "--today") -> Optional[dt.date]:
    """A date from an option; a wrong form is a usage error (exit 2) that names the option."""
    from kjplan.fields import parse_date as parse

    if value is None:
        return None
    try:
        return parse(value)
    except KjplanError as exc:
        raise typer.BadParameter(exc.message, param_hint=option) from None


def path_option(value: Optional[str], option: str) -> Optional[Path]:
    """A file or folder from an option; an empty one is a usage error (typer would read "" as the
    current folder, and write there)."""
    if value is None:
        return None
    if not value.strip():
        raise typer.BadParameter("不能为空，请写出文件或文件夹的路径", param_hint=option)
    return Path(value)


def _version(value: bool):
    if value:
        typer.echo(f"kjplan {__version__}")
        raise typer.Exit()


@_app.callback()
def _main(
    ctx: typer.Context,
    root: Optional[str] = typer.Option(
        None, "--root", metavar="DIR",
        help="工作区文件夹（含 plans/、progress/ 的文件夹）。不写时依次取环境变量 KJPLAN_ROOT、从当前文件夹向上查找。例：--root D:/科技局/kjplan",
    ),
    today: Optional[str] = typer.Option(
        None, "--today", metavar="YYYY-MM-DD",
        help="把“今天”当作这一天（用于补录和定时任务的核对；默认取系统日期）。例：--today 2020-07-06",
    ),
    year: Optional[int] = typer.Option(
        None, "--year", metavar="YYYY",
        help="工作区有多个年度的计划时，按哪一年的计划工作。不写时依次取 --quarter 中的年份（如 2021Q2）、"
             "“今天”所在的年份（有该年计划时）、最新的计划。例：kjplan --year 2020 status -q 4",
    ),
    debug: bool = typer.Option(False, "--debug", help="出错时显示完整的程序调用栈（供开发人员排查）。"),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="显示版本号。"),
):
    ctx.obj = State(root=path_option(root, "--root"), debug=debug, today=parse_date(today), year=year)
    _main.debug = debug


def command(*args, group: typer.Typer | None = None, **kwargs):
    """app.command() (or `group`'s) that turns KjplanError into a Chinese message and exit code (no traceback)."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*a, **kw):
            try:
                result = fn(*a, **kw)
                streams.finish()
                return result
            except KjplanError as exc:
                if _debug_requested():
                    raise
                fail(exc)
            except KeyboardInterrupt:  # Ctrl-C or SIGTERM: clean-ups ran while it unwound
                typer.echo("已中断。", err=True)
                raise typer.Exit(130) from None

        return (group or _app).command(*args, **kwargs)(wrapper)

    return decorate


def fail(exc: KjplanError):
    """End the command with the error's Chinese message on stderr and its exit code."""
    if not (isinstance(exc, streams.OutputFailed) and exc.broken_pipe):  # `| head`: nothing to say
        typer.echo(f"错误：{exc.message}" if "\n" not in exc.message else f"错误：\n{exc.message}", err=True)
    raise typer.Exit(exc.exit_code) from None


def _debug_requested() -> bool:
    # The callback stores --debug on the root context's State; read it without needing ctx here.
    return bool(getattr(_main, "debug", False))


def main(argv: list[str] | None = None) -> None:
    streams.prepare()
    args = argv if argv is not None else sys.argv[1:]
    debug = "--debug" in args
    try:
        try:
            load_commands(command_named(args))
            _app(args=argv, prog_name="kjplan")
        finally:
            streams.finish()  # what is still buffered (help, usage errors): failing here is reported too
    except streams.OutputFailed as exc:
        if not exc.broken_pipe:
            typer.echo(f"错误：{exc.message}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("已中断。", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, keep the traceback for --debug
        if debug:
            raise
        typer.echo(f"内部错误：{type(exc).__name__}: {exc}\n请加 --debug 重新运行，并把输出发给维护人员。", err=True)
        sys.exit(1)


# The modules that register the commands, in the order help lists them, and the module of each command.
COMMAND_MODULES = ("plan_cmds", "report_cmds", "progress_cmds", "export_cmds", "collect_cmds")
MODULE_OF = {
    "init": "plan_cmds", "check": "plan_cmds", "plan": "plan_cmds",
    "report": "report_cmds",
    "add-progress": "progress_cmds", "amend": "progress_cmds", "retract": "progress_cmds", "log": "progress_cmds",
    "status": "progress_cmds",
    "export": "export_cmds",
    "assign": "collect_cmds", "remind": "collect_cmds", "forms": "collect_cmds",
}
_GLOBAL_WITH_VALUE = ("--root", "--today", "--year")


def command_named(args: list[str]) -> str | None:
    """The command a command line names: its first word that is neither a global option nor an option's value."""
    words = iter(args)
    for word in words:
        if word in _GLOBAL_WITH_VALUE:
            next(words, None)
        elif word == "--" or not word.startswith("-"):
            return None if word == "--" else word
    return None


def load_commands(name: str | None = None) -> None:
    """Register the module of command `name`, or every command's (help, --version, a name not known).
    Importing every module and building every command would be 4% of add-progress's instructions."""
    for module in (MODULE_OF[name],) if name in MODULE_OF else COMMAND_MODULES:
        importlib.import_module(f"kjplan.cli.{module}")
    # A process that loaded one module first (tests calling main() in turn) still lists help in order.
    order = {module: index for index, module in enumerate(COMMAND_MODULES)}
    _app.registered_commands.sort(key=lambda info: order[info.callback.__module__.rpartition(".")[2]])


def __getattr__(name: str):
    if name == "app":  # the whole command, as tests and typer.testing use it
        load_commands()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
