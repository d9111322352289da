"""`kjplan report --pdf` is all or nothing: the .docx and its PDF are staged and moved into place together,
so a failed conversion leaves the previous pair (or no file at all) exactly as it was. LibreOffice is
replaced by a fake converter (KJPLAN_SOFFICE), so these run everywhere."""

from __future__ import annotations

import os

import pytest

from kjplan.workspace import init_workspace

from hardening_helpers import MINIMAL_PDF, assert_clean_failure, fake_soffice, files, run

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the fake converter is a POSIX script")

REPORT = ("report", "-q", "2", "--date", "2020-07-06", "--pdf")
FAILURES = [("fail", "退出码 1"), ("none", "没有生成"), ("empty", "空文件"), ("torn", "不完整")]


@pytest.fixture
def ws(tmp_path):
    return init_workspace(tmp_path / "ws")


def converter(tmp_path, behaviour):
    return dict(os.environ, KJPLAN_SOFFICE=str(fake_soffice(tmp_path, behaviour)))


def add(ws, text):
    result = run(ws, "add-progress", "-i", "2", "-q", "2", "-s", "序时推进", "--text", text)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("behaviour,says", FAILURES, ids=[b for b, _ in FAILURES])
def test_a_failed_conversion_leaves_the_previous_report_and_pdf(ws, tmp_path, behaviour, says):
    add(ws, "第一次报告的进展。")
    result = run(ws, *REPORT, env=converter(tmp_path, "good"))
    assert result.returncode == 0, result.stderr
    docx, pdf = ws.reports_dir / "report-2020Q2.docx", ws.reports_dir / "report-2020Q2.pdf"
    assert result.stdout.split() == [str(docx), str(pdf)] and pdf.read_bytes() == MINIMAL_PDF
    before = files(ws.reports_dir)
    times = {p.name: p.stat().st_mtime_ns for p in ws.reports_dir.iterdir()}
    add(ws, "新进展：报告变了。")  # the .docx this run makes differs from the one in place

    result = run(ws, *REPORT, env=converter(tmp_path, behaviour))
    assert_clean_failure(result, 1, says)
    assert files(ws.reports_dir) == before  # the old .docx and PDF, and nothing else (no staging left)
    assert {p.name: p.stat().st_mtime_ns for p in ws.reports_dir.iterdir()} == times

    result = run(ws, *REPORT, env=converter(tmp_path, "good"))  # once conversion works, both are new
    assert result.returncode == 0, result.stderr
    assert docx.read_bytes() != before["report-2020Q2.docx"] and pdf.exists()
    assert sorted(p.name for p in ws.reports_dir.iterdir()) == ["report-2020Q2.docx", "report-2020Q2.pdf"]


@pytest.mark.parametrize("behaviour,says", FAILURES[:1], ids=["fail"])
def test_a_failed_conversion_writes_no_new_file(ws, tmp_path, behaviour, says):
    out = tmp_path / "送审" / "二季度报告.docx"
    result = run(ws, *REPORT, "--out", out, env=converter(tmp_path, behaviour))
    assert_clean_failure(result, 1, says)
    assert not out.exists() and not list(out.parent.iterdir())
    # The advice names only what the user can act on: no staged file that is already gone.
    assert "打开该文件" not in result.stderr and "去掉 --pdf" in result.stderr
    result = run(ws, *REPORT, "--out", out, env=converter(tmp_path, "good"))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["二季度报告.docx", "二季度报告.pdf"]


def test_an_unchanged_report_keeps_its_files_untouched(ws, tmp_path):
    env = converter(tmp_path, "good")
    assert run(ws, *REPORT, env=env).returncode == 0
    times = {p.name: p.stat().st_mtime_ns for p in ws.reports_dir.iterdir()}
    result = run(ws, *REPORT, env=env)
    assert result.returncode == 0, result.stderr
    assert {p.name: p.stat().st_mtime_ns for p in ws.reports_dir.iterdir()} == times
