"""Report layout settings in kjplan.yaml: seal, 版头 (mark, 发文字号, 签发人), checked with Chinese messages."""

from __future__ import annotations

import pytest

from docx_helpers import NS, paragraphs_with_style, part, text_of
from kjplan.settings import doc_number_problem

HEADER = """report:
  recipients: 中共渭南市委
  header:
    mark: 中共渭南市科学技术局党组文件
    number: {number}
    signer: 张三
"""


@pytest.mark.parametrize(
    "number, reason",
    [
        ("渭科党发[2020]12号", "六角括号"),
        ("渭科党发【2020】12号", "六角括号"),
        ("渭科党发（2020）12号", "六角括号"),
        ("渭科党发2020年12号", "六角括号"),
        ("渭科党发〔2020〕第12号", "不加“第”字"),
        ("渭科党发〔2020〕012号", "不编虚位"),
        ("渭科党发〔20〕12号", "四位"),
        ("渭科党发〔2020〕12", "以“号”结尾"),
        ("〔2020〕12号", "机关代字"),
    ],
)
def test_check_names_what_is_wrong_with_a_document_number(ws, cli, number, reason):
    ws.settings_path.write_text(HEADER.format(number=number), encoding="utf-8")
    result = cli("--root", ws.root, "check")
    assert result.exit_code == 1
    assert f"{ws.settings_path}:5: report.header.number：" in result.stderr
    assert reason in result.stderr and "渭科党发〔2020〕12号" in result.stderr
    assert "Traceback" not in result.stderr


def test_good_document_numbers():
    for number in ("渭科党发〔2020〕12号", "渭科发〔2021〕3号", "陕科函〔2020〕105号"):
        assert doc_number_problem(number) is None


def test_header_needs_a_mark(ws, cli):
    ws.settings_path.write_text("report:\n  header:\n    number: 渭科党发〔2020〕12号\n", encoding="utf-8")
    result = cli("--root", ws.root, "check")
    assert result.exit_code == 1 and "report.header.mark" in result.stderr


def _report(cli, ws, tmp_path, *extra):
    out = tmp_path / "r.docx"
    result = cli("--root", ws.root, "report", "-q", "2", "--date", "2020-07-06", "-o", out, *extra)
    return result, out


def test_masthead_from_settings_and_number_per_report(ws, cli, tmp_path):
    ws.settings_path.write_text(HEADER.format(number="渭科党发〔2020〕12号"), encoding="utf-8")
    assert cli("--root", ws.root, "check").exit_code == 0
    result, out = _report(cli, ws, tmp_path)
    assert result.exit_code == 0, result.stderr
    document = part(out.read_bytes(), "word/document.xml")
    masthead = [text_of(p) for p in paragraphs_with_style(document, "GwMasthead")]
    assert "中共渭南市科学技术局党组文件" in masthead and "渭科党发〔2020〕12号签发人：张三" in masthead

    result, out = _report(cli, ws, tmp_path, "--number", "渭科党发〔2020〕15号")
    assert result.exit_code == 0
    masthead = [text_of(p) for p in paragraphs_with_style(part(out.read_bytes(), "word/document.xml"), "GwMasthead")]
    assert "渭科党发〔2020〕15号签发人：张三" in masthead

    result, _ = _report(cli, ws, tmp_path, "--number", "渭科党发〔2019〕15号")
    assert result.exit_code == 0 and "2019" in result.stderr and "成文日期" in result.stderr

    result, _ = _report(cli, ws, tmp_path, "--number", "渭科党发[2020]15号")
    assert result.exit_code != 0 and "--number" in result.stderr and "六角括号" in result.stderr
    assert "Traceback" not in result.stderr


def test_number_without_a_header_or_a_header_without_a_number(ws, cli, tmp_path):
    result, out = _report(cli, ws, tmp_path, "--number", "渭科党发〔2020〕15号")
    assert result.exit_code != 0 and "report.header" in result.stderr and not out.exists()
    ws.settings_path.write_text("report:\n  header:\n    mark: 中共渭南市科学技术局党组文件\n", encoding="utf-8")
    result, out = _report(cli, ws, tmp_path)
    assert result.exit_code == 78 and "发文字号" in result.stderr and "--number" in result.stderr


def test_no_header_by_default_and_seal_setting(ws, cli, tmp_path):
    result, out = _report(cli, ws, tmp_path)
    document = part(out.read_bytes(), "word/document.xml")
    assert not paragraphs_with_style(document, "GwMasthead")
    date = paragraphs_with_style(document, "GwDate")[0]
    assert date.find("w:pPr/w:jc", NS).get(f"{{{NS['w']}}}val") == "right"  # sealed: 右空四字
    ws.settings_path.write_text("report:\n  seal: false\n", encoding="utf-8")
    result, out = _report(cli, ws, tmp_path)
    date = paragraphs_with_style(part(out.read_bytes(), "word/document.xml"), "GwDate")[0]
    assert date.find("w:pPr/w:jc", NS).get(f"{{{NS['w']}}}val") == "left"  # unsealed: placed by its start
    ws.settings_path.write_text("report:\n  seal: 是\n", encoding="utf-8")
    result = cli("--root", ws.root, "check")
    assert result.exit_code == 1 and "report.seal：应为 true 或 false" in result.stderr
