"""Lay a Document out as a .docx per GB/T 9704-2012 (A4, 22 lines x 28 characters a page).

python-docx supplies the package machinery; everything of its default template that would leak into
the layout (styles with theme fonts, ja-JP theme language, Mac Word app properties, thumbnail) is
replaced or dropped. Raw WordprocessingML lives in kjplan.render.oxml. Output is deterministic: the
same Document gives the same bytes.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
from collections.abc import Iterator

import docx
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from kjplan.fsutil import package_zip
from kjplan.render import oxml, paging
from kjplan.render.document import Attachment, Document, Imprint, Masthead, Table
from kjplan.render.oxml import paragraph, ppr, rpr, text_run
from kjplan.render.titles import break_title, char_width, text_width
from kjplan.settings import doc_number_year

_STYLE_OF_KIND = {
    "body": "GwBody",
    "h1": "GwHeading1",
    "h2": "GwHeading2",
    "h3": "GwHeading3",
    "h4": "GwHeading4",
}
# XML 1.0 forbids these (the input layer refuses them; this is the last line of defence).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DROPPED_RELS = (RT.CUSTOM_XML, RT.NUMBERING, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects")
TITLE_CHARS = 20.0  # 22 pt characters a line in the 156 mm block
# 版头: the 发文机关标志 in 初号 (42 pt), narrowed to fill at most 95% of the line when it is long.
MARK_SZ, MARK_FILL, MARK_LINE = 84, 0.95, 1008
MARK_TOP, RULE_GAP = round(35 * oxml.MM), round(4 * oxml.MM)  # 1984 and 227 twips
MASTHEAD_ROWS = 10  # the 版头 takes the first ten grid lines; the title stands on the eleventh
# Where renderers put the glyphs inside an exact-height line box (measured with LibreOffice and the
# fonts the render test maps the standard's names onto): the top of the 42 pt mark below the top of
# its 1008-twip box, and the bottom of 16 pt text above the bottom of its 579-twip box.
MARK_GLYPH_TOP, NUMBER_GLYPH_BOTTOM = 104, 110


def _copy(element: etree._Element | None) -> etree._Element | None:
    """A copy of `element` and all it holds (lxml's copy.copy is deep, as copy.deepcopy is, without the
    memo and bookkeeping that cost more than the copy itself for a small pPr or rPr)."""
    return None if element is None else copy.copy(element)


def format_date(date: dt.date) -> str:
    """成文日期: Arabic numerals, year in full, no leading zeros."""
    return f"{date.year}年{date.month}月{date.day}日"


class _Writer:
    def __init__(self, doc: Document):
        self.doc = doc
        self.fonts = doc.fonts
        self.fallback_chars: dict[str, None] = {}  # ordered set
        self.forbidden_chars: dict[str, None] = {}
        self.blocks: list[etree._Element] = []
        self.landscape = False  # the orientation of the section being written
        self._pprs: dict[tuple[str, str | None], etree._Element] = {}

    # --- text --------------------------------------------------------------------------------
    def clean(self, text: str) -> str:
        for ch in _XML_FORBIDDEN.findall(text):
            self.forbidden_chars[ch] = None
        return _XML_FORBIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))

    def runs(self, text: str, props: etree._Element | None = None) -> list[etree._Element]:
        """Runs of one line with run properties `props`; characters outside GB2312 go into the
        fallback font (all four slots): 仿宋_GB2312 and its kin have no glyph for them."""
        out: list[etree._Element] = []
        for chunk, in_gb2312 in _split_gb2312(text):
            if in_gb2312:
                out.append(text_run(chunk, _copy(props)))
            else:
                for ch in chunk:
                    self.fallback_chars[ch] = None
                fallback = _copy(props) if props is not None else oxml.el("rPr")
                oxml.set_child(fallback, oxml.fonts(self.fonts.fallback), oxml.RPR_ORDER)
                out.append(text_run(chunk, fallback))
        return out

    def lines(self, text: str) -> list[str]:
        """Non-empty lines: each becomes a paragraph (公文 has no blank lines inside the body)."""
        return [line for line in self.clean(text).split("\n") if line.strip()]

    def one_line(self, text: str) -> str:
        return "".join(self.lines(text))

    def add(self, props: etree._Element | None, text: str = "") -> None:
        self.blocks.append(paragraph(props, *self.runs(text)))

    def blank(self, *, keep: bool = False) -> None:
        self.blocks.append(paragraph(ppr(keep_next=True) if keep else None))

    # --- blocks ------------------------------------------------------------------------------
    def title(self, text: str, style: str) -> None:
        runs: list[etree._Element] = []
        chars = TITLE_CHARS * self.text_width / oxml.TEXT_W
        for index, line in enumerate(break_title(self.one_line(text), chars)):
            if index:
                runs.append(oxml.line_break_run())
            runs.extend(self.runs(line))
        self.blocks.append(paragraph(ppr(style=style), *runs))

    def recipients(self) -> None:
        text = self.one_line(self.doc.recipients).rstrip("：:")
        if text:
            self.add(ppr(style="GwRecipients"), text + "：")

    def body(self) -> None:
        lines = [(para.kind, line) for para in self.doc.body for line in self.lines(para.text)]
        for index, (kind, line) in enumerate(lines):
            if index == len(lines) - 1:
                # The last paragraph keeps with 附件说明, 署名 and 成文日期: a page with only the
                # signature block is a fault (7.3.5.5). LibreOffice moves the paragraph whole; widow
                # control makes a renderer that splits it move two lines at least.
                props = ppr(style=_STYLE_OF_KIND[kind], keep_next=True, widow_control=True)
            else:
                props = self.shared_ppr(_STYLE_OF_KIND[kind])
            self.add(props, line)

    def closing(self) -> None:
        """附件说明, 署名 and 成文日期, kept on one page with the end of the body."""
        if self.doc.attachments:
            self.blank(keep=True)
            self.attachment_note()
        if self.doc.seal:
            # Two blank lines: the seal's top within one line below the text above it, 署名 and date
            # a little below its centre (42 mm is a little over four 28.95 pt lines).
            self.blank(keep=True)
            self.blank(keep=True)
            self.sealed_signature()
        else:
            self.blank(keep=True)
            self.signature()

    def attachment_note(self) -> None:
        """附件：1.名称 — two characters in, wrapped lines under the name's first character."""
        items = self.doc.attachments
        lead = oxml.CHAR * 2  # the paragraph's first-line indent
        label = _advance("附件：")
        for number, item in enumerate(items, 1):
            prefix = f"{number}." if len(items) > 1 else ""
            name = self.one_line(item.title)
            left = lead + label + _advance(prefix)
            hanging = left - lead if number == 1 else _advance(prefix)
            text = ("附件：" if number == 1 else "") + prefix + name
            props = ppr(style="GwAttachNote", keep_next=True, keep_lines=True, ind={"left": left, "hanging": hanging})
            self.add(props, text)

    def sealed_signature(self) -> None:
        """成文日期 four characters from the right; 署名 centred over it (GB/T 9704 7.3.5.1). A 署名
        too long to be centred there moves both left, so that the seal still presses on both."""
        date = format_date(self.doc.date)
        name = self.one_line(self.doc.signature)
        width = oxml.TEXT_W
        centre = width - 4 * oxml.GRID_CHAR - _advance(date) // 2
        centre = min(centre, width - _advance(name) // 2)
        keep = {"keep_next": True, "keep_lines": True}
        if name:
            self.add(ppr(style="GwSignature", **keep, ind={"left": 2 * centre - width, "right": 0}, jc="center"), name)
        if centre == width - 4 * oxml.GRID_CHAR - _advance(date) // 2:
            self.add(ppr(style="GwDate", keep_lines=True, ind={"right": 4 * oxml.GRID_CHAR}, jc="right"), date)
        else:
            self.add(ppr(style="GwDate", keep_lines=True, ind={"left": 2 * centre - width, "right": 0}, jc="center"), date)

    def signature(self) -> None:
        """Not sealed: 署名 two characters from the right; the date below it starting two characters
        further right; a date longer than that keeps two characters from the right and pushes the
        署名 left (GB/T 9704 7.3.5.2)."""
        date = format_date(self.doc.date)
        name = self.one_line(self.doc.signature)
        two = 2 * oxml.GRID_CHAR
        if not name:
            self.add(ppr(style="GwDate", keep_lines=True, ind={"right": two}), date)
            return
        name_right = two
        date_right = name_right + _advance(name) - two - _advance(date)
        if date_right < two:
            date_right = two
            name_right = date_right + _advance(date) + two - _advance(name)
        self.add(ppr(style="GwSignature", keep_next=True, keep_lines=True, ind={"right": name_right}), name)
        # The standard places the date by its first character: set its start, not its end, so a
        # renderer that widens digits (LibreOffice spaces Latin from Chinese) keeps the 2-char step.
        date_left = oxml.TEXT_W - date_right - _advance(date)
        self.add(ppr(style="GwDate", keep_lines=True, ind={"left": date_left}, jc="left"), date)

    @property
    def text_width(self) -> int:
        return oxml.LANDSCAPE_TEXT_W if self.landscape else oxml.TEXT_W

    def orientation(self, landscape: bool) -> None:
        """Turn the pages from here on: the section written so far ends (on a new page)."""
        if landscape != self.landscape:
            self.new_section(landscape)

    def new_section(self, landscape: bool) -> None:
        """End the section written so far; what follows starts on a new page, turned or not."""
        if not self.blocks or self.blocks[-1].tag != oxml.el("p").tag:
            self.blocks.append(_hairline())  # a section ends in a paragraph, not a table
        oxml.end_section_in(self.blocks[-1], self.landscape)
        self.landscape = landscape

    def attachment(self, item: Attachment, label: str) -> None:
        self.orientation(item.landscape)
        # "附件" ("附件1" … when there are several) on the first line of a new page, the title centred
        # on the third, all kept with the table's first rows.
        self.add(ppr(style="GwAttachLabel"), label)
        self.blank(keep=True)
        self.title(item.title, "GwAttachTitle")
        self.blank(keep=True)
        table = self.table(item.table)
        if table is not None:
            self.blocks.append(table)

    def table(self, table: Table) -> etree._Element | None:
        columns = max([len(table.header)] + [len(row) for row in table.rows])
        if columns == 0:
            return None
        widths = _scale(table.widths, columns, self.text_width)
        header = [table.header[i] if i < len(table.header) else "" for i in range(columns)]
        # Columns of short values (序号, 完成率, 责任单位) are centred; text columns flush left.
        centred = [
            all(text_width(row[i] if i < len(row) else "") <= 6 for row in table.rows) for i in range(columns)
        ]
        rows = [oxml.row([
            oxml.cell(widths[i], self.cell_paragraphs(text, "GwTableHeader", "center"))
            for i, text in enumerate(header)
        ], header=True)]
        for index, values in enumerate(table.rows):
            cells = [values[i] if i < len(values) else "" for i in range(columns)]
            may_split = index < len(table.may_split) and table.may_split[index]
            rows.append(oxml.row([
                oxml.cell(widths[i], self.cell_paragraphs(text, "GwTableText", "center" if centred[i] else None))
                for i, text in enumerate(cells)
            ], may_split=may_split))
        return oxml.table(oxml.table_properties(self.text_width, oxml.grid_borders()), widths, rows)

    def cell_paragraphs(self, text: str, style: str, jc: str | None) -> list[etree._Element]:
        lines = self.lines(text) or [""]  # a cell needs at least one paragraph
        return [paragraph(self.shared_ppr(style, jc), *self.runs(line)) for line in lines]

    def shared_ppr(self, style: str, jc: str | None = None) -> etree._Element:
        """ppr(style=style, jc=jc), built once per style and alignment and copied: a long report has
        thousands of body lines and a hundred thousand table paragraphs."""
        props = self._pprs.get((style, jc))
        if props is None:
            props = self._pprs[(style, jc)] = ppr(style=style, jc=jc)
        return _copy(props)

    def imprint_table(self, imprint: Imprint) -> etree._Element:
        """版记: a table floating at the bottom of the text block, between a 0.35 mm rule above and
        below and 0.25 mm rules between its rows."""
        one = oxml.SMALL_SZ * 10  # one 14 pt character
        rows: list[list[etree._Element]] = []
        cc = self.one_line(imprint.cc).rstrip("。")
        if cc:
            label = 3 * one  # 抄送：, wrapped lines under the first recipient
            props = ppr(style="GwImprint", ind={"left": one + label, "right": one, "hanging": label})
            rows.append([paragraph(props, *self.runs(f"抄送：{cc}。"))])
        printer = self.one_line(imprint.printer)
        props = ppr(style="GwImprint", tabs=[("right", oxml.TEXT_W - one)], ind={"left": one, "right": one})
        rows.append([paragraph(props, *self.runs(f"{printer}\t{format_date(imprint.date)}印发"))])
        borders = oxml.rule_borders(oxml.RULE_OUTER, oxml.RULE_INNER)
        return oxml.table(
            oxml.table_properties(oxml.TEXT_W, borders, cell_margin=0, floating_bottom=True),
            [oxml.TEXT_W],
            [oxml.row([oxml.cell(oxml.TEXT_W, paras)]) for paras in rows],
        )

    def imprint(self, table: etree._Element, *, own_page: bool) -> None:
        """The 版记 at the foot of the last page, or (`own_page`) of an upright page of its own."""
        if own_page:
            self.new_section(landscape=False)
            # LibreOffice floats a table that opens a section back onto the section before.
            self.blocks.append(_hairline())
        elif self.blocks and self.blocks[-1].tag == table.tag:
            # Word joins two adjacent tables into one; a hairline paragraph keeps them apart.
            self.blocks.append(_hairline())
        self.blocks.append(table)
        # The floating table's anchor (Word anchors a floating table to the paragraph after it).
        self.blocks.append(_hairline())

    def masthead(self, head: Masthead) -> None:
        """版头 (GB/T 9704 7.2): the red 发文机关标志 with its top 35 mm below the top of the text block;
        two lines below it the 发文字号 (one character in from the left) and 签发人 (one character in
        from the right); the red line 4 mm below that; the title two lines below the line. Off the
        grid, the 版头 takes exactly MASTHEAD_ROWS grid lines, so the title and all that follows stay
        on the 22-line grid."""
        pitch = oxml.LINE_PITCH
        mark = self.one_line(head.mark)
        mark_w = sum(char_width(ch) for ch in mark) * MARK_SZ * 10
        scale = min(100, int(oxml.TEXT_W * MARK_FILL * 100 // mark_w)) if mark_w else 100
        glyph_top = MARK_TOP - MARK_GLYPH_TOP  # the mark's line box starts here
        number_top = MARK_TOP + MARK_SZ * 10 + 2 * pitch  # two blank lines below the mark
        rule = number_top + pitch - NUMBER_GLYPH_BOTTOM + RULE_GAP  # 4 mm below the 发文字号
        heights = [glyph_top, MARK_LINE, number_top - glyph_top - MARK_LINE, pitch, rule - number_top - pitch]
        rule_h = MASTHEAD_ROWS * pitch - sum(heights) - oxml.RED_RULE * 20 // 8  # the line takes room too

        def box(height: int, **kwargs) -> etree._Element:
            return ppr(style="GwMasthead", snap_to_grid=False, line=height, **kwargs)

        self.blocks.append(paragraph(box(heights[0])))
        self.blocks.append(paragraph(box(heights[1], jc="center"), *self.runs(mark, rpr(
            self.fonts.title, MARK_SZ, spacing=0, color=oxml.RED, scale=scale))))
        self.blocks.append(paragraph(box(heights[2])))
        number = self.one_line(head.number)
        signer = self.one_line(head.signer)
        if signer:
            one = oxml.GRID_CHAR
            props = box(pitch, tabs=[("right", oxml.TEXT_W - one)], ind={"left": one, "right": one}, jc="left")
            runs = self.runs(f"{number}\t签发人：") + self.runs(signer, rpr(self.fonts.heading2))
            self.blocks.append(paragraph(props, *runs))
        else:
            self.blocks.append(paragraph(box(pitch, jc="center"), *self.runs(number)))
        self.blocks.append(paragraph(box(heights[4])))
        rule_line = oxml.border("top", oxml.RED_RULE, oxml.RED)
        self.blocks.append(paragraph(box(rule_h, border_top=rule_line)))

    def build(self) -> list[etree._Element]:
        if self.doc.masthead is not None:
            self.masthead(self.doc.masthead)
        self.title(self.doc.title, "GwTitle")
        self.blank()
        self.recipients()
        self.body()
        self.closing()
        for number, item in enumerate(self.doc.attachments, 1):
            self.attachment(item, "附件" if len(self.doc.attachments) == 1 else f"附件{number}")
        return self.blocks

    def warnings(self) -> list[str]:
        out = []
        if self.fallback_chars:
            chars = "、".join(self.fallback_chars)
            out.append(f"以下字符不在 GB2312 字符集内，已改用“{self.fonts.fallback}”字体：{chars}")
        if self.forbidden_chars:
            codes = "、".join(f"U+{ord(c):04X}" for c in self.forbidden_chars)
            out.append(f"已删除 Word 无法保存的控制字符：{codes}")
        head = self.doc.masthead
        year = doc_number_year(head.number) if head is not None else None
        if year is not None and year != self.doc.date.year:
            out.append(f"发文字号“{head.number}”的年份是 {year} 年，成文日期是 {self.doc.date.year} 年，请确认发文字号")
        return out


def _hairline() -> etree._Element:
    """An empty paragraph 1 pt high, off the grid: takes no visible room."""
    return paragraph(ppr(style="GwImprint", snap_to_grid=False, line=20))


def _split_gb2312(text: str) -> Iterator[tuple[str, bool]]:
    """Runs of characters inside / outside GB2312. Almost all text is inside: one encode decides."""
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        pass
    else:
        if text:
            yield text, True
        return
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or _in_gb2312(text[index]) != _in_gb2312(text[start]):
            yield text[start:index], _in_gb2312(text[start])
            start = index


@functools.lru_cache(maxsize=4096)
def _in_gb2312(ch: str) -> bool:
    """In the GB2312 fonts. Python's gb2312 codec maps A1AA/A1A4 to U+2015/U+30FB, Windows (and the
    fonts) to — U+2014 and · U+00B7; so go by the GBK code: GB2312 is GBK's rows A1-F7, cells A1-FE."""
    if ch < "\x80":
        return True
    try:
        code = ch.encode("gbk")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and 0xA1 <= code[0] <= 0xF7 and 0xA1 <= code[1] <= 0xFE


def _advance(text: str) -> int:
    """Width in twips of 16 pt body text, with its -0.25 pt character spacing."""
    return sum(round(char_width(ch) * oxml.CHAR) + oxml.BODY_CHAR_SPACING for ch in text)


def _scale(weights: list[float], columns: int, total: int) -> list[int]:
    weights = (list(weights) + [1.0] * columns)[:columns]
    if any(w <= 0 for w in weights):
        weights = [1.0] * columns
    widths = [int(total * w / sum(weights)) for w in weights]
    widths[-1] += total - sum(widths)
    return widths


# --- package ------------------------------------------------------------------------------------
def render_docx(doc: Document, *, timestamp: dt.datetime | None = None) -> tuple[bytes, list[str]]:
    """The .docx bytes for `doc` and warnings (Chinese) about what could not be set as asked."""
    writer = _Writer(doc)
    blocks = writer.build()
    styles = oxml.styles_element(doc.fonts)
    imprint_page: bool | None = None  # the 版记 has a page of its own, numbered (True) or not
    if doc.imprint is not None:
        table = writer.imprint_table(doc.imprint)
        imprint_page = _imprint_page(blocks, styles, writer.landscape, table)
        writer.imprint(table, own_page=imprint_page is not None)
    when = timestamp or dt.datetime.combine(doc.date, dt.time())
    if when.tzinfo is not None:  # core properties are written in UTC
        when = when.astimezone(dt.timezone.utc).replace(tzinfo=None)

    package = docx.Document()
    _drop_template_parts(package)
    styles_part = package.part.part_related_by(RT.STYLES)
    styles_part._element = styles  # our styles only
    oxml.fix_settings(package.settings.element)
    _set_font_table(package, doc)
    _set_app_properties(package)
    _set_core_properties(package, doc, writer, when)

    sect_pr = oxml.replace_body(package.element.body, writer.blocks)
    oxml.set_page_layout(sect_pr, landscape=writer.landscape, start="evenPage" if imprint_page is not None else None)
    _set_footers(package, doc, imprint_page)

    return package_zip(_members(package), when), writer.warnings()


class _Members:
    """Takes the package's files from python-docx's PackageWriter (in place of the zip file it would
    write), so that the package is compressed once, by package_zip, not written, read back and written
    again: a tenth of a second at 20,000 records. The files are those package.save() writes."""

    def __init__(self):
        self.files: dict[str, bytes] = {}

    def write(self, pack_uri, blob: bytes) -> None:
        self.files[pack_uri.membername] = blob

    def close(self) -> None:
        pass


def _members(package) -> dict[str, bytes]:
    from docx.opc.pkgwriter import PackageWriter

    opc = package.part.package
    parts = opc.parts
    for part in parts:  # what OpcPackage.save() does before it writes
        part.before_marshal()
    members = _Members()
    PackageWriter._write_content_types_stream(members, parts)
    PackageWriter._write_pkg_rels(members, opc.rels)
    PackageWriter._write_parts(members, parts)
    return members.files


def _imprint_page(blocks: list[etree._Element], styles: etree._Element, landscape: bool,
                  table: etree._Element) -> bool | None:
    """Where the 版记 goes (GB/T 9704 7.4, 7.5): None for the foot of the last content page, when
    that page is upright, even and has room; else a page of its own, the next even one, numbered
    (True) when it directly follows the content, unnumbered (False) when a blank page comes between.

    Word and LibreOffice cannot place by page parity, so the pages model (kjplan.render.paging)
    works out where the content ends; the 版记's own section starts on an even page (w:type
    evenPage), so that it lands on the back of the last sheet even where a renderer paginates
    differently from the model. The 版记 stays on the content's page only when the model agrees
    for LibreOffice and for Word (which spaces Latin and digits differently)."""
    final = oxml.section_facts(oxml.section_end(landscape))
    need = paging.table_height(table, styles) + oxml.LINE_PITCH  # and a line clear of the text
    facts = paging.read(blocks, styles, final)

    def fits(layout: paging.Layout) -> bool:
        return len(layout.pages) % 2 == 0 and layout.last.free >= need

    pages = paging.paginate(*facts.items(latin_gap=True))
    if not landscape and fits(pages) and fits(paging.paginate(*facts.items(latin_gap=False))):
        return None
    return len(pages.pages) % 2 == 1


def _set_footers(package, doc: Document, imprint_page: bool | None) -> None:
    """Page numbers on every page of the content sections, odd and even (GB/T 9704 7.5), turned with
    the sheet on sideways pages (§8); the 版记's own page is numbered only when no blank page comes
    before it, and the odd footer of its section is empty (a blank page a renderer puts before it
    carries no number)."""
    sections = list(package.sections)
    kinds = ["sideways" if s.orientation == WD_ORIENT.LANDSCAPE else "upright" for s in sections]
    if imprint_page is not None:
        kinds[-1] = "imprint-numbered" if imprint_page else "imprint"
    font = doc.fonts.page_number
    made: dict[str, list[etree._Element]] = {}
    for section, kind in zip(sections, kinds):
        if kind in made:
            oxml.set_footer_references(section._sectPr, made[kind])
            continue
        for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
            footer.is_linked_to_previous = False
            element = footer._element
            for child in list(element):
                element.remove(child)
            if kind == "sideways":
                content = oxml.sideways_page_number(font, odd=odd)
            elif kind == "upright" or (kind == "imprint-numbered" and not odd):
                content = [oxml.page_number_paragraph(font, odd=odd)]
            else:
                content = [oxml.paragraph(oxml.ppr(style="GwPageNumber"))]
            for child in content:
                element.append(child)
        made[kind] = oxml.footer_references(section._sectPr)


def _drop_template_parts(package) -> None:
    for rels in (package.part.rels, package.part.package.rels):
        for rId, rel in list(rels.items()):
            if rel.reltype in _DROPPED_RELS or rel.reltype == RT.THUMBNAIL:
                del rels[rId]


def _set_font_table(package, doc: Document) -> None:
    part = package.part.part_related_by(RT.FONT_TABLE)
    names = dict.fromkeys(
        [doc.fonts.body, doc.fonts.title, doc.fonts.heading1, doc.fonts.heading2, doc.fonts.page_number,
         doc.fonts.fallback]
    )
    part._blob = oxml.font_table(list(names))


def _set_app_properties(package) -> None:
    for part in package.part.package.iter_parts():
        if part.partname == "/docProps/app.xml":
            part._blob = oxml.APP_PROPERTIES


def _set_core_properties(package, doc: Document, writer: _Writer, when: dt.datetime) -> None:
    core = package.core_properties
    core.title = writer.clean(doc.title).replace("\n", "")
    core.author = writer.clean(doc.signature).replace("\n", "")
    core.last_modified_by = ""
    core.comments = ""
    core.subject = ""
    core.keywords = ""
    core.category = ""
    core.language = "zh-CN"
    core.revision = 1
    core.created = when
    core.modified = when
