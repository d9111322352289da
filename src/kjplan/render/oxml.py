"""Every raw WordprocessingML element the GB/T 9704 layout needs and python-docx has no API for.

Elements are built with their children already in schema order (ISO/IEC 29500 transitional), and
existing elements are edited with `set_child`, which inserts at the schema position: Word rejects
out-of-order children that LibreOffice silently accepts. Sizes are in twips (1/20 pt) unless the
name says otherwise; font sizes in half-points (`w:sz`).
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from docx.oxml.ns import nsmap, qn
from lxml import etree

from kjplan.settings import FontSettings

# --- the page (GB/T 9704 5.2) ------------------------------------------------------------------
PAGE_W, PAGE_H = 11906, 16838  # A4
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 2098, 1984, 1588, 1474
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 8844 twips = 156 mm
# A page turned sideways (GB/T 9704 §8) is the portrait sheet rotated a quarter turn clockwise: the
# portrait's left margin (binding side) is its top, the portrait's top margin its right, so the text
# block keeps its place on the sheet (225 x 156 mm).
LANDSCAPE_MARGINS = {"top": MARGIN_LEFT, "right": MARGIN_TOP, "bottom": MARGIN_RIGHT, "left": MARGIN_BOTTOM}
LANDSCAPE_TEXT_W = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM  # 12756 twips = 225 mm
# On a sideways sheet the page number stands along the left edge (the foot of the sheet as bound), its
# line's middle this far outside the text block (7 mm, as the upright pages' dashes are below it).
SIDEWAYS_NUMBER_GAP = 440
# Distance from the bottom page edge to the bottom of the footer line; chosen by rendering so the
# page number's em dashes sit about 7 mm below the text block (the number's line box is ~7 mm tall).
FOOTER_DIST = 1361
LINE_PITCH = 579  # 28.95 pt: 22 lines in the 225 mm block (580 gives 21)
BODY_SZ = 32  # 三号 16 pt
TITLE_SZ = 44  # 二号 22 pt
SMALL_SZ = 28  # 四号 14 pt: page numbers, 版记
TABLE_SZ = 24  # 小四 12 pt: attachment tables
TABLE_LINE = 360  # exact 18 pt lines inside tables, off the 28.95 pt grid
# Condense 16 pt characters by 0.25 pt: 28 x 15.75 pt = 441 pt fits the 442.2 pt line, in Word and
# in LibreOffice alike (a linesAndChars grid gives 14 a line in LibreOffice 7.4).
BODY_CHAR_SPACING = -5
CHAR = 320  # one 16 pt character, for indents
GRID_CHAR = CHAR + BODY_CHAR_SPACING  # 315: one character's advance on the 28-character line
RULE_OUTER, RULE_INNER = 8, 6  # 版记 rules: 0.35 mm and 0.25 mm in eighths of a point
RED, RED_RULE = "FF0000", 12  # 版头: red 发文机关标志 and a red line 1.5 pt wide
MM = 1440 / 25.4  # twips per millimetre

# --- schema child orders used by set_child ------------------------------------------------------
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd "
    "tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc "
    "textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
    "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd "
    "fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath"
).split()
SECTPR_ORDER = (
    "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType "
    "pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid "
    "printerSettings sectPrChange"
).split()
SETTINGS_ORDER = (
    "writeProtection view zoom removePersonalInformation removeDateAndTime doNotDisplayPageBoundaries "
    "displayBackgroundShape printPostScriptOverText printFractionalCharacterWidth printFormsData "
    "embedTrueTypeFonts embedSystemFonts saveSubsetFonts saveFormsData mirrorMargins "
    "alignBordersAndEdges bordersDoNotSurroundHeader bordersDoNotSurroundFooter gutterAtTop "
    "hideSpellingErrors hideGrammaticalErrors activeWritingStyle proofState formsDesign "
    "attachedTemplate linkStyles stylePaneFormatFilter stylePaneSortMethod documentType mailMerge "
    "revisionView trackRevisions doNotTrackMoves doNotTrackFormatting documentProtection "
    "autoFormatOverride styleLockTheme styleLockQFSet defaultTabStop autoHyphenation "
    "consecutiveHyphenLimit hyphenationZone doNotHyphenateCaps showEnvelope summaryLength "
    "clickAndTypeStyle defaultTableStyle evenAndOddHeaders bookFoldRevPrinting bookFoldPrinting "
    "bookFoldPrintingSheets drawingGridHorizontalSpacing drawingGridVerticalSpacing "
    "displayHorizontalDrawingGridEvery displayVerticalDrawingGridEvery "
    "doNotUseMarginsForDrawingGridOrigin drawingGridHorizontalOrigin drawingGridVerticalOrigin "
    "doNotShadeFormData noPunctuationKerning characterSpacingControl printTwoOnOne "
    "strictFirstAndLastChars noLineBreaksAfter noLineBreaksBefore savePreviewPicture "
    "doNotValidateAgainstSchema saveInvalidXml ignoreMixedContent alwaysShowPlaceholderText "
    "doNotDemarcateInvalidXml saveXmlDataOnly useXSLTWhenSaving saveThroughXslt showXMLTags "
    "alwaysMergeEmptyNamespace updateFields hdrShapeDefaults footnotePr endnotePr compat docVars rsids "
    "m:mathPr attachedSchema themeFontLang clrSchemeMapping doNotIncludeSubdocsInStats "
    "doNotAutoCompressPictures forceUpgrade captions readModeInkLockDown smartTagType "
    "sl:schemaLibrary shapeDefaults doNotEmbedSmartTags decimalSymbol listSeparator"
).split()


@functools.lru_cache(maxsize=None)
def _qn(tag: str) -> str:
    return qn(tag if ":" in tag else f"w:{tag}")


@functools.lru_cache(maxsize=None)
def _ns_of(tag: str) -> dict[str, str]:
    prefix = tag.split(":")[0] if ":" in tag else "w"
    return {prefix: nsmap[prefix]}


_factory = threading.local()


def _make(tag: str, nsmap: dict[str, str]) -> etree._Element:
    """etree.Element(tag, nsmap=nsmap), made by the makeelement of one element per thread: etree.Element
    gives every element a new document, which appending it to its parent then has to move it out of
    (an eighth of the cost of each of the hundred thousand elements of a long report). The bytes
    written are the same."""
    make = getattr(_factory, "make", None)
    if make is None:
        make = _factory.make = etree.Element("kjplan-factory").makeelement
    return make(tag, nsmap=nsmap)


def el(tag: str, attrs: dict[str, object] | None = None, *children: etree._Element | None) -> etree._Element:
    """A `w:` element (prefix optional) with string attributes and the given children, in order.

    Plain lxml elements rather than python-docx's OxmlElement: a long report builds a hundred
    thousand of them."""
    element = _make(_qn(tag), _ns_of(tag))
    if attrs:
        for key, value in attrs.items():
            element.set(_qn(key), str(value))
    for child in children:
        if child is not None:
            element.append(child)
    return element


def set_child(parent: etree._Element, child: etree._Element, order: Sequence[str]) -> etree._Element:
    """Put `child` into `parent` at its schema position, replacing an existing one of its tag."""
    names = [_qn(t) for t in order]
    old = parent.find(child.tag)
    if old is not None:
        parent.replace(old, child)
        return child
    after = names[names.index(child.tag) + 1 :]
    for index, existing in enumerate(parent):
        if existing.tag in after:
            parent.insert(index, child)
            return child
    parent.append(child)
    return child


def remove_children(parent: etree._Element, *tags: str) -> None:
    for tag in tags:
        for found in parent.findall(_qn(tag)):
            parent.remove(found)


# --- run and paragraph properties ---------------------------------------------------------------
def fonts(name: str) -> etree._Element:
    """All four font slots, and East Asian width for ambiguous punctuation (“ ” — …)."""
    return el("rFonts", {"ascii": name, "hAnsi": name, "eastAsia": name, "cs": name, "hint": "eastAsia"})


def rpr(
    font: str | None = None,
    size: int | None = None,
    *,
    spacing: int | None = None,
    bold: bool = False,
    lang: bool = False,
    color: str | None = None,
    scale: int | None = None,
) -> etree._Element:
    """Run properties in schema order (rFonts, b, bCs, color, spacing, w, sz, szCs, lang); `scale`
    is the characters' width in percent."""
    return el(
        "rPr",
        None,
        fonts(font) if font else None,
        el("b") if bold else None,
        el("bCs") if bold else None,
        el("color", {"val": color}) if color else None,
        el("spacing", {"val": spacing}) if spacing is not None else None,
        el("w", {"val": scale}) if scale is not None else None,
        el("sz", {"val": size}) if size else None,
        el("szCs", {"val": size}) if size else None,
        el("lang", {"val": "en-US", "eastAsia": "zh-CN", "bidi": "ar-SA"}) if lang else None,
    )


def ppr(
    *,
    style: str | None = None,
    page_break_before: bool = False,
    widow_control: bool | None = None,
    tabs: Sequence[tuple[str, int]] = (),
    auto_space: bool | None = None,
    snap_to_grid: bool | None = None,
    line: int | None = None,
    ind: dict[str, int] | None = None,
    jc: str | None = None,
    outline_level: int | None = None,
    keep_next: bool = False,
    keep_lines: bool = False,
    border_top: etree._Element | None = None,
) -> etree._Element:
    """Paragraph properties in schema order; `line` is an exact line height, spacing before/after 0;
    `border_top` a `border()` drawn along the top of the paragraph."""
    tab_el = None
    if tabs:
        tab_el = el("tabs", None, *(el("tab", {"val": kind, "pos": pos}) for kind, pos in tabs))
    return el(
        "pPr",
        None,
        el("pStyle", {"val": style}) if style else None,
        el("keepNext") if keep_next else None,
        el("keepLines") if keep_lines else None,
        el("pageBreakBefore") if page_break_before else None,
        el("widowControl", {"val": int(widow_control)}) if widow_control is not None else None,
        el("pBdr", None, border_top) if border_top is not None else None,
        tab_el,
        el("autoSpaceDE", {"val": int(auto_space)}) if auto_space is not None else None,
        el("autoSpaceDN", {"val": int(auto_space)}) if auto_space is not None else None,
        el("snapToGrid", {"val": int(snap_to_grid)}) if snap_to_grid is not None else None,
        el("spacing", {"before": 0, "after": 0, "line": line, "lineRule": "exact"}) if line else None,
        el("ind", ind) if ind else None,
        el("jc", {"val": jc}) if jc else None,
        el("outlineLvl", {"val": outline_level}) if outline_level is not None else None,
    )


def text_run(text: str, props: etree._Element | None = None) -> etree._Element:
    """A run; tabs become w:tab. Newlines must have been split into paragraphs before."""
    assert "\n" not in text and "\r" not in text, "a newline belongs between paragraphs"
    run = el("r", None, props)
    for index, piece in enumerate(text.split("\t")):
        if index:
            run.append(el("tab"))
        if piece:
            t = el("t")
            t.text = piece
            if piece != piece.strip():
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            run.append(t)
    return run


def line_break_run() -> etree._Element:
    return el("r", None, el("br"))


def paragraph(props: etree._Element | None, *runs: etree._Element) -> etree._Element:
    return el("p", None, props, *runs)


# --- styles -------------------------------------------------------------------------------------
# styleId -> (name shown in Word, outline level). Custom names: Word matches built-in styles by name
# and would otherwise merge in its own definition of e.g. "heading 1" or "Title".
STYLE_NAMES = {
    "GwTitle": "公文标题",
    "GwRecipients": "主送机关",
    "GwBody": "公文正文",
    "GwHeading1": "一级标题",
    "GwHeading2": "二级标题",
    "GwHeading3": "三级标题",
    "GwHeading4": "四级标题",
    "GwAttachNote": "附件说明",
    "GwSignature": "发文机关署名",
    "GwDate": "成文日期",
    "GwAttachLabel": "附件标识",
    "GwAttachTitle": "附件标题",
    "GwTableText": "表格文字",
    "GwTableHeader": "表头文字",
    "GwImprint": "版记",
    "GwMasthead": "版头",
    "GwPageNumber": "页码",
}


def _style(style_id: str, p: etree._Element | None, r: etree._Element | None, *, based_on="Normal"):
    return el(
        "style",
        {"type": "paragraph", "customStyle": 1, "styleId": style_id},
        el("name", {"val": STYLE_NAMES[style_id]}),
        el("basedOn", {"val": based_on}),
        el("qFormat"),
        p,
        r,
    )


def styles_element(f: FontSettings) -> etree._Element:
    """The whole w:styles part: document defaults and our styles, nothing from python-docx's template
    (whose styles carry w:eastAsiaTheme, which beats an explicit w:eastAsia, 10 pt space after and
    1.15 line spacing)."""
    first_line = {"firstLine": 2 * CHAR, "firstLineChars": 200}
    no_spacing = 0  # sizes other than 16 pt keep their natural pitch
    styles = el(
        "styles",
        None,
        el(
            "docDefaults",
            None,
            el("rPrDefault", None, rpr(f.body, BODY_SZ, lang=True)),
            el(
                "pPrDefault",
                None,
                el(
                    "pPr",
                    None,
                    el("widowControl", {"val": 0}),
                    # No extra space between Chinese and Latin letters or digits (Word and
                    # LibreOffice add about a quarter em otherwise): characters stay on the grid.
                    el("autoSpaceDE", {"val": 0}),
                    el("autoSpaceDN", {"val": 0}),
                    el("spacing", {"before": 0, "after": 0, "line": LINE_PITCH, "lineRule": "exact"}),
                    el("jc", {"val": "both"}),
                ),
            ),
        ),
        # Normal: 仿宋 三号 on the 28.95 pt grid, condensed to 28 characters a line, widow control off
        # (LibreOffice applies it otherwise and a page loses a line).
        el(
            "style",
            {"type": "paragraph", "default": 1, "styleId": "Normal"},
            el("name", {"val": "Normal"}),
            el("qFormat"),
            ppr(widow_control=False, auto_space=False, line=LINE_PITCH, jc="both"),
            rpr(f.body, BODY_SZ, spacing=BODY_CHAR_SPACING, lang=True),
        ),
        el(
            "style",
            {"type": "character", "default": 1, "styleId": "DefaultParagraphFont"},
            el("name", {"val": "Default Paragraph Font"}),
            el("uiPriority", {"val": 1}),
            el("semiHidden"),
            el("unhideWhenUsed"),
        ),
        el(
            "style",
            {"type": "table", "default": 1, "styleId": "TableNormal"},
            el("name", {"val": "Normal Table"}),
            el("uiPriority", {"val": 99}),
            el("semiHidden"),
            el("unhideWhenUsed"),
            el(
                "tblPr",
                None,
                el("tblInd", {"w": 0, "type": "dxa"}),
                el(
                    "tblCellMar",
                    None,
                    el("top", {"w": 0, "type": "dxa"}),
                    el("left", {"w": 108, "type": "dxa"}),
                    el("bottom", {"w": 0, "type": "dxa"}),
                    el("right", {"w": 108, "type": "dxa"}),
                ),
            ),
        ),
        _style("GwTitle", ppr(jc="center"), rpr(f.title, TITLE_SZ, spacing=no_spacing)),
        _style("GwRecipients", ppr(jc="both"), None),
        _style("GwBody", ppr(ind=first_line, jc="both"), None),
        _style("GwHeading1", ppr(keep_next=True, outline_level=0), rpr(f.heading1), based_on="GwBody"),
        _style("GwHeading2", ppr(keep_next=True, outline_level=1), rpr(f.heading2), based_on="GwBody"),
        _style("GwHeading3", ppr(keep_next=True, outline_level=2), None, based_on="GwBody"),
        _style("GwHeading4", ppr(keep_next=True, outline_level=3), None, based_on="GwBody"),
        _style("GwAttachNote", ppr(jc="left"), None),
        _style("GwSignature", ppr(jc="right"), None),
        _style("GwDate", ppr(jc="right"), None),
        _style("GwAttachLabel", ppr(keep_next=True, page_break_before=True, jc="left"), rpr(f.heading1)),
        _style("GwAttachTitle", ppr(keep_next=True, jc="center"), rpr(f.title, TITLE_SZ, spacing=no_spacing)),
        # Table text leaves the page grid: snapped to 28.95 pt, every row would be a grid line tall.
        _style(
            "GwTableText",
            ppr(snap_to_grid=False, line=TABLE_LINE, jc="left"),
            rpr(f.body, TABLE_SZ, spacing=no_spacing),
        ),
        # keepNext in a row keeps the row on the page of the next one: the header never ends a page.
        _style("GwTableHeader", ppr(keep_next=True, jc="center"), rpr(f.heading1), based_on="GwTableText"),
        _style(
            "GwImprint",
            ppr(snap_to_grid=False, line=LINE_PITCH, jc="left"),
            rpr(f.body, SMALL_SZ, spacing=no_spacing),
        ),
        # 版头 lines are off the grid, each box exactly as tall as its paragraph says.
        _style("GwMasthead", ppr(snap_to_grid=False, jc="center"), rpr(f.body, BODY_SZ, spacing=no_spacing)),
        _style(
            "GwPageNumber",
            ppr(snap_to_grid=False, line=400, jc="right"),
            rpr(f.page_number, SMALL_SZ, spacing=no_spacing),
        ),
    )
    return styles


# --- section ------------------------------------------------------------------------------------
def set_page_layout(sect_pr: etree._Element, *, landscape: bool = False, start: str | None = None) -> None:
    """A4, GB/T 9704 margins, a 22-line grid, odd and even footers; `landscape`: the sheet turned
    sideways, same text block (see LANDSCAPE_MARGINS); `start`: evenPage or oddPage for a section
    that starts on the next even or odd page, nextPage (the default) for the next page."""
    remove_children(sect_pr, "type", "pgSz", "pgMar", "cols", "docGrid", "titlePg")
    if start is not None:
        set_child(sect_pr, el("type", {"val": start}), SECTPR_ORDER)
    if landscape:
        size = {"w": PAGE_H, "h": PAGE_W, "orient": "landscape"}
        margins = dict(LANDSCAPE_MARGINS)
    else:
        size = {"w": PAGE_W, "h": PAGE_H}
        margins = {"top": MARGIN_TOP, "right": MARGIN_RIGHT, "bottom": MARGIN_BOTTOM, "left": MARGIN_LEFT}
    set_child(sect_pr, el("pgSz", size), SECTPR_ORDER)
    # The footer keeps its distance from the text block (a sideways sheet's bottom margin is smaller).
    footer = FOOTER_DIST - (MARGIN_BOTTOM - margins["bottom"])
    margins.update({"header": 851, "footer": footer, "gutter": 0})
    set_child(sect_pr, el("pgMar", margins), SECTPR_ORDER)
    set_child(sect_pr, el("cols", {"space": 425}), SECTPR_ORDER)
    set_child(sect_pr, el("docGrid", {"type": "lines", "linePitch": LINE_PITCH}), SECTPR_ORDER)
    for name in ("rsidR", "rsidRPr", "rsidSect"):
        sect_pr.attrib.pop(_qn(name), None)


def section_end(landscape: bool) -> etree._Element:
    """The sectPr that ends a section inside the body (it goes into the section's last paragraph);
    the next section starts on a new page. Footer references are added by `set_footer_references`."""
    sect_pr = el("sectPr")
    set_page_layout(sect_pr, landscape=landscape)
    return sect_pr


def end_section_in(p: etree._Element, landscape: bool) -> None:
    """Make paragraph `p` the last of a section laid out portrait or `landscape`."""
    props = p.find(_qn("pPr"))
    if props is None:
        props = el("pPr")
        p.insert(0, props)
    set_child(props, section_end(landscape), PPR_ORDER)


def footer_references(sect_pr: etree._Element) -> list[etree._Element]:
    return sect_pr.findall(_qn("footerReference"))


def set_footer_references(sect_pr: etree._Element, references: Sequence[etree._Element]) -> None:
    """Make a section use the footers another one names: explicit references, not Word's "same as
    previous", which the first section cannot have and which a renderer may resolve otherwise."""
    remove_children(sect_pr, "footerReference")
    for reference in reversed(references):
        sect_pr.insert(0, copy.deepcopy(reference))


def page_number_paragraph(page_font: str, *, odd: bool) -> etree._Element:
    """`— N —` with a PAGE field: odd pages right, even pages left, one character in (GB/T 9704 7.5).
    Every run of the field carries the run properties, so Word and LibreOffice agree on its size."""

    def props() -> etree._Element:
        return rpr(page_font, SMALL_SZ)

    def field_char(kind: str) -> etree._Element:
        return el("r", None, props(), el("fldChar", {"fldCharType": kind}))

    instr = el("instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = " PAGE "
    indent = {"right": SMALL_SZ * 10, "rightChars": 100} if odd else {"left": SMALL_SZ * 10, "leftChars": 100}
    return paragraph(
        ppr(style="GwPageNumber", ind=indent, jc="right" if odd else "left"),
        text_run("\u2014 ", props()),
        field_char("begin"),
        el("r", None, props(), instr),
        field_char("separate"),
        text_run("1", props()),
        field_char("end"),
        text_run(" \u2014", props()),
    )


def sideways_page_number(page_font: str, *, odd: bool) -> list[etree._Element]:
    """Footer content for a sheet turned sideways (GB/T 9704 §8): the number stays where the bound
    document has it, at the foot of the sheet as bound, which is the sideways page's left edge, turned
    with the sheet: odd pages one character in from the block's end (its bottom here), even pages one
    in from its start (its top). A one-cell table floats there with its text turned a quarter turn
    clockwise (tbRl), as wide as the number's line and as tall as the text block; the number is the
    upright footers' own paragraph."""
    across = 400  # the number's line (GwPageNumber: exactly 20 pt)
    height = PAGE_W - LANDSCAPE_MARGINS["top"] - LANDSCAPE_MARGINS["bottom"]
    x = LANDSCAPE_MARGINS["left"] - SIDEWAYS_NUMBER_GAP - across // 2
    props = el(
        "tblPr",
        None,
        el("tblpPr", {"leftFromText": 0, "rightFromText": 0, "topFromText": 0, "bottomFromText": 0,
                      "vertAnchor": "page", "horzAnchor": "page", "tblpX": x, "tblpY": LANDSCAPE_MARGINS["top"]}),
        el("tblOverlap", {"val": "never"}),
        el("tblW", {"w": across, "type": "dxa"}),
        el("tblBorders", None, *(no_border(k) for k in ("top", "left", "bottom", "right", "insideH", "insideV"))),
        el("tblLayout", {"type": "fixed"}),
        el("tblCellMar", None, *(el(k, {"w": 0, "type": "dxa"}) for k in ("top", "left", "bottom", "right"))),
        el("tblLook", {"val": "0000", "firstRow": 0, "lastRow": 0, "firstColumn": 0, "lastColumn": 0,
                       "noHBand": 1, "noVBand": 1}),
    )
    cell_el = el(
        "tc",
        None,
        el("tcPr", None, el("tcW", {"w": across, "type": "dxa"}), el("textDirection", {"val": "tbRl"}),
           el("vAlign", {"val": "center"})),
        page_number_paragraph(page_font, odd=odd),
    )
    row_el = el("tr", None, el("trPr", None, el("trHeight", {"val": height, "hRule": "exact"})), cell_el)
    # A footer ends with a paragraph; this one takes no room.
    return [table(props, [across], [row_el]), paragraph(ppr(style="GwPageNumber", snap_to_grid=False, line=20))]


# --- settings -----------------------------------------------------------------------------------
def fix_settings(settings: etree._Element) -> None:
    """Odd/even footers, Chinese theme font language (python-docx's template says ja-JP), and no
    compression of Chinese punctuation (it would put more than 28 characters on a line)."""
    set_child(settings, el("zoom", {"percent": 100}), SETTINGS_ORDER)
    remove_children(settings, "proofState", "rsids", "savePreviewPicture", "attachedTemplate")
    set_child(settings, el("defaultTabStop", {"val": 2 * CHAR}), SETTINGS_ORDER)
    set_child(settings, el("evenAndOddHeaders"), SETTINGS_ORDER)
    set_child(settings, el("characterSpacingControl", {"val": "doNotCompress"}), SETTINGS_ORDER)
    set_child(settings, el("themeFontLang", {"val": "en-US", "eastAsia": "zh-CN"}), SETTINGS_ORDER)


# --- tables -------------------------------------------------------------------------------------
def border(kind: str, size: int, color: str = "000000") -> etree._Element:
    """A single line `size` eighths of a point wide."""
    return el(kind, {"val": "single", "sz": size, "space": 0, "color": color})


def no_border(kind: str) -> etree._Element:
    return el(kind, {"val": "nil"})


def table_properties(
    width: int,
    borders: etree._Element | None,
    *,
    cell_margin: int = 108,
    floating_bottom: bool = False,
) -> etree._Element:
    """tblPr: fixed layout at `width`, given borders; `floating_bottom` anchors the table to the
    bottom of the text block (版记)."""
    float_pr = None
    if floating_bottom:
        float_pr = el(
            "tblpPr",
            {
                "leftFromText": 0,
                "rightFromText": 0,
                "topFromText": 0,
                "bottomFromText": 0,
                "vertAnchor": "margin",
                # Relative to the page, not the margin: LibreOffice keeps a margin-relative table
                # as wide as the text block inline instead of floating it.
                "horzAnchor": "page",
                "tblpX": MARGIN_LEFT,
                "tblpYSpec": "bottom",
            },
        )
    return el(
        "tblPr",
        None,
        float_pr,
        el("tblOverlap", {"val": "never"}) if floating_bottom else None,
        el("tblW", {"w": width, "type": "dxa"}),
        el("jc", {"val": "center"}),
        el("tblInd", {"w": 0, "type": "dxa"}) if not floating_bottom else None,
        borders,
        el("tblLayout", {"type": "fixed"}),
        el(
            "tblCellMar",
            None,
            el("left", {"w": cell_margin, "type": "dxa"}),
            el("right", {"w": cell_margin, "type": "dxa"}),
        ),
        el("tblLook", {"val": "0000", "firstRow": 0, "lastRow": 0, "firstColumn": 0, "lastColumn": 0,
                       "noHBand": 1, "noVBand": 1}),
    )


def grid_borders(size: int = 4) -> etree._Element:
    return el(
        "tblBorders",
        None,
        *(border(kind, size) for kind in ("top", "left", "bottom", "right", "insideH", "insideV")),
    )


def table_grid(widths: Sequence[int]) -> etree._Element:
    return el("tblGrid", None, *(el("gridCol", {"w": w}) for w in widths))


def row_properties(*, header: bool, may_split: bool = False) -> etree._Element:
    # cantSplit keeps a row on one page; tblHeader repeats the header row on every page.
    return el("trPr", None, None if may_split else el("cantSplit"), el("tblHeader") if header else None)


def row(cells: Sequence[etree._Element], *, header: bool = False, may_split: bool = False) -> etree._Element:
    return el("tr", None, row_properties(header=header, may_split=may_split), *cells)


def table(props: etree._Element, widths: Sequence[int], rows: Sequence[etree._Element]) -> etree._Element:
    return el("tbl", None, props, table_grid(widths), *rows)


def rule_borders(outer: int, inner: int) -> etree._Element:
    """Horizontal rules only: `outer` above and below the table, `inner` between its rows (版记)."""
    return el(
        "tblBorders",
        None,
        border("top", outer),
        no_border("left"),
        border("bottom", outer),
        no_border("right"),
        border("insideH", inner),
        no_border("insideV"),
    )


def cell(width: int, paragraphs: Sequence[etree._Element], *, borders: etree._Element | None = None,
         v_align: str = "center") -> etree._Element:
    return el(
        "tc",
        None,
        el("tcPr", None, el("tcW", {"w": width, "type": "dxa"}), borders, el("vAlign", {"val": v_align})),
        *paragraphs,
    )


def replace_body(body: etree._Element, blocks: Sequence[etree._Element]) -> etree._Element:
    """Put `blocks` in place of the template's body content, before its sectPr; return the sectPr."""
    sect_tag = _qn("sectPr")
    for child in list(body):
        if child.tag != sect_tag:
            body.remove(child)
    sect_pr = body.find(sect_tag)
    for block in blocks:
        sect_pr.addprevious(block)
    return sect_pr


# --- package parts ------------------------------------------------------------------------------
def font_table(names: Sequence[str]) -> bytes:
    """word/fontTable.xml naming our fonts; charset 86 (GB2312) lets Word substitute a Chinese font
    where one is missing."""
    fonts_el = el("fonts", None, *(
        el("font", {"name": name}, el("charset", {"val": "86"}), el("family", {"val": "modern"}),
           el("pitch", {"val": "fixed"}))
        for name in names
    ))
    return etree.tostring(fonts_el, xml_declaration=True, encoding="UTF-8", standalone=True)


# docProps/app.xml without python-docx's template values (Mac Word's name, template word counts).
APP_PROPERTIES = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<Application>kjplan</Application><DocSecurity>0</DocSecurity></Properties>"
)


# --- reading back: what the pages model (kjplan.render.paging) needs to know of a block ------------
@dataclass(frozen=True)
class ParagraphFacts:
    """A paragraph's text and the properties that decide how many lines it takes and where a page
    may end around it, resolved through its style chain and the document defaults."""

    text: str
    breaks: int  # w:br inside: a title set in several lines
    keep_next: bool
    keep_lines: bool
    widows: bool
    page_break_before: bool
    line: int  # exact line height, twips
    snap: bool  # on the document grid
    left: int
    right: int
    first: int  # first-line offset from `left`: positive indent, negative hanging
    size: float  # points (the largest run)
    scale: int  # the characters' width, percent (w:w)
    spacing: float  # character spacing, points
    section: SectionFacts | None  # this paragraph ends a section laid out so


@dataclass(frozen=True)
class SectionFacts:
    height: int  # of the text block, twips
    width: int
    start: str  # nextPage, evenPage, oddPage


_ON_OFF = ("keepNext", "keepLines", "widowControl", "pageBreakBefore", "snapToGrid")
_PPR, _PSTYLE, _VAL, _R, _RPR, _T, _TAB, _BR, _SECTPR = (
    _qn(t) for t in ("pPr", "pStyle", "val", "r", "rPr", "t", "tab", "br", "sectPr"))
_IND = ("left", "right", "firstLine", "hanging")


def _ppr_values(ppr: etree._Element | None) -> dict[str, object]:
    """What a pPr sets itself: on/off properties, the exact line height, indents."""
    out: dict[str, object] = {}
    if ppr is None:
        return out
    for child in ppr:
        name = etree.QName(child).localname
        if name in _ON_OFF:
            out[name] = child.get(_qn("val")) not in ("0", "false", "off")
        elif name == "spacing" and child.get(_qn("line")) is not None:
            out["line"] = int(child.get(_qn("line")))
        elif name == "ind":
            for key in _IND:
                if child.get(_qn(key)) is not None:
                    out[key] = int(child.get(_qn(key)))
    return out


def _rpr_values(rpr: etree._Element | None) -> dict[str, int]:
    """What an rPr sets itself: size (half-points), character spacing (twips), width (percent)."""
    out: dict[str, int] = {}
    if rpr is None:
        return out
    for child in rpr:
        name = etree.QName(child).localname
        if name in ("sz", "spacing", "w") and child.get(_qn("val")) is not None:
            out[name] = int(child.get(_qn("val")))
    return out


class StyleResolver:
    """Effective paragraph and run properties, as Word resolves them: direct formatting over the
    style chain over the document defaults. Each style's values are worked out once."""

    def __init__(self, styles: etree._Element):
        self.styles = {s.get(_qn("styleId")): s for s in styles.iter(_qn("style"))}
        defaults = styles.find(_qn("docDefaults"))
        self.ppr_default = defaults.find(f"{_qn('pPrDefault')}/{_qn('pPr')}") if defaults is not None else None
        self.rpr_default = defaults.find(f"{_qn('rPrDefault')}/{_qn('rPr')}") if defaults is not None else None
        self._values: dict[tuple[str | None, str], dict] = {}

    def style_values(self, style_id: str | None, kind: str) -> dict:
        """The values style `style_id` (Normal when None) gives, `kind` pPr or rPr."""
        key = (style_id, kind)
        if key not in self._values:
            chain = []
            current = style_id or "Normal"
            while current in self.styles:
                chain.append(self.styles[current])
                based = self.styles[current].find(_qn("basedOn"))
                current = based.get(_qn("val")) if based is not None else None
            read = _ppr_values if kind == "pPr" else _rpr_values
            values = dict(read(self.ppr_default if kind == "pPr" else self.rpr_default))
            for style in reversed(chain):
                values.update(read(style.find(_qn(kind))))
            self._values[key] = values
        return self._values[key]

    def paragraph(self, p: etree._Element) -> ParagraphFacts:
        ppr = p.find(_PPR)
        style_el = ppr.find(_PSTYLE) if ppr is not None else None
        style = style_el.get(_VAL) if style_el is not None else None
        values = self.style_values(style, "pPr")
        if ppr is not None and len(ppr) > (1 if style_el is not None else 0):
            values = {**values, **_ppr_values(ppr)}
        run_style = self.style_values(style, "rPr")
        runs: list[dict] = []
        text: list[str] = []
        breaks = 0
        for run in p.iter(_R):
            has_text = False
            own = None
            for child in run:
                tag = child.tag
                if tag == _T:
                    text.append(child.text or "")
                    has_text = True
                elif tag == _TAB:
                    text.append("\t")
                elif tag == _BR:
                    breaks += 1
                elif tag == _RPR:
                    own = child
            if has_text:
                runs.append({**run_style, **_rpr_values(own)} if own is not None else run_style)
        sect = ppr.find(_SECTPR) if ppr is not None else None
        return ParagraphFacts(
            text="".join(text),
            breaks=breaks,
            keep_next=bool(values.get("keepNext", False)),
            keep_lines=bool(values.get("keepLines", False)),
            widows=bool(values.get("widowControl", False)),
            page_break_before=bool(values.get("pageBreakBefore", False)),
            line=int(values.get("line", LINE_PITCH)),
            snap=bool(values.get("snapToGrid", True)),
            left=int(values.get("left", 0)),
            right=int(values.get("right", 0)),
            first=int(values.get("firstLine", 0)) - int(values.get("hanging", 0)),
            size=max((r.get("sz", 20) / 2 for r in runs), default=BODY_SZ / 2),
            scale=runs[0].get("w", 100) if runs else 100,
            spacing=runs[0].get("spacing", 0) / 20 if runs else 0.0,
            section=section_facts(sect) if sect is not None else None,
        )

    def table(self, tbl: etree._Element) -> tuple[list[list[tuple[int, list[ParagraphFacts]]]], bool, bool, int]:
        """Rows of (cell width, its paragraphs); whether the first row repeats as a header; whether
        the table floats (the 版记); the cells' left and right margin."""
        rows = []
        for tr in tbl.findall(_qn("tr")):
            cells = []
            for tc in tr.findall(_qn("tc")):
                width = int(tc.find(f"{_qn('tcPr')}/{_qn('tcW')}").get(_qn("w")))
                cells.append((width, [self.paragraph(p) for p in tc.findall(_qn("p"))]))
            rows.append(cells)
        first = tbl.find(_qn("tr"))
        header = first is not None and first.find(f"{_qn('trPr')}/{_qn('tblHeader')}") is not None
        floating = tbl.find(f"{_qn('tblPr')}/{_qn('tblpPr')}") is not None
        margin = tbl.find(f"{_qn('tblPr')}/{_qn('tblCellMar')}/{_qn('left')}")
        return rows, header, floating, int(margin.get(_qn("w"))) if margin is not None else 108


def section_facts(sect_pr: etree._Element) -> SectionFacts:
    size, margins = sect_pr.find(_qn("pgSz")), sect_pr.find(_qn("pgMar"))
    kind = sect_pr.find(_qn("type"))
    height = int(size.get(_qn("h"))) - int(margins.get(_qn("top"))) - int(margins.get(_qn("bottom")))
    width = int(size.get(_qn("w"))) - int(margins.get(_qn("left"))) - int(margins.get(_qn("right")))
    grid = sect_pr.find(_qn("docGrid"))
    if grid is not None and grid.get(_qn("linePitch")):
        # LibreOffice lays out whole grid lines only: a sideways page's 156 mm holds 15 lines of
        # 28.95 pt (434 pt), not 442 pt, even for a table that is off the grid.
        pitch = int(grid.get(_qn("linePitch")))
        height = height // pitch * pitch
    return SectionFacts(height, width, kind.get(_qn("val")) if kind is not None else "nextPage")
