"""`kjplan report` end to end: records in a real workspace -> .docx on disk, read back and checked."""

from __future__ import annotations

import datetime as dt
import os
import re

import docx
import pytest

from conftest import run_kjplan
from kjplan import progress
from kjplan.numerals import cn_number

TODAY = dt.date(2020, 7, 10)
NOW = dt.datetime(2020, 7, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
RECORDS = [
    dict(item=1, quarter="2", date="2020-04-20", status="序时推进", unit="机关党委", text="召开党组理论学习中心组学习会3次。"),
    dict(item=1, quarter="2", date="2020-06-20", status="序时推进", unit="机关党委",
         text="模板语法照原样保留：{{ 7*7 }} 和 {% if x %}。\n第二段：“学习强国”平台积分领先。"),
    dict(item=9, quarter="2", date="2020-06-29", unit="成果转化科", metrics=["innovation_fund=6000万"],
         text="科技创新发展基金累计募集6000万元。", problems="社会资本参与不足。", next="力争三季度再募集2000万元。"),
    dict(item=12, quarter="2", date="2020-06-30", unit="孵化器", metrics=["incubator_occupancy=72%"],
         text="入驻率72%，新入驻企业🚀7家，负责人吉（𠮷）先生。"),
    dict(item=3, quarter="1", date="2020-03-20", status="滞后", unit="富平县科技局", text="第一季度的记录不进第二季度报告。"),
]


@pytest.fixture
def filled(ws):
    plan = ws.plan()
    for i, fields in enumerate(RECORDS):
        progress.add_progress(ws, plan, today=TODAY, now=NOW + dt.timedelta(minutes=i), by="测试", **fields)
    return ws


def report(cli, ws, *args):
    result = cli("--root", ws.root, "--today", TODAY.isoformat(), "report", "--quarter", "2",
                 "--date", "2020-07-06", *args)
    return result


def sections(document) -> dict[int, list[str]]:
    """Paragraph texts under each （N） heading of section 一, up to the next heading."""
    texts = [p.text for p in document.paragraphs]
    start, end = texts.index("一、主要工作进展"), texts.index("二、存在的问题")
    out, current = {}, None
    for text in texts[start + 1:end]:
        match = re.match(r"^（([一二三四五六七八九十]+)）", text)
        if match:
            current = [n for n in range(1, 17) if cn_number(n) == match[1]][0]
            out[current] = []
        elif current is not None:
            out[current].append(text)
    return out


def test_report_writes_a_docx_with_every_record_once_in_its_section(filled, cli):
    result = report(cli, filled)
    assert result.exit_code == 0, result.stderr
    path = filled.reports_dir / "report-2020Q2.docx"
    assert result.stdout.strip() == str(path)
    document = docx.Document(str(path))
    by_item = sections(document)
    assert sorted(by_item) == list(range(1, 17))
    everything = "\n".join(p.text for p in document.paragraphs)
    for fields in RECORDS:
        lines = [line for line in fields["text"].splitlines() if line.strip()]
        for line in lines:
            if fields["quarter"] == "2":
                assert sum(line in t for t in by_item[fields["item"]]) == 1, line
                assert everything.count(line) == 1, line
            else:
                assert line not in everything
    assert by_item[5] == ["本季度无新进展。"]


def test_user_text_is_data_and_rare_characters_survive(filled, cli):
    report(cli, filled)
    document = docx.Document(str(filled.reports_dir / "report-2020Q2.docx"))
    everything = "\n".join(p.text for p in document.paragraphs)
    assert "{{ 7*7 }} 和 {% if x %}" in everything and "49" not in everything
    assert "🚀" in everything and "𠮷" in everything


def test_title_period_metrics_signature_and_date(filled, cli):
    result = report(cli, filled)
    assert "𠮷" in result.stderr  # listed in the warning about characters outside GB2312
    document = docx.Document(str(filled.reports_dir / "report-2020Q2.docx"))
    texts = [p.text for p in document.paragraphs]
    title = "".join(t for t in texts[:3] if t and not t.endswith("："))
    assert title.replace("\n", "") .startswith("中共渭南市科学技术局党组关于2020年第二季度科技工作要点落实情况的报告")
    assert any(t.endswith("16项重点任务中，按序时推进3项；第2、3、4、5、6、7、8、10、11、13、14、15、16项本季度无新进展。")
               for t in texts), texts[:6]
    assert "截至6月底，科技创新发展基金募集规模累计达到6000万元，完成全年目标（1亿元）的60%，高于序时进度10个百分点。" in texts
    assert "中共渭南市科学技术局党组" in texts and "2020年7月6日" in texts
    assert any(t.startswith("附件：") and "推进情况统计表" in t for t in texts)


def test_attachment_table_lists_every_item(filled, cli):
    report(cli, filled)
    document = docx.Document(str(filled.reports_dir / "report-2020Q2.docx"))
    table = document.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["序号", "重点任务", "责任单位", "进展情况", "存在问题", "下一步打算", "进度"]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[0] for r in rows] == [str(n) for n in range(1, 17)]
    assert rows[8][2:] == ["成果转化科", "科技创新发展基金累计募集6000万元。", "社会资本参与不足。", "力争三季度再募集2000万元。",
                           "序时推进\n6000万元/1亿元"]
    assert rows[11][6] == "序时推进\n72%（目标80%）"
    assert rows[1][3] == "—" and rows[1][6] == "无新进展"


def test_same_input_same_bytes_and_file_left_untouched(filled, cli):
    report(cli, filled)
    path = filled.reports_dir / "report-2020Q2.docx"
    first, stamp = path.read_bytes(), path.stat().st_mtime_ns
    os.utime(path, ns=(stamp - 10**9, stamp - 10**9))
    report(cli, filled)
    assert path.read_bytes() == first
    assert path.stat().st_mtime_ns == stamp - 10**9
    other = filled.root / "again.docx"
    report(cli, filled, "--out", other)
    assert other.read_bytes() == first


def test_report_gets_ordinary_file_permissions(filled, cli):
    mask = os.umask(0o022)
    try:
        report(cli, filled)
    finally:
        os.umask(mask)
    assert (filled.reports_dir / "report-2020Q2.docx").stat().st_mode & 0o777 == 0o644


def test_cumulative_report(filled, cli):
    result = report(cli, filled, "--cumulative")
    assert result.exit_code == 0
    path = filled.reports_dir / "report-2020Q2-cumulative.docx"
    document = docx.Document(str(path))
    everything = "\n".join(p.text for p in document.paragraphs)
    assert "上半年" in everything and "第一季度的记录不进第二季度报告。" in everything


def test_a_failure_keeps_the_earlier_report(filled, cli):
    report(cli, filled)
    path = filled.reports_dir / "report-2020Q2.docx"
    before = path.read_bytes()
    progress.add_progress(filled, filled.plan(), today=TODAY, now=NOW, item=2, quarter="2", status="已完成",
                          text="新的一条记录")
    (filled.templates_dir / "report.j2").write_text("{% macro title(a, b, c) %}\n{{ a \n", encoding="utf-8")
    result = report(cli, filled)
    assert result.exit_code == 78 and "report.j2" in result.stderr and "Traceback" not in result.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in filled.reports_dir.iterdir()) == ["report-2020Q2.docx"]


def test_out_must_be_a_docx_and_bad_date_is_usage_error(filled, cli):
    result = report(cli, filled, "--out", filled.root / "x.pdf")
    assert result.exit_code == 1 and ".docx" in result.stderr
    result = run_kjplan("--root", filled.root, "report", "--quarter", "2", "--date", "2020-7-32")
    assert result.returncode == 2 and "2020 年 7 月只有 31 天" in result.stderr


def test_bad_quarter(filled, cli):
    for quarter, words in (("5", "1 到 4"), ("2019Q2", "2019 年")):
        result = cli("--root", filled.root, "report", "--quarter", quarter)
        assert result.exit_code == 1 and words in result.stderr


def test_the_example_workspace_renders(tmp_path):
    made = run_kjplan("init", "--example", tmp_path / "示例 工作区")
    assert made.returncode == 0, made.stderr
    out = tmp_path / "example.docx"
    result = run_kjplan("--root", tmp_path / "示例 工作区", "report", "--quarter", "2", "--date", "2020-07-06",
                        "--out", out)
    assert result.returncode == 0, result.stderr
    document = docx.Document(str(out))
    everything = "\n".join(p.text for p in document.paragraphs)
    assert "科技创新发展基金完成第二期扩资4000万元" in everything
    assert "中共渭南市委：" in everything


@pytest.mark.parametrize("date, warned", [
    ("2020-07-06", None),
    ("2020-09-30", None),  # a quarter after the period's end is still in time
    ("2020-06-15", "早于报告期（2020年第二季度）结束的 2020年6月30日"),
    ("2020-10-01", "距报告期（2020年第二季度）结束已超过一个季度"),
    ("2026-01-05", "成文日期 2026年1月5日 距报告期（2020年第二季度）结束已超过一个季度"),
])
def test_an_unlikely_date_is_warned_about_on_stderr_and_the_report_still_written(filled, date, warned):
    result = run_kjplan("--root", filled.root, "report", "--quarter", "2", "--date", date)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("report-2020Q2.docx")
    if warned is None:
        assert "成文日期" not in result.stderr
    else:
        assert warned in result.stderr and "--date" in result.stderr and "Traceback" not in result.stderr


def test_a_cumulative_report_is_dated_against_the_year_to_date(filled):
    result = run_kjplan("--root", filled.root, "report", "--quarter", "2", "--cumulative", "--date", "2020-05-01")
    assert result.returncode == 0 and "早于报告期（2020年上半年）结束的 2020年6月30日" in result.stderr


def test_sections_without_content_are_named_on_stderr(ws):
    plan = ws.plan()
    progress.add_progress(ws, plan, today=TODAY, now=NOW, item=1, quarter="2", status="序时推进", text="学习")
    result = run_kjplan("--root", ws.root, "report", "--quarter", "2", "--date", "2020-07-06")
    assert result.returncode == 0
    assert "“存在的问题”" in result.stderr and "“下一步工作打算”" in result.stderr
    document = docx.Document(result.stdout.strip())
    texts = [p.text for p in document.paragraphs]
    assert "一、主要工作进展" in texts and not [t for t in texts if t.startswith("二、")]
