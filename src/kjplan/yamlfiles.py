"""YAML files people edit by hand, read strictly: line numbers for every key, Chinese messages, no
aliases, tags or deep nesting, dates kept as written.

Split from kjplan.loading so that importing pyyaml (and compiling its patterns) is paid only by a
command that actually reads YAML: the plan and the settings usually come from their cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kjplan.errors import DataError

# The C loader is several times faster; fall back to pure Python where libyaml is missing.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Loc = tuple[Any, ...]

_YAML_PROBLEMS = {
    "found character '\\t' that cannot start any token": "不能用 Tab 键缩进，请改用空格",
    "found a tab character": "不能用 Tab 键缩进，请改用空格",
    "mapping values are not allowed": "此处不能出现冒号“:”（值里含冒号时请用引号括起来，或检查缩进）",
    "block sequence entries are not allowed": "此处不能出现列表项“-”（请检查缩进）",
    "could not find expected ':'": "缺少冒号“:”",
    "found undefined alias": "未定义的别名",
    "expected <block end>, but found '-'": "列表项“-”的缩进不一致",
    "expected <block end>, but found '<block mapping start>'": "缩进不一致",
    "did not find expected '-' indicator": "列表项“-”的缩进不一致",
    "did not find expected key": "缩进不一致或缺少键名",
    "did not find expected ',' or ']'": "方括号“[”没有闭合，或列表项之间缺少逗号",
    "did not find expected ',' or '}'": "花括号“{”没有闭合，或各项之间缺少逗号",
    "found unexpected end of stream": "文件意外结束（引号或括号未闭合？）",
    "found unknown escape character": "引号内有无法识别的转义字符",
    "found invalid Unicode character escape code": "引号内的 \\u 转义不是有效的字符",
    "did not find expected node content": "缺少内容",
    "but found another document": "一个文件只能有一份内容（多了以“---”或“...”分开的第二部分）",
    "found character that cannot start any token": "有不能作为开头的字符（如 @、`、% 或 Tab；以这些字符开头的值请用引号括起来）",
    "expected a comment or a line break": "行尾有多余的内容",
    "did not find expected comment or line break": "行尾有多余的内容",
    "found unhashable key": "键名必须是文字",
    "found duplicate": "文件开头的 % 指令重复",
    "found incompatible YAML document": "不支持的 YAML 版本",
    "did not find expected <document start>": "文件开头的格式有误",
    "could not determine a constructor for the tag": "不支持 YAML 标签（以 ! 开头的写法）",
    "expected alphabetic or numeric character": "锚点或别名的名称无效",
}
# Nesting deeper than this is not a plan, settings or record file (and would exhaust Python's stack).
MAX_DEPTH = 64


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    problem = (exc.problem or "").strip()
    for english, chinese in _YAML_PROBLEMS.items():
        if english in problem:
            return f"YAML 格式错误：{chinese}"
    return "YAML 格式错误：无法解析（请检查这一行及上一行的缩进、冒号和引号）"


# Tags whose scalars are built here; anything else (!!binary, !!set, !foo …) is refused.
_STR, _NULL, _BOOL, _INT, _FLOAT, _TIMESTAMP = (f"tag:yaml.org,2002:{t}" for t in
                                                ("str", "null", "bool", "int", "float", "timestamp"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class _Builder(yaml.constructor.SafeConstructor):
    """Turns a composed node tree into plain data, recording each node's line and refusing duplicate keys.

    Dates stay text (2020-07-06 as written): the one date parser of kjplan reads them, so that every
    file says the same thing about 2020-02-30. The tree has been checked for aliases and depth first."""

    def __init__(self, path: Path | str):
        super().__init__()
        self.path = path
        self.lines: dict[Loc, int] = {}

    def fail(self, node: yaml.Node, message: str) -> DataError:
        return DataError(self.path, node.start_mark.line + 1, f"YAML 格式错误：{message}")

    def build(self, node: yaml.Node, loc: Loc = ()) -> Any:
        self.lines[loc] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                raise self.fail(node, "不支持 YAML 标签（以 ! 开头的写法）")
            self.flatten_mapping(node)  # resolves YAML merge keys (<<)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, (str, int, float, bool)):
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
            if node.tag != _SEQ:
                raise self.fail(node, "不支持 YAML 标签（以 ! 开头的写法）")
            return [self.build(child, loc + (i,)) for i, child in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag in (_STR, _TIMESTAMP):
            return node.value
        if tag not in (_NULL, _BOOL, _INT, _FLOAT):
            raise self.fail(node, "不支持 YAML 标签（以 ! 开头的写法）")
        try:
            return self.construct_object(node)
        except (ValueError, KeyError, TypeError, OverflowError):  # `!!int x`, or 5,000 digits
            value = node.value if len(node.value) <= 30 else node.value[:29] + "…"
            if tag == _INT and node.value.lstrip("+-").isdigit():
                raise self.fail(node, f"数字“{value}”位数过多") from None
            kind = {_NULL: "空值", _BOOL: "true 或 false", _INT: "整数", _FLOAT: "数字"}[tag]
            raise self.fail(node, f"“{value}”不是有效的{kind}") from None


def _check_tree(root: yaml.Node, text: str, path: Path | str) -> None:
    """Refuse aliases and deep nesting before anything is built: an alias bomb of seven lines would
    otherwise expand to gigabytes, and a recursive alias never ends."""
    seen: set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise DataError(path, _alias_line(text), "YAML 格式错误：不支持锚点和别名（&名称、*名称），请把内容直接写出来")
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise DataError(path, node.start_mark.line + 1, f"YAML 格式错误：嵌套超过 {MAX_DEPTH} 层")
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += [(key, depth + 1), (value, depth + 1)]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(child, depth + 1) for child in node.value]


def _alias_line(text: str) -> int | None:
    """The line of the first alias (*name), found from the event stream (which never expands it)."""
    try:
        for event in yaml.parse(text, Loader=SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return event.start_mark.line + 1
    except yaml.YAMLError:
        pass
    return None


def parse_yaml(text: str, path: Path | str, loader: type | None = None) -> tuple[Any, dict[Loc, int]]:
    """Parse one YAML document; return the data and a map from each key path to its line (1-based)."""
    try:
        node = yaml.compose(text, Loader=loader or SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise DataError(path, mark.line + 1 if mark else None, _yaml_problem(exc)) from None
    except yaml.reader.ReaderError as exc:
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        line = text[: exc.position].count("\n") + 1
        raise DataError(path, line, f"含有 YAML 文件不允许的字符 U+{ord(char):04X}（控制字符或非字符），请删除") from None
    except yaml.YAMLError:
        raise DataError(path, None, "YAML 格式错误：无法解析") from None
    if node is None:
        return None, {}
    _check_tree(node, text, path)
    builder = _Builder(path)
    try:
        return builder.build(node), builder.lines
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise DataError(path, mark.line + 1 if mark else None, _yaml_problem(exc)) from None
