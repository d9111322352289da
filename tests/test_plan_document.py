"""`kjplan plan --format docx`: the plan itself in the official layout, to check an import by eye."""

from __future__ import annotations


import docx
import pytest

from conftest import REPO
from kjplan.plan import load_plan
from kjplan.plan_document import plan_document
from kjplan.plan_import import import_plan
from kjplan.render.pdf import convert_to_pdf, find_soffice

from ooxml_validate import validate
from progress_fixtures import invoke
from plan_docs import shape


@pytest.fixture(scope="module")
def bundled():
    return load_plan(REPO / "plans" / "2020.yaml")


def test_the_document_follows_the_plan(bundled):
    doc = plan_document(bundled)
    assert doc.title == bundled.title and doc.signature == bundled.issuer and doc.date == bundled.date
    assert doc.recipients == "各县（市、区）科技主管部门，渭南高新区、经开区、卤阳湖发改局，局属各科室、市科技资源统筹中心"
    texts = [p.text for p in doc.body]
    assert texts[:2] == [bundled.notice, bundled.preamble]
    assert texts[2:] == [f"{i.number}.{i.text}" for i in bundled.items]
    assert {p.kind for p in doc.body} == {"body"}
    (attachment,) = doc.attachments
    assert [row[:4] + row[5:] for row in attachment.table.rows] == [
        ["第9项", "科技创新发展基金募集规模", "1亿元", "全年累计", "已核对"],
        ["第12项", "孵化器入驻率", "80%", "水平", "已核对"]]


def test_parts_and_the_document_numbers(tmp_path):
    text, _ = shape("parts-cn-paren")
    path = tmp_path / "要点.txt"
    path.write_text(text, encoding="utf-8")
    plan = import_plan(path, tmp_path / "2021.yaml").plan
    doc = plan_document(plan)
    heads = [(p.kind, p.text.split("。")[0]) for p in doc.body if p.kind == "h1" or p.text.startswith("（")]
    assert heads == [("h1", "一、强化创新引领"), ("body", "（一）加强党的建设"), ("body", "（二）做好规划编制"),
                     ("h1", "二、优化创新生态"), ("body", "（一）培育科技企业"), ("body", "（二）提升孵化器运营水平"),
                     ("body", "（三）加大科技宣传力度")]
    assert all(row[-1] == "待核对" for row in doc.attachments[0].table.rows)


def test_the_command_writes_a_word_file(ws, tmp_path):
    result = invoke(ws, "plan", "--format", "docx")
    assert result.exit_code == 0, result.stderr
    path = ws.reports_dir / "plan-2020.docx"
    assert result.stdout.strip() == str(path)
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    joined = "\n".join(paragraphs)
    assert "中共渭南市科学技术局党组" in joined and "2020年科技工作要点" in joined
    assert any(p.startswith("各县（市、区）科技主管部门") and p.endswith("：") for p in paragraphs)
    assert any(p.startswith("1.加强党对科技工作的全面领导。") for p in paragraphs)
    assert any(p.startswith("16.强化党风廉政建设主体责任落实。") for p in paragraphs)
    again = invoke(ws, "plan", "--format", "docx", "--out", tmp_path / "核对.docx")
    assert again.exit_code == 0 and (tmp_path / "核对.docx").read_bytes() == path.read_bytes()  # deterministic
    refused = invoke(ws, "plan", "9", "--format", "docx")
    assert refused.exit_code == 1 and "不能只写一项" in refused.stderr
    wrong = invoke(ws, "plan", "--format", "docx", "--out", tmp_path / "x.pdf")
    assert wrong.exit_code == 1 and ".docx" in wrong.stderr


def test_the_word_file_is_schema_valid(ws, tmp_path):
    text, _ = shape("parts-cn-paren")
    (tmp_path / "要点.txt").write_text(text, encoding="utf-8")
    assert invoke(ws, "plan", "import", tmp_path / "要点.txt").exit_code == 0
    assert invoke(ws, "--year", "2021", "plan", "--format", "docx").exit_code == 0
    for year in (2021,):
        path = ws.reports_dir / f"plan-{year}.docx"
        assert validate(path) == []


@pytest.mark.render
@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice (soffice) not found")
def test_the_word_file_renders(ws, tmp_path):
    """LibreOffice lays it out: the title on page 1 with the first items, the attachment on its own page."""
    pdfplumber = pytest.importorskip("pdfplumber")
    assert invoke(ws, "plan", "--format", "docx").exit_code == 0
    pdf = convert_to_pdf(ws.reports_dir / "plan-2020.docx", tmp_path)
    with pdfplumber.open(pdf) as document:
        pages = [page.extract_text() or "" for page in document.pages]
    flat = ["".join(text.split()) for text in pages]
    assert "2020年科技工作要点" in flat[0] and "1.加强党对科技工作的全面领导" in flat[0]
    assert any("16.强化党风廉政建设主体责任落实" in text for text in flat)
    assert "附件" in flat[-1] and "孵化器入驻率" in flat[-1]
