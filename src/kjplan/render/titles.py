"""Breaking a long 公文 title into lines (GB/T 9704 7.3.1: 词意完整、排列对称、长短适宜、间距恰当).

A title wider than one line is set in lines that
- break only between words (rjieba segmentation), never inside a period such as "2020年第二季度";
- keep phrases whole where they fit: the issuer before "关于", a 《book title》, the document type
  ("落实情况的报告"); prefer to break before "关于" and before a conjunction such as "暨";
- form a trapezoid (lengths change one way) or a diamond (the middle line longest), consecutive
  lines differing by at least two characters: never a rectangle of equal lines, never an hourglass.
Among the layouts that satisfy the shape, the cheapest breaks win, then the fewest lines, then the
most even lengths. Widths are in full-width characters: a 22 pt title holds 20 of them in the 156 mm
text block; ASCII letters and digits count half.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Punctuation that may not start a line (glued to the word before it) or end one (glued to the next).
_NO_LINE_START = set("，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}>")
_NO_LINE_END = set("（《「『【〔〈“‘([{<")
# A number stays with the measure word after it: 2020年, 16项, 1亿元 (the segmenter splits them).
_MEASURES = set("年月日号季度期届次个项家名人件万亿元%％倍")
# Periods are never split: 2020年第二季度, 2020年上半年, 2020年前三季度, 2020年度, 第三季度.
_PERIOD = re.compile(r"\d{4}年(?:度|第[一二三四]季度|[上下]半年|前三季度|全年)?|第[一二三四]季度|[上下]半年|前三季度")
_BOOK_TITLE = re.compile(r"《[^《》]*》")
# The document type at the end, with the word before it: 落实情况的报告, 工作的通知.
_DOC_TYPE = re.compile(r"的(?:报告|请示|通知|意见|函|通报|决定|决议|方案|办法|批复|纪要|总结|计划|要点|规定|细则)$")
_CONJUNCTIONS = {"暨", "和", "及", "及其", "与", "并", "以及"}
_NOMINAL = {"n", "vn", "nz", "ns", "nt", "nr", "j", "l", "an"}

# What a break costs (or, for KEEP, what not breaking costs) at a boundary between two words.
# The numbers only matter relative to each other: a break inside a phrase costs more than an
# extra line (EXTRA_LINE), which costs more than an ordinary break between words.
BREAK = 3  # between ordinary words
BREAK_AFTER_PERIOD = 5  # the period belongs to what follows it ("2020年第二季度科技工作要点")
BREAK_IN_NOUNS = 10  # inside a run of nouns ("科技|工作|要点")
BREAK_BEFORE_DE = 15  # "落实情况|的…"
BREAK_AFTER_WEAK = 20  # a line ending with 关于, 的 or a conjunction
BREAK_IN_BOOK_TITLE = 30
BREAK_IN_PHRASE = 40  # inside the issuer or the document type
KEEP_ISSUER_WITH_GUANYU = 25  # "…党组关于" on one line: the issuer should stand on its own line
EXTRA_LINE = 10
EVENNESS = 0.02  # per squared character of line width: among equal breaks, the more even lines
MIN_STEP = 2.0  # consecutive lines differ by at least this many characters


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


@dataclass(frozen=True)
class _Boundary:
    cost: float  # of breaking the line here
    keep: float = 0.0  # of not breaking here


# ------------------------------------------------------------------------------ the segmenter
# Importing rjieba loads its dictionary (about 140 ms, a third of a small report's time) for the two
# or three titles a report breaks. What it says of a title is kept in the user's cache folder
# (kjplan.cache), keyed by rjieba's installed files, so that a report with titles seen before never
# loads it. The cache only saves time: a missing, damaged or foreign one is a miss.
SEGMENTS_KEPT = 500  # titles remembered (the newest); a few kilobytes


class _Segments:
    def __init__(self) -> None:
        self.known: dict[str, list[tuple[str, str]]] | None = None

    def _expect(self) -> dict[str, str] | None:
        import importlib.util

        from kjplan import cache

        try:
            spec = importlib.util.find_spec("rjieba")
            origin = spec.origin if spec else None
            library = [f for f in os.listdir(os.path.dirname(origin)) if f.endswith((".so", ".pyd"))] if origin else []
            stats = [os.stat(os.path.join(os.path.dirname(origin), f)) for f in sorted(library)] + [os.stat(origin)]
        except (ImportError, OSError, ValueError):
            return None
        stamp = ",".join(f"{st.st_size}:{st.st_mtime_ns}" for st in stats)
        return {"source": f"rjieba:{origin}", "segmenter": stamp, "code": cache.code_fingerprint()}

    def tag(self, title: str) -> list[tuple[str, str]]:
        from kjplan import cache

        entry = cache.named_entry("titles.segments")
        if self.known is None:
            self.known = {}
            expect = self._expect() if entry is not None else None
            payload = cache.read(entry, expect) if expect is not None else None
            if payload is not None:
                try:
                    known = cache.loads(payload)
                    if isinstance(known, dict):
                        self.known = known
                except Exception:  # a damaged or foreign cache: a miss
                    pass
        words = self.known.get(title)
        if words is None:
            import rjieba

            words = [(str(w), str(t)) for w, t in rjieba.tag(title)]
            self.known[title] = words
            if entry is not None:
                self._save(entry)
        return words

    def _save(self, entry) -> None:
        from kjplan import cache

        expect = self._expect()
        if expect is None:
            return
        kept = dict(list(self.known.items())[-SEGMENTS_KEPT:])
        cache.write(entry, expect, cache.dumps(kept))


_segments = _Segments()


def _words(title: str) -> list[tuple[str, str]]:
    words = [(w, t) for w, t in _segments.tag(title) if w]
    if "".join(w for w, _ in words) != title:  # never lose text, whatever the segmenter does
        words = [(ch, "x") for ch in title]
    return words


def _boundaries(title: str) -> dict[int, _Boundary]:
    """Positions (character offsets) where a line may break, with what breaking there costs."""
    words = _words(title)
    ends, tags = [], {}
    pos = 0
    for word, tag in words:
        tags[pos] = (word, tag)
        pos += len(word)
        ends.append(pos)
    cuts = set(ends[:-1])
    protected = [m.span() for m in _PERIOD.finditer(title)]
    for start, end in protected:
        cuts -= set(range(start + 1, end))
        cuts |= {p for p in (start, end) if 0 < p < len(title)}
    # Glue: punctuation to its neighbour, a number to its measure word, spaces to the word before.
    for p in list(cuts):
        before, after = title[p - 1], title[p]
        if (after in _NO_LINE_START or before in _NO_LINE_END or after.isspace()
                or (before.isdigit() and after in _MEASURES)):
            cuts.discard(p)

    word_at = {}  # position -> (word, tag) of the word starting there, after re-cutting
    for p in sorted(cuts | {0}):
        word_at[p] = tags.get(p, (title[p], "x"))
    guanyu = title.find("关于")
    guanyu = guanyu if guanyu > 0 and guanyu in word_at and title[guanyu - 1] not in _NO_LINE_END else -1
    spans = {
        "book": [m.span() for m in _BOOK_TITLE.finditer(title)],
        "doc": [],
        "period_end": {end for _, end in protected},
    }
    doc = _DOC_TYPE.search(title)
    if doc:
        before = max((p for p in cuts if p < doc.start()), default=0)
        spans["doc"].append((before, len(title)))

    def inside(p: int, kind: str) -> bool:
        return any(start < p < end for start, end in spans[kind])

    def previous_word(p: int) -> tuple[str, str]:
        start = max(q for q in word_at if q < p)
        return title[start:p], word_at[start][1]

    out: dict[int, _Boundary] = {}
    for p in sorted(cuts):
        left, left_tag = previous_word(p)
        right, right_tag = word_at[p]
        if p == guanyu:
            out[p] = _Boundary(0, KEEP_ISSUER_WITH_GUANYU)
            continue
        if 0 < guanyu and p < guanyu or inside(p, "doc"):
            cost = BREAK_IN_PHRASE
        elif inside(p, "book"):
            cost = BREAK_IN_BOOK_TITLE
        elif left in ("关于", "的") or left in _CONJUNCTIONS:
            cost = BREAK_AFTER_WEAK
        elif right.startswith("的"):
            cost = BREAK_BEFORE_DE
        elif right in _CONJUNCTIONS:
            cost = 0
        elif left_tag in _NOMINAL and right_tag in _NOMINAL:
            cost = BREAK_IN_NOUNS
        elif p in spans["period_end"]:
            cost = BREAK_AFTER_PERIOD
        else:
            cost = BREAK
        out[p] = _Boundary(cost)
    return out


def break_title(title: str, max_width: float = 20.0) -> list[str]:
    """Lines of the title; joined they give back the title exactly."""
    if max_width < 1:
        raise ValueError("max_width must hold at least one full-width character")
    if text_width(title) <= max_width:
        return [title]
    boundaries = _boundaries(title)
    # A word wider than a line cannot stay whole: it may break between its characters.
    cuts = sorted(boundaries)
    for start, end in zip([0] + cuts, cuts + [len(title)]):
        if text_width(title[start:end]) > max_width:
            for p in range(start + 1, end):
                boundaries.setdefault(p, _Boundary(1000))
    # The shape rules first with whole words; relaxed step by step only where a title cannot meet
    # them (long, short, long words on narrow lines); last, any character may break.
    attempts = [(boundaries, MIN_STEP), (boundaries, 1.0), (boundaries, 0.0)]
    attempts.append(({p: _Boundary(1000) for p in range(1, len(title))}, 0.0))
    for allowed, step in attempts:
        lines = _layout(title, allowed, max_width, step)
        if lines is not None:
            return lines
    raise AssertionError("one character a line always fits")  # pragma: no cover


def _layout(title: str, boundaries: dict[int, _Boundary], max_width: float, step: float) -> list[str] | None:
    cuts = [0] + sorted(boundaries) + [len(title)]
    tokens = [title[a:b] for a, b in zip(cuts, cuts[1:])]
    # Widths in quarter units keep the arithmetic exact; gaps[i] is the Chinese/Latin spacing between
    # token i and token i+1, counted only when both stand on the same line.
    units = tuple(round(text_width(t) * 4) for t in tokens)
    gaps = tuple(round((text_width(a[-1] + b[0]) - text_width(a[-1]) - text_width(b[0])) * 4)
                 for a, b in zip(tokens, tokens[1:]))
    costs = tuple((boundaries[p].cost, boundaries[p].keep) for p in cuts[1:-1])
    limit = math.floor(max_width * 4)
    fewest = max(2, math.ceil(sum(units) / limit))
    best: tuple[float, list[int]] | None = None
    for count in range(fewest, min(len(tokens), fewest + 3) + 1):
        found = _best_layout(units, gaps, costs, count, limit, round(step * 4))
        if found is not None:
            cost = found[0] + EXTRA_LINE * (count - fewest)
            if best is None or cost < best[0]:
                best = (cost, found[1])
    if best is None:
        return None
    out, start = [], 0
    for end in best[1]:
        out.append("".join(tokens[start:end]))
        start = end
    return out


def _best_layout(units: tuple[int, ...], gaps: tuple[int, ...], costs: tuple[tuple[float, float], ...],
                 lines: int, limit: int, step: int) -> tuple[float, list[int]] | None:
    """The cheapest unimodal layout in exactly `lines` lines: its cost and the end index of each line.

    Dynamic programming over (next token, lines left, previous width, already falling)."""
    n = len(units)
    prefix, gap_prefix, keep_prefix = [0], [0], [0.0]
    for u in units:
        prefix.append(prefix[-1] + u)
    for g in gaps:
        gap_prefix.append(gap_prefix[-1] + g)
    for _, keep in costs:
        keep_prefix.append(keep_prefix[-1] + keep)

    @lru_cache(maxsize=None)
    def solve(start: int, left: int, prev: int, falling: bool) -> tuple[float, tuple[int, ...]] | None:
        if left == 0:
            return (0.0, ()) if start == n else None
        if prefix[n] - prefix[start] > left * limit or n - start < left:
            return None
        best: tuple[float, tuple[int, ...]] | None = None
        for end in range(start + 1, n - left + 2):
            width = prefix[end] - prefix[start] + gap_prefix[end - 1] - gap_prefix[start]
            if width > limit:
                break
            if prev >= 0 and (abs(width - prev) < step or (falling and width > prev)):
                continue
            rest = solve(end, left - 1, width, falling or (prev >= 0 and width < prev))
            if rest is None:
                continue
            cost = EVENNESS * (width / 4) ** 2 + keep_prefix[end - 1] - keep_prefix[start] + rest[0]
            if end < n:
                cost += costs[end - 1][0]
            if best is None or cost <= best[0] + 1e-9:  # ties: the longer line on top
                best = (cost, (end,) + rest[1])
        return best

    result = solve(0, lines, -1, False)
    return (result[0], list(result[1])) if result else None
