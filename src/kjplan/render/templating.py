"""The wording templates' safety net: a sandbox with limits, and every template failure as a ConfigError
(exit 78) that names the template file and line in Chinese.

A template is written by the office, not by kjplan's developers; whatever it does wrong (a syntax slip,
an undefined name, 1/0, a text added to a number, a macro that calls itself, a repetition that would take
gigabytes) must end as a message the office can act on, never as an internal error.
"""

from __future__ import annotations

import re
from types import TracebackType

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from kjplan.errors import ConfigError, os_reason

# The longest text one expression of a template may make (a report's paragraph is a few hundred characters).
MAX_TEXT = 100_000


class TemplateLimit(jinja2.TemplateRuntimeError):
    """A computation in a template that would produce an absurdly large result."""


class LimitedEnvironment(SandboxedEnvironment):
    """Jinja2's sandbox (no access to Python internals), plus a cap on what `*`, `**` and `%` may build."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_TEXT:
                    raise TemplateLimit(f"重复 {times} 次的结果过长（超过 {MAX_TEXT} 字）")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 64:
                raise TemplateLimit(f"乘方 {left}**{right} 的结果过大")
        elif operator == "%" and isinstance(left, str):
            args = right if isinstance(right, tuple) else (right,)
            if any(isinstance(a, int) and abs(a) > MAX_TEXT for a in args):
                raise TemplateLimit("格式化的宽度过大")
        return super().call_binop(context, operator, left, right)


# Jinja2's messages that a template's author meets, in Chinese (matched at the start).
_SYNTAX = [
    (r"unexpected end of template, expected '(.+?)'", "模板意外结束，缺少“{0}”"),
    (r"unexpected end of template", "模板意外结束：有未闭合的 {{% macro %}}、{{% if %}} 或 {{% for %}}（缺少对应的 {{% end… %}}）"),
    (r"unexpected '(.+?)'", "此处不应出现“{0}”（请检查 {{{{ }}}} 与 {{% %}} 是否成对）"),
    (r"Encountered unknown tag '(.+?)'", "无法识别的标签“{0}”（或它没有与之配对的开始标签）"),
    (r"expected token '(.+?)', got '(.+?)'", "此处应为“{0}”，却是“{1}”"),
    (r"unexpected char '(.+?)'", "无法识别的字符“{0}”"),
    (r"missing end of (raw|comment) directive", "缺少注释或 raw 块的结束标记"),
    (r"no filter named '(.+?)'", "没有名为“{0}”的过滤器"),
    (r"no test named '(.+?)'", "没有名为“{0}”的测试"),
    (r"tag name expected", "缺少标签名"),
    (r"Expected an expression, got '(.+?)'", "此处缺少表达式"),
    (r"Block '(.+?)' defined twice", "块“{0}”定义了两次"),
]
_RUNTIME = [
    (r"'(.+?)' is undefined", "“{0}”没有定义（请检查拼写；可用的名称见默认模板中各个宏的参数）"),
    (r"'.+?' has no attribute '(.+?)'", "没有名为“{0}”的字段（请检查拼写）"),
    (r"'.+? object' has no attribute '(.+?)'", "没有名为“{0}”的字段（请检查拼写）"),
    (r"access to attribute '(.+?)' of '.+?' object is unsafe", "模板不允许访问“{0}”"),
    (r".*is not safely callable", "模板不允许调用这个函数"),
    (r"Range too big", "range 的范围过大"),
]


def _translate(message: str, table) -> str | None:
    for pattern, chinese in table:
        match = re.match(pattern, message.strip())
        if match:
            return chinese.format(*match.groups())
    return None


def _template_line(tb: TracebackType | None) -> tuple[str | None, int | None]:
    """The template file and line of the innermost template frame of a traceback (the mapping Jinja2
    itself uses when it rewrites tracebacks: each compiled template knows its source lines)."""
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None:
            found = (template.filename, template.get_corresponding_lineno(tb.tb_lineno))
        tb = tb.tb_next
    return found


def _runtime_reason(exc: BaseException) -> str:
    if isinstance(exc, TemplateLimit):
        return exc.message or "结果过大"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"找不到模板“{exc.name}”"
    if isinstance(exc, jinja2.TemplateError):
        return _translate(exc.message or "", _RUNTIME) or "模板运行出错"
    if isinstance(exc, ZeroDivisionError):
        return "除数为零"
    if isinstance(exc, TypeError):
        return "类型不符（例如把文字与数字相加，或调用宏时给的参数个数不对）"
    if isinstance(exc, RecursionError):
        return "宏反复调用自身，嵌套过深"
    if isinstance(exc, MemoryError):
        return "生成的内容过大，内存不足"
    if isinstance(exc, OverflowError):
        return _translate(str(exc), _RUNTIME) or "数值过大"
    if isinstance(exc, (ValueError, ArithmeticError, LookupError, AttributeError)):
        return f"计算出错（{type(exc).__name__}）"
    return f"模板运行出错（{type(exc).__name__}）"


def _where(path: str | None, line: int | None, fallback: str) -> str:
    name = path or fallback
    return f"{name}:{line}" if line else name


def load_error(exc: BaseException, name: str) -> ConfigError:
    """A template that cannot be read or compiled: file, line and what is wrong."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        reason = _translate(exc.message or "", _SYNTAX) or "语法错误（请检查 {{ }}、{% %} 是否成对，引号是否闭合）"
        return ConfigError(f"{_where(exc.filename, exc.lineno, name)}: 模板语法错误：{reason}")
    if isinstance(exc, UnicodeDecodeError):
        return ConfigError(f"{name}: 模板不是 UTF-8 编码，请另存为 UTF-8 后重试")
    if isinstance(exc, OSError):
        path = exc.filename or name
        return ConfigError(f"{path}: 无法读取模板（{os_reason(exc)}）")
    path, line = _template_line(exc.__traceback__)
    return ConfigError(f"{_where(path, line, name)}: 模板出错：{_runtime_reason(exc)}")


def runtime_error(exc: BaseException, name: str, macro: str | None = None) -> ConfigError:
    """A template that failed while it was filled in: file and line of the failing expression."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return load_error(exc, name)
    path, line = _template_line(exc.__traceback__)
    what = f"（宏 {macro}）" if macro else ""
    return ConfigError(f"{_where(path, line, name)}: 模板{what}出错：{_runtime_reason(exc)}")


def checked_output(text: str, name: str, macro: str | None = None) -> str:
    """A macro's result that Word can hold: no character XML forbids, not absurdly long."""
    from kjplan.records import forbidden_char

    problem = forbidden_char(text.replace("\n", " "))
    what = f"宏 {macro} " if macro else ""
    if problem:
        raise ConfigError(f"{name}: 模板 {what}生成的文字{problem}")
    if len(text) > MAX_TEXT:
        raise ConfigError(f"{name}: 模板 {what}生成的文字过长（{len(text)} 字）")
    return text
