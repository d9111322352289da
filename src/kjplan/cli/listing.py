"""Long listings for the terminal and for pipes: `kjplan log` of any size.

Nothing is built whole in memory. A table is written line by line with fixed column widths (measured
in terminal columns: a Chinese character takes two), so the first line can go out before the last is
made; JSON and CSV are written record by record. On a terminal, a listing goes through a pager, newest
first, as `git log` does: the first screen shows at once and the reader quits when they have seen
enough. Piped, it streams to whatever reads it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO

# East Asian Wide and Fullwidth characters: two columns in a terminal.
_WIDE = ("[\u1100-\u115f\u231a\u231b\u2329\u232a\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff"
         "\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60"
         "\uffe0-\uffe6\U0001f300-\U0001f64f\U0001f900-\U0001f9ff\U00020000-\U0002fffd\U00030000-\U0003fffd]")
_narrow = None


def width(text: str) -> int:
    """Terminal columns of `text`: its length, plus one for each wide character. (The narrow ones are
    counted: in Chinese text they are the few, and a list of them is several times quicker to make.)"""
    global _narrow
    if text.isascii():
        return len(text)
    if _narrow is None:
        _narrow = re.compile("[^" + _WIDE[1:])
    return 2 * len(text) - len(_narrow.findall(text))


_char_width: dict[str, int] = {}


def fit(text: str, columns: int) -> str:
    """`text` in exactly `columns` columns: cut with "…" when longer, padded with spaces when shorter."""
    used = width(text)
    if used > columns:
        if text.isascii():
            return text[: columns - 1] + "…"
        # Half the columns in characters always fit (none is wider than two); add characters from there.
        room = columns - 1
        end = room // 2
        used = width(text[:end])
        for char in text[end:]:
            w = _char_width.get(char)
            if w is None:
                w = _char_width[char] = width(char)
            if used + w > room:
                break
            used += w
            end += 1
        text = text[:end] + "…"
        used += 1
    return text + " " * (columns - used)


class Fitted(dict):
    """fit() of repeated values (a unit, a status), each worked out once: {text: fitted}."""

    def __init__(self, columns: int):
        super().__init__()
        self.columns = columns

    def __missing__(self, text: str) -> str:
        self[text] = fitted = fit(text, self.columns)
        return fitted


def flat(text: str) -> str:
    """One line: runs of spaces and line breaks become one space."""
    return " ".join(text.split())


class Table:
    """A table written line by line: every column but the last has a fixed width."""

    def __init__(self, columns: list[tuple[str, int]], *, right: Iterable[int] = (), gap: int = 2):
        self.columns = columns
        self.right = set(right)
        self.gap = " " * gap

    def line(self, cells: list[str]) -> str:
        parts = []
        for n, ((_, columns), cell) in enumerate(zip(self.columns, cells)):
            if n == len(self.columns) - 1:
                parts.append(cell)
            elif n in self.right and width(cell) <= columns:
                parts.append(" " * (columns - width(cell)) + cell)
            else:
                parts.append(fit(cell, columns))
        return self.gap.join(parts).rstrip()

    def header(self) -> list[str]:
        heads = self.line([name for name, _ in self.columns])
        rule = self.gap.join("-" * columns for _, columns in self.columns[:-1]) + self.gap + "-" * 8
        return [heads, rule]


# ------------------------------------------------------------------------------------- machine formats

def write_json(rows: Iterable[dict], out: TextIO) -> None:
    """json.dumps(list(rows), ensure_ascii=False, indent=2) and a newline, written a row at a time."""
    write_json_texts((indented(row, 1) for row in rows), out)


def write_json_texts(texts: Iterable[str], out: TextIO) -> None:
    """write_json of rows already encoded by indented(row, 1)."""
    texts = iter(texts)
    head = next(texts, None)
    if head is None:
        out.write("[]\n")
        return
    out.write("[\n  " + head)
    write_lines((",\n  " + text for text in texts), out, end="")
    out.write("\n]\n")


def write_lines(lines: Iterable[str], out: TextIO, *, end: str = "\n", batch: int = 512) -> None:
    """Each of `lines` (and `end`) to `out`, a batch at a time, flushed after each batch: one write per
    batch instead of one per line, and a listing of 100,000 lines is never held in a buffer whole.
    The first batch is a screenful (64 lines), so that a pager shows it at once."""
    chunk: list[str] = []
    size = min(batch, 64)
    for line in lines:
        chunk.append(line)
        if len(chunk) >= size:
            out.write(end.join(chunk) + end)
            out.flush()
            chunk.clear()
            size = batch
    if chunk:
        out.write(end.join(chunk) + end)
    out.flush()


def record_json(record) -> str:
    """indented(record.as_dict(), 1) for a progress record (kjplan.records.Record): the same text, spelt
    out field by field, as `log --format json` writes 100,000 of them. A field of an unexpected type is
    left to indented()."""
    encode = _encode_string
    try:
        if type(record.item) is not int or type(record.amended) is not bool:
            raise TypeError
        created = record.created.isoformat()
        updated = created if record.updated is record.created else record.updated.isoformat()
        status = "null" if record.status is None else encode(record.status)
        metrics = indented(record.metrics, 2) if record.metrics else "{}"
        return (f'{{\n    "id": {encode(record.id)},\n    "item": {record.item},\n    "quarter": {encode(record.quarter)},'
                f'\n    "date": "{record.date.isoformat()}",\n    "text": {encode(record.text)},\n    "status": {status},'
                f'\n    "unit": {encode(record.unit)},\n    "by": {encode(record.by)},\n    "metrics": {metrics},'
                f'\n    "problems": {encode(record.problems)},\n    "next": {encode(record.next)},'
                f'\n    "created": {encode(created)},\n    "updated": {encode(updated)},'
                f'\n    "amended": {"true" if record.amended else "false"},\n    "version": {encode(record.version)}\n  }}')
    except (TypeError, AttributeError):
        return indented(record.as_dict(), 1)


def indented(value, level: int = 0) -> str:
    """json.dumps(value, ensure_ascii=False, indent=2) for a value nested `level` deep.

    The same text, several times faster: json's C encoder does no indentation, and its pure-Python
    encoder spends more on 100,000 records than everything else `log --format json` does. Strings are
    escaped by the C function json itself uses; anything unusual is left to json.dumps."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            return json.dumps(value)
        return float.__repr__(value)
    inner = "\n" + "  " * (level + 1)
    if kind is dict:
        if not value:
            return "{}"
        if all(type(k) is str for k in value):
            return "{" + inner + ("," + inner).join(f"{_encode_string(k)}: {indented(v, level + 1)}"
                                                   for k, v in value.items()) + "\n" + "  " * level + "}"
    elif kind is list:
        if not value:
            return "[]"
        return "[" + inner + ("," + inner).join(indented(v, level + 1) for v in value) + "\n" + "  " * level + "]"
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)


_encode_string = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring


# ------------------------------------------------------------------------------------------ the pager

def pager_command() -> str | None:
    """KJPLAN_PAGER, then PAGER (empty: no pager), then `less` where there is one."""
    for name in ("KJPLAN_PAGER", "PAGER"):
        if name in os.environ:
            value = os.environ[name].strip()
            return None if value in ("", "cat") else value
    return "less" if shutil.which("less") else None


@contextmanager
def paged(use_pager: bool = True) -> Iterator[TextIO]:
    """A stream for a long listing: the pager's input when standard output is a terminal (and a pager
    is wanted and found), else standard output itself. When the reader quits the pager, writing stops
    quietly (the stream raises Stopped, which this context swallows)."""
    command = pager_command() if use_pager and _is_terminal(sys.stdout) else None
    if command is None:
        yield sys.stdout
        return
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # as git: quit when it fits one screen, keep colours, leave the text
    env.setdefault("LV", "-c")
    try:
        pager = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:
        yield sys.stdout
        return
    stream = _PagerInput(pager.stdin)
    # The pager handles Ctrl-C itself (less stops waiting for more input); kjplan must not die under it.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if hasattr(signal, "SIGINT") else None
    try:
        try:
            yield stream
        except Stopped:
            pass
        stream.close()
        pager.wait()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


class Stopped(Exception):
    """The pager has gone (its reader quit): stop writing."""


class _PagerInput:
    """Text into the pager's pipe, UTF-8, flushed often enough that the first screen shows at once."""

    def __init__(self, pipe):
        self._pipe = pipe
        self._buffer: list[str] = []
        self._lines = 0
        self._first = True

    def write(self, text: str) -> int:
        self._buffer.append(text)
        self._lines += text.count("\n")
        if self._lines >= (64 if self._first else 1024):
            self.flush()
        return len(text)

    def flush(self) -> None:
        data = "".join(self._buffer).encode("utf-8")
        self._buffer.clear()
        self._lines = 0
        self._first = False
        try:
            self._pipe.write(data)
            self._pipe.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise Stopped from None

    def close(self) -> None:
        try:
            self.flush()
        except Stopped:
            pass
        try:
            self._pipe.close()
        except OSError:
            pass

    def isatty(self) -> bool:
        return False


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, OSError, ValueError):
        return False


def terminal_columns() -> int:
    return shutil.get_terminal_size((100, 40)).columns
