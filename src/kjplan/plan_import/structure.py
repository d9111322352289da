"""The structure of a plan document: covering notice, title, preamble, parts and items.

Works on the lines a reader gave (kjplan.plan_import.source), in this order:

  [主送 line ending in "：", the notice (one sentence), the issuer, the date]   the covering notice
  title, on one or more short lines (and perhaps its date in brackets)
  preamble: every paragraph before the first part or item (the 主要预期目标 paragraph among them)
  parts "一、…" / "第一部分 …" holding items, or items alone
  items: "1.标题句。正文……", "1、", "1．", "1. ", "（1）", "（一）", "①"; a line with no number of
  the items' kind (or with a deeper kind, such as "（1）" inside "1.") continues the current item

Which numbering is a part and which an item is decided from the document, not assumed: "一、" lines
that are short headings followed by other numbered lines are parts; otherwise the first kind of
numbering met numbers the items. Every line that fits nowhere is kept with its line number, so the
import can say what it left out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kjplan.numerals import parse_cn_number
from kjplan.plan_import.punctuation import full_width
from kjplan.plan_import.source import Line

CN = "一二三四五六七八九十"
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0, "O": 0}

# Kinds of numbering at the start of a line, and the number they carry.
_NUMBERING = [
    ("part", re.compile(rf"^第\s*([{CN}]{{1,3}}|\d{{1,2}})\s*(?:部分|篇|章)\s*[、．.：:]?\s*")),
    ("cn", re.compile(rf"^([{CN}]{{1,3}})\s*[、．.]\s*")),
    ("cn_paren", re.compile(rf"^[（(]\s*([{CN}]{{1,3}})\s*[）)]\s*[、．.]?\s*")),
    ("arabic", re.compile(r"^([0-9０-９]{1,2})\s*(?:[.．、](?![0-9０-９]))\s*")),
    ("arabic_paren", re.compile(r"^[（(]\s*([0-9０-９]{1,2})\s*[）)]\s*[、．.]?\s*")),
    ("circled", re.compile(r"^([\u2460-\u2473])\s*")),
]
LABELS = {"part": "第{cn}部分", "cn": "{cn}、", "cn_paren": "（{cn}）", "arabic": "{n}.", "arabic_paren": "（{n}）",
          "circled": "{circled}"}

_DATE = re.compile(r"^[（(]?\s*(\d{4}|[〇零○Ｏ一二三四五六七八九]{4})\s*年\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*月"
                   r"\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*日\s*(?:印发)?\s*[）)]?$")
_YEAR = re.compile(r"(\d{4}|[〇零○一二三四五六七八九]{4})\s*年")
_PAGE_NUMBER = re.compile(r"^[-—－–\s]*(?:第\s*)?\d{1,3}\s*(?:页)?[-—－–\s]*$")
_ATTACHMENT_LABEL = re.compile(r"^附件\s*[0-9０-９一二三]?\s*[:：]?$")
_TRAILER = re.compile(r"^(?:抄送|印发|附件|主题词|（此件|\(此件|联系人)")
_GOALS = re.compile(r"主要预期目标|总体目标|主要目标|预期目标|发展目标|目标任务")
_SENTENCE_END = "。；;！!？?"
TITLE_MAX = 40  # a title line is short; a longer line is text


@dataclass
class Numbered:
    kind: str
    number: int
    rest: str  # the line without its number


def numbering(text: str) -> Numbered | None:
    for kind, pattern in _NUMBERING:
        match = pattern.match(text)
        if not match:
            continue
        token = match.group(1)
        if kind == "circled":
            number = ord(token) - 0x2460 + 1
        else:
            try:
                number = parse_cn_number(token.translate({0xFF10 + i: str(i) for i in range(10)}))
            except ValueError:
                continue
        rest = text[match.end():].strip()
        if rest:
            return Numbered(kind, number, rest)
    return None


def label_of(kind: str, number: int) -> str:
    from kjplan.numerals import cn_number

    return LABELS[kind].format(n=number, cn=cn_number(number) if 1 <= number <= 99 else number,
                               circled=chr(0x2460 + number - 1) if 1 <= number <= 20 else number)


def _cn_year(token: str) -> int:
    if token.isdigit():
        return int(token)
    return int("".join(str(_CN_DIGITS[c]) for c in token))


def parse_date(text: str) -> dt.date | None:
    """2020年3月31日 or 二〇二〇年三月三十一日, alone on its line (perhaps in brackets)."""
    match = _DATE.match(text.replace(" ", ""))
    if not match:
        return None
    try:
        year = _cn_year(match.group(1))
        return dt.date(year, parse_cn_number(match.group(2)), parse_cn_number(match.group(3)))
    except (ValueError, KeyError):
        return None


def title_year(title: str) -> int | None:
    match = _YEAR.search(title)
    if not match:
        return None
    try:
        return _cn_year(match.group(1))
    except KeyError:
        return None


def lead_sentence(text: str) -> str:
    """The item's title: its first line up to the first "。" (without it)."""
    first = text.split("\n", 1)[0]
    head = first.split("。", 1)[0]
    return head.rstrip("；;：:，, ")


# ---------------------------------------------------------------------------------------- result

@dataclass
class Part:
    number: int
    title: str
    line: int


@dataclass
class Item:
    number: int  # kjplan's number: the document's, or counted through when it restarts per part
    title: str
    text: str
    line: int
    kind: str  # the numbering kind the document uses for items
    shown: int  # the number the document shows
    part: int | None = None

    @property
    def label(self) -> str | None:
        """How the document numbers the item, when "N." with kjplan's number would not say it."""
        if self.kind == "arabic" and self.shown == self.number:
            return None
        return label_of(self.kind, self.shown)


@dataclass
class Unplaced:
    line: Line
    why: str


@dataclass
class Structure:
    title: str | None = None
    title_lines: list[int] = field(default_factory=list)
    issuer: str | None = None
    issuer_from: str | None = None  # "notice" or "title"
    date: dt.date | None = None
    recipients: list[str] = field(default_factory=list)
    notice: str | None = None
    preamble_lines: list[Line] = field(default_factory=list)
    goals_lines: list[Line] = field(default_factory=list)  # the 主要预期目标 paragraphs (also in the preamble)
    parts: list[Part] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        return title_year(self.title) if self.title else None

    @property
    def preamble(self) -> str | None:
        return "\n".join(line.text for line in self.preamble_lines) or None


# ---------------------------------------------------------------------------------------- header

def _is_heading_like(text: str) -> bool:
    return len(text) <= TITLE_MAX and text[-1] not in _SENTENCE_END + "，,：:" and numbering(text) is None


def _notice(lines: list[Line], out: Structure) -> int:
    """The covering notice at the top, if there is one; returns the index of the first line after it."""
    recipients_at = next((i for i, line in enumerate(lines[:6])  # after a 版头 and the notice's title
                          if line.text.endswith(("：", ":")) and "。" not in line.text and numbering(line.text) is None),
                         None)
    if recipients_at is None:
        return 0
    date_at = next((i for i in range(recipients_at + 1, min(len(lines), recipients_at + 8))
                    if parse_date(lines[i].text)), None)
    if date_at is None:
        return 0
    for line in lines[:recipients_at]:
        out.unplaced.append(Unplaced(line, "印发通知的版头或标题（计划文件不记录）"))
    out.recipients = [full_width(part.strip()) for part in re.split(r"[，,；;]", lines[recipients_at].text.rstrip("：:"))
                      if part.strip()]
    body = list(range(recipients_at + 1, date_at))
    if len(body) >= 2 and _is_heading_like(lines[body[-1]].text):
        out.issuer, out.issuer_from = full_width(lines[body[-1]].text), "notice"
        body = body[:-1]
    notice = []
    for i in body:
        if _TRAILER.match(lines[i].text):
            out.unplaced.append(Unplaced(lines[i], "通知的附件说明（计划文件不记录）"))
        else:
            notice.append(full_width(lines[i].text))
    out.notice = "\n".join(notice) or None
    out.date = parse_date(lines[date_at].text)
    return date_at + 1


def _title(lines: list[Line], start: int, out: Structure) -> int:
    """The title: consecutive short lines without closing punctuation (a title may take two lines)."""
    i = start
    while i < len(lines) and _ATTACHMENT_LABEL.match(lines[i].text):  # "附件" over the plan a notice sends
        out.unplaced.append(Unplaced(lines[i], "印发通知的附件标记（计划文件不记录）"))
        i += 1
    taken = []
    while i < len(lines) and len(taken) < 3 and _is_heading_like(lines[i].text) and not parse_date(lines[i].text):
        taken.append(lines[i])
        i += 1
        if title_year("".join(t.text for t in taken)) and (i >= len(lines) or not _is_heading_like(lines[i].text)
                                                           or _GOALS.search(lines[i].text)):
            break
    if not taken:
        return start
    out.title = full_width("".join(t.text for t in taken))
    out.title_lines = [t.number for t in taken]
    if i < len(lines):
        day = parse_date(lines[i].text)
        if day is not None:  # "（2021年3月15日）" under the title
            out.date = out.date or day
            i += 1
    if out.issuer is None and out.title:
        year_match = _YEAR.search(out.title)
        head = out.title[: year_match.start()].strip() if year_match else ""
        if head and not head.startswith("关于"):
            out.issuer, out.issuer_from = head, "title"
    return i


# ------------------------------------------------------------------------------------------ body

def _choose_kinds(body: list[tuple[Line, Numbered | None]]) -> tuple[str | None, str | None]:
    """(part kind, item kind) for this document."""
    kinds = [(i, n.kind) for i, (_, n) in enumerate(body) if n is not None]
    if not kinds:
        return None, None
    for top in ("part", "cn"):
        tops = [i for i, kind in kinds if kind == top]
        if not tops:
            continue
        below = [kind for i, kind in kinds if i > tops[0] and kind not in ("part", top)]
        headings = [body[i][1] for i in tops]
        short = sum(1 for n in headings if "。" not in n.rest.rstrip("。") and len(n.rest) <= TITLE_MAX)
        if below and (top == "part" or short * 2 > len(headings)):
            return top, below[0]
    return None, kinds[0][1]


def _is_trailer(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text) or _TRAILER.match(text) or parse_date(text))


def _preamble(lines: list[tuple[Line, Numbered | None]], out: Structure) -> None:
    """Everything before the items: the guiding paragraph(s), and the plan-wide targets paragraph
    ("主要预期目标：…", or the paragraphs under a heading of that name)."""
    under_goals = False
    for line, num in lines:
        text = full_width(line.text)
        kept = Line(line.number, text)
        out.preamble_lines.append(kept)
        heading = _is_heading_like(num.rest if num else text)
        if _GOALS.search(text):
            out.goals_lines.append(kept)
            under_goals = heading
        elif heading:
            under_goals = False
        elif under_goals:
            out.goals_lines.append(kept)


def parse_structure(lines: list[Line]) -> Structure:
    out = Structure()
    start = _notice(lines, out)
    start = _title(lines, start, out)
    body = [(line, numbering(line.text)) for line in lines[start:]]
    part_kind, item_kind = _choose_kinds(body)
    first_item = next((i for i, (_, n) in enumerate(body) if n is not None and n.kind == item_kind), len(body))
    # The part that holds the first item starts at its heading; what comes before is the preamble.
    first_part = next((i for i in range(first_item - 1, -1, -1) if body[i][1] is not None and body[i][1].kind == part_kind),
                      None)
    body_start = first_part if first_part is not None else first_item
    _preamble(body[:body_start], out)

    part: Part | None = None
    item: Item | None = None
    texts: list[str] = []
    shown: list[int] = []

    def close():
        nonlocal item
        if item is not None:
            item.text = "\n".join(texts)
            item.title = lead_sentence(item.text)
            out.items.append(item)
            item = None
            texts.clear()

    for line, num in body[body_start:]:
        if num is not None and num.kind == part_kind:
            close()
            part = Part(num.number, full_width(num.rest.rstrip("。")), line.number)
            out.parts.append(part)
        elif num is not None and num.kind == item_kind:
            close()
            shown.append(num.number)
            item = Item(number=num.number, title="", text="", line=line.number, kind=num.kind, shown=num.number,
                        part=part.number if part else None)
            texts.append(full_width(num.rest))
        elif _PAGE_NUMBER.match(line.text):  # "— 2 —" between pages of a converted document
            out.unplaced.append(Unplaced(line, "页码"))
        elif item is not None and not _is_trailer(line.text):
            texts.append(full_width(line.text))  # the item goes on (a paragraph of its own, or a sub-point)
        else:
            close()
            if _is_trailer(line.text):
                why = "正文之后的落款或版记"
            elif part is not None and not any(i.part == part.number for i in out.items):
                why = f"第{part.number}部分“{part.title}”中事项之前的文字"
            else:
                why = "不属于任何事项的文字"
            out.unplaced.append(Unplaced(line, why))
    close()
    held = {i.part for i in out.items}
    for empty in [p for p in out.parts if p.number not in held]:
        out.parts.remove(empty)
        out.unplaced.append(Unplaced(Line(empty.line, empty.title), f"第{empty.number}部分没有编号的事项"))
    out.unplaced.sort(key=lambda u: u.line.number)
    _number_items(out, shown)
    return out


def _number_items(out: Structure, shown: list[int]) -> None:
    """kjplan numbers items 1..N through the plan. When the document does too (1. … 16. straight
    through the parts) its numbers are kept; when it restarts in each part ((一) in every part), the
    items are counted through and keep the document's own label."""
    through = shown == list(range(shown[0], shown[0] + len(shown))) if shown else True
    if through and shown and shown[0] == 1:
        return
    if shown and not through and len(out.parts) <= 1:
        out.notes.append("事项序号不连续（" + "、".join(map(str, shown[:20])) + "），已按出现顺序重新编为 1 到 "
                         f"{len(shown)}，原序号见各项的 label")
    for n, item in enumerate(out.items, start=1):
        item.number = n
