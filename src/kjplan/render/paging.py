"""Where the pages of a laid-out document end: a model of the renderer's pagination.

GB/T 9704 puts the 版记 on the last page, which must be an even page (the back of the last sheet),
and a blank page before it carries no number. Word and LibreOffice cannot be told "on an even page,
but on this one if it is even and has room"; the docx writer asks this model where the content ends
and chooses the structure that puts the 版记 right (kjplan.render.docx).

The model follows LibreOffice 7.4 (what the render tests measure): paragraphs of whole grid lines,
keep-with-next chains that move to the next page when their kept part does not fit, paragraphs that
split at any line unless kept together or under widow/orphan control (two lines), table rows that
never split and a header row repeated on each page. Word breaks a line with Latin letters or digits
slightly later (see kjplan.render.lines), so it can end a page a line earlier or later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree

from kjplan.render import oxml
from kjplan.render.lines import count_lines


@dataclass(frozen=True)
class Para:
    """A paragraph: `lines` lines `height` twips tall each."""

    lines: int = 1
    height: int = 579
    keep_next: bool = False
    keep_lines: bool = False
    widows: bool = False  # widow/orphan control: never one line alone on either side of a break
    page_break_before: bool = False

    @property
    def total(self) -> int:
        return self.lines * self.height

    @property
    def least(self) -> int:
        """Lines that must stand together at a page break on either side."""
        return 2 if self.widows and not self.keep_lines else 1

    def splits(self) -> range:
        """Lines that may end a page inside this paragraph when it must move with the next one:
        LibreOffice moves a paragraph that keeps with the next whole, never splitting it for that."""
        if self.keep_lines or self.keep_next or self.lines < 2 * self.least:
            return range(0)
        return range(self.least, self.lines - self.least + 1)


@dataclass(frozen=True)
class Rows:
    """A table: row heights in twips; with `header`, the first row repeats on every page and never
    ends one."""

    heights: tuple[int, ...]
    header: bool = True
    page_break_before: bool = False


@dataclass(frozen=True)
class Section:
    """A new section: it starts on a new page (the next even or odd one for `start` evenPage or
    oddPage, leaving a blank page between when needed) whose text block is `height` twips tall."""

    height: int
    start: str = "nextPage"


Item = Para | Rows | Section


@dataclass
class Page:
    height: int  # of the text block
    used: int = 0  # twips filled from the top
    blank: bool = False  # left blank by a section that starts on an even or odd page
    first: int = 0  # index of the item the page starts with (or continues)

    @property
    def free(self) -> int:
        return self.height - self.used


@dataclass
class Layout:
    pages: list[Page] = field(default_factory=list)

    @property
    def last(self) -> Page:
        return self.pages[-1]


def paginate(items: list[Item], height: int) -> Layout:
    """The pages `items` fill, starting on a page with a text block `height` twips tall."""
    layout = Layout([Page(height)])
    items = list(items)
    index = 0

    def new_page(size: int | None = None) -> Page:
        layout.pages.append(Page(size if size is not None else layout.last.height, first=index))
        return layout.last

    while index < len(items):
        item = items[index]
        page = layout.last
        if isinstance(item, Section):
            wanted = {"evenPage": 0, "oddPage": 1}.get(item.start)
            if wanted is not None and (len(layout.pages) + 1) % 2 != wanted:
                new_page().blank = True
            new_page(item.height)
            index += 1
            continue
        if item.page_break_before and page.used:
            page = new_page()
        if isinstance(item, Rows):
            _place_rows(item, layout, new_page)
            index += 1
            continue
        if item.keep_next:
            chain = _chain(items, index)
            brk = _chain_break(chain, page.free, page.height)
            if brk is not None:
                k, line = brk
                for part in chain[:k]:
                    page.used += part.total
                if line:
                    page.used += line * chain[k].height
                    items[index + k] = _rest(chain[k], line)
                page = new_page()
                index += k
                continue
        _place_para(item, layout, new_page)
        index += 1
    return layout


def _chain(items: list[Item], start: int) -> list[Item]:
    """Paragraphs from `start` that keep with the next, and the item they keep with."""
    chain: list[Item] = []
    for item in items[start:]:
        if isinstance(item, Section):
            break
        chain.append(item)
        if isinstance(item, Rows) or not item.keep_next:
            break
    return chain


def _head(item: Item) -> int:
    """The part of the chain's last item that must join the chain: its first line(s), or a table's
    header and first row."""
    if isinstance(item, Rows):
        return sum(item.heights[:2] if item.header else item.heights[:1])
    return min(item.lines, item.least) * item.height if not item.keep_lines else item.total


def _chain_break(chain: list[Item], free: int, height: int) -> tuple[int, int] | None:
    """Where the page must end inside `chain` so that no kept boundary falls at a page end:
    (index of the item, lines of it on this page); None when the chain's kept part fits here (or
    cannot fit on any page, when the renderer gives up keeping)."""
    ends_kept = isinstance(chain[-1], Para) and chain[-1].keep_next  # the document ends inside it
    paras = chain if ends_kept else chain[:-1]
    need = sum(p.total for p in paras) + (0 if ends_kept else _head(chain[-1]))
    if need <= free:
        return None
    # The latest break: inside a paragraph that may split, or before the chain (k, 0).
    tail = 0 if ends_kept else _head(chain[-1])
    for k in range(len(paras) - 1, -1, -1):
        after = sum(p.total for p in paras[k + 1 :]) + tail
        para = paras[k]
        for line in reversed(para.splits()):
            here = sum(p.total for p in paras[:k]) + line * para.height
            if here <= free and (para.lines - line) * para.height + after <= height:
                return k, line
    if need <= height:
        return 0, 0
    return None


def _rest(para: Para, placed: int) -> Para:
    return Para(para.lines - placed, para.height, para.keep_next, para.keep_lines, para.widows)


def _place_para(para: Para, layout: Layout, new_page) -> None:
    page = layout.last
    if para.total <= page.free:
        page.used += para.total
        return
    if para.keep_lines and page.used:
        page = new_page()
        page.used += min(para.total, page.height)
        return
    lines = para.lines
    while lines:
        fit = page.free // para.height
        if lines <= fit:
            page.used += lines * para.height
            return
        if para.widows and lines > 1:
            fit = min(fit, lines - 2)  # two lines go over
            if fit < 2:  # no two lines here: the whole rest goes
                fit = 0
        if fit <= 0 and not page.used:
            fit = max(1, page.height // para.height)  # taller than a page: it has to break
        page.used += fit * para.height
        lines -= fit
        page = new_page()


def _place_rows(rows: Rows, layout: Layout, new_page) -> None:
    page = layout.last
    heights = list(rows.heights)
    header = heights[0] if rows.header and heights else 0
    start = 0
    if rows.header and len(heights) > 1:
        if header + heights[1] > page.free and page.used:
            page = new_page()
        page.used += header
        start = 1
    for row in heights[start:]:
        if row > page.free and page.used > header:
            page = new_page()
            page.used += header
        page.used += row


# --- from the document's blocks -------------------------------------------------------------------
ROW_EXTRA = 10  # twips a table row takes beyond its lines: the 0.5 pt rule between rows


@dataclass(frozen=True)
class Facts:
    """What the pages model needs to know of a document's blocks, read once (see `read`)."""

    blocks: tuple[object, ...]  # oxml.ParagraphFacts, or a table's (rows, header, floating, margin)
    sections: tuple[oxml.SectionFacts, ...]

    def items(self, *, latin_gap: bool = True) -> tuple[list[Item], int]:
        """The model's items, and the height of the first page's text block. Floating tables (the
        版记) take no room in the flow and are left out."""
        current = 0
        items: list[Item] = []
        for fact in self.blocks:
            width = self.sections[current].width
            if isinstance(fact, oxml.ParagraphFacts):
                items.append(_para(fact, width, latin_gap))
                if fact.section is not None:
                    current += 1
                    items.append(Section(self.sections[current].height, self.sections[current].start))
            else:
                rows, header, floating, margin = fact
                if not floating:
                    heights = tuple(_row_height(cells, margin, latin_gap) for cells in rows)
                    items.append(Rows(heights, header))
        return items, self.sections[0].height


def read(blocks: Sequence[etree._Element], styles: etree._Element, last: oxml.SectionFacts) -> Facts:
    """The facts of the body `blocks` (paragraphs and tables, in order); `last` is the section the
    body's own sectPr describes."""
    resolver = oxml.StyleResolver(styles)
    facts: list[object] = []
    sections: list[oxml.SectionFacts] = []
    paragraph_tag = oxml.el("p").tag
    for block in blocks:
        if block.tag == paragraph_tag:
            para = resolver.paragraph(block)
            facts.append(para)
            if para.section is not None:
                sections.append(para.section)
        else:
            facts.append(resolver.table(block))
    sections.append(last)
    return Facts(tuple(facts), tuple(sections))


def flow(blocks: Sequence[etree._Element], styles: etree._Element, last: oxml.SectionFacts, *,
         latin_gap: bool = True) -> tuple[list[Item], int]:
    """`read` and `Facts.items` in one: the model's items for `blocks`."""
    return read(blocks, styles, last).items(latin_gap=latin_gap)


def table_height(table: etree._Element, styles: etree._Element) -> int:
    """Twips a table takes (the 版记, which floats and so is not in the flow)."""
    rows, _, _, margin = oxml.StyleResolver(styles).table(table)
    return sum(_row_height(cells, margin, True) for cells in rows)


def _lines(fact: oxml.ParagraphFacts, width: int, latin_gap: bool, hanging: bool = True) -> int:
    if fact.breaks:
        return fact.breaks + 1  # a title broken into lines that each fit
    inner = width - fact.left - fact.right
    size = fact.size * fact.scale / 100
    return count_lines(fact.text, (inner - fact.first) / 20, inner / 20, size, fact.spacing, latin_gap, hanging)


def _para(fact: oxml.ParagraphFacts, width: int, latin_gap: bool) -> Para:
    height = fact.line
    if fact.snap:  # a line on the grid takes whole grid lines
        height = -(-height // oxml.LINE_PITCH) * oxml.LINE_PITCH
    return Para(_lines(fact, width, latin_gap), height, fact.keep_next, fact.keep_lines, fact.widows,
                fact.page_break_before)


def _row_height(cells: list[tuple[int, list[oxml.ParagraphFacts]]], margin: int, latin_gap: bool) -> int:
    tallest = 0
    for width, paras in cells:
        inner = width - 2 * margin
        tallest = max(tallest, sum(_lines(p, inner, latin_gap, hanging=False) * p.line for p in paras))
    return tallest + ROW_EXTRA
