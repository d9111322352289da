"""Breaking a long 公文 title into lines (GB/T 9704 7.3.3).

A title wider than one line breaks only between words (rjieba segmentation), and its lines form a
trapezoid (lengths monotonic) or a diamond (longest in the middle), never an hourglass; among the
allowed shapes the most even line lengths win. Widths are in full-width characters: a 22 pt title
holds 20 of them in the 156 mm text block; ASCII letters and digits count half.
"""

from __future__ import annotations

import math
import unicodedata
from functools import lru_cache

import rjieba

# Punctuation that may not start a line (glued to the word before it) or end one (glued to the next).
_NO_LINE_START = set("，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}>")
_NO_LINE_END = set("（《「『【〔〈“‘([{<")
# A number stays with the measure word after it: 2020年, 16项, 1亿元 (the segmenter splits them).
_MEASURES = set("年月日号季度期届次个项家名人件万亿元%％倍")


def char_width(ch: str) -> float:
    """Width in full-width characters: wide/fullwidth/ambiguous 1 (ambiguous punctuation such as
    “ ” — is set in the East Asian font), everything else half."""
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 0.5


def text_width(text: str) -> float:
    """Characters' widths, plus a quarter em wherever Chinese meets a Latin letter or digit: LibreOffice
    always, and WPS and Word by default, space the two apart, so a title that fits only without that
    space would wrap by itself, mid-word."""
    width = sum(char_width(ch) for ch in text)
    return width + 0.25 * sum(1 for a, b in zip(text, text[1:]) if _meets_latin(a, b) or _meets_latin(b, a))


def _meets_latin(a: str, b: str) -> bool:
    return char_width(a) == 1.0 and a.isalpha() and b.isascii() and b.isalnum()


def _tokens(title: str, max_width: float) -> list[str]:
    """Words that a line break may fall between."""
    words = [w for w in rjieba.cut(title) if w]
    if "".join(words) != title:  # never lose text, whatever the segmenter does
        words = list(title)
    glued: list[str] = []
    for word in words:
        after_number = glued and glued[-1][-1].isdigit() and word[0] in _MEASURES
        if glued and (word[0] in _NO_LINE_START or word.isspace() or glued[-1][-1] in _NO_LINE_END or after_number):
            glued[-1] += word
        else:
            glued.append(word)
    out: list[str] = []
    for word in glued:
        # A word wider than a line cannot stay whole: it may break between its characters.
        out.extend(list(word) if text_width(word) > max_width else [word])
    return out


def _is_unimodal(widths: list[float]) -> bool:
    """True for trapezoid and diamond shapes: no line narrower than one above and one below it."""
    falling = False
    for prev, cur in zip(widths, widths[1:]):
        if cur < prev:
            falling = True
        elif cur > prev and falling:
            return False
    return True


def break_title(title: str, max_width: float = 20.0) -> list[str]:
    """Lines of the title; joined they give back the title exactly."""
    if max_width < 1:
        raise ValueError("max_width must hold at least one full-width character")
    if text_width(title) <= max_width:
        return [title]
    # Whole words first; when no trapezoid or diamond can be made of them (e.g. long, short, long
    # words on narrow lines), break between characters rather than draw an hourglass.
    for tokens in (_tokens(title, max_width), list(title)):
        lines = _layout(tokens, max_width)
        if lines is not None:
            return lines
    raise AssertionError("one character a line always fits")  # pragma: no cover


def _layout(tokens: list[str], max_width: float) -> list[str] | None:
    # Widths in quarter units keep the arithmetic exact; gaps[i] is the Chinese/Latin spacing between
    # token i and token i+1, counted only when both stand on the same line.
    units = [round(text_width(t) * 4) for t in tokens]
    gaps = [round((text_width(a[-1] + b[0]) - text_width(a[-1]) - text_width(b[0])) * 4)
            for a, b in zip(tokens, tokens[1:])]
    limit = math.floor(max_width * 4)
    for count in range(max(2, math.ceil(sum(units) / limit)), len(tokens) + 1):
        ends = _best_layout(tuple(units), tuple(gaps), count, limit)
        if ends is not None:
            out, start = [], 0
            for end in ends:
                out.append("".join(tokens[start:end]))
                start = end
            return out
    return None


def _best_layout(units: tuple[int, ...], gaps: tuple[int, ...], lines: int, limit: int) -> list[int] | None:
    """End indices of each line for the most even unimodal layout in exactly `lines` lines.

    Evenness is the sum of squared line widths (the total is fixed, so this is the variance);
    dynamic programming over (next token, lines left, previous width, already falling).
    """
    n = len(units)
    prefix, gap_prefix = [0], [0]
    for u in units:
        prefix.append(prefix[-1] + u)
    for g in gaps:
        gap_prefix.append(gap_prefix[-1] + g)

    @lru_cache(maxsize=None)
    def solve(start: int, left: int, prev: int, falling: bool) -> tuple[float, tuple[int, ...]] | None:
        if left == 0:
            return (0.0, ()) if start == n else None
        remaining = prefix[n] - prefix[start]
        if remaining > left * limit or n - start < left:
            return None
        best: tuple[float, tuple[int, ...]] | None = None
        for end in range(start + 1, n - left + 2):
            width = prefix[end] - prefix[start] + gap_prefix[end - 1] - gap_prefix[start]
            if width > limit:
                break
            if falling and width > prev:
                continue
            now_falling = falling or (prev >= 0 and width < prev)
            rest = solve(end, left - 1, width, now_falling)
            if rest is None:
                continue
            cost = width * width + rest[0]
            if best is None or cost <= best[0]:  # ties: the longer line on top
                best = (cost, (end,) + rest[1])
        return best

    result = solve(0, lines, -1, False)
    return list(result[1]) if result else None
