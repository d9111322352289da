"""Wrapping Chinese help text at the terminal's width, counting a Chinese character as two columns.

click wraps help with textwrap, which knows only spaces: a Chinese paragraph either runs past the edge or
is cut anywhere, inside `innovation_fund` or an example command. Here a line may break
- at a space,
- between two Chinese characters, but never before a closing mark (，。、；：）” …) nor after an opening
  one (（“《),
- inside a run that holds Latin letters or digits (基金=6000万, 2020Q2, --metric) only after a Chinese
  punctuation mark,
and an example paragraph (示例：…) breaks only between its examples (separated by 　), never inside one.
"""

from __future__ import annotations

import re
import unicodedata

CLOSING = set("，。、；：？！）》」』】”’…%％·")
OPENING = set("（《「『【“‘")
# After these a line may always break (a Chinese sentence's own punctuation).
BREAK_AFTER = set("，。、；：？！）》」』】”")
# A line never breaks before these when they follow Chinese: 基金=6000万, 科技局/kjplan, 入驻率.
GLUED = set("=/.:%_)]},;!?")
EXAMPLES = "示例："


def width(text: str) -> int:
    """Columns a terminal gives `text`: two for wide (Chinese) characters, none for combining marks."""
    total = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def _is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _may_break(a: str, b: str) -> bool:
    """Whether a line may break between the characters a and b of a run without spaces."""
    if b in CLOSING or a in OPENING:
        return False
    if a in BREAK_AFTER:
        return True
    if _is_cjk(a) and _is_cjk(b):
        return True
    return _is_cjk(a) and not _is_cjk(b) and b not in GLUED and not b.isdigit()


# Never broken inside: a path (D:/科技局/kjplan), a file name (plan-年份.docx) or a name=value pair
# (基金=6000万), up to the Chinese punctuation around it, and an option (--metric).
_PROTECTED = re.compile(r"[^，。、；：？！（）“”《》]*(?:[/\\=]|\.[A-Za-z][A-Za-z0-9]{1,4}\b)[^，。、；：？！（）“”《》]*|^-[\w-]+")


def _pieces(run: str) -> list[str]:
    """A run of text without spaces, cut where a line may break."""
    inside = set()
    for match in _PROTECTED.finditer(run):
        inside.update(range(match.start() + 1, match.end()))
    out = [run[0]] if run else []
    for index in range(1, len(run)):
        if index not in inside and _may_break(run[index - 1], run[index]):
            out.append(run[index])
        else:
            out[-1] += run[index]
    return out


def _units(text: str) -> list[tuple[str, str]]:
    """(separator before, piece) for every unbreakable piece of one paragraph."""
    if text.startswith(EXAMPLES):
        head, _, rest = text.partition(EXAMPLES)
        examples = [e.strip() for e in rest.split("　") if e.strip()]
        return [("", EXAMPLES + examples[0])] + [("　　", e) for e in examples[1:]] if examples else [("", text)]
    units: list[tuple[str, str]] = []
    for sep, run in re.findall(r"(\s*)(\S+)", text):
        sep = " " if sep and "　" not in sep else sep
        for index, piece in enumerate(_pieces(run)):
            units.append((sep if index == 0 else "", piece))
    return units


def fill(text: str, columns: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """One paragraph, wrapped to `columns` terminal columns."""
    lines: list[str] = []
    line, used = initial_indent, width(initial_indent)
    fresh = True  # nothing on the line yet but its indent
    for sep, piece in _units(" ".join(text.split("\n")) if not text.startswith(EXAMPLES) else text):
        need = width(piece) + (0 if fresh else width(sep))
        if not fresh and used + need > columns:
            lines.append(line)
            line, used, fresh = subsequent_indent, width(subsequent_indent), True
            need = width(piece)
        line += piece if fresh else sep + piece
        used += need
        fresh = False
    lines.append(line)
    return "\n".join(lines)


def _join(lines: list[str], sep: str) -> str:
    """A paragraph's source lines as one: Chinese meets Chinese without a space between them."""
    out = lines[0] if lines else ""
    for line in lines[1:]:
        glue = "" if out and line and _is_cjk(out[-1]) and _is_cjk(line[0]) and sep == " " else sep
        out += glue + line
    return out


def wrap_text(text: str, width: int = 78, initial_indent: str = "", subsequent_indent: str = "",
              preserve_paragraphs: bool = False) -> str:
    """click.formatting.wrap_text for Chinese: paragraphs (blank-line separated) wrapped one by one;
    a paragraph whose first line is \\b is kept as written."""
    text = text.expandtabs()
    if not preserve_paragraphs:
        return fill(text, width, initial_indent, subsequent_indent)
    out = []
    for paragraph in re.split(r"\n\s*\n", text.strip("\n")):
        lines = paragraph.split("\n")
        indent = " " * (len(lines[0]) - len(lines[0].lstrip()))
        if lines[0].strip() == "\b":
            out.append("\n".join(initial_indent + indent + line for line in lines[1:]))
        else:
            body = _join([line.strip() for line in lines], "　" if lines[0].strip().startswith(EXAMPLES) else " ")
            out.append(fill(body, width, initial_indent + indent, subsequent_indent + indent))
    return "\n\n".join(out)


def shorten(text: str, columns: int) -> str:
    """The first sentence of `text`, cut to `columns` with "…" (a command's line in the command list)."""
    first = text.strip().split("\n\n")[0]
    first = " ".join(first.split())
    sentence = re.split(r"(?<=。)", first, maxsplit=1)[0]
    if width(sentence) <= columns:
        return sentence
    out = ""
    for char in sentence:
        if width(out + char) > columns - 1:
            break
        out += char
    if re.match(r"[\w.-]", sentence[len(out):len(out) + 1], flags=re.ASCII):
        out = re.sub(r"[\w.-]+$", "", out, flags=re.ASCII)  # not inside a Latin word
    return out.rstrip("，、；： ") + "…"
