"""The report as printed: LibreOffice renders the .docx and pdfplumber measures the PDF.

Render tests (marked `render`) need LibreOffice and the fonts that stand in for the standard's;
they are skipped with a message saying how to install them. The converter's error handling is
tested with a fake soffice and runs everywhere.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from docx_helpers import sample_document, write
from render_helpers import (
    BLOCK_BOTTOM,
    BLOCK_LEFT,
    BLOCK_RIGHT,
    CHAR,
    HANGING,
    HEADING,
    LANDSCAPE_BLOCK,
    MM,
    PAGE_NUMBER_CHAR,
    landscape,
    page_lines,
    render_skip_reason,
)
from kjplan.errors import KjplanError, ToolMissing
from kjplan.render import pdf
from kjplan.render.docx import render_docx
from kjplan.render.pdf import convert_to_pdf, find_soffice
from kjplan.render.titles import break_title, char_width

def _example_report() -> bytes:
    """The bundled example workspace's Q2 report, as `kjplan report` writes it."""
    import datetime as dt

    from kjplan.report_job import build_model
    from kjplan.report_job import render_docx as report_docx
    import tempfile

    from kjplan.workspace import init_workspace

    with tempfile.TemporaryDirectory(prefix="kjplan-example-") as tmp:
        ws = init_workspace(Path(tmp) / "示例工作区", example=True)
        model = build_model(ws, "2", today=dt.date(2020, 7, 6))
        return report_docx(ws, model, dt.date(2020, 7, 6))[0]


def _unbreakable_head(text: str) -> str:
    """The start of a line that could not have stayed on the line above: a number with its brackets,
    unit sign and closing punctuation, or a character with the closing mark that may not start a line,
    or an opening mark that may not end one."""
    match = re.match(r"^[（《“‘(\[]*[0-9A-Za-z.%％]+[）》”’)\]，。、；：？！%％]*", text)
    match = match or re.match(r"^[^（《“‘(\[][）》”’)\]，。、；：？！]+", text)
    match = match or re.match(r"^[（《“‘(\[]", text)
    return match.group(0) if match else ""


@pytest.fixture(scope="module", params=["sample", "example"])
def printed(request, tmp_path_factory):
    reason = render_skip_reason()
    if reason:
        pytest.skip(reason)
    pdfplumber = pytest.importorskip("pdfplumber", reason="pip install pdfplumber (the test extra)")
    folder = tmp_path_factory.mktemp("render")
    if request.param == "sample":
        document = sample_document()
        data, title = render_docx(document)[0], document.title
    else:
        data, title = _example_report(), "中共渭南市科学技术局党组关于2020年第二季度科技工作要点落实情况的报告"
    started = time.monotonic()
    path = convert_to_pdf(write(folder, data), folder / "out")
    elapsed = time.monotonic() - started
    with pdfplumber.open(path) as document:
        pages = [page_lines(page) for page in document.pages]
        turned = [landscape(page) for page in document.pages]
        size = (document.pages[0].width / MM, document.pages[0].height / MM)
    first_attachment = next(i for i, (lines, _) in enumerate(pages) if lines and lines[0].text == "附件")
    return {"kind": request.param, "pages": pages, "landscape": turned, "size": size, "attachment": first_attachment,
            "seconds": elapsed, "path": path, "title_lines": len(break_title(title))}


@pytest.mark.render
def test_a4(printed):
    width, height = printed["size"]
    assert abs(width - 210) < 0.5 and abs(height - 297) < 0.5


@pytest.mark.render
def test_full_body_pages_have_22_lines(printed):
    body_pages = printed["pages"][: printed["attachment"]]
    assert len(body_pages) >= 4, "the sample should fill several pages"
    for number, (lines, _) in enumerate(body_pages[:-1], 1):
        rows = [line.row for line in lines]
        assert rows[0] == 0 and len(rows) == len(set(rows))
        following = body_pages[number][0]
        if rows[-1] < 21:
            # A page ends early only to keep a heading with its text, or the end of the body with
            # the signature block (on the last body page).
            kept = HEADING.match(following[0].text) or number == len(body_pages) - 1
            assert kept, (number, rows, following[0].text)
            continue
        blank = 1 if number == 1 else 0  # the blank line between the title and 主送
        assert len(rows) == 22 - blank, (number, rows)


@pytest.mark.render
def test_full_body_lines_have_28_characters(printed):
    body_pages = printed["pages"][: printed["attachment"]]
    lines = [line for page, _ in body_pages for line in page if line.size == 16]
    checked = 0
    for line, following in zip(lines, lines[1:]):
        if abs(following.x0 - BLOCK_LEFT) > 1 or line.text.startswith("附件"):
            continue  # the next line starts a paragraph: this one may be short
        inside = [c for c in line.chars if c["x0"] / MM < BLOCK_RIGHT - 0.5]
        hanging = [c["text"] for c in line.chars if c["x0"] / MM >= BLOCK_RIGHT - 0.5]
        assert set(hanging) <= HANGING and len(hanging) <= 1, line.text
        indent = round((line.x0 - BLOCK_LEFT) / CHAR)
        width = indent + sum(char_width(c["text"]) for c in inside)
        carried = sum(char_width(ch) for ch in _unbreakable_head(following.text))
        if all(ord(c["text"]) > 127 for c in inside):
            # 28, or 27 when a character went down with the closing mark that may not start a line.
            assert width == 28 or (width == 27 and carried >= 1), (line.text, width)
        else:
            # LibreOffice spaces Latin letters and digits from Chinese (Word, with autoSpaceDE off,
            # does not), so such a line holds a little less: about half a character per change.
            # A number with its brackets and unit cannot be split either: "（50%）。" moves down whole.
            changes = sum(1 for a, b in zip(inside, inside[1:]) if (ord(a["text"]) > 127) != (ord(b["text"]) > 127))
            assert 28 - 0.5 * changes - 1 <= width + carried and width <= 28, (line.text, width, changes)
        checked += 1
    assert checked >= 30  # enough full lines to mean something (the example report has 36)


@pytest.mark.render
def test_title_lines_are_centred_and_fit(printed):
    lines, _ = printed["pages"][0]
    title = [line for line in lines if line.size == 22]
    assert len(title) == printed["title_lines"] >= 2
    assert [line.row for line in title] == list(range(len(title)))
    for line in title:
        assert BLOCK_LEFT - 0.5 <= line.x0 and line.x1 <= BLOCK_RIGHT + 0.5
        assert abs((line.x0 + line.x1) / 2 - (BLOCK_LEFT + BLOCK_RIGHT) / 2) < 1.5, line.text


@pytest.mark.render
def test_page_numbers(printed):
    pages = printed["pages"]
    for number, (lines, footer) in enumerate(pages, 1):
        text = "".join(c["text"] for c in footer)
        after_blank = number > 1 and not pages[number - 2][0]
        if not lines or (after_blank and any(line.text.replace(" ", "").endswith("印发") for line in lines)):
            assert text == "", number  # GB/T 9704 7.5: a blank page before the 版记 and that page: no number
            continue
        assert text == f"\u2014 {number} \u2014" or text == f"\u2014{number}\u2014", text
        if printed["landscape"][number - 1]:
            continue  # where the number stands on a sideways sheet: test_landscape_attachment_pages
        x0, x1 = footer[0]["x0"] / MM, footer[-1]["x1"] / MM
        if number % 2:
            assert x0 > 105 and abs(x1 - (BLOCK_RIGHT - PAGE_NUMBER_CHAR)) < 1.0, (number, x0, x1)
        else:
            assert x1 < 105 and abs(x0 - (BLOCK_LEFT + PAGE_NUMBER_CHAR)) < 1.0, (number, x0, x1)
        dash = footer[0]
        below = (dash["top"] + dash["bottom"]) / 2 / MM - BLOCK_BOTTOM
        assert 5.5 <= below <= 8.5, f"page {number}: page number {below:.1f} mm below the text block"
        assert all(abs(c["size"] - 14) < 0.1 for c in footer)


@pytest.mark.render
def test_attachment_page(printed):
    lines, _ = printed["pages"][printed["attachment"]]
    assert lines[0].text == "附件" and lines[0].row == 0  # one attachment: no number
    left = LANDSCAPE_BLOCK[2] if printed["landscape"][printed["attachment"]] else BLOCK_LEFT
    assert abs(lines[0].x0 - left) < 0.5
    assert lines[1].row == 2 and lines[1].size == 22  # the title on the third line
    header = [line for line in lines if line.text.startswith("序号")]
    assert header
    # the header row is repeated on the table's next page
    next_lines, _ = printed["pages"][printed["attachment"] + 1]
    assert any(line.text.startswith("序号") for line in next_lines[:3])


@pytest.mark.render
def test_landscape_attachment_pages(printed):
    """The report's attachment table is set on A4 sheets turned sideways (GB/T 9704 §8), its header
    row on every one of them; the body before it and the 版记 after it stay upright."""
    turned, first = printed["landscape"], printed["attachment"]
    if printed["kind"] == "sample":
        assert not any(turned)  # an Attachment is upright unless it asks otherwise
        return
    assert not any(turned[:first]) and not turned[-1]
    sideways = [i for i in range(first, len(turned)) if turned[i]]
    assert sideways == list(range(first, sideways[-1] + 1)) and len(sideways) >= 2  # one run, then upright
    assert all(not printed["pages"][i][0] for i in range(sideways[-1] + 1, len(turned) - 1))  # blank, if any
    for index in sideways:
        lines, _ = printed["pages"][index]
        assert any(line.text.startswith("序号") for line in lines[:3]), index
        assert all(LANDSCAPE_BLOCK[2] - 0.5 <= line.x0 and line.x1 <= LANDSCAPE_BLOCK[3] + 0.5 for line in lines)


@pytest.mark.render
def test_imprint_at_the_foot_of_the_last_page(printed):
    lines, _ = printed["pages"][-1]
    printer = [line for line in lines if line.text.endswith("印发")]
    assert printer, "版记 missing on the last page"
    assert printer[0].row == 21, "the 印发 line should be the last line of the text block"
    assert printer[0].text.startswith("渭南市科学技术局办公室")
    assert abs(printer[0].x0 - (BLOCK_LEFT + PAGE_NUMBER_CHAR)) < 1.0  # one 14 pt character in
    assert abs(printer[0].x1 - (BLOCK_RIGHT - PAGE_NUMBER_CHAR)) < 1.0
    cc = [line for line in lines if line.text.startswith("抄送：")]
    assert cc and cc[0].row < printer[0].row


@pytest.mark.render
def test_conversion_is_quick(printed):
    assert printed["seconds"] < 60


@pytest.mark.render
def test_parallel_conversions_in_a_bare_environment(tmp_path, monkeypatch):
    reason = render_skip_reason()
    if reason:
        pytest.skip(reason)
    for name in ("HOME", "LANG", "LC_ALL", "FONTCONFIG_FILE", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    data, _ = render_docx(sample_document(attachments=[], imprint=None))
    sources = [write(tmp_path, data, f"r{i}.docx") for i in range(2)]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda p: convert_to_pdf(p, tmp_path / "out"), sources))
    assert [r.name for r in results] == ["r0.pdf", "r1.pdf"]
    assert all(r.read_bytes().startswith(b"%PDF") for r in results)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["r0.pdf", "r1.pdf"]  # no leftovers


# --- the converter without LibreOffice ----------------------------------------------------------
def _fake_soffice(folder: Path, script: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "soffice"
    path.write_text(f"#!{sys.executable}\n{script}", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


RECORDING = """
import json, os, sys, pathlib
args = sys.argv[1:]
out = pathlib.Path(args[args.index("--outdir") + 1])
src = pathlib.Path(args[-1])
(out / (src.stem + ".pdf")).write_bytes(b"%PDF-1.4 fake<</Type/Page>>%%EOF")  # passes the converter's check
env = {k: os.environ.get(k) for k in ("HOME", "FONTCONFIG_FILE")}
pathlib.Path(os.environ["KJPLAN_TEST_LOG"]).write_text(json.dumps({"args": args, "env": env}))
"""


@pytest.fixture
def docx_file(tmp_path):
    data, _ = render_docx(sample_document(attachments=[], imprint=None))
    return write(tmp_path, data)


@pytest.mark.skipif(os.name == "nt", reason="the fake soffice is a POSIX script")
def test_converter_command_and_environment(tmp_path, docx_file, monkeypatch):
    import json

    fake = _fake_soffice(tmp_path / "bin", RECORDING)
    monkeypatch.setattr(pdf, "find_soffice", lambda: fake)
    log = tmp_path / "log.json"
    monkeypatch.setenv("KJPLAN_TEST_LOG", str(log))
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    result = convert_to_pdf(docx_file, tmp_path / "out")
    assert result == tmp_path / "out" / "report.pdf" and result.read_bytes() == b"%PDF-1.4 fake<</Type/Page>>%%EOF"
    record = json.loads(log.read_text())
    profile = [a for a in record["args"] if a.startswith("-env:UserInstallation=file:///")]
    assert profile and "--headless" in record["args"]
    assert record["env"]["HOME"]  # soffice gets a home even from a bare environment
    if sys.platform.startswith("linux"):
        assert record["env"]["FONTCONFIG_FILE"] == str(pdf.FONTS_CONF)
        assert pdf.FONTS_CONF.is_file()
    assert list((tmp_path / "out").iterdir()) == [result]  # the temporary folder is gone

    # A caller's own fontconfig file wins; every conversion has its own profile.
    monkeypatch.setenv("FONTCONFIG_FILE", "/etc/fonts/fonts.conf")
    convert_to_pdf(docx_file, tmp_path / "out")
    second = json.loads(log.read_text())
    assert second["env"]["FONTCONFIG_FILE"] == "/etc/fonts/fonts.conf"
    assert [a for a in second["args"] if a.startswith("-env:")] != profile


def test_fonts_conf_maps_the_standard_fonts():
    text = pdf.FONTS_CONF.read_text(encoding="utf-8")
    assert "/etc/fonts/fonts.conf" in text
    for name in ("仿宋_GB2312", "楷体_GB2312", "方正小标宋简体", "宋体", "黑体", "AR PL KaitiM GB",
                 "AR PL SungtiL GB", "WenQuanYi Zen Hei Mono"):
        assert f"<string>{name}</string>" in text


def test_missing_libreoffice_says_what_to_install(tmp_path, docx_file, monkeypatch):
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    with pytest.raises(ToolMissing) as caught:
        convert_to_pdf(docx_file, tmp_path / "out")
    assert "apt-get install libreoffice-writer-nogui" in caught.value.message
    assert "libreoffice.org" in caught.value.message
    assert caught.value.exit_code == 69


def test_find_soffice_looks_on_path_and_in_usual_places(tmp_path, monkeypatch):
    fake = _fake_soffice(tmp_path / "lo" / "program", "")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(pdf, "_candidates", lambda: [str(tmp_path / "nowhere"), str(fake.parent)])
    assert find_soffice() == fake
    monkeypatch.setattr(pdf, "_candidates", lambda: [])
    assert find_soffice() is None


@pytest.mark.skipif(os.name == "nt", reason="the fake soffice is a POSIX script")
def test_failed_conversion_is_a_chinese_error(tmp_path, docx_file, monkeypatch):
    fake = _fake_soffice(tmp_path / "bin", "import sys\nprint('Error: source file could not be loaded', file=sys.stderr)\nsys.exit(1)\n")
    monkeypatch.setattr(pdf, "find_soffice", lambda: fake)
    with pytest.raises(KjplanError) as caught:
        convert_to_pdf(docx_file, tmp_path / "out")
    assert "未能" in caught.value.message and "could not be loaded" in caught.value.message
    assert not (tmp_path / "out" / "report.pdf").exists()


@pytest.mark.skipif(os.name == "nt", reason="the fake soffice is a POSIX script")
def test_conversion_timeout(tmp_path, docx_file, monkeypatch):
    fake = _fake_soffice(tmp_path / "bin", "import time\ntime.sleep(30)\n")
    monkeypatch.setattr(pdf, "find_soffice", lambda: fake)
    with pytest.raises(KjplanError) as caught:
        convert_to_pdf(docx_file, tmp_path / "out", timeout=1)
    assert "超时" in caught.value.message
    assert list((tmp_path / "out").iterdir()) == []


def test_missing_source_file(tmp_path):
    with pytest.raises(KjplanError):
        convert_to_pdf(tmp_path / "nope.docx", tmp_path / "out")


def test_unwritable_output_folder(tmp_path, docx_file, monkeypatch):
    fake = _fake_soffice(tmp_path / "bin", "")
    monkeypatch.setattr(pdf, "find_soffice", lambda: fake)
    # A regular file where a parent folder should be: unwritable even for root (chmod would not be).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(KjplanError) as caught:
        convert_to_pdf(docx_file, blocker / "out")
    assert caught.value.exit_code == 73


def test_soffice_location_can_be_set_or_disabled(tmp_path, monkeypatch):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("KJPLAN_SOFFICE", str(fake))
    assert find_soffice() == fake
    monkeypatch.setenv("KJPLAN_SOFFICE", "")
    assert find_soffice() is None
    monkeypatch.setenv("KJPLAN_SOFFICE", str(tmp_path / "missing"))
    assert find_soffice() is None
