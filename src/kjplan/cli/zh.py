"""Chinese wording for typer's own messages (usage errors, help headings).

typer vendors click with its messages hard-coded in English and no gettext hook for most of them, so
the few that a user meets (a mistyped option, a missing value, a wrong number) are translated here,
at the two points where typer prints them. Anything not matched is shown as typer wrote it.
"""

from __future__ import annotations

import re

from typer import _click, core

_MESSAGES = [
    (r"No such option: (\S+)(?:\s*(?:Did you mean (.+)\?|\(Possible options: (.+)\)))?",
     lambda m: _no_such_option(m[1], m[2] or m[3])),
    (r"No such command '([^']*)'\.", lambda m: f"没有命令“{m[1]}”；可用 kjplan -h 查看全部命令"),
    (r"Missing command\.", lambda m: "缺少命令；可用 kjplan -h 查看全部命令"),
    (r"Missing option '([^']*)'.*", lambda m: f"缺少选项 {m[1]}"),
    (r"Missing argument '([^']*)'.*", lambda m: f"缺少参数 {m[1]}"),
    (r"Missing parameter: (.*)", lambda m: f"缺少参数 {m[1]}"),
    (r"Option '([^']*)' requires an argument\.", lambda m: f"选项 {m[1]} 后面需要写一个值"),
    (r"Option '([^']*)' requires (\d+) arguments\.", lambda m: f"选项 {m[1]} 后面需要写 {m[2]} 个值"),
    (r"Got unexpected extra arguments? \((.*)\)", lambda m: f"多余的参数：{m[1]}"),
    (r"Invalid value for '([^']*)': Value '?(.*?)'? is not a valid (integer|float).*",
     lambda m: f"选项 {m[1]} 的值“{m[2]}”不是{'整数' if m[3] == 'integer' else '数字'}"),
    (r"Invalid value for '([^']*)': (.*)", lambda m: f"选项 {m[1]} 的值无效：{translate(m[2])}"),
    (r"Invalid value for ([^:]*): (.*)", lambda m: f"{m[1]} 的值无效：{translate(m[2])}"),
    (r"Invalid value: (.*)", lambda m: f"值无效：{translate(m[1])}"),
    (r"'?(.*?)'? is not a valid (integer|float)\.?", lambda m: f"“{m[1]}”不是{'整数' if m[2] == 'integer' else '数字'}"),
    (r"Value '?(.*?)'? is not a valid (integer|float)\.?", lambda m: f"“{m[1]}”不是{'整数' if m[2] == 'integer' else '数字'}"),
    (r"'(.*)' is not one of (.*)\.", lambda m: f"“{m[1]}”不在可选值 {m[2]} 之中"),
    (r"(File|Directory|Path) '(.*)' does not exist\.", lambda m: f"{m[2]} 不存在"),
    (r"Input should be a valid integer.*", lambda m: "应为整数"),
    (r"Input should be a valid (number|float).*", lambda m: "应为数字"),
    (r"Input should be greater than or equal to (\S+)", lambda m: f"应不小于 {m[1]}"),
    (r"Input should be greater than (\S+)", lambda m: f"应大于 {m[1]}"),
    (r"Input should be less than or equal to (\S+)", lambda m: f"应不大于 {m[1]}"),
    (r"Input should be less than (\S+)", lambda m: f"应小于 {m[1]}"),
    (r"Input should be a finite number.*", lambda m: "应为有限的数字"),
    (r"(\S+) is not in the range (.+)\.", lambda m: f"{m[1]} 不在允许的范围（{m[2]}）内"),
]
_HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数", "required": "必填",
             "default: {default}": "默认：{default}", "Aborted!": "已取消。", "(dynamic)": "（动态）",
             "env var: {var}": "环境变量：{var}"}


GLOBAL_OPTIONS = ("--root", "--today", "--year", "--debug")


def _no_such_option(name: str, guess: str | None) -> str:
    if name in GLOBAL_OPTIONS:  # `kjplan status --year 2020`: say where a global option goes
        return f"{name} 是全局选项，请写在命令名之前：kjplan {name} … 命令 …"
    return f"没有选项 {name}" + (f"，是不是想写 {guess}？" if guess else "")


def translate(message: str) -> str:
    for pattern, render in _MESSAGES:
        match = re.fullmatch(pattern, message.strip(), flags=re.S)
        if match:
            return render(match)
    return message


def _show(self, file=None) -> None:
    file = file or _click.utils._default_text_stderr()
    ctx = getattr(self, "ctx", None)
    if ctx is not None:
        hint = f"用 {ctx.command_path} {ctx.help_option_names[0]} 查看帮助。\n" if ctx.help_option_names else ""
        _click.echo(f"{ctx.get_usage()}\n{hint}", file=file)
    _click.echo(f"错误：{translate(self.format_message())}", file=file)


def install() -> None:
    _click.exceptions.ClickException.show = _show
    _click.exceptions.UsageError.show = _show
    core._ = lambda text: _HEADINGS.get(text, text)
    write_usage = _click.formatting.HelpFormatter.write_usage

    def write_usage_zh(self, prog, args="", prefix=None):
        write_usage(self, prog, args, "用法：" if prefix is None else prefix)

    _click.formatting.HelpFormatter.write_usage = write_usage_zh
    get_help_option = core.TyperCommand.get_help_option

    def help_option_zh(self, ctx):
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = "显示此帮助并退出。"
        return option

    core.TyperCommand.get_help_option = help_option_zh
    core.TyperGroup.get_help_option = help_option_zh
