"""The attachment table as printed (LibreOffice): nothing of a long cell is lost, the header comes back
on every sideways page. Skipped where LibreOffice or the fonts are missing (see test_docx_render)."""

from __future__ import annotations

import collections

import pytest

from docx_helpers import sample_document, write
from kjplan.render.docx import render_docx
from kjplan.render.document import Attachment, Table
from kjplan.render.pdf import convert_to_pdf
from kjplan.render.text import KEEP_LINES, column_widths
from render_helpers import render_skip_reason

HEADER = ["序号", "重点任务", "责任单位", "进展情况", "存在问题", "下一步打算", "进度"]
SENTENCE = "组织企业开展技术对接，召开专题推进会，累计服务企业{n}家（第{n}条记录）。"


def rows() -> list[list[str]]:
    """A busy year: three items whose progress runs over several pages each, and two short ones."""
    out = []
    for number in range(1, 6):
        long = number in (2, 3, 4)
        progress = "\n".join(f"第{n % 7 + 1}科室：" + SENTENCE.format(n=number * 1000 + n) for n in range(45)) if long \
            else "完成阶段任务。"
        out.append([str(number), "提升科技成果转移转化能力", "成果转化科", progress, "人员不足。", "继续推进。", "序时推进"])
    return out


def printed_table(tmp_path, may_split: list[bool]) -> tuple[collections.Counter, list[str]]:
    """The table's characters as LibreOffice prints them, and the first line of each sideways page."""
    pdfplumber = pytest.importorskip("pdfplumber", reason="pip install pdfplumber (the test extra)")
    table_rows = rows()
    widths, _ = column_widths(HEADER, table_rows)
    document = sample_document(
        attachments=[Attachment("统计表", Table(HEADER, table_rows, widths, may_split), landscape=True)],
        imprint=None)
    pdf = convert_to_pdf(write(tmp_path, render_docx(document)[0]), tmp_path / "out")
    printed: collections.Counter = collections.Counter()
    heads = []
    with pdfplumber.open(pdf) as opened:
        for page in (p for p in opened.pages if p.width > p.height):
            # The table's characters: 12 pt and upright (the page number stands turned at the sheet's foot).
            chars = [c for c in page.chars if c["size"] < 13 and c["upright"] and not c["text"].isspace()]
            first = min(c["top"] for c in chars)
            heads.append("".join(c["text"] for c in sorted((c for c in chars if c["top"] - first < 2),
                                                            key=lambda c: c["x0"])))
            printed.update(c["text"] for c in chars)
            printed.subtract(collections.Counter("".join(HEADER)))  # the repeated header row
    return printed, heads


@pytest.fixture
def renders():
    reason = render_skip_reason()
    if reason:
        pytest.skip(reason)


@pytest.mark.render
def test_rows_longer_than_a_page_break_across_pages_and_lose_nothing(tmp_path, renders):
    """A row kept whole (cantSplit) that is taller than a page gets cut off: LibreOffice 7.4 dropped
    25 characters of three such rows, and Word clips them too. Long rows may therefore break."""
    _, heights = column_widths(HEADER, rows())
    may_split = [h > KEEP_LINES for h in heights]
    assert may_split == [False, True, True, True, False]
    expected = collections.Counter(ch for row in rows() for cell in row for ch in cell if not ch.isspace())
    printed, heads = printed_table(tmp_path, may_split)
    assert len(heads) >= 6 and all(head == "".join(HEADER) for head in heads)  # the header on every page
    assert +(expected - printed) == collections.Counter(), "characters of the table missing from the PDF"
