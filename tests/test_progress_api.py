"""The progress API (kjplan.progress): what the CLI calls, with fixed today/now."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kjplan import ledger, progress
from kjplan.checks import check_workspace
from kjplan.errors import DataErrors, KjplanError
from kjplan.records import ProgressEntry

from progress_fixtures import NOW, TODAY, ledger_bytes, ledger_path, new_workspace


@pytest.fixture
def ws(tmp_path):
    return new_workspace(tmp_path)


@pytest.fixture
def plan(ws):
    return ws.plan()


def add(ws, plan, **kw):
    # The same record added again is a duplicate; tests here that add several are not about that.
    fields = dict(item=9, text="完成基金扩资方案", metrics=["innovation_fund=6000万"], allow_duplicate=True)
    fields.update(kw)
    return progress.add_progress(ws, plan, today=TODAY, now=NOW, **fields)


def test_add_progress_stores_the_record_and_returns_it(ws, plan):
    entry = add(ws, plan, unit="成果转化科", by="张三", problems="进度偏慢", next="加快募集")
    assert isinstance(entry, ProgressEntry) and len(entry.id) == 16
    assert (entry.item, entry.quarter, entry.date, entry.status) == (9, "2020Q2", TODAY, None)
    assert entry.metrics == {"innovation_fund": 0.6}
    assert entry.created == NOW
    (record,) = progress.list_records(ws, plan, today=TODAY)
    assert (record.id, record.text, record.unit, record.by) == (entry.id, "完成基金扩资方案", "成果转化科", "张三")
    assert (record.problems, record.next) == ("进度偏慢", "加快募集")


@pytest.mark.parametrize("typed, stored", [
    ("6000万", 0.6), ("0.6亿", 0.6), ("6,000万元", 0.6), ("0.25亿元", 0.25), ("3000 万元", 0.3), ("１亿", 1.0),
])
def test_metric_values_are_converted_to_the_targets_unit(ws, plan, typed, stored):
    entry = add(ws, plan, metrics=[f"innovation_fund={typed}"])
    assert entry.metrics["innovation_fund"] == pytest.approx(stored)


@pytest.mark.parametrize("typed", ["82%", "82 %", "82％"])
def test_a_percentage_target_takes_percent(ws, plan, typed):
    entry = add(ws, plan, item=12, metrics={"incubator_occupancy": typed})
    assert entry.metrics == {"incubator_occupancy": 82.0}


@pytest.mark.parametrize("metrics, words", [
    (["innovation_fund=82%"], ["innovation_fund", "“%”", "亿元"]),
    (["innovation_fund=很多"], ["innovation_fund", "不是数值"]),
    (["innovation_fund"], ["指标名称=数值"]),
    (["=6000万"], ["缺少指标名称"]),
    (["innovation_fund="], ["缺少数值"]),
    (["innovation_fund=-1亿"], ["负数"]),
    (["fund=1亿"], ["“fund”不是第 9 项的指标", "innovation_fund"]),
    (["innovation_fund=1亿", "innovation_fund=2亿"], ["填写了两次"]),
])
def test_bad_metrics_are_refused_by_name_and_nothing_is_written(ws, plan, metrics, words):
    add(ws, plan)
    before = ledger_bytes(ws)
    with pytest.raises(KjplanError) as caught:
        add(ws, plan, metrics=metrics)
    for word in words:
        assert word in caught.value.message
    assert "--metric" in caught.value.message
    assert ledger_bytes(ws) == before


def test_a_metric_on_an_item_without_targets_is_refused(ws, plan):
    with pytest.raises(KjplanError, match="第 1 项没有量化指标"):
        add(ws, plan, item=1, status="已完成", metrics=["innovation_fund=1亿"])


def test_status_is_derived_only_when_the_item_has_targets_and_metrics_are_given(ws, plan):
    with pytest.raises(KjplanError) as caught:
        add(ws, plan, metrics=None)
    assert "--status" in caught.value.message and "--metric" in caught.value.message
    with pytest.raises(KjplanError, match="第 1 项没有量化指标，须写明状态"):
        add(ws, plan, item=1, metrics=None)
    assert add(ws, plan, metrics=None, status="behind").status == "滞后"
    assert add(ws, plan, item=1, metrics=None, status="done").status == "已完成"
    assert not ledger_path(ws).read_text(encoding="utf-8").count("按指标")


@pytest.mark.parametrize("item, words", [
    (0, "没有第 0 项"), (17, "没有第 17 项"), ("abc", "“abc”不是事项序号"), ("", "没有写事项序号"), (True, "“true”不是事项序号"),
])
def test_unknown_items_name_the_range(ws, plan, item, words):
    with pytest.raises(KjplanError) as caught:
        add(ws, plan, item=item)
    assert words in caught.value.message and "1 到 16" in caught.value.message
    assert not ledger_path(ws).exists()


@pytest.mark.parametrize("item", ["9", " 9 ", "第9项", "九", 9])
def test_items_can_be_written_several_ways(ws, plan, item):
    assert add(ws, plan, item=item).item == 9


def test_the_default_quarter_is_todays_and_a_day_outside_the_year_asks_for_the_date(ws, plan):
    assert progress.add_progress(ws, plan, item=1, text="x", status="done", today=dt.date(2020, 8, 1)).quarter == "2020Q3"
    for quarter in (None, "4"):
        with pytest.raises(KjplanError, match="今天（2021-01-05）不在计划年度 2020 年内.*--date 2020-"):
            progress.add_progress(ws, plan, item=1, text="x", status="done", quarter=quarter, today=dt.date(2021, 1, 5))
    entry = progress.add_progress(ws, plan, item=1, text="补录", status="done", date="2020-12-30", today=dt.date(2021, 1, 5))
    assert (entry.quarter, entry.date) == ("2020Q4", dt.date(2020, 12, 30))  # the quarter follows the date
    entry = progress.add_progress(ws, plan, item=1, text="补录三季度", status="done", quarter="3", date="2020-12-30",
                                  today=dt.date(2021, 1, 5))
    assert (entry.quarter, entry.date) == ("2020Q3", dt.date(2020, 12, 30))  # reported late: allowed


@pytest.mark.parametrize("quarter, words", [("5", "1 到 4"), ("2019Q1", "2019 年"), ("Q0", "1 到 4"), ("下个月", "无法识别")])
def test_bad_quarters_are_refused(ws, plan, quarter, words):
    with pytest.raises(KjplanError, match=words):
        add(ws, plan, quarter=quarter)
    assert not ledger_path(ws).exists()


def test_dates(ws, plan):
    assert add(ws, plan, date="2020-04-02").date == dt.date(2020, 4, 2)
    for bad, words in (("2020-13-01", "月份 13 不存在"), ("2020-02-30", "2020 年 2 月只有 29 天"), ("20200706", "缺少分隔符"), ("2019-12-31", "早于计划年度 2020 年"), ("2020-05-11", "晚于今天")):
        with pytest.raises(KjplanError, match=words):
            add(ws, plan, date=bad)
    with pytest.raises(KjplanError, match="2020-03-31 早于所属季度 2020Q2 的开始（2020-04-01）"):
        add(ws, plan, date="2020-03-31", quarter="2")
    assert add(ws, plan, date="2020-03-31").quarter == "2020Q1"  # no quarter given: the date's


@pytest.mark.parametrize("field", ["text", "problems", "next"])
def test_control_characters_and_overlong_text_are_refused(ws, plan, field):
    with pytest.raises(KjplanError) as caught:
        add(ws, plan, **{field: "第一行\n第二\x07行"})
    assert "U+0007" in caught.value.message and "第 2 行" in caught.value.message and f"--{field}" in caught.value.message
    with pytest.raises(KjplanError, match="内容过长：5001 字，最多 5000 字"):
        add(ws, plan, **{field: "字" * 5001})
    assert not ledger_path(ws).exists()


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_is_refused(ws, plan, text):
    with pytest.raises(KjplanError, match="进展情况（--text）：不能为空"):
        add(ws, plan, text=text)


def test_every_problem_is_reported_at_once(ws, plan):
    with pytest.raises(KjplanError) as caught:
        add(ws, plan, quarter="5", text="", metrics=["fund=1"], date="昨天")
    message = caught.value.message
    for option in ("--quarter", "--text", "--metric", "--date"):
        assert option in message
    assert "--status" not in message  # the metric was wrong; asking for a status as well would mislead


def test_units_are_checked_against_the_settings_list(ws, plan):
    ws.settings_path.write_text("units: [成果转化科, 蒲城县科技局]\n", encoding="utf-8")
    ws = type(ws)(ws.root)  # settings are cached per Workspace object
    assert add(ws, plan, unit="成果转化科").unit == "成果转化科"
    with pytest.raises(KjplanError, match="成果转化处.*不在设置文件"):
        add(ws, plan, unit="成果转化处")


def test_user_text_is_data_never_a_template(ws, plan):
    text = "{{ 7*7 }} {% if x %}是{% endif %} ${HOME} `rm -rf` <b>粗</b>"
    add(ws, plan, text=text, problems="{{ problems }}")
    (record,) = progress.list_records(ws, plan, today=TODAY)
    assert record.text == text and record.problems == "{{ problems }}"


_text = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"),
                min_size=1, max_size=300).filter(lambda s: s.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_text, problems=st.one_of(st.just(""), _text))
def test_any_text_without_control_characters_is_stored_exactly(ws, plan, text, problems):
    entry = add(ws, plan, text=text, problems=problems, force=True)
    loaded = {e.id: e for e in ledger.load(ledger_path(ws)).entries}
    assert loaded[entry.id].text == text and loaded[entry.id].problems == problems


def test_by_defaults_to_the_login_name(ws, plan, monkeypatch):
    monkeypatch.setattr(ledger, "login_name", lambda: "wangwu")
    assert add(ws, plan).by == "wangwu"
    monkeypatch.setattr(ledger, "login_name", lambda: "")
    assert add(ws, plan).by == ""


# ------------------------------------------------------------------------------------------ amend

def test_amend_replaces_the_given_fields_and_keeps_the_rest(ws, plan):
    original = add(ws, plan, unit="成果转化科", problems="问题")
    fix = progress.amend(ws, plan, original.id[:6], today=TODAY, now=NOW + dt.timedelta(minutes=1), by="李四",
                         metrics=["innovation_fund=7000万"], text="更正后的进展")
    assert fix.supersedes == original.id and fix.by == "李四"
    (record,) = progress.list_records(ws, plan, today=TODAY)
    assert (record.id, record.version, record.amended) == (original.id, fix.id, True)
    assert record.text == "更正后的进展" and record.metrics == {"innovation_fund": pytest.approx(0.7)}
    assert (record.unit, record.problems, record.by) == ("成果转化科", "问题", original.by)
    # An amendment of the amendment, found by the new version's id.
    progress.amend(ws, plan, fix.id, today=TODAY, now=NOW + dt.timedelta(minutes=2), status="已完成")
    (record,) = progress.list_records(ws, plan, today=TODAY)
    assert record.status == "已完成" and record.text == "更正后的进展"


def test_amend_can_remove_a_metric_but_then_needs_a_status(ws, plan):
    original = add(ws, plan)
    with pytest.raises(KjplanError, match="--status"):
        progress.amend(ws, plan, original.id, today=TODAY, metrics=["innovation_fund="])
    progress.amend(ws, plan, original.id, today=TODAY, metrics=["innovation_fund="], status="未启动")
    (record,) = progress.list_records(ws, plan, today=TODAY)
    assert record.metrics == {} and record.status == "未启动"


def test_amend_moving_a_record_to_another_item_checks_its_metrics(ws, plan):
    original = add(ws, plan)
    with pytest.raises(KjplanError, match="innovation_fund.*不属于第 1 项"):
        progress.amend(ws, plan, original.id, today=TODAY, item=1, status="done")
    progress.amend(ws, plan, original.id, today=TODAY, item=1, status="done", metrics=["innovation_fund="])
    assert [r.item for r in progress.list_records(ws, plan, today=TODAY)] == [1]


def test_amend_needs_a_change(ws, plan):
    original = add(ws, plan)
    before = ledger_bytes(ws)
    with pytest.raises(KjplanError, match="没有要修改的内容"):
        progress.amend(ws, plan, original.id, today=TODAY)
    with pytest.raises(KjplanError, match="内容相同"):
        progress.amend(ws, plan, original.id, today=TODAY, text=original.text)
    with pytest.raises(KjplanError, match="--text"):
        progress.amend(ws, plan, original.id, today=TODAY, text="  ")
    assert ledger_bytes(ws) == before


def _with_ids(ws, plan, *ids):
    entries = [progress.build_progress(ws, plan, today=TODAY, now=NOW, item=1, text=f"记录{i}", status="done")
               for i in range(len(ids))]
    entries = [e.model_copy(update={"id": i}) for e, i in zip(entries, ids)]
    ledger.append(ledger_path(ws), entries)
    return entries


@pytest.mark.parametrize("ref, words", [
    ("abcdef", "对应多条记录"), ("abc", "前 6 位"), ("xyz123", "无效"),
    ("0123456789abcdef0", "无效"), ("fedcba", "没有编号以“fedcba”开头的记录"),
])
def test_record_references_like_git(ws, plan, ref, words):
    _with_ids(ws, plan, "abcdef0000000001", "abcdef0000000002")
    with pytest.raises(KjplanError, match=words):
        progress.find_record(ws, plan, ref)


def test_a_unique_prefix_finds_the_record(ws, plan):
    _with_ids(ws, plan, "abcdef0000000001", "abcdef1000000002")
    record, _ = progress.find_record(ws, plan, "ABCDEF0")  # case does not matter
    assert record.id == "abcdef0000000001"


# ---------------------------------------------------------------------------------------- retract

def test_retract_withdraws_a_record_and_keeps_the_history(ws, plan):
    keep, gone = add(ws, plan), add(ws, plan, text="重复的")
    with pytest.raises(KjplanError, match="撤回原因（--reason）：不能为空"):
        progress.retract(ws, plan, gone.id, reason=" ", now=NOW)
    entry = progress.retract(ws, plan, gone.id[:8], reason="重复登记", now=NOW, by="李四")
    assert entry.retracts == gone.id and entry.reason == "重复登记"
    assert [r.id for r in progress.list_records(ws, plan, today=TODAY)] == [keep.id]
    assert "重复的" in ledger_path(ws).read_text(encoding="utf-8")
    with pytest.raises(KjplanError, match="已撤回"):
        progress.retract(ws, plan, gone.id, reason="再撤一次", now=NOW)
    with pytest.raises(KjplanError, match="已撤回"):
        progress.amend(ws, plan, gone.id, today=TODAY, text="改")


# -------------------------------------------------------------------------------------- listing

def test_list_records_filters_by_quarter_item_and_unit(ws, plan):
    a = add(ws, plan, quarter=1, unit="成果转化科", date="2020-03-20")
    b = add(ws, plan, quarter=2, unit="蒲城县科技局")
    c = progress.add_progress(ws, plan, item=1, text="学习", status="done", unit="成果转化科", today=TODAY)
    ids = lambda **kw: [r.id for r in progress.list_records(ws, plan, today=TODAY, **kw)]  # noqa: E731
    assert ids() == [a.id, b.id, c.id]
    assert ids(quarter="Q1") == [a.id]
    assert ids(quarter="第二季度") == [b.id, c.id]
    assert ids(item=9) == [a.id, b.id]
    assert ids(unit="成果转化科") == [a.id, c.id]
    assert ids(quarter=2, item="1", unit="成果转化科") == [c.id]
    with pytest.raises(KjplanError, match="没有第 17 项"):
        ids(item=17)


def test_listing_reports_bad_lines_and_still_lists_the_rest(ws, plan):
    a = add(ws, plan)
    with open(ledger_path(ws), "ab") as fh:
        fh.write(b'{"type":"progress"\n')
    seen = []
    assert [r.id for r in progress.list_records(ws, plan, today=TODAY, on_problem=seen.append)] == [a.id]
    assert [p.line for p in seen] == [2]


def test_status_report_comes_from_the_report_model(ws, plan):
    add(ws, plan, quarter=1, date="2020-03-01", metrics=["innovation_fund=3000万"])
    add(ws, plan, quarter=2, metrics=["innovation_fund=1000万"])
    progress.add_progress(ws, plan, item=12, text="入驻", metrics=["incubator_occupancy=82%"], today=TODAY)
    model = progress.status_report(ws, plan, today=TODAY, quarter="2")
    nine = model.items[8]
    assert len(nine.records) == 1 and not nine.missing
    (fund,) = nine.metrics
    assert fund.achieved == pytest.approx(0.4) and fund.completion == pytest.approx(0.4) and fund.behind
    assert nine.status == "滞后" and nine.status_derived
    assert model.items[11].status == "已完成"
    assert model.missing == [n for n in range(1, 17) if n not in (9, 12)]
    data = progress.status_dict(model)
    assert data["quarter"] == "2020Q2" and data["expected"] == 0.5
    assert data["items"][8]["metrics"][0]["achieved"] == pytest.approx(0.4)
    assert progress.metric_text(fund) == "4000万元 / 1亿元"


# ---------------------------------------------------------------------------------------- batch

def test_add_from_yaml(ws, plan, tmp_path):
    src = tmp_path / "batch.yaml"
    src.write_text(
        "- item: 9\n  quarter: 2\n  text: 基金扩资\n  metrics: {innovation_fund: 6000万}\n  unit: 成果转化科\n"
        "- item: 1\n  text: '{{ 7*7 }}'\n  status: 已完成\n  date: 2020-04-01\n  by: 张三\n"
        "- item: 12\n  text: 入驻\n  metrics: incubator_occupancy=85%\n",
        encoding="utf-8",
    )
    entries = progress.add_from_file(ws, plan, src, today=TODAY, now=NOW)
    assert [e.item for e in entries] == [9, 1, 12]
    assert entries[0].metrics == {"innovation_fund": 0.6} and entries[1].text == "{{ 7*7 }}"
    assert entries[1].by == "张三" and entries[1].date == dt.date(2020, 4, 1)
    assert entries[2].metrics == {"incubator_occupancy": 85.0}
    assert len(ledger_path(ws).read_bytes().splitlines()) == 3


def test_add_from_csv_with_a_bom_and_defaults(ws, plan, tmp_path):
    src = tmp_path / "batch.csv"
    src.write_bytes("\ufeffitem,text,status,metrics,unit\n9,\"基金扩资，第一期\",,innovation_fund=6000万,\n"
                    "1,\"多行\n文字\",done,,\n".encode("utf-8"))
    entries = progress.add_from_file(ws, plan, src, today=TODAY, now=NOW, defaults={"unit": "蒲城县科技局", "quarter": "1"})
    assert [(e.item, e.quarter, e.unit) for e in entries] == [(9, "2020Q1", "蒲城县科技局"), (1, "2020Q1", "蒲城县科技局")]
    assert entries[0].text == "基金扩资，第一期" and entries[1].text == "多行\n文字"


def test_a_bad_batch_names_every_bad_row_and_writes_nothing(ws, plan, tmp_path):
    add(ws, plan)
    before = ledger_bytes(ws)
    src = tmp_path / "batch.csv"
    src.write_text("item,text,status,metrics\n9,好的,,innovation_fund=1亿\n17,没有这项,done,\n"
                   "\"1\",\"跨\n两行\",done,\n1,,done,\n9,x,,innovation_fund=82%\n", encoding="utf-8")
    with pytest.raises(DataErrors) as caught:
        progress.add_from_file(ws, plan, src, today=TODAY, now=NOW)
    lines = sorted((e.line, e.detail) for e in caught.value.errors)
    assert [n for n, _ in lines] == [3, 6, 7]  # the quoted row spanning lines 4-5 is fine
    assert "没有第 17 项" in lines[0][1] and "text" in lines[1][1] and "亿元" in lines[2][1]
    assert all(str(src) in e.message for e in caught.value.errors)
    assert ledger_bytes(ws) == before


@pytest.mark.parametrize("name, content, words", [
    ("b.yaml", b"item: 9\n", "记录的列表"),
    ("b.yaml", b"- item: 9\n  text: [a\n", "YAML"),
    ("b.yaml", b"- item: 9\n  txt: x\n", "未知的列“txt”"),
    ("b.yaml", b"- 9\n", "应为键值对"),
    ("b.csv", "item,text,status\n1,旧电脑存的,done\n".encode("gbk"), "GBK"),
    ("b.csv", b"", "表头"),
    ("b.csv", b"item,text\n", "没有记录"),
    ("b.csv", b"item,text\n1,a,b,c\n", "比表头多"),
    ("b.txt", b"", ".csv"),
])
def test_bad_batch_files(ws, plan, tmp_path, name, content, words):
    src = tmp_path / name
    src.write_bytes(content)
    with pytest.raises(KjplanError, match=words):
        progress.add_from_file(ws, plan, src, today=TODAY, now=NOW)
    assert not ledger_path(ws).exists()


# ---------------------------------------------------------------------------------------- check

def test_check_names_records_that_do_not_fit_the_plan(ws, plan):
    entries = [progress.build_progress(ws, plan, today=TODAY, now=NOW, item=1, text=f"{i}", status="done")
               for i in range(4)]
    entries[1] = entries[1].model_copy(update={"item": 17})
    entries[2] = entries[2].model_copy(update={"metrics": {"innovation_fund": 1.0}})
    entries[3] = entries[3].model_copy(update={"quarter": "2021Q1"})
    ledger.append(ledger_path(ws), entries)
    result = check_workspace(ws)
    found = sorted((p.line, p.detail) for p in result.problems)
    assert [n for n, _ in found] == [2, 3, 4]
    assert "没有第 17 项" in found[0][1] and "kjplan amend" in found[0][1]
    assert "innovation_fund" in found[1][1] and "2021Q1" in found[2][1]
    assert "进度记录 progress/2020.jsonl（4 条）" in result.checked


def test_repair_ledgers_reports_what_moved(ws, plan):
    a = add(ws, plan)
    with open(ledger_path(ws), "ab") as fh:
        fh.write(b'{"type":"prog')
    (done,) = progress.repair_ledgers(ws, now=NOW)
    assert [p.line for p in done.moved] == [2]
    assert done.rejected_path.read_bytes().endswith(b'{"type":"prog\n')
    assert [e.id for e in ledger.load(ledger_path(ws)).entries] == [a.id]
    assert progress.repair_ledgers(ws, now=NOW) == []
