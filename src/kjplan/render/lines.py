"""How many lines a paragraph of Chinese text takes: the line-breaking rules of Word and LibreOffice.

Used to work out where pages end (kjplan.render.paging), not to set any line: the renderer breaks
the lines itself. The rules, as LibreOffice 7.4 applies them (checked by the render tests):
- a line may break between any two Chinese characters, and between Chinese and a Latin word; a run
  of Latin letters and digits (with . % and the like inside) stays whole;
- closing punctuation may not start a line: ，。、；：？！． hang in the right margin, the others
  （）》” …) take the character before them down to the next line; opening punctuation （《“ …)
  may not end a line; a Latin word keeps the brackets and marks around it: "（50%）。" moves down
  whole, its full stop does not hang;
- LibreOffice puts a little space (0.216 em) between a Chinese character and a Latin letter or digit
  next to it; Word, with autoSpaceDE/DN off, does not (`latin_gap=False`).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

HANGING = frozenset("，。、；：？！．")  # may hang past the right margin
NO_LINE_START = frozenset("）》”’」』】〕〉·")  # and HANGING; they pull the character before along
NO_LINE_END = frozenset("（《“‘「『【〔〈")
LATIN_GAP = 0.2156  # em, measured: 3.45 pt at 16 pt
PUNCT_GAP = 0.0156  # em, measured: 0.25 pt at 16 pt between "（" and "5" or "%" and "）"


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F", "A")


def _units(text: str) -> list[str]:
    """Pieces a line cannot break inside: a single wide character, or a run of narrow ones with the
    opening punctuation before it and the closing punctuation after it ("（50%）。"), which
    LibreOffice moves down whole rather than letting the last mark hang."""
    raw: list[str] = []
    for ch in text:
        if raw and not _wide(ch) and not _wide(raw[-1][-1]) and not ch.isspace() and not raw[-1][-1].isspace():
            raw[-1] += ch
        else:
            raw.append(ch)
    out: list[str] = []
    index = 0
    while index < len(raw):
        unit = raw[index]
        if not _wide(unit[0]) and any(ch.isalnum() for ch in unit):
            while out and out[-1] in NO_LINE_END:
                unit = out.pop() + unit
            while index + 1 < len(raw) and (raw[index + 1] in NO_LINE_START or raw[index + 1] in HANGING):
                index += 1
                unit += raw[index]
        out.append(unit)
        index += 1
    return out


@lru_cache(maxsize=8192)
def count_lines(text: str, first: float, rest: float, size: float, spacing: float = 0.0,
                latin_gap: bool = True, hanging: bool = True) -> int:
    """Lines that `text` takes when its first line holds `first` points and the others `rest`;
    characters `size` points, each advanced by `spacing` more (negative: condensed). Without
    `hanging` (in a table cell, which LibreOffice keeps its text inside), no mark hangs."""
    if not text:
        return 1
    gap = LATIN_GAP * size if latin_gap else 0.0
    units = _units(text)

    def advance(unit: str) -> float:
        width = sum((size if _wide(ch) else size / 2) + spacing for ch in unit)
        # a hair of space where full-width punctuation meets a narrow character inside a unit
        return width + PUNCT_GAP * size * sum(1 for a, b in zip(unit, unit[1:]) if _wide(a) != _wide(b))

    def spaced(a: str, b: str) -> bool:
        """A gap between the end of unit a and the start of unit b on one line."""
        x, y = a[-1], b[0]
        return (_wide(x) and x.isalpha() and y.isascii() and y.isalnum()) or (
            _wide(y) and y.isalpha() and x.isascii() and x.isalnum())

    lines, width, avail = 1, 0.0, first
    line: list[str] = []
    index = 0
    while index < len(units):
        unit = units[index]
        add = advance(unit) + (gap if line and spaced(line[-1], unit) else 0.0)
        if not line or width + add <= avail + 0.01:
            line.append(unit)
            width += add
            index += 1
            continue
        if unit in HANGING and hanging:
            line.append(unit)  # hangs in the margin; the line ends after it
            index += 1
            if index == len(units):
                break
            carried: list[str] = []
        elif (unit in NO_LINE_START or unit in HANGING) and len(line) > 1:
            carried = [line.pop()]  # the character before goes down with it
        else:
            carried = []
        while len(line) > 1 and line[-1] in NO_LINE_END:
            carried.insert(0, line.pop())
        lines += 1
        avail = rest
        line = carried
        width = 0.0
        for i, piece in enumerate(line):
            width += advance(piece) + (gap if i and spaced(line[i - 1], piece) else 0.0)
    return lines
