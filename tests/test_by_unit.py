"""Who is late: status --by-unit (--missing, --partners, --format json) and remind (text and docx)."""

from __future__ import annotations

import json

import pytest

from docx import Document

from collect_fixtures import assigned_workspace, collect_workspace
from conftest import run_kjplan
from kjplan import progress

TODAY = "2020-06-20"


def record(ws, item, unit, quarter=2, **kw):
    plan = ws.plan()
    kw.setdefault("status", "序时推进")
    return progress.add_progress(ws, plan, item=item, text=f"{unit}第{item}项的进展", unit=unit, quarter=quarter,
                                 today=__import__("datetime").date(2020, 6, 20), **kw)


def kj(ws, *args):
    return run_kjplan("--root", ws.root, "--today", TODAY, *args)


def test_by_unit_lists_each_unit_with_its_items_and_whether_it_reported(tmp_path):
    ws = assigned_workspace(tmp_path)
    record(ws, 9, "成果转化科")
    record(ws, 12, "成果转化科")  # a partner's record
    record(ws, 1, "办公室", quarter=1)  # last quarter does not count for Q2
    r = kj(ws, "status", "--quarter", "2", "--by-unit")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    row = next(line for line in lines if "第9项" in line and "成果转化科" in line)
    assert "牵头" in row and "已报送 1 条" in row
    row = next(line for line in lines if "办公室" in line and "第1项" in line)
    assert "未报送" in row
    assert "欠报的牵头单位：办公室、高新技术科" in r.stdout

    data = json.loads(kj(ws, "status", "-q", "2", "--by-unit", "--format", "json").stdout)
    units = {u["unit"]: u for u in data["units"]}
    assert list(units) == ["办公室", "成果转化科", "高新技术科", "富平县科技局", "市科技资源统筹中心"]  # units: order
    assert units["成果转化科"]["owed"] == []
    assert {d["item"]: d["reported"] for d in units["成果转化科"]["items"]} == {9: True, 12: True}
    assert units["高新技术科"]["owed"] == [3, 12]
    assert data["unassigned"] == [2, 4, 5, 6, 7, 8, 10, 11, 13, 14, 15, 16]


def test_missing_by_unit_exits_3_naming_the_units_that_owe(tmp_path):
    ws = assigned_workspace(tmp_path)
    record(ws, 9, "成果转化科")
    record(ws, 3, "高新技术科")
    r = kj(ws, "status", "-q", "2", "--missing", "--by-unit")
    assert r.returncode == 3, r.stderr
    assert "办公室" in r.stdout and "第1项" in r.stdout and "第12项" in r.stdout
    assert "成果转化科" not in r.stdout  # it leads item 9 and reported; supporting 12 is not owed by default
    assert "富平县科技局" not in r.stdout

    r = kj(ws, "status", "-q", "2", "--missing", "--by-unit", "--partners")
    assert r.returncode == 3
    assert "成果转化科" in r.stdout and "富平县科技局" in r.stdout and "市科技资源统筹中心" in r.stdout

    data = json.loads(kj(ws, "status", "-q", "2", "--missing", "--by-unit", "--format", "json").stdout)
    assert [(u["unit"], u["owed"]) for u in data["units"]] == [("办公室", [1]), ("高新技术科", [12])]

    record(ws, 1, "办公室")
    record(ws, 12, "高新技术科")
    r = kj(ws, "status", "-q", "2", "--missing", "--by-unit")
    assert r.returncode == 0 and "均已报送" in r.stdout


def test_by_unit_without_any_assignment_says_how_to_assign(tmp_path):
    ws = collect_workspace(tmp_path)
    r = kj(ws, "status", "-q", "2", "--missing", "--by-unit")
    assert r.returncode == 1 and "尚未设定分工" in r.stderr and "kjplan assign" in r.stderr
    r = kj(ws, "status", "-q", "2", "--partners")
    assert r.returncode == 1 and "--partners 只能与 --missing --by-unit 同用" in r.stderr


def test_remind_prints_one_message_per_unit_that_owes(tmp_path):
    ws = assigned_workspace(tmp_path)
    record(ws, 9, "成果转化科")
    r = kj(ws, "remind", "--quarter", "2", "--deadline", "2020-06-25")
    assert r.returncode == 0, r.stderr
    messages = r.stdout.strip().split("\n\n")
    assert [m.split("：")[0] for m in messages] == ["办公室", "高新技术科"]
    assert messages[1] == ("高新技术科：请于2020年6月25日前报送2020年第二季度《中共渭南市科学技术局党组2020年科技工作要点》"
                           "落实进展。贵单位尚未报送的事项：第3项“支持重点区域高质量发展”（牵头）；"
                           "第12项“高标准做好渭南（西安）创新创业孵化器运营工作”（牵头）。")
    r = kj(ws, "remind", "--quarter", "2")
    assert "请尽快报送" in r.stdout
    r = kj(ws, "remind", "--quarter", "2", "--deadline", "6月25日")
    assert r.returncode == 2 and "--deadline" in r.stderr


def test_remind_writes_one_notice_in_the_official_layout(tmp_path):
    ws = assigned_workspace(tmp_path)
    record(ws, 9, "成果转化科")
    out = tmp_path / "催报通知.docx"
    r = kj(ws, "remind", "-q", "2", "--deadline", "2020-06-25", "--partners", "--out", out, "--date", "2020-06-21")
    assert r.returncode == 0, r.stderr
    doc = Document(out)
    texts = [p.text for p in doc.paragraphs if p.text.strip()]
    body = "\n".join(texts)
    assert "关于报送2020年第二季度科技工作要点落实情况的通知" in body.replace("\n", "")
    recipients = next(t for t in texts if t.endswith("：") and "办公室" in t)
    assert recipients == "办公室、成果转化科、高新技术科、富平县科技局、市科技资源统筹中心："
    assert any(t.startswith("成果转化科：第12项") and "（配合）" in t for t in texts)
    assert "请上述单位于2020年6月25日前" in body and "特此通知。" in texts
    assert "2020年6月21日" in texts
    # Nothing owed: no notice, a plain message.
    for item, unit in ((1, "办公室"), (3, "高新技术科"), (12, "高新技术科")):
        record(ws, item, unit)
    r = kj(ws, "remind", "-q", "2", "--out", tmp_path / "again.docx")
    assert r.returncode == 0 and "无需催报" in r.stdout and not (tmp_path / "again.docx").exists()


def test_remind_notice_is_valid_docx(tmp_path):
    from ooxml_validate import validate

    ws = assigned_workspace(tmp_path)
    out = tmp_path / "n.docx"
    assert kj(ws, "remind", "-q", "2", "--out", out).returncode == 0
    assert validate(out) == []


def _closing(path):
    """The 署名 and 成文日期 of a written .docx: each one's text and paragraph properties (its layout),
    and how many blank paragraphs stand between the body and the 署名 (two leave room for the seal)."""
    from lxml import etree

    from docx_helpers import NS, part, paragraphs_with_style, text_of

    document = part(path.read_bytes(), "word/document.xml")
    for section in document.findall(".//w:pPr/w:sectPr", NS):  # the report's attachment turns the page
        section.getparent().remove(section)
    closing = [(text_of(p), etree.tostring(p.find("w:pPr", NS)))
               for style in ("GwSignature", "GwDate") for p in paragraphs_with_style(document, style)]
    paragraphs = document.findall(".//w:body/w:p", NS)
    at = paragraphs.index(paragraphs_with_style(document, "GwSignature")[0])
    blanks = 0
    while not text_of(paragraphs[at - blanks - 1]).strip():
        blanks += 1
    return closing, blanks


@pytest.mark.parametrize("seal", [None, "false"])
def test_remind_signs_exactly_as_the_report_does(tmp_path, seal):
    """report.seal (sealed by default: 成文日期右空四字, 署名 centred over it with room for the seal; false:
    the unsealed rule) governs the 催报通知 as it governs the report."""
    import re

    from docx_helpers import NS, part, paragraphs_with_style

    ws = assigned_workspace(tmp_path)
    text = ws.settings_path.read_text(encoding="utf-8")
    text = text.replace('signature: ""', "signature: 渭南市科学技术局", 1)
    text = re.sub(r"^  seal: true.*$", f"  seal: {seal}" if seal else "", text, count=1, flags=re.M)
    ws.settings_path.write_text(text, encoding="utf-8")
    notice, report = tmp_path / "notice.docx", tmp_path / "report.docx"
    assert kj(ws, "remind", "-q", "2", "--out", notice, "--date", "2020-06-21").returncode == 0
    r = kj(ws, "report", "-q", "2", "--out", report, "--date", "2020-06-21")
    assert r.returncode == 0, r.stderr
    (closing, blanks), (report_closing, report_blanks) = _closing(notice), _closing(report)
    assert [t for t, _ in closing] == ["渭南市科学技术局", "2020年6月21日"]
    assert closing == report_closing and blanks == report_blanks
    date = paragraphs_with_style(part(notice.read_bytes(), "word/document.xml"), "GwDate")[0]
    jc = date.find("w:pPr/w:jc", NS).get(f"{{{NS['w']}}}val")
    if seal is None:
        assert jc == "right" and blanks == 2  # sealed: 右空四字, two lines for the seal
    else:
        assert jc == "left" and blanks == 1  # unsealed: the date placed by its first character
