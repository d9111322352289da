"""Figures carry their units, targets are named in Chinese, dates make sense, nothing is entered twice:
each refusal by the installed command, with its Chinese message and the ledger byte for byte as it was."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from kjplan import fields
from kjplan.fields import FieldError
from kjplan.plan import Item, Target

from progress_fixtures import ledger_bytes, new_workspace, refused_by, run
from zh_helpers import assert_chinese


@pytest.fixture
def ws(tmp_path):
    return new_workspace(tmp_path)


def ok(ws, *args, today="2020-05-10"):
    result = run(ws, *args, today=today)
    assert result.returncode == 0, result.stderr
    return result


def refused(ws, *args, words, today="2020-05-10", input=None):
    return refused_by(ws, lambda: run(ws, *args, today=today, input=input), words=words)


def records(ws):
    return json.loads(ok(ws, "log", "--format", "json").stdout)


FUND = ["add-progress", "--item", "9", "--unit", "成果转化科"]
RATE = ["add-progress", "--item", "12", "--unit", "创业孵化中心"]


# ------------------------------------------------------------------------------------ figures and units

@pytest.mark.parametrize("args, words", [
    (FUND + ["--metric", "基金=2000", "--text", "募集"], ["“2000”没有写单位（这个指标以亿元计）", "6000万、0.6亿"]),
    (FUND + ["--metric", "innovation_fund=0.6", "--text", "募集"], ["“0.6”没有写单位"]),
    (RATE + ["--metric", "入驻率=0.8", "--text", "招商"], ["“0.8”没有写单位", "若是指 80%，请写 80%"]),
    (RATE + ["--metric", "入驻率=72", "--text", "招商"], ["请带上百分号，如 72%"]),
    (RATE + ["--metric", "入驻率=120%", "--text", "招商"], ["120% 超过 100%", "--force"]),
    (FUND + ["--metric", "基金=20亿", "--text", "募集"], ["全年累计将达到 20.3亿元，是目标 1亿元 的 20.3 倍", "--force"]),
    (FUND + ["--metric", "基金=82%", "--text", "募集"], ["单位“%”不能换算为“亿元”"]),
    (FUND + ["--metric", "基金=-1亿", "--text", "募集"], ["不能为负数"]),
    (FUND + ["--metric", "基金=1" + "0" * 40 + "亿", "--text", "募集"], ["过大（最多", "写错了单位"]),
])
def test_figures_that_could_be_silently_wrong_are_refused(ws, args, words):
    ok(ws, *FUND, "--metric", "基金=3000万", "--text", "第一期")  # the ledger exists
    refused(ws, *args, words=words)


def test_the_year_total_counts_every_record_and_force_lets_a_real_figure_through(ws):
    ok(ws, *FUND, "--metric", "基金=6亿", "--text", "第一期")
    refused(ws, *FUND, "--metric", "基金=4.5亿", "--text", "第二期", words=["全年累计将达到 10.5亿元"])
    ok(ws, *FUND, "--metric", "基金=4.5亿", "--text", "第二期", "--force")
    ok(ws, *RATE, "--metric", "入驻率=105%", "--text", "满员", "--force")
    assert [r["metrics"] for r in records(ws)] == [{"innovation_fund": 6.0}, {"innovation_fund": 4.5},
                                                   {"incubator_occupancy": 105.0}]


def test_the_same_rules_hold_for_files_and_amendments(ws, tmp_path):
    first = ok(ws, *FUND, "--metric", "基金=3000万", "--text", "第一期").stdout.strip()
    src = tmp_path / "二季度.csv"
    src.write_text("item,text,status,metrics\n9,第二期,,innovation_fund=2000\n12,招商,,入驻率=0.8\n", encoding="utf-8")
    message = refused(ws, "add-progress", "--from", src, words=[f"{src}:2: metrics（指标）", "“2000”没有写单位",
                                                             f"{src}:3: metrics（指标）", "“0.8”没有写单位"])
    assert message.count("没有写单位") == 2
    refused(ws, "amend", first, "--metric", "基金=2000", words=["“2000”没有写单位"])
    refused(ws, "amend", first, "--metric", "基金=30亿", words=["全年累计将达到 30亿元"])
    ok(ws, "amend", first, "--metric", "基金=9亿")  # 9亿 replaces 3000万: the total is 9亿, not 9.3亿


# --------------------------------------------------------------------------------------- target names

@pytest.mark.parametrize("args, stored", [
    (FUND + ["--metric", "科技创新发展基金募集规模=6000万"], {"innovation_fund": 0.6}),
    (FUND + ["--metric", "基金=6000万"], {"innovation_fund": 0.6}),
    (FUND + ["--metric", "募集规模 = 0.6亿"], {"innovation_fund": 0.6}),
    (FUND + ["--metric", "innovation_fund=6000万"], {"innovation_fund": 0.6}),
    (RATE + ["--metric", "入驻率=72%"], {"incubator_occupancy": 72.0}),
])
def test_a_target_is_named_by_its_chinese_name_or_a_part_only_it_has(ws, args, stored):
    ok(ws, *args, "--text", "进展")
    assert records(ws)[0]["metrics"] == stored


def test_an_ambiguous_part_lists_the_candidates_and_a_target_of_another_item_is_named(ws):
    plan_file = ws.root / "plans" / "2020.yaml"
    data = yaml.safe_load(plan_file.read_text(encoding="utf-8"))
    data["items"][8]["targets"].append({"id": "fund_investment", "name": "科技创新发展基金投资额", "value": 5000,
                                        "unit": "万元", "kind": "cumulative"})
    plan_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    ok(ws, *RATE, "--metric", "入驻率=72%", "--text", "招商")
    refused(ws, *FUND, "--metric", "基金=6000万", "--text", "x",
            words=["“基金”可以指第 9 项的多个指标：科技创新发展基金募集规模（innovation_fund）、科技创新发展基金投资额"
                   "（fund_investment）；请写得更完整"])
    refused(ws, *FUND, "--metric", "入驻率=72%", "--text", "x",
            words=["“入驻率”是第 12 项的指标（孵化器入驻率），不是第 9 项的"])
    refused(ws, *FUND, "--metric", "基金=1亿", "--metric", "募集规模=2亿", "--text", "x",
            words=["“基金”可以指"])
    refused(ws, *FUND, "--metric", "募集规模=1亿", "--metric", "innovation_fund=2亿", "--text", "x",
            words=["指标“科技创新发展基金募集规模”填写了两次"])
    ok(ws, *FUND, "--metric", "投资=2000万", "--metric", "募集=0.2亿", "--text", "两项")
    assert records(ws)[-1]["metrics"] == {"fund_investment": 2000.0, "innovation_fund": 0.2}


def test_plan_log_and_status_show_target_names(ws):
    ok(ws, *FUND, "--metric", "基金=6000万", "--text", "募集")
    assert "科技创新发展基金募集规模 1亿元" in ok(ws, "plan", "9").stdout
    assert "科技创新发展基金募集规模 6000万元" in ok(ws, "log").stdout
    status = ok(ws, "status", "--quarter", "2").stdout
    assert "科技创新发展基金募集规模" in status and "innovation_fund" not in status


# ---------------------------------------------------------------------------------------------- dates

def test_a_day_outside_the_plan_year_asks_for_the_date_and_the_quarter_follows_it(ws):
    refused(ws, "add-progress", "--item", "1", "--status", "done", "--text", "补录", today="2026-11-28",
            words=["日期（--date）：今天（2026-11-28）不在计划年度 2020 年内", "--date 2020-"])
    ok(ws, "add-progress", "--item", "1", "--status", "done", "--text", "补录", "--date", "2020/12/30",
       today="2026-11-28")
    (record,) = records(ws)
    assert (record["date"], record["quarter"]) == ("2020-12-30", "2020Q4")


@pytest.mark.parametrize("extra, words", [
    (["--date", "2020-03-31", "--quarter", "2"], ["2020-03-31 早于所属季度 2020Q2 的开始（2020-04-01）"]),
    (["--date", "2019-12-31"], ["2019-12-31 早于计划年度 2020 年"]),
    (["--date", "2020-05-11"], ["2020-05-11 晚于今天（2020-05-10）"]),
    (["--quarter", "3"], ["2020Q3 从 2020-07-01 开始，今天（2020-05-10）还不能登记这个季度的进展"]),
])
def test_dates_that_make_no_sense_are_refused(ws, extra, words):
    refused(ws, "add-progress", "--item", "1", "--status", "done", "--text", "x", *extra, words=words)


def test_a_date_after_the_plan_year_is_refused(ws):
    refused(ws, "add-progress", "--item", "1", "--status", "done", "--text", "x", "--quarter", "4",
            "--date", "2021-01-05", today="2021-02-01", words=["2021-01-05 晚于计划年度 2020 年"])


# ------------------------------------------------------------------------------------------ duplicates

def test_the_same_record_twice_is_refused_with_the_first_ones_id(ws):
    args = ["add-progress", "--item", "1", "--status", "done", "--unit", "机关党委", "--text", "学习会"]
    first = ok(ws, *args).stdout.strip()
    refused(ws, *args, words=[f"与已有记录 {first}", "都相同，没有写入", f"kjplan amend {first[:8]}", "--allow-duplicate"])
    refused(ws, *args[:-1], "  学习会\n", words=[first])  # spaces around the text do not make it another record
    ok(ws, *args[:-2], "--unit", "办公室", "--text", "学习会")  # another unit: another record
    ok(ws, *args, "--allow-duplicate")
    assert len(records(ws)) == 3


def test_several_records_are_retracted_or_amended_at_once_or_not_at_all(ws):
    ids = [ok(ws, "add-progress", "--item", "1", "--status", "done", "--text", f"第{n}次").stdout.strip()
           for n in range(3)]
    refused(ws, "retract", ids[0], "abcdef1234", ids[1], "--reason", "重复导入", words=["没有编号以“abcdef1234”开头的记录"])
    refused(ws, "retract", ids[0], ids[0][:8], "--reason", "重复导入", words=["是同一条记录"])
    refused(ws, "amend", ids[0], ids[1], "--text", "第0次", words=[f"记录 {ids[1]}：与已有记录 {ids[0]}"])
    done = ok(ws, "amend", ids[0], ids[1], "--status", "滞后")
    assert done.stdout.split() == ids[:2]
    assert [r["status"] for r in records(ws)] == ["滞后", "滞后", "已完成"]
    gone = ok(ws, "retract", ids[0][:8], ids[2], "--reason", "重复导入")
    assert gone.stdout.split() == [ids[0], ids[2]]
    assert [r["id"] for r in records(ws)] == [ids[1]]


# ----------------------------------------------------------------------------------- parsing, directly

FUND_TARGET = Target(id="innovation_fund", name="科技创新发展基金募集规模", value=1, unit="亿元", kind="cumulative")
RATE_TARGET = Target(id="incubator_occupancy", name="孵化器入驻率", value=80, unit="%", kind="level")
FIRMS = Target(id="firms", name="高新技术企业数量", value=30, unit="家", kind="level")
REVENUE = Target(id="revenue", name="高新技术企业营业收入", value=50, unit="亿元", kind="cumulative")


@pytest.mark.parametrize("typed, value", [("12", 12.0), ("12家", 12.0), ("１２ 家", 12.0), (12, 12.0), (300, 300.0)])
def test_counts_may_be_bare_numbers(typed, value):
    assert fields.parse_figure(typed, FIRMS) == value


def test_a_count_far_above_its_target_is_refused_unless_forced():
    with pytest.raises(FieldError, match="是目标 30家 的 10.3 倍"):
        fields.parse_figure("310", FIRMS)
    assert fields.parse_figure("310", FIRMS, force=True) == 310.0


def test_ambiguous_parts_of_names():
    item = Item(number=13, title="积极培育科技型企业", text="积极培育科技型企业。", targets=[FIRMS, REVENUE])
    assert fields.find_target(item, "数量") is FIRMS and fields.find_target(item, "revenue") is REVENUE
    with pytest.raises(FieldError, match="“高新技术企业”可以指第 13 项的多个指标：高新技术企业数量（firms）、高新技术企业营业收入（revenue）"):
        fields.find_target(item, "高新技术企业")
    with pytest.raises(FieldError, match="“fund”不是第 13 项的指标"):
        fields.find_target(item, "fund")  # ids are matched whole


MONEY = {"元": Decimal(1), "万": Decimal(10) ** 4, "万元": Decimal(10) ** 4, "亿": Decimal(10) ** 8, "亿元": Decimal(10) ** 8}
amounts = st.decimals(min_value=0, max_value=10 ** 6, places=2, allow_nan=False, allow_infinity=False)


@given(amounts, st.sampled_from(sorted(MONEY)))
def test_money_converts_to_the_targets_unit_whatever_unit_it_is_written_in(amount, unit):
    value = fields.parse_figure(f"{amount}{unit}", FUND_TARGET, force=True)
    assert value == pytest.approx(float(amount * MONEY[unit] / MONEY["亿元"]), rel=1e-12, abs=1e-12)


@given(amounts)
def test_a_bare_amount_of_money_is_never_taken(amount):
    with pytest.raises(FieldError, match="没有写单位") as caught:
        fields.parse_figure(str(amount), FUND_TARGET)
    assert_chinese(caught.value.message)


@given(st.decimals(min_value=0, max_value=100, places=3, allow_nan=False, allow_infinity=False))
def test_percentages_up_to_100_are_taken_and_bare_ones_refused(rate):
    assert fields.parse_figure(f"{rate}%", RATE_TARGET) == pytest.approx(float(rate))
    with pytest.raises(FieldError, match="没有写单位"):
        fields.parse_figure(f"{rate}", RATE_TARGET)


@given(st.decimals(min_value=Decimal("100.001"), max_value=10 ** 6, places=3, allow_nan=False, allow_infinity=False))
def test_percentages_above_100_need_force(rate):
    with pytest.raises(FieldError, match="超过 100%"):
        fields.parse_figure(f"{rate}%", RATE_TARGET)
    assert fields.parse_figure(f"{rate}%", RATE_TARGET, force=True) == pytest.approx(float(rate))


@given(st.text(max_size=20))
def test_any_text_is_a_figure_or_a_chinese_refusal(text):
    for target in (FUND_TARGET, RATE_TARGET, FIRMS):
        try:
            value = fields.parse_figure(text, target)
        except FieldError as exc:
            assert_chinese(exc.message, allowed=set(text.split()) | set(text))
        else:
            assert value >= 0


def test_a_file_imported_again_adds_nothing_and_says_how_many_rows_were_skipped(ws, tmp_path):
    src = tmp_path / "二季度进展.csv"
    src.write_text("item,status,unit,text,metrics\n1,done,机关党委,学习会,\n2,序时推进,规划科,规划编制,\n"
                   "9,,成果转化科,第二期募集,基金=3000万\n", encoding="utf-8")
    first = ok(ws, "add-progress", "--from", src)
    assert len(first.stdout.split()) == 3 and "新登记 3 条" in first.stderr
    before = ledger_bytes(ws)
    again = ok(ws, "add-progress", "--from", src)
    assert again.stdout == "" and "新登记 0 条" in again.stderr and "3 条与已有记录相同，未重复登记" in again.stderr
    assert ledger_bytes(ws) == before
    # One row more and one row changed: the new one is added, the changed one refused (it is a correction).
    src.write_text("item,status,unit,text,metrics\n1,done,机关党委,学习会,\n2,滞后,规划科,规划编制,\n"
                   "9,,成果转化科,第二期募集,基金=3000万\n3,序时推进,高新技术科,创建方案,\n", encoding="utf-8")
    ids = [r["id"] for r in records(ws)]
    refused(ws, "add-progress", "--from", src, words=[f"{src}:3: 与已有记录 {ids[1]}", "但状态不同",
                                                      f"kjplan amend {ids[1][:8]}"])
    src.write_text("item,status,unit,text\n1,done,机关党委,学习会\n3,序时推进,高新技术科,创建方案\n", encoding="utf-8")
    third = ok(ws, "add-progress", "--from", src)
    assert len(third.stdout.split()) == 1 and "1 条与已有记录相同" in third.stderr
    # The same row twice in one file is refused with both places; --allow-duplicate records both.
    twice = tmp_path / "两次.csv"
    twice.write_text("item,status,unit,text\n4,done,政策法规科,起草办法\n4,done,政策法规科,起草办法\n", encoding="utf-8")
    refused(ws, "add-progress", "--from", twice, words=[f"{twice}:3: 与 {twice}:2 的事项、季度、报送单位和进展情况都相同"])
    assert len(ok(ws, "add-progress", "--from", twice, "--allow-duplicate").stdout.split()) == 2


def test_an_import_counts_its_own_rows_toward_the_years_total(ws, tmp_path):
    src = tmp_path / "基金.csv"
    src.write_text("item,unit,text,metrics\n9,成果转化科,一期,基金=6亿\n9,成果转化科,二期,基金=5亿\n", encoding="utf-8")
    refused(ws, "add-progress", "--from", src, words=[f"{src}:3: metrics（指标）", "全年累计将达到 11亿元"])
    assert len(ok(ws, "add-progress", "--from", src, "--force").stdout.split()) == 2
