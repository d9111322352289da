"""The .docx read back: page, grid, fonts, footers, blocks, determinism (no LibreOffice needed)."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Twips

from docx_helpers import (
    NS,
    report,
    effective,
    effective_ppr,
    paragraphs_with_style,
    part,
    sample_document,
    text_of,
    write,
)
from kjplan.render.docx import render_docx
from kjplan.render.document import Attachment, Imprint, Masthead, Paragraph, Table
from kjplan.render.titles import text_width
from kjplan.settings import FontSettings

W_T = qn("w:t")


@pytest.fixture(scope="module")
def rendered():
    data, warnings = render_docx(sample_document())
    return data, warnings


@pytest.fixture(scope="module")
def xml(rendered):
    data, _ = rendered
    return {
        "document": part(data, "word/document.xml"),
        "styles": part(data, "word/styles.xml"),
        "settings": part(data, "word/settings.xml"),
    }


def body_paragraphs(xml):
    return xml["document"].findall("w:body/w:p", NS)


def test_page_size_and_margins(rendered, tmp_path):
    data, _ = rendered
    section = docx.Document(str(write(tmp_path, data))).sections[0]
    assert (section.page_width, section.page_height) == (Twips(11906), Twips(16838))
    assert section.top_margin == Twips(2098)
    assert section.bottom_margin == Twips(1984)
    assert section.left_margin in (Twips(1587), Twips(1588))
    assert section.right_margin == Twips(1474)


def test_line_grid_and_exact_spacing(xml):
    grid = xml["document"].find("w:body/w:sectPr/w:docGrid", NS)
    assert grid.get(qn("w:type")) == "lines"
    assert grid.get(qn("w:linePitch")) == "579"
    body = paragraphs_with_style(xml["document"], "GwBody")
    for p in body:
        assert effective_ppr(xml["styles"], p, "w:spacing", "w:line") == "579"
        assert effective_ppr(xml["styles"], p, "w:spacing", "w:lineRule") == "exact"
        assert effective_ppr(xml["styles"], p, "w:spacing", "w:after") == "0"
        # 28 characters a line: 16 pt condensed by 0.25 pt.
        assert effective(xml["styles"], p, None, "w:spacing", "w:val") == "-5"
        assert effective_ppr(xml["styles"], p, "w:ind", "w:firstLineChars") == "200"
    for p in body[:-1]:  # widow control would cost a line a page in LibreOffice
        assert effective_ppr(xml["styles"], p, "w:widowControl", "w:val") == "0"
    # ...except on the last paragraph: at least two of its lines go with the signature block.
    assert effective_ppr(xml["styles"], body[-1], "w:widowControl", "w:val") == "1"


@pytest.mark.parametrize(
    "style, font, size",
    [
        ("GwTitle", "方正小标宋简体", "44"),
        ("GwRecipients", "仿宋_GB2312", "32"),
        ("GwBody", "仿宋_GB2312", "32"),
        ("GwHeading1", "黑体", "32"),
        ("GwHeading2", "楷体_GB2312", "32"),
        ("GwHeading3", "仿宋_GB2312", "32"),
        ("GwHeading4", "仿宋_GB2312", "32"),
        ("GwSignature", "仿宋_GB2312", "32"),
        ("GwDate", "仿宋_GB2312", "32"),
        ("GwAttachLabel", "黑体", "32"),
        ("GwAttachTitle", "方正小标宋简体", "44"),
        ("GwImprint", "仿宋_GB2312", "28"),
    ],
)
def test_fonts_and_sizes(xml, style, font, size):
    paragraphs = paragraphs_with_style(xml["document"], style)
    assert paragraphs, f"no {style} paragraph"
    for p in paragraphs:
        for r in p.findall("w:r", NS):
            if r.find("w:rPr/w:rFonts", NS) is not None:
                continue  # a fallback run (characters outside GB2312)
            for slot in ("w:eastAsia", "w:ascii", "w:hAnsi", "w:cs"):
                assert effective(xml["styles"], p, r, "w:rFonts", slot) == font, (style, slot)
            assert effective(xml["styles"], p, r, "w:rFonts", "w:hint") == "eastAsia"
            assert effective(xml["styles"], p, r, "w:sz", "w:val") == size


def test_configured_fonts_are_used():
    fonts = FontSettings(body="仿宋", heading2="楷体", title="方正小标宋_GBK")
    data, _ = render_docx(sample_document(fonts=fonts))
    styles, document = part(data, "word/styles.xml"), part(data, "word/document.xml")
    body = paragraphs_with_style(document, "GwBody")[0]
    assert effective(styles, body, body.find("w:r", NS), "w:rFonts", "w:eastAsia") == "仿宋"
    h2 = paragraphs_with_style(document, "GwHeading2")[0]
    assert effective(styles, h2, h2.find("w:r", NS), "w:rFonts", "w:eastAsia") == "楷体"
    title = paragraphs_with_style(document, "GwTitle")[0]
    assert effective(styles, title, title.find("w:r", NS), "w:rFonts", "w:eastAsia") == "方正小标宋_GBK"


def test_blocks_in_order(xml):
    paragraphs = body_paragraphs(xml)
    styles = [p.find("w:pPr/w:pStyle", NS) for p in paragraphs]
    names = [s.get(qn("w:val")) if s is not None else None for s in styles]
    assert names[:3] == ["GwTitle", None, "GwRecipients"]  # one blank line between title and 主送
    assert text_of(paragraphs[2]) == "中共渭南市委、渭南市人民政府："
    note = names.index("GwAttachNote")
    assert names[note - 1] is None  # one blank line after the body
    assert text_of(paragraphs[note]) == "附件：渭南市2020年科技工作要点第二季度推进情况统计表"
    sig = names.index("GwSignature")
    # Sealed: two blank lines, the seal's top within one line below 附件说明.
    assert names[sig - 3 : sig] == ["GwAttachNote", None, None] and names[sig + 1] == "GwDate"
    assert text_of(paragraphs[sig]) == "渭南市科学技术局"
    assert text_of(paragraphs[sig + 1]) == "2020年7月6日"
    label = names.index("GwAttachLabel")
    assert text_of(paragraphs[label]) == "附件"  # one attachment: no number
    assert names[label + 1] is None and names[label + 2] == "GwAttachTitle"  # title on the third line


def test_headings_and_the_closing_block_keep_with_what_follows(xml):
    for style_id in ("GwHeading1", "GwHeading2", "GwHeading3", "GwHeading4", "GwAttachLabel", "GwAttachTitle",
                     "GwTableHeader"):
        (style,) = xml["styles"].xpath("w:style[@w:styleId=$id]", namespaces=NS, id=style_id)
        assert style.find("w:pPr/w:keepNext", NS) is not None, style_id
    paragraphs = body_paragraphs(xml)
    last_body = paragraphs.index(paragraphs_with_style(xml["document"], "GwBody")[-1])
    date = paragraphs.index(paragraphs_with_style(xml["document"], "GwDate")[0])
    # From the last body paragraph to the 署名, every paragraph keeps with the next: the end of the
    # body, 附件说明, 署名 and 成文日期 share a page.
    for p in paragraphs[last_body:date]:
        assert p.find("w:pPr/w:keepNext", NS) is not None, text_of(p)
    for p in paragraphs[last_body + 1 : date + 1]:
        if text_of(p):
            assert p.find("w:pPr/w:keepLines", NS) is not None, text_of(p)
    assert paragraphs[date].find("w:pPr/w:keepNext", NS) is None


def test_body_newlines_become_paragraphs_of_the_same_kind(xml):
    document = xml["document"]
    assert not any("\n" in (t.text or "") for t in document.iter(W_T))
    body_texts = [text_of(p) for p in paragraphs_with_style(document, "GwBody")]
    source = [line for para in sample_document().body if para.kind == "body" for line in para.text.split("\n")]
    assert body_texts == source


def test_attachment_starts_a_new_page_and_its_table(xml):
    (label_style,) = xml["styles"].xpath("w:style[@w:styleId='GwAttachLabel']", namespaces=NS)
    assert label_style.find("w:pPr/w:pageBreakBefore", NS) is not None
    tables = xml["document"].findall("w:body/w:tbl", NS)
    table = tables[0]
    rows = table.findall("w:tr", NS)
    assert len(rows) == 17
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
    assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in rows[1:])
    widths = [int(c.get(qn("w:w"))) for c in table.findall("w:tblGrid/w:gridCol", NS)]
    assert sum(widths) == 8844
    assert widths[1] == widths[3] and widths[1] > 3 * widths[0]
    assert table.find("w:tblPr/w:tblBorders/w:insideH", NS).get(qn("w:val")) == "single"
    cell_p = rows[1].find("w:tc/w:p", NS)
    assert effective_ppr(xml["styles"], cell_p, "w:snapToGrid", "w:val") == "0"
    assert effective_ppr(xml["styles"], cell_p, "w:spacing", "w:lineRule") == "exact"
    assert effective(xml["styles"], cell_p, None, "w:sz", "w:val") == "24"
    header_p = rows[0].find("w:tc/w:p", NS)
    assert effective(xml["styles"], header_p, None, "w:rFonts", "w:eastAsia") == "黑体"


def test_imprint_floats_at_the_bottom_between_rules(xml):
    table = xml["document"].findall("w:body/w:tbl", NS)[-1]
    float_pr = table.find("w:tblPr/w:tblpPr", NS)
    assert float_pr.get(qn("w:vertAnchor")) == "margin"
    assert float_pr.get(qn("w:tblpYSpec")) == "bottom"
    borders = table.find("w:tblPr/w:tblBorders", NS)
    assert borders.find("w:top", NS).get(qn("w:sz")) == "8"
    assert borders.find("w:bottom", NS).get(qn("w:sz")) == "8"
    assert borders.find("w:insideH", NS).get(qn("w:sz")) == "6"
    texts = [text_of(p) for p in table.iter(qn("w:p"))]
    assert texts[0] == "抄送：市委办公室，市人大常委会办公室，市政府办公室，市政协办公室。"
    assert texts[1] == "渭南市科学技术局办公室2020年7月6日印发"  # the tab (w:tab) separates them
    assert table.findall(".//w:tab", NS)
    printer_p = list(table.iter(qn("w:p")))[1]
    assert printer_p.find("w:pPr/w:ind", NS).get(qn("w:left")) == "280"  # one 14 pt character in
    assert printer_p.find("w:pPr/w:ind", NS).get(qn("w:right")) == "280"


def _ind(p, side: str) -> int:
    return int(p.find("w:pPr/w:ind", NS).get(qn(f"w:{side}")) or 0)


def test_sealed_signature_centred_over_a_date_four_characters_from_the_right(xml):
    sig = paragraphs_with_style(xml["document"], "GwSignature")[0]
    date = paragraphs_with_style(xml["document"], "GwDate")[0]
    assert date.find("w:pPr/w:jc", NS).get(qn("w:val")) == "right"
    assert _ind(date, "right") == 4 * 315  # 右空四字
    date_centre = 8844 - 4 * 315 - (3 * 315 + 6 * 155) / 2  # 2020年7月6日: 3 characters, 6 digits
    assert sig.find("w:pPr/w:jc", NS).get(qn("w:val")) == "center"
    sig_centre = (_ind(sig, "left") + 8844 - _ind(sig, "right")) / 2
    assert abs(sig_centre - date_centre) <= 5


def test_a_long_sealed_signature_moves_both_left_and_stays_centred():
    name = "中共渭南市科学技术局党组办公室机关委员会"  # centred over the date it would overflow
    data, _ = render_docx(sample_document(signature=name))
    document = part(data, "word/document.xml")
    sig = paragraphs_with_style(document, "GwSignature")[0]
    date = paragraphs_with_style(document, "GwDate")[0]
    assert _ind(sig, "right") == 0 and _ind(sig, "left") == 8844 - len(name) * 315
    assert date.find("w:pPr/w:jc", NS).get(qn("w:val")) == "center"
    assert (_ind(date, "left"), _ind(date, "right")) == (_ind(sig, "left"), 0)


def test_unsealed_signature_and_date_placement():
    data, _ = render_docx(sample_document(seal=False))
    document = part(data, "word/document.xml")
    styles = part(data, "word/styles.xml")
    paragraphs = document.findall("w:body/w:p", NS)
    sig = paragraphs_with_style(document, "GwSignature")[0]
    date = paragraphs_with_style(document, "GwDate")[0]
    index = paragraphs.index(sig)
    assert text_of(paragraphs[index - 1]) == "" and text_of(paragraphs[index - 2]).startswith("附件：")
    assert effective_ppr(styles, sig, "w:jc", "w:val") == "right"
    assert _ind(sig, "right") == 630  # two characters from the right
    sig_start = 8844 - 630 - 8 * 315
    assert _ind(date, "left") == sig_start + 630  # first character two characters right of the 署名's


def test_several_attachments_are_numbered_with_aligned_wraps():
    table = Table(["序号", "事项"], [["1", "甲"]], [1, 4])
    doc = sample_document(
        attachments=[
            Attachment("渭南市2020年科技工作要点第二季度推进情况统计表", table),
            Attachment("重点项目清单", table),
        ]
    )
    data, _ = render_docx(doc)
    notes = paragraphs_with_style(part(data, "word/document.xml"), "GwAttachNote")
    assert [text_of(p) for p in notes] == [
        "附件：1.渭南市2020年科技工作要点第二季度推进情况统计表",
        "2.重点项目清单",
    ]
    ind = [p.find("w:pPr/w:ind", NS) for p in notes]
    lefts = {i.get(qn("w:left")) for i in ind}
    assert len(lefts) == 1  # wrapped lines all start under the first character of the names
    first_line_start = [int(i.get(qn("w:left"))) - int(i.get(qn("w:hanging"))) for i in ind]
    assert first_line_start[0] == 640  # two characters in
    assert first_line_start[1] == 640 + 3 * 315  # "2." under "1."
    labels = paragraphs_with_style(part(data, "word/document.xml"), "GwAttachLabel")
    assert [text_of(p) for p in labels] == ["附件1", "附件2"]  # several attachments: numbered


def test_page_number_footers(rendered, xml, tmp_path):
    data, _ = rendered
    assert xml["settings"].find("w:evenAndOddHeaders", NS) is not None
    sect = xml["document"].find("w:body/w:sectPr", NS)
    kinds = {ref.get(qn("w:type")) for ref in sect.findall("w:footerReference", NS)}
    assert {"default", "even"} <= kinds
    section = docx.Document(str(write(tmp_path, data))).sections[0]
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        (p,) = footer._element.findall("w:p", NS)
        assert p.find("w:pPr/w:jc", NS).get(qn("w:val")) == ("right" if odd else "left")
        ind = p.find("w:pPr/w:ind", NS)
        assert ind.get(qn("w:right" if odd else "w:left")) == "280"  # one 四号 character in
        runs = p.findall("w:r", NS)
        kinds = [r.find("w:fldChar", NS).get(qn("w:fldCharType")) for r in runs if r.find("w:fldChar", NS) is not None]
        assert kinds == ["begin", "separate", "end"]
        assert "".join(i.text for i in p.iter(qn("w:instrText"))).strip() == "PAGE"
        assert text_of(p) == "\u2014 1 \u2014"
        for r in runs:  # every run of the field carries the run properties
            assert r.find("w:rPr/w:rFonts", NS).get(qn("w:eastAsia")) == "宋体"
            assert r.find("w:rPr/w:rFonts", NS).get(qn("w:ascii")) == "宋体"
            assert r.find("w:rPr/w:sz", NS).get(qn("w:val")) == "28"


def test_template_syntax_stays_literal(xml):
    (p,) = [p for p in xml["document"].iter(qn("w:p")) if "{{" in text_of(p)]
    assert "模板语法如{{ 7*7 }}按原样保留。" in text_of(p)
    assert "49" not in text_of(p)


def test_characters_outside_gb2312_use_the_fallback_font(rendered, xml):
    _, warnings = rendered
    runs = {r.find("w:t", NS).text: r for r in xml["document"].iter(qn("w:r")) if r.find("w:t", NS) is not None}
    for ch in ("𠮷", "👍", "喆"):
        (run,) = [r for text, r in runs.items() if ch in text]
        fonts = run.find("w:rPr/w:rFonts", NS)
        assert {fonts.get(qn(f"w:{s}")) for s in ("ascii", "hAnsi", "eastAsia", "cs")} == {"宋体"}
        assert ch in warnings[0]
    assert "GB2312" in warnings[0]


def test_long_title_lines_fit(xml):
    doc = sample_document(title="渭南市科学技术局关于进一步加强全市科技创新平台建设推动高新技术企业高质量发展"
                                "和科技成果转移转化工作的实施意见及其配套措施")
    data, _ = render_docx(doc)
    title = paragraphs_with_style(part(data, "word/document.xml"), "GwTitle")[0]
    lines, current = [], ""
    for r in title.findall("w:r", NS):
        if r.find("w:br", NS) is not None:
            lines.append(current)
            current = ""
        current += "".join(t.text or "" for t in r.findall("w:t", NS))
    lines.append(current)
    assert "".join(lines) == doc.title
    assert len(lines) >= 3
    assert all(text_width(line) <= 20 for line in lines)
    assert effective_ppr(part(data, "word/styles.xml"), title, "w:jc", "w:val") == "center"
    assert effective_ppr(part(data, "word/styles.xml"), title, "w:ind", "w:firstLine") is None


def test_output_is_deterministic():
    first, _ = render_docx(sample_document())
    second, _ = render_docx(sample_document())
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        names = zf.namelist()
        assert names[0] == "[Content_Types].xml"
        assert {info.date_time for info in zf.infolist()} == {(2020, 7, 6, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert "2020-07-06T00:00:00Z" in core
    later, _ = render_docx(sample_document(), timestamp=dt.datetime(2020, 7, 8, 9, 30))
    assert later != first
    assert "2020-07-08T09:30:00Z" in zipfile.ZipFile(io.BytesIO(later)).read("docProps/core.xml").decode()


def test_nothing_left_from_the_default_template(rendered):
    data, _ = rendered
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            blob = zf.read(name)
            assert b"eastAsiaTheme" not in blob, name
            assert b"ja-JP" not in blob, name
            assert b"python-docx" not in blob, name
        assert "word/stylesWithEffects.xml" not in zf.namelist()
        assert not [n for n in zf.namelist() if n.startswith("customXml") or "thumbnail" in n]
    settings = part(data, "word/settings.xml")
    assert settings.find("w:themeFontLang", NS).get(qn("w:eastAsia")) == "zh-CN"
    styles = part(data, "word/styles.xml")
    defaults = styles.find("w:docDefaults", NS)
    assert defaults.find("w:rPrDefault/w:rPr/w:lang", NS).get(qn("w:eastAsia")) == "zh-CN"
    fonts = defaults.find("w:rPrDefault/w:rPr/w:rFonts", NS)
    assert all(fonts.get(qn(f"w:{s}")) for s in ("ascii", "hAnsi", "eastAsia", "cs"))
    assert defaults.find("w:pPrDefault/w:pPr/w:spacing", NS).get(qn("w:after")) == "0"
    assert defaults.find("w:pPrDefault/w:pPr/w:widowControl", NS).get(qn("w:val")) == "0"


def test_control_characters_are_dropped_with_a_warning():
    doc = sample_document(body=[Paragraph("body", "响铃\x07字符\r\n换行")], attachments=[], imprint=None)
    data, warnings = render_docx(doc)
    texts = [text_of(p) for p in paragraphs_with_style(part(data, "word/document.xml"), "GwBody")]
    assert texts == ["响铃字符", "换行"]
    assert any("U+0007" in w for w in warnings)


def test_minimal_document_without_attachments_or_imprint():
    doc = sample_document(recipients="", attachments=[], imprint=None, signature="")
    data, warnings = render_docx(doc)
    document = part(data, "word/document.xml")
    assert not paragraphs_with_style(document, "GwRecipients")
    assert not paragraphs_with_style(document, "GwAttachNote")
    assert not document.findall("w:body/w:tbl", NS)
    assert [text_of(p) for p in paragraphs_with_style(document, "GwDate")] == ["2020年7月6日"]


def test_imprint_without_cc_has_one_row():
    doc = sample_document(imprint=Imprint("", "渭南市科学技术局办公室", dt.date(2020, 7, 6)))
    data, _ = render_docx(doc)
    table = part(data, "word/document.xml").findall("w:body/w:tbl", NS)[-1]
    assert len(table.findall("w:tr", NS)) == 1


def test_ragged_and_empty_tables():
    ragged = Table(["序号", "事项"], [["1", "甲", "多出的一列"], ["2"]], [1, 3])
    empty = Table([], [], [])
    doc = sample_document(attachments=[Attachment("表一", ragged), Attachment("表二", empty)])
    data, _ = render_docx(doc)
    tables = part(data, "word/document.xml").findall("w:body/w:tbl", NS)
    assert len(tables) == 2  # the ragged table and the 版记; the empty table is left out
    rows = tables[0].findall("w:tr", NS)
    assert [len(r.findall("w:tc", NS)) for r in rows] == [3, 3, 3]
    assert sum(int(c.get(qn("w:w"))) for c in tables[0].findall("w:tblGrid/w:gridCol", NS)) == 8844


def _sections(data: bytes) -> list:
    """Every section's sectPr in body order (those inside paragraphs end a section there)."""
    return part(data, "word/document.xml").findall(".//w:sectPr", NS)


def test_landscape_attachment_is_a_section_of_its_own(tmp_path):
    document = sample_document()
    landscape = [Attachment(a.title, a.table, landscape=True) for a in document.attachments]
    data, _ = render_docx(sample_document(attachments=landscape))
    root = part(data, "word/document.xml")
    body, end = root.find("w:body", NS), _sections(data)
    assert len(end) == 3  # body | attachment | 版记 (set upright again)
    # The body's section ends in the date's paragraph: no empty paragraph, no extra page.
    holder = end[0].getparent().getparent()
    assert holder.tag == qn("w:p") and text_of(holder) == "2020年7月6日"
    # Each section says its own page: portrait, landscape (the sheet turned, same text block), portrait.
    sizes = [(s.find("w:pgSz", NS).get(qn("w:w")), s.find("w:pgSz", NS).get(qn("w:orient"))) for s in end]
    assert sizes == [("11906", None), ("16838", "landscape"), ("11906", None)]
    margins = {k: int(end[1].find("w:pgMar", NS).get(qn(f"w:{k}"))) for k in ("top", "right", "bottom", "left")}
    assert margins == {"top": 1588, "right": 2098, "bottom": 1474, "left": 1984}
    # Page numbers go on through every section (no restart), odd and even footers each: upright on
    # the body's pages, turned with the sheet along the sideways pages' left edge (§8), and the
    # 版记's own page (an even page: w:type evenPage) has footers of its own.
    refs = [[(r.get(qn("w:type")), r.get(qn("r:id"))) for r in s.findall("w:footerReference", NS)] for s in end]
    assert all({t for t, _ in r} == {"default", "even"} for r in refs)
    assert len({rid for r in refs for _, rid in r}) == 6
    footers = _footer_texts(data, end[1])
    assert footers == {"default": "\u2014 1 \u2014", "even": "\u2014 1 \u2014"}
    rels = {r.get("Id"): r.get("Target") for r in part(data, "word/_rels/document.xml.rels")}
    for _, rid in refs[1]:
        footer = part(data, "word/" + rels[rid])
        (cell,) = footer.findall("w:tbl/w:tr/w:tc", NS)
        assert cell.find("w:tcPr/w:textDirection", NS).get(qn("w:val")) == "tbRl"
        assert footer.find("w:tbl/w:tblPr/w:tblpPr", NS).get(qn("w:horzAnchor")) == "page"
    assert [s.find("w:type", NS) is not None and s.find("w:type", NS).get(qn("w:val")) for s in end] == [
        False, False, "evenPage"]
    assert all(s.find("w:pgNumType", NS) is None for s in end)  # no restart
    # The table fills the landscape text block (225 mm) and keeps its repeated header row.
    (table,) = [t for t in body.findall("w:tbl", NS) if t.find("w:tblPr/w:tblpPr", NS) is None]
    assert sum(int(c.get(qn("w:w"))) for c in table.findall("w:tblGrid/w:gridCol", NS)) == 12756
    assert table.find("w:tr/w:trPr/w:tblHeader", NS) is not None
    # python-docx reads the same three sections back.
    sections = docx.Document(str(write(tmp_path, data))).sections
    assert [s.orientation for s in sections] == [0, 1, 0]


def test_portrait_attachments_keep_one_section():
    data, _ = render_docx(sample_document(imprint=None))
    assert len(_sections(data)) == 1


def _footer_texts(data: bytes, sect) -> dict[str, str]:
    """Footer type -> its text, for one section."""
    rels = part(data, "word/_rels/document.xml.rels")
    targets = {r.get("Id"): r.get("Target") for r in rels}
    return {ref.get(qn("w:type")): text_of(part(data, "word/" + targets[ref.get(qn("r:id"))]))
            for ref in sect.findall("w:footerReference", NS)}


def test_imprint_at_the_foot_of_an_even_last_page_with_room():
    data, _ = render_docx(report(10, 9))  # the body ends on page 2, with room below it
    (sect,) = _sections(data)
    assert sect.find("w:type", NS) is None
    imprint = part(data, "word/document.xml").findall("w:body/w:tbl", NS)[-1]
    assert imprint.find("w:tblPr/w:tblpPr", NS).get(qn("w:tblpYSpec")) == "bottom"


def test_imprint_after_an_odd_last_page_takes_the_next_page_numbered():
    data, _ = render_docx(report(10, 9, 22, 5))  # the content ends on page 3
    content, imprint = _sections(data)
    assert imprint.find("w:type", NS).get(qn("w:val")) == "evenPage"
    assert _footer_texts(data, content) == {"default": "\u2014 1 \u2014", "even": "\u2014 1 \u2014"}
    assert _footer_texts(data, imprint) == {"default": "", "even": "\u2014 1 \u2014"}  # the page number stays
    # The section break sits in the date's paragraph: no empty line, no extra page.
    assert text_of(content.getparent().getparent()) == "2020年7月6日"


def test_imprint_after_a_full_even_page_after_a_blank_page_unnumbered():
    data, _ = render_docx(report(10, 9, 15, 3))  # the content fills page 2 to its last line
    content, imprint = _sections(data)
    assert imprint.find("w:type", NS).get(qn("w:val")) == "evenPage"
    assert _footer_texts(data, imprint) == {"default": "", "even": ""}
    assert _footer_texts(data, content) == {"default": "\u2014 1 \u2014", "even": "\u2014 1 \u2014"}


def test_no_imprint_no_extra_section():
    data, _ = render_docx(report(10, 9, 15, 3, imprint=None))
    (sect,) = _sections(data)
    assert sect.find("w:type", NS) is None and set(_footer_texts(data, sect).values()) == {"\u2014 1 \u2014"}


def test_masthead_takes_ten_grid_lines_in_red():
    head = Masthead("中共渭南市科学技术局党组文件", "渭科党发〔2020〕12号", "张三")
    data, _ = render_docx(sample_document(masthead=head))
    document, styles = part(data, "word/document.xml"), part(data, "word/styles.xml")
    paragraphs = document.findall("w:body/w:p", NS)
    masthead = paragraphs_with_style(document, "GwMasthead")
    assert paragraphs[: len(masthead)] == masthead and paragraphs[len(masthead)] is paragraphs_with_style(
        document, "GwTitle")[0]
    heights = [int(p.find("w:pPr/w:spacing", NS).get(qn("w:line"))) for p in masthead]
    rule = masthead[-1].find("w:pPr/w:pBdr/w:top", NS)
    assert rule.get(qn("w:color")) == "FF0000" and rule.get(qn("w:val")) == "single"
    # The boxes and the line's width fill exactly ten 28.95 pt grid lines: the title stays on the grid.
    assert sum(heights) + int(rule.get(qn("w:sz"))) * 20 // 8 == 10 * 579
    assert all(effective_ppr(styles, p, "w:snapToGrid", "w:val") == "0" for p in masthead)
    (mark,) = [p for p in masthead if text_of(p) == head.mark]
    run = mark.find("w:r", NS)
    assert run.find("w:rPr/w:color", NS).get(qn("w:val")) == "FF0000"
    assert run.find("w:rPr/w:sz", NS).get(qn("w:val")) == "84"  # 初号
    assert run.find("w:rPr/w:rFonts", NS).get(qn("w:eastAsia")) == "方正小标宋简体"
    scale = int(run.find("w:rPr/w:w", NS).get(qn("w:val")))
    assert 14 * 42 * scale / 100 <= 442.2 * 0.95  # narrowed to fit the line
    (number,) = [p for p in masthead if text_of(p).startswith("渭科党发")]
    assert number.find("w:pPr/w:ind", NS).get(qn("w:left")) == "315"  # one character in from the left
    assert number.find("w:pPr/w:ind", NS).get(qn("w:right")) == "315"
    assert number.find("w:pPr/w:tabs/w:tab", NS).get(qn("w:pos")) == str(8844 - 315)
    name = number.findall("w:r", NS)[-1]
    assert text_of(name) == "张三" and name.find("w:rPr/w:rFonts", NS).get(qn("w:eastAsia")) == "楷体_GB2312"
    short = Masthead("渭南市科学技术局文件", "渭科发〔2020〕3号")
    data, _ = render_docx(sample_document(masthead=short))
    masthead = paragraphs_with_style(part(data, "word/document.xml"), "GwMasthead")
    (mark,) = [p for p in masthead if text_of(p) == short.mark]
    assert int(mark.find("w:r/w:rPr/w:w", NS).get(qn("w:val"))) == 100  # short enough at full width
    (number,) = [p for p in masthead if text_of(p) == short.number]  # no 签发人: centred
    assert number.find("w:pPr/w:jc", NS).get(qn("w:val")) == "center"


def test_same_bytes_whatever_the_hash_seed(tmp_path):
    """Byte-identical output for the same input, across processes (set and dict order included):
    a 版头, a sideways attachment and a 版记 whose page the pages model decides."""
    import subprocess
    import sys

    code = (
        "import sys, datetime as dt\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from docx_helpers import SMALL_TABLE as T, report\n"
        "from kjplan.render.docx import render_docx\n"
        "from kjplan.render.document import Attachment, Masthead\n"
        "doc = report(10, 9, 15, masthead=Masthead('中共渭南市科学技术局党组文件', '渭科党发〔2020〕12号', '张三'),\n"
        "             attachments=[Attachment('重点任务推进情况表', T, landscape=True)])\n"
        "sys.stdout.buffer.write(render_docx(doc)[0])\n"
    )
    tests = str(Path(__file__).resolve().parent)
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outputs.append(subprocess.run([sys.executable, "-c", code, tests], env=env, capture_output=True,
                                      check=True).stdout)
    assert outputs[0] == outputs[1] and outputs[0].startswith(b"PK")


def test_rows_are_kept_whole_unless_they_may_split():
    table = Table(["序号", "事项"], [["1", "短"], ["2", "很长\n" * 40], ["3", "短"]], [1, 5], may_split=[False, True])
    data, _ = render_docx(sample_document(attachments=[Attachment("统计表", table)]))
    (tbl,) = [t for t in part(data, "word/document.xml").findall("w:body/w:tbl", NS)
              if t.find("w:tblPr/w:tblpPr", NS) is None]
    kept = [row.find("w:trPr/w:cantSplit", NS) is not None for row in tbl.findall("w:tr", NS)]
    assert kept == [True, True, False, True]  # header, row 1, row 2 may break, row 3 (not listed): whole
