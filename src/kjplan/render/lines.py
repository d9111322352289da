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

import re
import unicodedata
from bisect import bisect_right
from itertools import accumulate
from operator import add
from functools import lru_cache

HANGING = frozenset("，。、；：？！．")  # may hang past the right margin
NO_LINE_START = frozenset("）》”’」』】〕〉·")  # and HANGING; they pull the character before along
NO_LINE_END = frozenset("（《“‘「『【〔〈")
LATIN_GAP = 0.2156  # em, measured: 3.45 pt at 16 pt
PUNCT_GAP = 0.0156  # em, measured: 0.25 pt at 16 pt between "（" and "5" or "%" and "）"

# A unit a line cannot break inside: a run of Latin letters, digits and signs with the opening marks
# before it and the closing marks after it ("（50%）。"), or any other single character.
_UNIT = re.compile("[" + "".join(sorted(NO_LINE_END)) + "]*[!-~]+[" + "".join(sorted(NO_LINE_START | HANGING))
                   + "]*|.", re.S)


_LATIN = re.compile("[A-Za-z0-9]")


@lru_cache(maxsize=None)
def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F", "A")


@lru_cache(maxsize=None)
def _kind(ch: str) -> str:
    """H: a Chinese (wide) letter; L: a Latin letter or digit; O: anything else."""
    if _wide(ch):
        return "H" if ch.isalpha() else "O"
    return "L" if ch.isascii() and ch.isalnum() else "O"


_WIDTHS: dict[tuple[float, float], dict[str, float]] = {}  # (size, spacing) -> unit -> points


def _width(cache: dict[str, float], unit: str, size: float, spacing: float) -> float:
    """A unit's width: wide characters a full size, narrow ones half, each plus `spacing`, and a
    hair of space where the two meet inside it."""
    wide = sum(1 for ch in unit if _wide(ch))
    switches = sum(1 for a, b in zip(unit, unit[1:]) if _wide(a) != _wide(b))
    width = cache[unit] = (wide * (size + spacing) + (len(unit) - wide) * (size / 2 + spacing)
                           + switches * PUNCT_GAP * size)
    return width


@lru_cache(maxsize=8192)
def count_lines(text: str, first: float, rest: float, size: float, spacing: float = 0.0,
                latin_gap: bool = True, hanging: bool = True) -> int:
    """Lines that `text` takes when its first line holds `first` points and the others `rest`;
    characters `size` points, each advanced by `spacing` more (negative: condensed). Without
    `hanging` (in a table cell, which LibreOffice keeps its text inside), no mark hangs."""
    if not text:
        return 1
    units = _UNIT.findall(text)
    n = len(units)
    widths_of = _WIDTHS.setdefault((size, spacing), {})
    widths = [widths_of.get(unit) or _width(widths_of, unit, size, spacing) for unit in units]
    # gaps[k]: the space between unit k-1 and unit k when they share a line (gaps[0] = 0).
    gaps = [0.0] * n
    if latin_gap and _LATIN.search(text):
        gap = LATIN_GAP * size
        for i, unit in enumerate(units):
            if unit[0] < "\x80" or unit[-1] < "\x80":  # a Latin letter or digit may end it
                if i and _kind(unit[0]) == "L" and _kind(units[i - 1][-1]) == "H":
                    gaps[i] = gap
                if i + 1 < n and _kind(unit[-1]) == "L" and _kind(units[i + 1][0]) == "H":
                    gaps[i + 1] = gap
    # totals[k] = widths of units[:k] + the gaps among them; a line units[s:e] is
    # totals[e] - totals[s] - gaps[s] wide.
    totals = list(accumulate(map(add, widths, gaps), initial=0.0))
    if totals[-1] <= first + 0.01:
        return 1  # most paragraphs of a table, and short ones
    lines, start, avail = 0, 0, first
    while start < n:
        lines += 1
        end = bisect_right(totals, totals[start] + gaps[start] + avail + 0.01) - 1
        end = max(end, start + 1)  # a unit wider than the line stands alone
        if end >= n:
            break
        following = units[end]
        if following in HANGING and hanging:
            end += 1  # hangs in the margin; the line ends after it
        elif (following in NO_LINE_START or following in HANGING) and end - 1 > start:
            end -= 1  # the character before goes down with it
        while end - 1 > start and units[end - 1] in NO_LINE_END:
            end -= 1
        start, avail = end, rest
    return lines
