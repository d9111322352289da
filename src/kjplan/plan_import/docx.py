"""Word (.docx) plan documents: the body's paragraphs in order, with automatic list numbers written out.

A plan typed in Word often numbers its items with Word's automatic numbering: the paragraph holds
"加强党的建设。…" and Word draws "1." before it from numbering.xml. A reader sees "1.", so we put it
back: per list instance (numId) and level (ilvl) a counter, started at the level's start value (or the
instance's startOverride), deeper levels restarting when a shallower one advances, formatted by the
level's numFmt into its lvlText ("%1." -> "1.", "（%1）" -> "（一）" for chineseCounting).

Only WordprocessingML is read here; python-docx opens the package and gives the parts.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from kjplan.errors import DataError
from kjplan.numerals import cn_number
from kjplan.plan_import.source import Line, Source

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RT_NUMBERING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"


def _q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _val(element, tag: str) -> str | None:
    child = element.find(_q(tag)) if element is not None else None
    return child.get(_q("val")) if child is not None else None


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


# ----------------------------------------------------------------------------------- number formats

_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letters(n: int) -> str:
    # Word repeats the letter: a … z, aa … zz
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _chinese(n: int) -> str:
    return cn_number(n) if 1 <= n <= 99 else str(n)


def format_number(n: int, fmt: str) -> str:
    """One counter in one of Word's number formats (ST_NumberFormat)."""
    if fmt in ("decimal", "ordinal", "cardinalText", "ordinalText"):
        return str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographDigital", "japaneseCounting",
               "taiwaneseCounting", "taiwaneseCountingThousand", "koreanCounting"):
        return _chinese(n)
    if fmt == "chineseLegalSimplified":
        return _chinese(n).translate(str.maketrans("一二三四五六七八九十", "壹贰叁肆伍陆柒捌玖拾"))
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= n <= 20:
        return chr(0x2488 + n - 1)
    if fmt == "ideographEnclosedCircle" and 1 <= n <= 10:
        return chr(0x3220 + n - 1)
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return _TIANGAN[n - 1]
    if fmt == "ideographZodiac" and 1 <= n <= 12:
        return _DIZHI[n - 1]
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "none":
        return ""
    return str(n)


# -------------------------------------------------------------------------------------- numbering

@dataclass(frozen=True)
class Level:
    start: int
    fmt: str  # numFmt
    text: str  # lvlText, e.g. "%1." or "（%1）"
    legal: bool  # isLgl: every level shown in decimal
    style: str | None  # pStyle: the paragraph style this level belongs to


def _level(lvl) -> Level:
    return Level(start=_int(_val(lvl, "start"), 1), fmt=_val(lvl, "numFmt") or "decimal",
                 text=_val(lvl, "lvlText") or "", legal=lvl.find(_q("isLgl")) is not None
                 and _val(lvl, "isLgl") not in ("0", "false"), style=_val(lvl, "pStyle"))


class Numbering:
    """numbering.xml's definitions and the running counters of one pass through the document."""

    def __init__(self, numbering_element, style_numbering: dict[str, tuple[str | None, int | None]]):
        self.abstract: dict[str, dict[int, Level]] = {}
        self.style_link: dict[str, str] = {}  # abstractNum id -> numbering style it takes its levels from
        self.instances: dict[str, tuple[str, dict[int, int], dict[int, Level]]] = {}
        self.style_numbering = style_numbering
        self.counters: dict[str, dict[int, int]] = {}
        if numbering_element is None:
            return
        for abstract in numbering_element.iterfind(_q("abstractNum")):
            aid = abstract.get(_q("abstractNumId"))
            self.abstract[aid] = {_int(lvl.get(_q("ilvl")), 0): _level(lvl) for lvl in abstract.iterfind(_q("lvl"))}
            link = _val(abstract, "numStyleLink")
            if link:
                self.style_link[aid] = link
        for num in numbering_element.iterfind(_q("num")):
            starts, levels = {}, {}
            for override in num.iterfind(_q("lvlOverride")):
                ilvl = _int(override.get(_q("ilvl")), 0)
                if override.find(_q("startOverride")) is not None:
                    starts[ilvl] = _int(_val(override, "startOverride"), 1)
                lvl = override.find(_q("lvl"))
                if lvl is not None:
                    levels[ilvl] = _level(lvl)
            self.instances[num.get(_q("numId"))] = (_val(num, "abstractNumId"), starts, levels)

    def _levels(self, num_id: str, depth: int = 0) -> dict[int, Level]:
        abstract_id, _, overrides = self.instances.get(num_id, (None, {}, {}))
        levels = dict(self.abstract.get(abstract_id, {}))
        link = self.style_link.get(abstract_id)
        if link and not levels and depth < 3:
            linked_num, _ = self.style_numbering.get(link, (None, None))
            if linked_num and linked_num != num_id:
                levels = self._levels(linked_num, depth + 1)
        levels.update(overrides)
        return levels

    def label(self, num_id: str, ilvl: int) -> str | None:
        """Advance the counter of (num_id, ilvl) and return the text Word draws, or None for a bullet
        or an unknown list."""
        if num_id not in self.instances:
            return None
        levels = self._levels(num_id)
        level = levels.get(ilvl)
        if level is None:
            return None
        starts = self.instances[num_id][1]
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, starts.get(ilvl, level.start) - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a new item restarts the levels below it
        if level.fmt == "bullet":
            return None
        text = level.text
        for n in range(9, -1, -1):  # %10 does not exist; go high to low so %1 does not eat %1x
            token = f"%{n + 1}"
            if token not in text:
                continue
            other = levels.get(n)
            value = counters.get(n, starts.get(n, other.start if other else 1))
            fmt = "decimal" if level.legal and n != ilvl else (other.fmt if other else "decimal")
            text = text.replace(token, format_number(value, fmt))
        return text


# ----------------------------------------------------------------------------------------- reader

def _style_numbering(styles_element) -> dict[str, tuple[str | None, int | None]]:
    """styleId -> (numId, ilvl) a paragraph style gives its paragraphs, following basedOn."""
    if styles_element is None:
        return {}
    raw: dict[str, tuple[str | None, int | None, str | None]] = {}
    for style in styles_element.iterfind(_q("style")):
        ppr = style.find(_q("pPr"))
        num_pr = ppr.find(_q("numPr")) if ppr is not None else None
        num_id = _val(num_pr, "numId") if num_pr is not None else None
        ilvl = _val(num_pr, "ilvl") if num_pr is not None else None
        raw[style.get(_q("styleId"))] = (num_id, None if ilvl is None else _int(ilvl, 0), _val(style, "basedOn"))
    resolved = {}
    for style_id in raw:
        seen, current, num_id, ilvl = set(), style_id, None, None
        while current in raw and current not in seen:
            seen.add(current)
            n, i, based = raw[current]
            num_id = num_id if num_id is not None else n
            ilvl = ilvl if ilvl is not None else i
            current = based
        resolved[style_id] = (num_id, ilvl)
    return resolved


def _paragraph_numbering(p, style_numbering, numbering: Numbering) -> tuple[str, int] | None:
    ppr = p.find(_q("pPr"))
    style = _val(ppr, "pStyle") if ppr is not None else None
    num_pr = ppr.find(_q("numPr")) if ppr is not None else None
    num_id = _val(num_pr, "numId") if num_pr is not None else None
    ilvl = _val(num_pr, "ilvl") if num_pr is not None else None
    style_num, style_ilvl = style_numbering.get(style, (None, None)) if style else (None, None)
    num_id = num_id if num_id is not None else style_num
    if num_id is None or num_id == "0":
        return None
    if ilvl is None:
        ilvl = style_ilvl
        if ilvl is None:  # a style linked from a level (pStyle) takes that level
            ilvl = next((k for k, lvl in numbering._levels(num_id).items() if style and lvl.style == style), 0)
    return num_id, _int(str(ilvl), 0)


def _blocks(container):
    """Body paragraphs and tables in document order, looking inside content controls (w:sdt)."""
    for child in container:
        if child.tag == _q("sdt"):
            content = child.find(_q("sdtContent"))
            if content is not None:
                yield from _blocks(content)
        elif child.tag in (_q("p"), _q("tbl")):
            yield child


def read_docx(path: Path) -> Source:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DataError(path, None, f"无法作为 Word 文档（.docx）打开：{exc}。"
                                    "如果是旧版 .doc 或 WPS 文件，请在 Word/WPS 中另存为 .docx 后重试") from None
    except OSError as exc:
        raise DataError(path, None, f"无法读取文件（{exc.strerror}）") from None
    part = document.part
    try:
        numbering_element = part.part_related_by(RT_NUMBERING).element
    except KeyError:
        numbering_element = None
    style_numbering = _style_numbering(document.styles.element)
    numbering = Numbering(numbering_element, style_numbering)
    source = Source(path=path, unit="段")
    paragraph_no, tables = 0, []
    for block in _blocks(document.element.body):
        if block.tag == _q("tbl"):
            tables.append(paragraph_no)
            continue
        paragraph_no += 1
        numbered = _paragraph_numbering(block, style_numbering, numbering)
        label = numbering.label(*numbered) if numbered else None
        text = Paragraph(block, part).text
        pieces = [piece.strip() for piece in text.split("\n")]  # a manual line break makes two lines
        pieces = [piece for piece in pieces if piece]
        if not pieces:
            continue
        if label:
            pieces[0] = label + pieces[0]
        source.lines.extend(Line(paragraph_no, piece) for piece in pieces)
    if tables:
        where = "、".join(f"第 {n} 段后" for n in tables[:5]) + ("等" if len(tables) > 5 else "")
        source.notes.append(f"文档中有 {len(tables)} 个表格（{where}），表格内容未导入")
    return source
