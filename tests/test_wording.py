"""The report's words: templates filled from the report model, user text kept as data."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from kjplan.errors import ConfigError, KjplanError
from kjplan.periods import Quarter
from kjplan.records import resolve
from kjplan.figures import percent
from kjplan.render.text import MACROS, column_widths, compose
from kjplan.report_model import build_report
from kjplan.settings import ReportSettings, Settings
from test_report_model import PLAN, entry

DATE = dt.date(2020, 7, 6)
DATA = Path(__file__).parent / "data"


def composed(entries, templates=None, quarter=2, cumulative=False, settings=Settings()):
    model = build_report(PLAN, resolve(entries), Quarter(2020, quarter), cumulative=cumulative)
    return compose(model, settings, templates, DATE)


def document(entries, **kwargs):
    return composed(entries, **kwargs).document


def texts(doc, kind=None):
    return [p.text for p in doc.body if kind is None or p.kind == kind]


def full(doc) -> str:
    cells = [cell for a in doc.attachments for row in [a.table.header, *a.table.rows] for cell in row]
    return "\n".join([doc.title, *texts(doc), *cells])


def test_title_and_overview_give_only_counts_that_are_not_zero():
    doc = document([entry(1, status="已完成"), entry(2, item=2, status="滞后"), entry(3, item=9, metrics={"innovation_fund": 0.6})]
                   + [entry(10 + n, item=n, status="序时推进") for n in range(4, 15)])
    assert doc.title == "中共渭南市科学技术局党组关于2020年第二季度科技工作要点落实情况的报告"
    overview = doc.body[0].text
    assert overview.startswith("按照《中共渭南市科学技术局党组2020年科技工作要点》（以下简称《工作要点》）部署，现将2020年第二季度落实情况报告如下。")
    assert overview.endswith("《工作要点》确定的16项重点任务中，已完成1项，按序时推进11项；进度滞后1项（第2项做好科技创新发展规划编制工作）；"
                             "第3、15、16项本季度无新进展。")
    assert "0项" not in overview and "\n" not in overview
    assert "上半年" in document([entry(1, status="已完成")], cumulative=True).title


def test_overview_names_every_item_behind_or_not_started_and_adds_up():
    doc = document([entry(1, item=3, status="滞后"), entry(2, item=8, status="滞后"), entry(3, item=5, status="未启动")])
    overview = doc.body[0].text
    assert "进度滞后2项（第3项支持重点区域高质量发展、第8项加大高层次外国专家引进力度）" in overview
    assert "尚未启动1项（第5项深化科技资源统筹改革）" in overview
    counts = [int(n) for n in re.findall(r"(\d+)项（", overview)]
    quiet = re.search(r"；第([\d、]+)项本季度无新进展。$", overview).group(1).split("、")
    assert sum(counts) + len(quiet) == 16 and "已完成" not in overview and "按序时推进" not in overview
    nothing = document([]).body[0].text
    assert nothing.endswith("《工作要点》确定的16项重点任务本季度均无新进展。")


def test_sections_are_numbered_as_they_come_and_the_body_ends_with_the_closing():
    doc = document([entry(1, status="已完成", problems="经费不足", next="继续推进")])
    assert texts(doc, "h1") == ["一、主要工作进展", "二、存在的问题", "三、下一步工作打算"]
    h2 = texts(doc, "h2")
    assert h2[:2] == ["（一）加强党对科技工作的全面领导", "（二）做好科技创新发展规划编制工作"]
    assert "（十六）强化党风廉政建设主体责任落实" in h2 and len(h2) == 16  # （一） means one item only
    assert texts(doc).count("本季度无新进展。") == 15
    assert texts(doc)[-1] == "特此报告。" and texts(doc).count("特此报告。") == 1


def test_a_section_without_content_is_left_out_with_a_warning():
    result = composed([entry(1, status="已完成", next="继续推进")])
    assert texts(result.document, "h1") == ["一、主要工作进展", "二、下一步工作打算"]
    assert len(result.warnings) == 1 and "存在问题" in result.warnings[0] and "略去" in result.warnings[0]
    none = composed([entry(1, status="已完成")])
    assert texts(none.document, "h1") == ["一、主要工作进展"]
    assert [w for w in none.warnings if "存在问题" in w] and [w for w in none.warnings if "下步打算" in w]
    assert not any("未报送" in t or "没有" in t for t in texts(none.document))


def test_problems_and_next_steps_are_points_drawn_from_the_records():
    doc = document([
        entry(1, item=9, unit="成果转化科", status="序时推进", problems="社会资本积极性不高。", next="加强对接。"),
        entry(2, item=3, unit="富平县科技局", status="滞后", problems="土地手续尚未办结\n申报材料需完善；"),
        entry(3, item=3, unit="高新技术科", status="序时推进", problems="专业人才不足"),
    ])
    start = texts(doc).index("二、存在的问题")
    points = texts(doc)[start + 1:start + 4]
    assert points == ["一是土地手续尚未办结；申报材料需完善（第3项）；", "二是专业人才不足（第3项）；",
                      "三是社会资本积极性不高（第9项）。"]
    assert "三、下一步工作打算" in texts(doc) and "一是加强对接（第9项）。" in texts(doc)
    assert not [t for t in texts(doc, "h2") if "（一）" in t and "加强党" not in t]  # no second （一）


def test_records_speak_in_the_bureaus_voice_unless_prefixes_are_asked_for():
    records = [entry(1, item=3, unit="高新技术科", status="序时推进", text="完成方案修改"),
               entry(2, item=3, unit="富平县科技局", status="滞后", text="完成申报材料初稿")]
    body = texts(document(records), "body")
    assert "完成方案修改" in body and "完成申报材料初稿" in body
    assert not [t for t in body if "高新技术科：" in t or "富平县科技局：" in t]
    prefixed = texts(document(records, settings=Settings(report=ReportSettings(unit_prefix=True))), "body")
    assert "高新技术科：完成方案修改" in prefixed and "富平县科技局：完成申报材料初稿" in prefixed


def test_a_cumulative_report_keeps_each_units_records_together_in_date_order_and_never_says_this_quarter():
    doc = document([
        entry(1, item=3, unit="高新技术科", quarter="2020Q1", date="2020-03-01", status="序时推进", text="甲一"),
        entry(2, item=3, unit="富平县科技局", quarter="2020Q1", date="2020-03-05", status="序时推进", text="乙一"),
        entry(3, item=3, unit="高新技术科", date="2020-06-01", status="序时推进", text="甲二\n甲二续"),
    ], cumulative=True, settings=Settings(report=ReportSettings(unit_prefix=True)))
    body = texts(doc, "body")
    start = body.index("高新技术科：甲一")
    assert body[start:start + 4] == ["高新技术科：甲一", "甲二", "甲二续", "富平县科技局：乙一"]
    assert "本季度" not in full(doc)
    assert texts(doc).count("上半年无新进展。") == 15
    assert "第1、2、4、5、6、7、8、9、10、11、12、13、14、15、16项上半年无新进展" in doc.body[0].text
    q1 = document([entry(1, quarter="2020Q1", date="2020-02-01", status="序时推进")], quarter=1, cumulative=True)
    assert "本季度" not in full(q1) and "第一季度无新进展。" in texts(q1)


def test_record_text_appears_once_and_literally():
    doc = document([entry(1, status="已完成", unit="机关党委", text="学习{{ 7*7 }}次{% if x %}\n第二段")])
    body = texts(doc, "body")
    assert "学习{{ 7*7 }}次{% if x %}" in body and "第二段" in body
    assert sum("{{ 7*7 }}" in t for t in body) == 1
    assert "49" not in "".join(body)


def test_a_cumulative_target_is_judged_against_the_time_share_in_percentage_points():
    doc = document([entry(1, item=9, metrics={"innovation_fund": 0.6}, text="募集")])
    assert "截至6月底，科技创新发展基金募集规模累计达到6000万元，完成全年目标（1亿元）的60%，高于序时进度10个百分点。" in texts(doc)
    behind = document([entry(1, item=9, quarter="2020Q1", date="2020-03-30", metrics={"innovation_fund": 0.2}, text="募集")],
                      quarter=1)
    assert any(t.endswith("完成全年目标（1亿元）的20%，低于序时进度5个百分点。") and t.startswith("截至3月底") for t in texts(behind))
    done = document([entry(1, item=9, metrics={"innovation_fund": 1.05}, text="募集")])
    assert "截至6月底，科技创新发展基金募集规模累计达到1.05亿元，已完成1亿元的全年目标。" in texts(done)
    even = document([entry(1, item=9, metrics={"innovation_fund": 0.5}, text="募集")])
    assert any(t.endswith("的50%，与序时进度持平。") for t in texts(even))


def test_a_level_target_is_reported_as_the_level_and_its_gap_never_against_the_time_share():
    doc = document([entry(1, item=12, metrics={"incubator_occupancy": 72}, text="入驻")])
    line = next(t for t in texts(doc) if "孵化器入驻率" in t)
    assert line == "截至6月底，孵化器入驻率为72%，距80%的目标尚差8个百分点。"
    reached = document([entry(1, item=12, metrics={"incubator_occupancy": 80}, text="入驻")])
    assert "截至6月底，孵化器入驻率为80%，已达到80%的目标。" in texts(reached)
    assert "达标率" not in full(doc) and "序时" not in line


def test_no_figure_is_said_plainly_without_a_judgement():
    doc = document([entry(1, item=12, status="序时推进", text="招商")], quarter=1)
    line = next(t for t in texts(doc) if "孵化器入驻率" in t)
    assert line == "孵化器入驻率目标为80%，截至3月底暂无统计数据。"
    assert "序时" not in line and "未报送" not in line


def test_percentages_keep_a_decimal_only_where_it_matters():
    assert percent(0.6) == "60%" and percent(0.6, 0.5) == "60%"
    assert percent(0.496, 0.5) == "49.6%"  # 50% would hide that it is below 序时进度
    assert percent(0.998) == "99.8%" and percent(1.0) == "100%" and percent(0.333) == "33%"


def test_attachment_table_has_every_item_with_every_text_in_full():
    long_text = "科技创新发展基金完成第二期扩资4000万元，累计募集6000万元；" * 4
    doc = document([entry(1, status="已完成", unit="机关党委", problems="问题一", next="打算一"),
                    entry(2, item=9, unit="成果转化科", text=long_text + "\n第二段", metrics={"innovation_fund": 0.6}),
                    entry(3, item=12, unit="孵化器", metrics={"incubator_occupancy": 72}, text="入驻"),
                    entry(4, item=3, unit="高新技术科", status="序时推进", text="甲"),
                    entry(5, item=3, unit="富平县科技局", status="滞后", text="乙")])
    attachment = doc.attachments[0]
    table = attachment.table
    assert attachment.landscape and attachment.title == "2020年第二季度科技工作要点推进情况统计表"
    assert table.header == ["序号", "重点任务", "责任单位", "进展情况", "存在问题", "下一步打算", "进度"]
    assert [row[0] for row in table.rows] == [str(n) for n in range(1, 17)]
    assert table.rows[0][2:] == ["机关党委", "进展1", "问题一", "打算一", "已完成"]
    assert table.rows[8][3] == long_text + "\n第二段" and table.rows[8][6] == "序时推进\n6000万元/1亿元"
    assert table.rows[11][6] == "序时推进\n72%（目标80%）"
    assert table.rows[2][3] == "高新技术科：甲\n富平县科技局：乙" and table.rows[2][6] == "滞后"  # several units: named
    assert table.rows[1][6] == "无新进展" and "…" not in full(doc)


def test_a_cumulative_report_takes_each_units_problems_and_plans_from_the_last_quarter_it_reported_in():
    doc = document([
        entry(1, item=6, unit="成果转化科", quarter="2020Q1", date="2020-03-27", status="滞后",
              problems="对接活动无法如期开展", next="二季度组织线下对接活动"),
        entry(2, item=6, unit="成果转化科", date="2020-06-26", status="序时推进", text="组织18家企业对接",
              next="下半年组织对接活动"),
        entry(3, item=8, unit="外国专家科", quarter="2020Q1", date="2020-03-31", status="未启动", problems="专家入境受限"),
    ], cumulative=True)
    said = "\n".join(texts(doc)) + "\n" + "\n".join(doc.attachments[0].table.rows[5])
    # The unit reported again in Q2 and named no problem: the Q1 problem is over, the April plan replaced.
    assert "对接活动无法如期开展" not in said and "二季度组织线下对接活动" not in said
    assert "一是下半年组织对接活动（第6项）。" in texts(doc)
    # A unit whose last word was in Q1 still has it said.
    assert "一是专家入境受限（第8项）。" in texts(doc)


def test_the_responsible_units_are_the_plans_then_who_reported():
    plan = PLAN.model_copy(update={"items": [
        item.model_copy(update={"lead": "高新技术科", "partners": ["富平县科技局"]}) if item.number == 3 else item
        for item in PLAN.items]})
    records = resolve([entry(1, item=3, unit="蒲城县科技局", status="序时推进"),
                       entry(2, item=15, unit="办公室", quarter="2020Q1", date="2020-03-01", status="序时推进")])
    model = build_report(plan, records, Quarter(2020, 2))
    rows = compose(model, Settings(), None, DATE).document.attachments[0].table.rows
    assert rows[2][2] == "高新技术科、富平县科技局、蒲城县科技局"
    assert rows[14][2] == "办公室"  # no record this quarter: who worked on it this year
    assert rows[15][2] == "—"  # nobody named, nobody reported


def test_column_widths_follow_the_content():
    header = ["序号", "重点任务", "责任单位", "进展情况", "存在问题", "下一步打算", "进度"]
    rows = [[str(n), "提升科技成果转移转化能力", "成果转化科", "很长的进展情况" * (10 if n == 3 else 3), "问题", "打算" * 5,
             "序时推进\n6000万元/1亿元"] for n in range(1, 17)]
    widths, heights = column_widths(header, rows)
    assert len(heights) == 16 and heights[2] == max(heights)
    assert widths[0] < 4 and widths[6] < 10  # narrow: 序号, 进度
    assert widths[3] == max(widths) and widths[3] > 2 * widths[4]  # most text, most room
    assert widths[5] > widths[4]
    assert column_widths(header, rows) == (widths, heights)  # deterministic


def test_imprint_only_when_settings_name_a_printer():
    assert document([]).imprint is None
    settings = Settings(report=ReportSettings(recipients="中共渭南市委", cc="市委办公室", printer="渭南市科学技术局办公室"))
    doc = document([], settings=settings)
    assert doc.recipients == "中共渭南市委"
    assert doc.imprint.printer == "渭南市科学技术局办公室" and doc.imprint.date == DATE
    assert doc.signature == "中共渭南市科学技术局党组"


def _workspace_templates(tmp_path):
    from kjplan.workspace import TEMPLATES, bundled_root

    templates = tmp_path / "templates"
    shutil.copytree(bundled_root() / TEMPLATES, templates)
    return templates, templates / "report.j2"


def test_an_office_can_change_the_wording(tmp_path):
    templates, path = _workspace_templates(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("无新进展。{% endmacro %}", "暂无新的进展。{% endmacro %}").replace("特此报告。", "专此报告。"),
                    encoding="utf-8")
    doc = document([], templates=templates)
    assert "本季度暂无新的进展。" in texts(doc) and texts(doc)[-1] == "专此报告。"


def test_every_macro_says_what_it_receives():
    """Each macro has a comment right above it ({#- … -#}), or stands in a run of one-line macros
    (the section headings) right below such a comment."""
    from kjplan.workspace import TEMPLATES, bundled_root

    lines = (bundled_root() / TEMPLATES / "report.j2").read_text(encoding="utf-8").splitlines()
    for name in MACROS:
        (index,) = [i for i, line in enumerate(lines) if line.startswith(f"{{% macro {name}(")]
        above = index - 1
        while lines[above].startswith("{% macro") and lines[above].endswith("{% endmacro %}"):
            above -= 1
        assert lines[above].rstrip().endswith("-#}"), f"macro {name} has no comment above it"


def test_broken_template_names_file_and_line(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.j2").write_text("{% macro title(a, b, c) %}\n{{ a }\n{% endmacro %}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"report\.j2:2: 模板语法错误") as info:
        document([], templates=templates)
    assert info.value.exit_code == 78


def test_a_template_edited_before_the_new_wording_names_the_missing_macros(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    shutil.copy(DATA / "report-v1.j2", templates / "report.j2")  # the template as kjplan 0.1 shipped it
    with pytest.raises(ConfigError) as info:
        document([entry(1, status="已完成")], templates=templates)
    message = info.value.message
    assert info.value.exit_code == 78 and str(templates / "report.j2") in message
    for name in ("overview", "problems_heading", "no_new_progress", "target_progress", "point", "closing", "table_columns"):
        assert name in message
    assert "title" not in message.split("缺少")[1].split("。")[0].split("、")  # it has title


def test_a_macro_called_with_other_arguments_is_a_configuration_error(tmp_path):
    templates, path = _workspace_templates(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{% macro point(ordinal, text, item, last) -%}", "{% macro point(ordinal, text) -%}"),
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="point") as info:
        document([entry(1, status="序时推进", problems="经费不足")], templates=templates)
    assert info.value.exit_code == 78


def test_a_record_without_status_or_figure_stops_the_report_with_the_way_out():
    with pytest.raises(KjplanError, match=r"第 1 项（[0-9a-f]{8}）.*kjplan amend [0-9a-f]{8} --status"):
        document([entry(1)])


def test_the_plans_own_targets_are_stated_right_after_the_overview():
    from kjplan.plan import Target

    plan = PLAN.model_copy(update={"targets": [
        Target(id="hitech_firms", name="高新技术企业数量", value=120, unit="家", kind="cumulative"),
        Target(id="rd_intensity", name="研发投入强度", value=2.5, unit="%", kind="level"),
        Target(id="tech_contracts", name="技术合同成交额", value=50, unit="亿元", kind="cumulative"),
    ]})
    entries = [entry(1, item=13, status="序时推进", metrics={"hitech_firms": 72, "rd_intensity": 2.1})]
    model = build_report(plan, resolve(entries), Quarter(2020, 2))
    doc = compose(model, Settings(), None, DATE).document
    assert doc.body[0].text.startswith("按照《") and doc.body[2].kind == "h1"
    assert doc.body[1].text == (
        "主要预期目标完成情况：截至6月底，高新技术企业数量累计达到72家，完成全年目标（120家）的60%，高于序时进度10个百分点；"
        "研发投入强度为2.1%，距2.5%的目标尚差0.4个百分点；技术合同成交额暂无统计数据（目标50亿元）。")
    assert "主要预期目标" not in texts(document([entry(1, status="序时推进")]))  # the 2020 plan states none
