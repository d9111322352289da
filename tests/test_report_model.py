"""The report model: which records count, what metrics add up to, which item is behind."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, strategies as st
from pydantic import TypeAdapter

from conftest import REPO
from kjplan.periods import Quarter
from kjplan.plan import load_plan
from kjplan.records import Entry, new_id, resolve
from kjplan.report_model import build_report

PLAN = load_plan(REPO / "plans" / "2020.yaml")
ENTRY = TypeAdapter(Entry)
T0 = dt.datetime(2020, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def entry(n=0, **fields):
    base = dict(id=new_id(), created=T0 + dt.timedelta(minutes=n), type="progress", item=1,
                quarter="2020Q2", date="2020-05-01", text=f"进展{n}")
    return ENTRY.validate_python(base | fields)


def model(entries, quarter=2, cumulative=False):
    return build_report(PLAN, resolve(entries), Quarter(2020, quarter), cumulative=cumulative)


def test_quarter_report_takes_only_that_quarters_records():
    m = model([entry(1, quarter="2020Q1", date="2020-02-01", status="序时推进"),
               entry(2, item=2, status="滞后"), entry(3, item=3, quarter="2020Q3", date="2020-08-01")])
    item1, item2, item3 = m.items[:3]
    assert item1.records == [] and item1.missing
    assert [r.text for r in item2.records] == ["进展2"] and item2.status == "滞后" and item2.behind
    assert item3.records == [] and item3.missing  # Q3 is after the reported quarter
    assert m.missing == [n for n in range(1, 17) if n != 2]
    assert m.counts["滞后"] == 1 and m.counts["未报送"] == 15
    assert item1.status is None and item1.status_word == "未报送" and item2.status_word == "滞后"


def test_cumulative_report_takes_the_year_to_date():
    m = model([entry(1, quarter="2020Q1", date="2020-02-01", status="序时推进"), entry(2, status="已完成")],
              cumulative=True)
    assert [r.text for r in m.items[0].records] == ["进展1", "进展2"]
    assert m.items[0].status == "已完成" and m.period_name == "上半年"
    assert m.start == dt.date(2020, 1, 1) and m.end == dt.date(2020, 6, 30)


def test_cumulative_metric_adds_up_over_the_year_and_derives_status():
    m = model([entry(1, item=9, quarter="2020Q1", date="2020-03-30", metrics={"innovation_fund": 0.2}),
               entry(2, item=9, date="2020-06-29", metrics={"innovation_fund": 0.4})])
    fund = m.items[8]
    metric = fund.metrics[0]
    assert metric.achieved == pytest.approx(0.6) and metric.completion == pytest.approx(0.6)
    assert metric.expected == 0.5 and not metric.behind
    assert fund.status == "序时推进" and fund.status_derived


def test_level_metric_takes_the_latest_value_and_is_never_set_against_the_time_share():
    m = model([entry(1, item=12, date="2020-05-01", metrics={"incubator_occupancy": 60}),
               entry(2, item=12, date="2020-06-30", metrics={"incubator_occupancy": 30})], quarter=2)
    metric = m.items[11].metrics[0]
    assert metric.achieved == 30 and metric.level
    # 30% of an 80% target is far "below 序时进度" as a share, but a level is not a share of the year.
    assert metric.status == "序时推进" and not metric.behind and metric.ahead_points is None
    assert metric.gap == pytest.approx(50)
    assert m.items[11].status == "序时推进" and m.items[11].status_derived


def test_a_level_short_of_its_target_is_behind_only_in_the_fourth_quarter():
    q3 = model([entry(1, item=12, quarter="2020Q3", date="2020-09-30", metrics={"incubator_occupancy": 72})], 3)
    q4 = model([entry(1, item=12, quarter="2020Q4", date="2020-12-20", metrics={"incubator_occupancy": 72})], 4)
    assert q3.items[11].status == "序时推进" and q4.items[11].status == "滞后"
    # ... unless a unit states otherwise: its judgement of the work stands over a level of the moment.
    stated = model([entry(1, item=12, quarter="2020Q4", date="2020-12-20", status="序时推进",
                          metrics={"incubator_occupancy": 72})], 4)
    assert stated.items[11].status == "序时推进" and stated.items[11].source == "填报"
    reached = model([entry(1, item=12, date="2020-06-30", metrics={"incubator_occupancy": 82})])
    assert reached.items[11].status == "已完成" and reached.items[11].metrics[0].gap == 0


def test_a_cumulative_target_below_the_time_share_makes_the_item_behind_whatever_was_stated():
    m = model([entry(1, item=9, status="序时推进", metrics={"innovation_fund": 0.1})])
    fund = m.items[8]
    assert fund.metrics[0].ahead_points == pytest.approx(-40)
    assert fund.status == "滞后" and fund.source == "按指标推算" and fund.stated == {"": "序时推进"} and fund.behind
    # A target on schedule does not lift a unit's 滞后, and a reached one does not finish the item.
    assert model([entry(1, item=9, status="滞后", metrics={"innovation_fund": 0.7})]).items[8].status == "滞后"
    done = model([entry(1, item=9, status="序时推进", metrics={"innovation_fund": 1.2})]).items[8]
    assert done.status == "序时推进" and done.source == "填报"


def test_work_reported_but_no_money_yet_is_behind_not_unstarted():
    started = model([entry(1, item=9, status="序时推进", metrics={"innovation_fund": 0.0})]).items[8]
    assert started.metrics[0].status == "未启动" and started.status == "滞后"
    idle = model([entry(1, item=9, metrics={"innovation_fund": 0.0})]).items[8]
    assert idle.status == "未启动" and idle.source == "按指标推算"


def test_no_figure_no_judgement():
    m = model([entry(1, item=12, status="序时推进")])
    occupancy = m.items[11].metrics[0]
    assert occupancy.achieved is None and occupancy.status is None and not occupancy.behind
    assert m.items[11].status == "序时推进" and m.items[11].source == "填报"
    # An item whose targets have figures from earlier quarters but no record now has no status.
    later = model([entry(1, item=9, quarter="2020Q1", date="2020-03-01", metrics={"innovation_fund": 0.1})], 2)
    assert later.items[8].missing and later.items[8].status is None and later.items[8].metrics[0].behind


def test_two_units_in_either_order_give_the_most_serious_status():
    a = dict(item=3, unit="高新技术科", status="序时推进", date="2020-06-15")
    b = dict(item=3, unit="富平县科技局", status="滞后", date="2020-06-30")
    first = model([entry(1, **a), entry(2, **b)]).items[2]
    second = model([entry(1, **b), entry(2, **a)]).items[2]
    later_dates = model([entry(1, **a, ), entry(2, **(b | {"date": "2020-04-01"}))]).items[2]
    assert first.status == second.status == later_dates.status == "滞后"
    assert first.stated == {"高新技术科": "序时推进", "富平县科技局": "滞后"} and first.source == "填报"


def test_each_unit_counts_with_its_latest_stated_status():
    m = model([entry(1, item=3, unit="富平县科技局", status="滞后", date="2020-04-10"),
               entry(2, item=3, unit="富平县科技局", status="序时推进", date="2020-06-10"),
               entry(3, item=3, unit="高新技术科", status="已完成", date="2020-06-20")])
    assert m.items[2].stated == {"富平县科技局": "序时推进", "高新技术科": "已完成"}
    assert m.items[2].status == "序时推进"
    # A record without a status (figures only) leaves its unit's stated status as it was.
    m = model([entry(1, item=9, unit="成果转化科", status="滞后", date="2020-04-10"),
               entry(2, item=9, unit="成果转化科", date="2020-06-10", metrics={"innovation_fund": 0.6})])
    assert m.items[8].stated == {"成果转化科": "滞后"} and m.items[8].status == "滞后"


_UNITS = ["高新技术科", "富平县科技局", "成果转化科", ""]


@given(st.lists(st.tuples(st.sampled_from(_UNITS), st.sampled_from(["已完成", "序时推进", "滞后", "未启动", None]),
                          st.integers(1, 90), st.one_of(st.none(), st.floats(0, 1.5))),
                min_size=1, max_size=12, unique_by=lambda row: row[2]),
       st.randoms(use_true_random=False), st.sampled_from([3, 9, 12]))
def test_status_does_not_depend_on_the_order_records_were_written_in(rows, rnd, item):
    """Whatever order the units' records were written in (file order and creation time), the item's
    status is the same, and it is the most serious of each unit's latest stated status, the targets
    taken into account. (Days are distinct: two records of one day are ordered by time, rightly.)"""
    target = {9: "innovation_fund", 12: "incubator_occupancy"}.get(item)
    specs = []
    for unit, status, day, figure in rows:
        fields = dict(item=item, unit=unit, date=(dt.date(2020, 4, 1) + dt.timedelta(days=day)).isoformat())
        if status:
            fields["status"] = status
        if target and figure is not None:
            fields["metrics"] = {target: figure * (80 if item == 12 else 1)}
        if "status" not in fields and "metrics" not in fields:
            fields["status"] = "序时推进"
        specs.append(fields)
    results = set()
    for _ in range(3):
        order = list(range(len(specs)))
        rnd.shuffle(order)  # who wrote first
        entries = [entry(n, **specs[i]) for n, i in enumerate(order)]
        rnd.shuffle(entries)  # where the lines stand in the file
        report = model(entries).items[item - 1]
        results.add((report.status, report.source))
    assert len(results) == 1
    ((status, source),) = results
    latest: dict[str, tuple] = {}
    for spec in specs:
        if "status" in spec and (spec["unit"] not in latest or spec["date"] > latest[spec["unit"]][0]):
            latest[spec["unit"]] = (spec["date"], spec["status"])
    stated = {s for _, s in latest.values()}
    severity = ["滞后", "未启动", "序时推进", "已完成"]
    assert status in severity
    if stated:
        assert severity.index(status) <= min(severity.index(s) for s in stated)
        assert (source == "填报") == (status in stated)
    else:
        assert source == "按指标推算"


@given(st.lists(st.tuples(st.integers(1, 16), st.integers(1, 4), st.sampled_from(["已完成", "序时推进", "滞后", "未启动"])),
                max_size=40), st.integers(1, 4))
def test_counts_always_cover_all_sixteen_items(rows, quarter):
    entries = [entry(i, item=item, quarter=f"2020Q{q}", date=Quarter(2020, q).start.isoformat(), status=s)
               for i, (item, q, s) in enumerate(rows)]
    m = model(entries, quarter=quarter)
    assert sum(m.counts.values()) == 16
    assert sum(len(m.with_status(s)) for s in ("已完成", "序时推进", "滞后", "未启动")) + len(m.missing) == 16
    assert m.missing == [r.item.number for r in m.items if not any(rec.quarter == f"2020Q{quarter}" for rec in r.records)]


def _stated_by_sorting(records):
    """latest_stated's definition: sort by (date, created, id); each unit's last stated status wins."""
    stated = {}
    for record in sorted(records, key=lambda r: (r.date, r.created, r.id)):
        if record.status:
            stated[record.unit] = record.status
    return stated


@given(st.lists(st.tuples(st.integers(1, 4), st.integers(0, 3), st.sampled_from(["", "科技局", "园区", "县局"]),
                          st.sampled_from([None, "已完成", "序时推进", "滞后", "未启动"])), max_size=30))
def test_latest_stated_in_one_pass_is_the_sorted_definition(rows):
    from kjplan.report_model import latest_stated

    entries = [entry(minute, date=f"2020-05-0{day}", unit=unit, status=status)
               for day, minute, unit, status in rows]
    records = resolve(entries)
    shuffled = records[::-1] + records[::2]  # any order, and the same record twice
    for given_records in (records, shuffled):
        got = latest_stated(given_records)
        assert got == _stated_by_sorting(given_records) and list(got) == list(_stated_by_sorting(given_records))


def test_build_report_keeps_the_ledger_order_within_a_day_for_plan_wide_figures():
    """A plan-wide level target takes the latest value of the latest day; on one day, the later line,
    whichever items the records belong to."""
    level = next(t for item in PLAN.items for t in item.targets if t.kind == "level")
    plan = PLAN.model_copy(update={"targets": [level]})
    first = entry(1, item=3, metrics={level.id: 10.0})
    second = entry(2, item=1, metrics={level.id: 20.0})
    earlier_day = entry(3, item=2, date="2020-04-30", metrics={level.id: 30.0})
    for order in ([first, second, earlier_day], [second, earlier_day, first]):
        m = build_report(plan, resolve(order), Quarter(2020, 2))
        assert m.targets[0].achieved == [e for e in order if e is not earlier_day][-1].metrics[level.id]
