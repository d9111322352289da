"""The printed pages as a whole (GB/T 9704): title shape, what keeps together, the signature block,
the 版记 on the last even page, the 版头. LibreOffice renders fixtures built to make each case
happen, all in one run, and pdfplumber measures the PDFs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from docx_helpers import SMALL_TABLE, report, sample_document
from kjplan.render.docx import render_docx
from kjplan.render.document import Attachment, Masthead
from render_helpers import (
    BLOCK_LEFT,
    BLOCK_RIGHT,
    BLOCK_TOP,
    CHAR,
    HEADING,
    LANDSCAPE_BLOCK,
    MM,
    PITCH,
    Line,
    landscape,
    page_lines,
    render_all,
    render_skip_reason,
)

pytestmark = pytest.mark.render

TITLE_CHAR = 22 / MM  # one 二号 character, mm
NUMBER_CHAR = 14 / MM  # one 四号 character (page numbers), mm
PERIOD = re.compile(r"\d{4}年(?:第[一二三四]季度|上半年|前三季度)")
REPORT_TITLES = [f"中共渭南市科学技术局党组关于2020年{p}科技工作要点落实情况的报告"
                 for p in ("第一季度", "第二季度", "上半年", "前三季度")]
SIXTY = ("渭南市科学技术局关于进一步加强全市科技创新平台建设推动高新技术企业高质量发展"
         "和科技成果转移转化工作的实施意见及其配套措施")

def _example(quarter: str, cumulative: bool) -> bytes:
    """The example workspace's report, as `kjplan report` writes it."""
    import tempfile

    from kjplan.report_job import build_model
    from kjplan.report_job import render_docx as report_docx
    from kjplan.workspace import init_workspace

    with tempfile.TemporaryDirectory(prefix="kjplan-example-") as tmp:
        ws = init_workspace(Path(tmp) / "示例工作区", example=True)
        model = build_model(ws, quarter, cumulative=cumulative, today=dt.date(2020, 7, 6))
        return report_docx(ws, model, dt.date(2020, 7, 6))[0]


FIXTURES = {
    # The body ends on the last line of page 1: its last paragraph goes over with the signature;
    # page 2 is even and has room, so the 版记 stands at its foot.
    "last-line": lambda: report(10, 9),
    # The content ends on page 3 (odd): the 版记 takes page 4, numbered.
    "odd-end": lambda: report(10, 9, 22, 5),
    # The content fills page 2 (even) to its last line: a blank page 3, the 版记 on page 4, both
    # without a number.
    "even-full": lambda: report(10, 9, 15, 3),
    # A body of one page and an attachment on one sheet turned sideways (page 2, even): blank page
    # 3 and the 版记 upright on page 4, unnumbered.
    "landscape-even": lambda: report(10, attachments=[Attachment("重点任务推进情况表", SMALL_TABLE, landscape=True)]),
    "titles": lambda: report(3, imprint=None, attachments=[
        Attachment(title, SMALL_TABLE) for title in [*REPORT_TITLES, SIXTY]]),
    "masthead": lambda: sample_document(
        title=REPORT_TITLES[1], attachments=[], imprint=None,
        masthead=Masthead("中共渭南市科学技术局党组文件", "渭科党发〔2020〕12号", "张三")),
    "unsealed": lambda: report(4, seal=False, imprint=None),
    "example-q2": lambda: _example("2", False),
    "example-h1": lambda: _example("2", True),
}


@dataclass
class Page:
    lines: list[Line]
    footer: str
    footer_chars: list[dict] = field(repr=False)
    turned: bool
    text: str
    chars: list[dict] = field(repr=False)
    rules: list[dict] = field(repr=False)
    pdf_page: object = field(repr=False)

    @property
    def blank(self) -> bool:
        return not self.text.strip() and not self.footer


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, list[Page]]:
    reason = render_skip_reason()
    if reason:
        pytest.skip(reason)
    pdfplumber = pytest.importorskip("pdfplumber", reason="pip install pdfplumber (the test extra)")
    folder = tmp_path_factory.mktemp("pages")
    docs = {}
    for name, make in FIXTURES.items():
        made = make()
        docs[name] = made if isinstance(made, bytes) else render_docx(made)[0]
    out: dict[str, list[Page]] = {}
    for name, path in render_all(docs, folder).items():
        pages = []
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                lines, footer = page_lines(page)
                rules = [r for r in page.lines + page.rects if _red(r.get("stroking_color"))
                         or _red(r.get("non_stroking_color"))]
                pages.append(Page(lines, "".join(c["text"] for c in footer).strip(), footer, landscape(page),
                                  "".join(line.text for line in lines), list(page.chars), rules, None))
            if name == "masthead":
                pages[0].pdf_page = pdf.pages[0].to_image(resolution=200).original
        out[name] = pages
    return out


def _red(colour) -> bool:
    return isinstance(colour, (tuple, list)) and len(colour) == 3 and colour[0] > 0.9 and max(colour[1:]) < 0.1


def _signature_page(pages: list[Page], name: str) -> int:
    """The page with the 署名 over the 成文日期."""
    (index,) = [i for i, p in enumerate(pages) if any(
        a.text == name and b.text.replace(" ", "") == "2020年7月6日" for a, b in zip(p.lines, p.lines[1:]))]
    return index


# --- title ---------------------------------------------------------------------------------------
def _shape_ok(widths: list[float]) -> bool:
    """A trapezoid or a diamond: lengths change one way, or rise then fall."""
    falling = False
    for a, b in zip(widths, widths[1:]):
        if b < a:
            falling = True
        elif falling:
            return False
    return True


def test_titles_are_trapezoids_or_diamonds_with_periods_whole(printed):
    titles = [[line for line in page.lines if abs(line.size - 22) < 0.1] for page in printed["titles"]
              if page.lines and re.fullmatch(r"附件\d", page.lines[0].text)]
    expected = [*REPORT_TITLES, SIXTY]
    assert len(titles) == len(expected)
    for lines, title in zip(titles, expected):
        assert "".join(line.text for line in lines).replace(" ", "") == title
        assert 2 <= len(lines) <= 4, [line.text for line in lines]
        assert [line.row for line in lines] == list(range(lines[0].row, lines[0].row + len(lines)))
        widths = [(line.x1 - line.x0) / TITLE_CHAR for line in lines]
        assert _shape_ok(widths), [line.text for line in lines]
        # Two characters apart at least (the measured width includes LibreOffice's spacing of digits).
        assert all(abs(a - b) >= 1.75 for a, b in zip(widths, widths[1:])), (widths, [line.text for line in lines])
        for line in lines:
            assert BLOCK_LEFT - 0.5 <= line.x0 and line.x1 <= BLOCK_RIGHT + 0.5
            assert abs((line.x0 + line.x1) / 2 - (BLOCK_LEFT + BLOCK_RIGHT) / 2) < 1.5
        for period in PERIOD.findall(title):
            assert any(period in line.text.replace(" ", "") for line in lines), (period, [line.text for line in lines])
    # The reports' own titles: the issuer on the first line, the document type whole on the last.
    for lines in titles[:4]:
        assert lines[0].text == "中共渭南市科学技术局党组" and lines[-1].text == "落实情况的报告"


def test_report_title_in_print(printed):
    lines = [line for line in printed["example-q2"][0].lines if abs(line.size - 22) < 0.1]
    assert [line.text.replace(" ", "") for line in lines] == [
        "中共渭南市科学技术局党组", "关于2020年第二季度科技工作要点", "落实情况的报告"]
    h1 = [line for line in printed["example-h1"][0].lines if abs(line.size - 22) < 0.1]
    assert any("2020年上半年" in line.text.replace(" ", "") for line in h1)


# --- keeping together ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [n for n in FIXTURES if n != "titles"])
def test_no_page_ends_with_a_heading(printed, name):
    for number, page in enumerate(printed[name], 1):
        body = [line for line in page.lines if abs(line.size - 16) < 0.1]
        if body:
            assert not HEADING.match(body[-1].text), (number, body[-1].text)


@pytest.mark.parametrize("name", ["last-line", "odd-end", "even-full", "landscape-even", "unsealed", "example-q2",
                                  "example-h1"])
def test_the_signature_page_has_body_text(printed, name):
    pages = printed[name]
    signature = "中共渭南市科学技术局党组" if name.startswith("example") else "渭南市科学技术局"
    index = _signature_page(pages, signature)
    rows = {line.text.replace(" ", ""): line.row for line in pages[index].lines}
    above = [line for line in pages[index].lines if line.row < rows[signature] and abs(line.size - 16) < 0.1
             and not line.text.startswith("附件：")]
    assert len(above) >= 1, f"{name}: page {index + 1} has only the signature block"
    assert rows["2020年7月6日"] == rows[signature] + 1


def test_a_body_ending_on_the_last_line_takes_its_last_paragraph_over(printed):
    first, second = printed["last-line"][:2]
    # Without keeping, the body would fill page 1 to row 21 and leave 署名 and date alone on page 2.
    assert first.lines[-1].row == 12
    assert [line.row for line in second.lines[:9]] == list(range(9))  # the 9-line paragraph, whole
    assert second.lines[9].text == "渭南市科学技术局" and second.lines[9].row == 11  # two blank lines: the seal


def test_table_header_row_never_ends_a_page(printed):
    for name in ("example-q2", "example-h1"):
        for page in printed[name]:
            header = [i for i, line in enumerate(page.lines) if line.text.replace(" ", "").startswith("序号")]
            if header:
                assert len(page.lines) > header[0] + 1, name


# --- signature block ---------------------------------------------------------------------------------
def test_sealed_date_four_characters_from_the_right_signature_centred_over_it(printed):
    page = printed["last-line"][1]
    rows = {line.text.replace(" ", ""): line for line in page.lines}
    name, date = rows["渭南市科学技术局"], rows["2020年7月6日"]
    assert abs((BLOCK_RIGHT - date.x1) / CHAR - 4) < 0.25, (BLOCK_RIGHT - date.x1) / CHAR
    # Centred over the date; LibreOffice spaces the date's digits from its Chinese (Word does not),
    # which makes it about a character wider and moves its centre half a character left.
    assert abs((name.x0 + name.x1) / 2 - (date.x0 + date.x1) / 2) / CHAR < 0.75
    # Two blank lines above the 署名 for the seal (its top within one line below the text).
    body = [line for line in page.lines if line.row < name.row]
    assert name.row - body[-1].row == 3


def test_unsealed_signature_two_characters_from_the_right_date_two_further(printed):
    pages = printed["unsealed"]
    page = pages[_signature_page(pages, "渭南市科学技术局")]
    rows = {line.text.replace(" ", ""): line for line in page.lines}
    name, date = rows["渭南市科学技术局"], rows["2020年7月6日"]
    assert abs((BLOCK_RIGHT - name.x1) / CHAR - 2) < 0.25
    assert abs((date.x0 - name.x0) / CHAR - 2) < 0.25
    assert name.row - max(line.row for line in page.lines if line.row < name.row) == 2  # one blank line


# --- 版记 ---------------------------------------------------------------------------------------------
def _imprint_page(pages: list[Page]) -> int:
    (index,) = [i for i, p in enumerate(pages) if p.text.replace(" ", "").endswith("印发")]
    return index


@pytest.mark.parametrize("name, page, blank_before, numbered", [
    ("last-line", 2, False, True),  # at the foot of the last content page (even, with room)
    ("odd-end", 4, False, True),
    ("even-full", 4, True, False),
    ("landscape-even", 4, True, False),
])
def test_imprint_on_the_last_even_page(printed, name, page, blank_before, numbered):
    pages = printed[name]
    index = _imprint_page(pages)
    assert index == len(pages) - 1 == page - 1
    assert pages[index - 1].blank == blank_before
    _check_imprint_page(pages)
    assert (pages[index].footer != "") == numbered


@pytest.mark.parametrize("name", ["example-q2", "example-h1"])
def test_example_reports_imprint_on_the_last_even_page(printed, name):
    _check_imprint_page(printed[name])


def _check_imprint_page(pages: list[Page]) -> None:
    """The 版记 on the last page, an even one, upright, its last line on the block's last line; a
    blank page before it and the 版记 page carry no number; a 版记 page right after content does."""
    index = _imprint_page(pages)
    assert index == len(pages) - 1 and (index + 1) % 2 == 0
    imprint = pages[index]
    assert not imprint.turned
    printer = [line for line in imprint.lines if line.text.replace(" ", "").endswith("印发")]
    assert printer[0].row == 21
    if pages[index - 1].blank:
        assert imprint.footer == "" and pages[index - 1].footer == ""
    else:  # at the foot of the last content page, or on a page of its own right after it
        assert imprint.footer == f"\u2014 {index + 1} \u2014"


def test_pages_model_agrees_with_libreoffice(printed):
    """The docx writer decides where the 版记 goes from its pages model: it must count LibreOffice's
    pages right for every fixture."""
    import zipfile

    from lxml import etree

    from kjplan.render import oxml, paging

    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for name, make in FIXTURES.items():
        made = make()
        data = made if isinstance(made, bytes) else render_docx(made)[0]
        with zipfile.ZipFile(__import__("io").BytesIO(data)) as zf:
            body = etree.fromstring(zf.read("word/document.xml")).find(f"{ns}body")
            styles = etree.fromstring(zf.read("word/styles.xml"))
        blocks = [b for b in body if b.tag != f"{ns}sectPr"]
        layout = paging.paginate(*paging.flow(blocks, styles, oxml.section_facts(body.find(f"{ns}sectPr"))))
        assert len(layout.pages) == len(printed[name]), name
        for page, model in zip(printed[name], layout.pages):
            if page.lines and not page.turned and not model.blank:
                last = max(line.row for line in page.lines if line.centre_y < BLOCK_TOP + 22 * PITCH)
                assert abs(model.used / 579 - (last + 1)) < 1 or page.text.endswith("印发"), (name, model)


# --- sideways pages ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["example-q2", "landscape-even"])
def test_sideways_pages_keep_their_numbers_where_the_bound_sheet_has_them(printed, name):
    """GB/T 9704 §8: a table turned sideways keeps its page number at the foot of the sheet as bound
    (the sideways page's left edge), turned with the sheet: odd pages at the block's end, even pages
    at its start, one character in; the table's head on the binding side of odd pages and on the
    outer side of even ones, which is the top of every sideways page (the sheet turned one way)."""
    pages = printed[name]
    sideways = [i for i, page in enumerate(pages) if page.turned]
    assert sideways
    for index in sideways:
        page, number = pages[index], index + 1
        assert page.footer == f"\u2014 {number} \u2014"
        chars = page.footer_chars
        assert all(not c["upright"] for c in chars)  # turned with the sheet
        x = (min(c["x0"] for c in chars) + max(c["x1"] for c in chars)) / 2 / MM
        assert abs(LANDSCAPE_BLOCK[2] - x - 7) < 1.0, x  # 7 mm outside the block, like the upright pages
        first, last = min(c["top"] for c in chars) / MM, max(c["bottom"] for c in chars) / MM
        if number % 2:
            assert abs(LANDSCAPE_BLOCK[1] - last - NUMBER_CHAR) < 1.0, last
        else:
            assert abs(first - LANDSCAPE_BLOCK[0] - NUMBER_CHAR) < 1.0, first
        # The table's head row at the top of the sideways page.
        assert any(line.text.replace(" ", "").startswith("序号") for line in page.lines[:3])


# --- 版头 ---------------------------------------------------------------------------------------------
def test_masthead(printed):
    page = printed["masthead"][0]
    marks = [c for c in page.chars if c["size"] > 30]
    assert "".join(c["text"] for c in marks) == "中共渭南市科学技术局党组文件"
    assert all(_red(c["non_stroking_color"]) for c in marks)
    # The mark's top 35 mm below the top of the text block: measured on the ink, as the eye does.
    image = page.pdf_page.convert("RGB")
    scale = image.height / 297
    pixels = image.load()
    red_rows = [y for y in range(int((BLOCK_TOP + 20) * scale), int((BLOCK_TOP + 60) * scale))
                if any(_red_pixel(pixels[x, y]) for x in range(0, image.width, 3))]
    assert abs(red_rows[0] / scale - BLOCK_TOP - 35) < 1.0, red_rows[0] / scale - BLOCK_TOP
    # 发文字号 one character in from the left, 签发人 (name in 楷体) one in from the right, same line.
    (number,) = [line for line in page.lines if line.text.replace(" ", "").startswith("渭科党发〔2020〕12号")]
    assert number.text.replace(" ", "").endswith("签发人：张三")
    assert abs(number.x0 - BLOCK_LEFT - CHAR) < 0.5 and abs(BLOCK_RIGHT - number.x1 - CHAR) < 0.5
    # The red line: as wide as the text block, 4 mm below the 发文字号.
    (rule,) = {(round(r["x0"]), round(r["x1"]), round(r["top"])): r for r in page.rules}.values()
    assert abs(rule["x0"] / MM - BLOCK_LEFT) < 0.5 and abs(rule["x1"] / MM - BLOCK_RIGHT) < 0.5
    bottom = max(c["bottom"] for c in number.chars if c["text"] not in "〔〕") / MM
    assert 3.0 <= rule["top"] / MM - bottom <= 5.0, rule["top"] / MM - bottom
    # The title two lines below the line, on the grid (row 10 of 22), the body on the grid after it.
    title = [line for line in page.lines if abs(line.size - 22) < 0.1]
    assert title[0].row == 10 and [line.row for line in title] == [10, 11, 12]
    assert 1.5 <= (title[0].centre_y - rule["top"] / MM) / PITCH <= 3.0
    body = [line for line in page.lines if abs(line.size - 16) < 0.1 and line.row > 12]
    # 主送 and the body, on the grid (the heading after it went over to keep with its text).
    assert [line.row for line in body] == list(range(14, 14 + len(body))) and len(body) >= 7


def _red_pixel(p) -> bool:
    return p[0] > 180 and p[1] < 90 and p[2] < 90
