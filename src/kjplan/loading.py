"""Reading data files at the edge: UTF-8 text, YAML with line numbers, Chinese validation messages.

Everything that reads a file people edit by hand goes through here, so that every message names the
file and the line, whatever went wrong (encoding, YAML syntax, a wrong field).
"""

from __future__ import annotations

from pathlib import Path
from collections.abc import Callable
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from kjplan.errors import DataError, DataErrors

# The C loader is several times faster; fall back to pure Python where libyaml is missing.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Loc = tuple[Any, ...]


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
        raise DataError(path, None, f"无法读取文件（{exc.strerror}）") from None
    return decode_utf8(data, path)


_YAML_PROBLEMS = {
    "found character '\\t' that cannot start any token": "不能用 Tab 键缩进，请改用空格",
    "mapping values are not allowed here": "此处不能出现冒号“:”（值里含冒号时请用引号括起来）",
    "could not find expected ':'": "缺少冒号“:”",
    "found undefined alias": "未定义的别名",
    "expected <block end>, but found '-'": "列表项“-”的缩进不一致",
    "expected <block end>, but found '<block mapping start>'": "缩进不一致",
    "did not find expected key": "缩进不一致或缺少键名",
    "found unexpected end of stream": "文件意外结束（引号或括号未闭合？）",
    "found unknown escape character": "引号内有无法识别的转义字符",
    "did not find expected node content": "缺少内容",
}


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or str(exc)).strip()
    for english, chinese in _YAML_PROBLEMS.items():
        if problem.startswith(english):
            return f"YAML 格式错误：{chinese}"
    return f"YAML 格式错误（{problem}）"


class _Builder(yaml.constructor.SafeConstructor):
    """Turns a composed node tree into plain data, recording each node's line and refusing duplicate keys."""

    def __init__(self, path: Path | str):
        super().__init__()
        self.path = path
        self.lines: dict[Loc, int] = {}

    def build(self, node: yaml.Node, loc: Loc = ()) -> Any:
        self.lines[loc] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)  # resolves YAML merge keys (<<)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    raise DataError(self.path, key_node.start_mark.line + 1, "YAML 格式错误：键名必须是文字")
                if key in result:
                    raise DataError(
                        self.path, key_node.start_mark.line + 1,
                        f"键“{key}”重复出现（第 {self.lines[loc + (key,)]} 行已有）",
                    )
                self.lines[loc + (key,)] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, loc + (key,))
                self.lines[loc + (key,)] = key_node.start_mark.line + 1
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, loc + (i,)) for i, child in enumerate(node.value)]
        return self.construct_object(node, deep=True)


def parse_yaml(text: str, path: Path | str) -> tuple[Any, dict[Loc, int]]:
    """Parse one YAML document; return the data and a map from each key path to its line (1-based)."""
    try:
        node = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise DataError(path, mark.line + 1 if mark else None, _yaml_problem(exc)) from None
    except yaml.YAMLError as exc:
        raise DataError(path, None, f"YAML 格式错误（{exc}）") from None
    if node is None:
        return None, {}
    builder = _Builder(path)
    try:
        return builder.build(node), builder.lines
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise DataError(path, mark.line + 1 if mark else None, f"YAML 格式错误（{exc.problem}）") from None


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
    "string_pattern_mismatch": "格式不对（应匹配 {pattern}）",
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
    if template is None:
        return f"取值无效（{err['msg']}）"
    try:
        text = template.format(**ctx)
    except (KeyError, IndexError):
        text = template
    if kind not in ("missing", "extra_forbidden") and "input" in err:
        shown = err["input"]
        if isinstance(shown, (str, int, float, bool)) or shown is None:
            text += f"，实际为 {_shown(shown)}"
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
