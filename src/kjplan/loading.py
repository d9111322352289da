"""Reading data files at the edge: UTF-8 text, YAML with line numbers (kjplan.yamlfiles), Chinese
validation messages.

Everything that reads a file people edit by hand goes through here, so that every message names the
file and the line, whatever went wrong (encoding, YAML syntax, a wrong field).
"""

from __future__ import annotations

from pathlib import Path
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from kjplan.errors import DataError, DataErrors, os_reason

Loc = tuple[Any, ...]


def __getattr__(name: str):
    if name == "SafeLoader":  # kept here for callers from before the YAML half moved to yamlfiles
        from kjplan.yamlfiles import SafeLoader

        return SafeLoader
    raise AttributeError(name)


def decode_utf8(data: bytes, path: Path | str) -> str:
    """Decode UTF-8 (a BOM is accepted); name GBK files explicitly, as Windows editors write them."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            hint = "文件不是 UTF-8 编码"
        else:
            hint = "文件似乎是 GBK/GB18030 编码（Windows 记事本等常见），请另存为 UTF-8 编码后重试"
        raise DataError(path, line, hint) from None


def read_text(path: Path) -> str:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise DataError(path, None, "文件不存在") from None
    except IsADirectoryError:
        raise DataError(path, None, "这是一个文件夹，不是文件") from None
    except OSError as exc:
        raise DataError(path, None, f"无法读取文件（{os_reason(exc)}）") from None
    return decode_utf8(data, path)


def parse_yaml(text: str, path: Path | str, loader: type | None = None) -> tuple[Any, dict[Loc, int]]:
    """Parse one YAML document; return the data and a map from each key path to its line (1-based).
    (kjplan.yamlfiles; imported only when a YAML file is read, as the plan and settings mostly come
    from their cache.)"""
    from kjplan import yamlfiles

    return yamlfiles.parse_yaml(text, path, loader)


def load_yaml(path: Path) -> tuple[Any, dict[Loc, int]]:
    return parse_yaml(read_text(path), path)


# Chinese wording of pydantic's error types ("what was expected").
_EXPECTED = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（请检查拼写）",
    "string_type": "应为文字",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_type": "应为带时区的时间",
    "datetime_parsing": "应为带时区的时间",
    "list_type": "应为列表（每行以“- ”开头）",
    "dict_type": "应为键值对（键: 值）",
    "model_type": "应为键值对（键: 值）",
    "model_attributes_type": "应为键值对（键: 值）",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "literal_error": "应为以下之一：{expected}",
    "enum": "应为以下之一：{expected}",
    "string_pattern_mismatch": "格式不对",
    "string_unicode": "含有无效的 Unicode 字符（单独的代理项）",
    "timezone_aware": "应为带时区的时间（如 2020-07-06T10:00:00+08:00）",
    "timezone_naive": "应为不带时区的时间",
    "date_from_datetime_inexact": "应为日期，不能带时刻",
    "date_future": "应为今天以前的日期",
    "date_past": "应为今天以后的日期",
    "datetime_from_date_parsing": "应为带时区的时间",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "none_required": "应为空",
    "set_type": "应为列表",
    "tuple_type": "应为列表",
    "int_parsing_size": "数字过大",
    "recursion_loop": "内容嵌套层数过多",
    "union_tag_invalid": "类型无效",
    "union_tag_not_found": "缺少类型",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
}


# Regex constraints whose mismatch deserves a specific message: pattern -> fn(value) -> Chinese reason.
_PATTERN_MESSAGES: dict[str, Callable[[str], str]] = {}


def register_pattern(pattern: str, explain: Callable[[str], str]) -> None:
    _PATTERN_MESSAGES[pattern] = explain


def _shown(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field_path(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "（文件顶层）"


def _line_for(loc: Loc, lines: dict[Loc, int]) -> int | None:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def _number(value: Any) -> Any:
    """1000000000000.0 -> 1000000000000, 0.0 -> 0: limits as a person writes them."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return int(value)
    return value


def describe_error(err: dict[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        # Our own validators raise ValueError with a Chinese message already.
        return str(ctx.get("error", err["msg"]))
    explain = _PATTERN_MESSAGES.get(ctx.get("pattern")) if kind == "string_pattern_mismatch" else None
    if explain is not None and isinstance(err.get("input"), str):
        return explain(err["input"])
    if kind == "string_too_long" and isinstance(err.get("input"), str):
        return f"内容过长：{len(err['input'])} 字，最多 {ctx.get('max_length')} 字"
    template = _EXPECTED.get(kind)
    if template is None:  # pydantic's own wording is English: say it plainly instead
        template = "取值无效"
    try:
        text = template.format(**{k: _number(v) for k, v in ctx.items()})
    except (KeyError, IndexError):
        text = template
    text = text.replace("' or '", "'、'")
    if kind not in ("missing", "extra_forbidden") and "input" in err:
        shown = err["input"]
        if isinstance(shown, (str, int, float, bool)) or shown is None:
            text += f"，实际为 {_shown(_number(shown))}"
    return text


def validation_errors(exc: ValidationError, lines: dict[Loc, int], path: Path | str, prefix: Loc = ()) -> DataErrors:
    errors = []
    for err in exc.errors(include_url=False):
        loc = prefix + tuple(err["loc"])
        errors.append(DataError(path, _line_for(loc, lines), f"{field_path(loc)}：{describe_error(err)}"))
    return DataErrors(errors)


def validate_model(model: type[BaseModel], data: Any, lines: dict[Loc, int], path: Path | str, prefix: Loc = ()):
    """model.model_validate(data), with errors turned into file:line Chinese messages."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_errors(exc, lines, path, prefix) from None
