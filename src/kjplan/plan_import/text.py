"""Plain-text and Markdown plan documents: the encoding detected, one paragraph per line (txt) or per
Markdown block (md), markup removed."""

from __future__ import annotations

import re
from pathlib import Path

from kjplan.errors import DataError
from kjplan.plan_import.source import Line, Source

_BOMS = [(b"\xef\xbb\xbf", "utf-8", "UTF-8（带 BOM）"), (b"\xff\xfe", "utf-16-le", "UTF-16"),
         (b"\xfe\xff", "utf-16-be", "UTF-16")]


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """(text, the encoding's name for the summary): a BOM decides; else UTF-8, else GB18030 (which
    covers GBK and GB2312, as Windows Notepad and WPS save Chinese text)."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), name
            except UnicodeDecodeError as exc:
                raise DataError(path, _line_at(data, exc.start), f"文件以 {name} 标记开头，但内容不是 {name} 编码") from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030"), "GB18030（GBK）"
        except UnicodeDecodeError:
            raise DataError(path, _line_at(data, utf8_error.start),
                            "无法识别文件的编码（既不是 UTF-8，也不是 GB18030/GBK）；"
                            "请在记事本或 WPS 中另存为 UTF-8 编码的文本后重试") from None


def _line_at(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


# Markdown markup that is not the plan's words: heading marks, emphasis, quotes, bullets, rules.
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")
_MD_BULLET = re.compile(r"^\s{0,3}[-*+]\s+")
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|~~)(?=\S)(.+?)(?<=\S)\1")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")
# A line that starts a new paragraph even without a blank line before it: any kind of numbering.
_STARTS_BLOCK = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d+\s*[.．、])")


def _md_inline(text: str) -> str:
    text = _MD_EMPHASIS.sub(lambda m: m.group(2), text)
    text = _MD_EMPHASIS.sub(lambda m: m.group(2), text)  # nested (***x***)
    return _MD_ESCAPE.sub(lambda m: m.group(1), text)


def markdown_blocks(lines: list[str]) -> list[Line]:
    """Markdown paragraphs: consecutive lines join (without a space: the text is Chinese); a heading,
    a quote, a list item or a numbered line starts a block of its own."""
    out: list[Line] = []
    current: list[str] = []
    start = 0
    fenced = False

    def flush():
        if current:
            text = "".join(part.strip() for part in current).strip()
            if text:
                out.append(Line(start, text))
            current.clear()

    for number, raw in enumerate(lines, start=1):
        if raw.strip().startswith(("```", "~~~")):
            fenced = not fenced
            flush()
            continue
        if fenced or not raw.strip() or _MD_RULE.match(raw):
            flush()
            continue
        heading = _MD_HEADING.match(raw)
        text = _MD_QUOTE.sub("", raw)
        text = _MD_BULLET.sub("", _MD_HEADING.sub("", text))
        text = _md_inline(text).strip()
        if heading or _STARTS_BLOCK.match(text) or _MD_BULLET.match(raw):
            flush()
        if not current:
            start = number
        current.append(text)
        if heading:
            flush()
    flush()
    return out


def read_text(path: Path, *, markdown: bool = False) -> Source:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(path, None, f"无法读取文件（{exc.strerror}）") from None
    text, encoding = decode(data, path)
    raw_lines = text.splitlines()
    source = Source(path=path, unit="行", notes=[f"编码：{encoding}"])
    if markdown:
        source.lines = markdown_blocks(raw_lines)
    else:
        for number, raw in enumerate(raw_lines, start=1):
            stripped = raw.strip()  # also the full-width spaces of a Chinese first-line indent
            if stripped:
                source.lines.append(Line(number, stripped))
    return source
