"""Chinese for everything typer (and the click it vendors) prints: usage errors, help, metavars, ranges.

typer's click has its messages hard-coded in English and no gettext hook for most of them, so they are
translated here, at the points where typer prints them: the usage error's show(), the help formatter
(headings, the usage line, wrapping Chinese at the terminal's width), option metavars, number ranges
and the command list's one-line summaries. A message that matches nothing still never reaches the user
in English: it becomes a general Chinese sentence (the English kept only under --debug).
"""

from __future__ import annotations

import re
import shutil
import sys

from typer import _click, core

from kjplan.cli import wrap


def _kind(name: str) -> str:
    return "选项" if name.startswith("-") else "参数"


def _number(kind: str) -> str:
    return "整数" if kind in ("integer", "int") else "数字"


def _options(listed: str) -> str:
    names = [o.strip() for o in listed.split(",") if o.strip() not in ("--help", "-h")]
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + " 或 " + names[-1] if names else ""


_MESSAGES = [
    (r"No such option: (\S+?)\.?(?:\s*Did you mean (\S+?)\?)?", lambda m: _no_such_option(m[1], m[2])),
    (r"No such option: (\S+?)\.?\s*\(Possible options: (.*)\)",
     lambda m: _no_such_option(m[1], _options(m[2]) or None)),
    (r"No such command '([^']*)'\.(?:\s*Did you mean '([^']*)'\?)?",
     lambda m: f"没有命令“{m[1]}”" + (f"，是不是想写 {m[2]}？" if m[2] else "；可用 kjplan -h 查看全部命令")),
    (r"Missing command\.", lambda m: "缺少命令；可用 kjplan -h 查看全部命令"),
    (r"Missing option '([^']*)'.*", lambda m: f"缺少选项 {m[1]}"),
    (r"Missing argument '([^']*)'.*", lambda m: f"缺少参数 {metavar(m[1])}"),
    (r"Missing parameter: (.*)", lambda m: f"缺少参数 {m[1]}"),
    (r"Option '([^']*)' requires an argument\.", lambda m: f"选项 {m[1]} 后面需要写一个值"),
    (r"Option '([^']*)' requires (\d+) arguments\.", lambda m: f"选项 {m[1]} 后面需要写 {m[2]} 个值"),
    (r"Option '([^']*)' does not take a value\.", lambda m: f"选项 {m[1]} 后面不能写值（只写 {m[1]} 即可）"),
    (r"Got unexpected extra arguments?(?:\(s\))? \((.*)\)", lambda m: f"多余的参数：{m[1]}（含空格的内容请用引号括起来）"),
    (r"Invalid value for '([^']*)': (.*)",
     lambda m: f"{_kind(m[1])} {metavar(m[1])} 的值无效：{translate(m[2])}"),
    (r"Invalid value for ([^:]*): (.*)", lambda m: f"{m[1]} 的值无效：{translate(m[2])}"),
    (r"Invalid value: (.*)", lambda m: f"值无效：{translate(m[1])}"),
    (r"'?(.*?)'? is not a valid (integer|float)\.?", lambda m: f"“{m[1]}”不是{_number(m[2])}"),
    (r"Value '?(.*?)'? is not a valid (integer|float)\.?", lambda m: f"“{m[1]}”不是{_number(m[2])}"),
    (r"'(.*)' is not one of (.*)\.", lambda m: f"“{m[1]}”不在可选值 {m[2]} 之中"),
    (r"'(.*)' is not '(.*)'\.", lambda m: f"“{m[1]}”应为 {m[2]}"),
    (r"(File|Directory|Path) '(.*)' does not exist\.", lambda m: f"{m[2]} 不存在"),
    (r"(File|Directory|Path) '(.*)' is a directory\.", lambda m: f"{m[2]} 是文件夹，不是文件"),
    (r"(File|Directory|Path) '(.*)' is a file\.", lambda m: f"{m[2]} 是文件，不是文件夹"),
    (r"Input should be a valid (integer|int).*", lambda m: "应为整数"),
    (r"Input should be a valid (number|float).*", lambda m: "应为数字"),
    (r"Input should be a valid boolean.*", lambda m: "应为 true 或 false"),
    (r"Input should be a finite number.*", lambda m: "应为有限的数字"),
    (r"Input should be greater than or equal to (\S+?)\.?", lambda m: f"应不小于 {m[1]}"),
    (r"Input should be greater than (\S+?)\.?", lambda m: f"应大于 {m[1]}"),
    (r"Input should be less than or equal to (\S+?)\.?", lambda m: f"应不大于 {m[1]}"),
    (r"Input should be less than (\S+?)\.?", lambda m: f"应小于 {m[1]}"),
    (r"(.*) is not in the range (.*)\.", lambda m: f"“{m[1]}”不在 {_range(m[2])} 之内"),
]
_HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数", "required": "必填",
             "default: {default}": "默认：{default}", "Aborted!": "已取消，没有写入任何内容。",
             "(dynamic)": "（动态）", "env var: {var}": "环境变量：{var}", "Error": "错误"}
# Placeholders in help and messages, as a clerk reads them (commands' modules may keep English ones).
_METAVARS = {"COUNT": "条数", "N": "序号", "[N]": "[序号]", "[[N]]": "[序号]", "Q": "季度", "auto|Q": "auto|季度", "TEXT": "文字", "STATUS": "状态",
             "UNIT": "单位", "NAME": "姓名", "FILE": "文件", "FILE...": "文件...", "DIR": "文件夹", "PATH": "路径",
             "YYYY-MM-DD": "日期", "YYYY": "年份", "SECONDS": "秒数", "LIST": "列表", "FORMAT": "格式",
             "ID": "编号", "ID...": "编号...", "ID=VALUE": "指标=数值", "ITEM": "事项", "ITEM...": "事项...",
             "INTEGER": "整数", "FLOAT": "数字", "BOOLEAN": "是/否", "DATE": "日期", "DEADLINE": "日期"}

GLOBAL_OPTIONS = ("--root", "--today", "--year", "--debug")


def metavar(name: str) -> str:
    """A placeholder in Chinese, brackets and ellipses kept: FILE -> 文件, [[FILE…]]... -> [文件…]."""
    if name in _METAVARS:
        return _METAVARS[name]
    match = re.fullmatch(r"(\[*)([A-Za-z][\w=|-]*)(…|\.\.\.)?(\]*)(\.\.\.)?", name)
    if not match or match[2] not in _METAVARS:
        return name
    optional = "[" if match[1] else ""
    return f"{optional}{_METAVARS[match[2]]}{'…' if match[3] or match[5] else ''}{']' if optional else ''}"


def _range(text: str) -> str:
    """click's 'x>=0', '0<=x<=10', 'x<5' in Chinese."""
    text = text.strip()
    both = re.fullmatch(r"(\S+?)(<=?)x(<=?)(\S+)", text)
    if both:
        low = "" if both[2] == "<=" else "（不含）"
        high = "" if both[3] == "<=" else "（不含）"
        return f"{both[1]}{low} 到 {both[4]}{high}"
    one = re.fullmatch(r"x(>=|>|<=|<)(\S+)", text)
    if one:
        return {">=": "不小于", ">": "大于", "<=": "不大于", "<": "小于"}[one[1]] + f" {one[2]}"
    return text


def _no_such_option(name: str, guess: str | None) -> str:
    if name in GLOBAL_OPTIONS:  # `kjplan status --year 2020`: say where a global option goes
        return f"{name} 是全局选项，请写在命令名之前：kjplan {name} … 命令 …"
    return f"没有选项 {name}" + (f"，是不是想写 {guess}？" if guess else "")


def translate(message: str) -> str:
    message = message.strip()
    for pattern, render in _MESSAGES:
        match = re.fullmatch(pattern, message, flags=re.S)
        if match:
            return render(match)
    if re.search(r"[\u4e00-\u9fff]", message):
        return message  # already Chinese (our own messages pass through typer's BadParameter)
    return "命令行写法有误，请用 -h 查看这个命令的写法" + ("（英文原文见 --debug）" if "--debug" not in sys.argv else f"：{message}")


def _show(self, file=None) -> None:
    file = file or _click.utils._default_text_stderr()
    ctx = getattr(self, "ctx", None)
    if ctx is not None:
        hint = f"用 {ctx.command_path} {ctx.help_option_names[0]} 查看帮助。\n" if ctx.help_option_names else ""
        _click.echo(f"{ctx.get_usage()}\n{hint}", file=file)
    _click.echo(f"错误：{translate(self.format_message())}", file=file)


class HelpFormatter(_click.formatting.HelpFormatter):
    """click's help layout, in Chinese: full-width colons after headings, widths counted in terminal
    columns (a Chinese character is two), paragraphs wrapped at the terminal's width by kjplan.cli.wrap."""

    def __init__(self, indent_increment: int = 2, width: int | None = None, max_width: int | None = None):
        columns = width or _click.formatting.FORCED_WIDTH or shutil.get_terminal_size().columns
        super().__init__(indent_increment, width=max(min(columns, max_width or 120) - 2, 40))

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        prefix = "用法：" if prefix is None else prefix
        args = usage(args)
        self.write(wrap.wrap_text(args, self.width, initial_indent=f"{prefix}{prog} ",
                                  subsequent_indent=" " * (wrap.width(prefix + prog) + 1)) + "\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write(wrap.wrap_text(text, self.width, indent, indent, preserve_paragraphs=True) + "\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(_first_column(first), _extras(second)) for first, second in rows]
        first_col = min(max((wrap.width(first) for first, _ in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if wrap.width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - wrap.width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            text_width = max(self.width - first_col - self.current_indent, 20)
            lines = wrap.wrap_text(second, text_width, preserve_paragraphs=True).splitlines()
            self.write(f"{lines[0]}\n" if lines else "\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


_TYPES = {"<int>": "整数", "<integer>": "整数", "<float>": "数字", "<str>": "文字", "<text>": "文字",
          "<path>": "路径", "<bool>": "是/否", "<list[str]>": "", "<list[int]>": ""}


def _first_column(text: str) -> str:
    """'--root DIR' -> '--root 文件夹'; an argument's own name ('ID...') likewise; typer's type labels
    (<int>, <str>) in Chinese, or dropped after an argument's name."""
    if not text.startswith("-"):
        return metavar(re.sub(r"\s*<[^<>]*>$", "", text))
    text = re.sub(r"<[^<>]*>$", lambda m: _TYPES.get(m[0], m[0]), text).rstrip()
    return re.sub(r"(?<= )([^\s,/]+)$", lambda m: metavar(m[1]), text)


def usage(args: str) -> str:
    """typer's usage pieces in Chinese: [OPTIONS] -> [选项], {DIR} -> 文件夹, {ID...}... -> 编号..."""
    args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
    args = re.sub(r"\{([^{}]*)\}(\.\.\.)?", lambda m: m[1] + ("" if m[1].endswith("...") else m[2] or ""), args)
    return " ".join(metavar(part) for part in args.split(" "))


def _extras(help_text: str) -> str:
    """typer's trailing "[默认：0; x>=0]" as "（默认：0；不小于 0）"."""
    match = re.search(r"\s*\[([^\[\]]*)\]$", help_text)
    if not match:
        return help_text
    parts = [_range(p) for p in match[1].split("; ")]
    return help_text[: match.start()] + "（" + "；".join(parts) + "）"


def _short_help(self, limit: int = 45) -> str:
    text = self.short_help or self.help or ""
    return wrap.shorten(text, max(limit, 20))


def install() -> None:
    _click.exceptions.ClickException.show = _show
    _click.exceptions.UsageError.show = _show
    core._ = lambda text: _HEADINGS.get(text, text)
    _click.core.Context.formatter_class = HelpFormatter
    _click.core.Command.get_short_help_str = _short_help
    get_help_option = core.TyperCommand.get_help_option

    def help_option_zh(self, ctx):
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = "显示此帮助并退出。"
        return option

    core.TyperCommand.get_help_option = help_option_zh
    core.TyperGroup.get_help_option = help_option_zh
