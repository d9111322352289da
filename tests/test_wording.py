"""The report's words: templates filled from the report model, user text kept as data."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from kjplan.errors import ConfigError
from kjplan.periods import Quarter
from kjplan.records import resolve
from kjplan.render.text import build_document
from kjplan.report_model import build_report
from kjplan.settings import ReportSettings, Settings
from test_report_model import PLAN, entry

DATE = dt.date(2020, 7, 6)


def document(entries, templates=None, quarter=2, cumulative=False, settings=Settings()):
    model = build_report(PLAN, resolve(entries), Quarter(2020, quarter), cumulative=cumulative)
    return build_document(model, settings, templates, DATE)


def texts(doc, kind=None):
    return [p.text for p in doc.body if kind is None or p.kind == kind]


def test_title_and_intro_carry_the_period_and_figures():
    doc = document([entry(1, status="已完成"), entry(2, item=2, status="滞后"), entry(3, item=9, metrics={"innovation_fund": 0.6})])
    assert doc.title == "中共渭南市科学技术局党组关于2020年第二季度科技工作要点落实情况的报告"
    intro = doc.body[0].text
    assert "16项重点任务中，已完成1项，序时推进1项，滞后1项，未启动0项，本季度无进展报送13项" in intro
    assert "\n" not in intro
    cumulative = document([entry(1, status="已完成")], cumulative=True)
    assert "上半年" in cumulative.title


def test_sections_and_headings_in_order():
    doc = document([entry(1, status="已完成", problems="经费不足", next="继续推进")])
    h1 = texts(doc, "h1")
    assert h1 == ["一、主要工作进展", "二、存在的问题", "三、下一步工作打算"]
    h2 = texts(doc, "h2")
    assert h2[:2] == ["（一）加强党对科技工作的全面领导", "（二）做好科技创新发展规划编制工作"]
    assert "（十六）强化党风廉政建设主体责任落实" in h2
    assert texts(doc).count("本季度暂无进展报送。") == 15


def test_record_text_appears_once_with_its_unit_and_literally():
    doc = document([entry(1, status="已完成", unit="机关党委", text="学习{{ 7*7 }}次{% if x %}\n第二段")])
    body = texts(doc, "body")
    assert "机关党委：学习{{ 7*7 }}次{% if x %}" in body and "第二段" in body
    assert sum("{{ 7*7 }}" in t for t in body) == 1
    assert "49" not in "".join(body)


def test_metric_sentence():
    doc = document([entry(1, item=9, metrics={"innovation_fund": 0.6}, text="募集")])
    line = next(t for t in texts(doc) if t.startswith("量化指标：科技创新发展基金募集规模"))
    assert "目标1亿元" in line and "累计完成6000万元" in line and "完成率60%" in line and "达到序时进度（50%）" in line


def test_attachment_table_has_every_item():
    doc = document([entry(1, status="已完成", unit="机关党委")])
    table = doc.attachments[0].table
    assert table.header == ["序号", "重点任务", "牵头单位", "进展情况", "完成进度", "状态"]
    assert [row[0] for row in table.rows] == [str(n) for n in range(1, 17)]
    assert table.rows[0][2] == "机关党委" and table.rows[0][5] == "已完成"
    assert table.rows[1][3] == "无报送"
    assert doc.attachments[0].title == "2020年第二季度科技工作要点推进情况统计表"


def test_imprint_only_when_settings_name_a_printer():
    assert document([]).imprint is None
    settings = Settings(report=ReportSettings(recipients="中共渭南市委", cc="市委办公室", printer="渭南市科学技术局办公室"))
    doc = document([], settings=settings)
    assert doc.recipients == "中共渭南市委"
    assert doc.imprint.printer == "渭南市科学技术局办公室" and doc.imprint.date == DATE
    assert doc.signature == "中共渭南市科学技术局党组"


def test_an_office_can_change_the_wording(tmp_path):
    from kjplan.workspace import TEMPLATES, bundled_root

    templates = tmp_path / "templates"
    shutil.copytree(bundled_root() / TEMPLATES, templates)
    path = templates / "report.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("本季度暂无进展报送。", "本季度未报送进展。"), encoding="utf-8")
    assert "本季度未报送进展。" in texts(document([], templates=templates))


def test_broken_template_names_file_and_line(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.j2").write_text("{% macro title(a, b, c) %}\n{{ a }\n{% endmacro %}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"report\.j2:2: 模板语法错误") as info:
        document([], templates=templates)
    assert info.value.exit_code == 78


def test_template_missing_a_macro(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.j2").write_text("{% macro title(a, b, c) %}标题{% endmacro %}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="缺少 intro"):
        document([], templates=templates)
