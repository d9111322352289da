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
    assert m.counts["滞后"] == 1 and m.counts["无报送"] == 15


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


def test_level_metric_takes_the_latest_value():
    m = model([entry(1, item=12, date="2020-05-01", metrics={"incubator_occupancy": 60}),
               entry(2, item=12, date="2020-06-30", metrics={"incubator_occupancy": 30})], quarter=2)
    metric = m.items[11].metrics[0]
    assert metric.achieved == 30 and metric.completion == pytest.approx(0.375)
    assert metric.behind and m.items[11].status == "滞后"


def test_stated_status_beats_the_derived_one_but_behind_still_shows():
    m = model([entry(1, item=9, status="序时推进", metrics={"innovation_fund": 0.1})])
    fund = m.items[8]
    assert fund.status == "序时推进" and not fund.status_derived and fund.behind


def test_amendment_replaces_and_retraction_withdraws():
    original = entry(1, status="滞后")
    amended = entry(2, type="amend", supersedes=original.id, text="更正后的进展", status="序时推进")
    other = entry(3, item=2, status="已完成")
    retract = ENTRY.validate_python(dict(id=new_id(), created=T0 + dt.timedelta(minutes=4), type="retract",
                                         retracts=other.id, reason="重复报送"))
    m = model([original, amended, other, retract])
    assert [r.text for r in m.items[0].records] == ["更正后的进展"]
    assert m.items[0].records[0].id == original.id and m.items[0].records[0].amended
    assert m.items[1].records == [] and m.items[1].missing


def test_records_are_in_date_order():
    m = model([entry(1, date="2020-06-01"), entry(2, date="2020-04-15"), entry(3, date="2020-05-20")])
    assert [r.text for r in m.items[0].records] == ["进展2", "进展3", "进展1"]


@given(st.lists(st.tuples(st.integers(1, 16), st.integers(1, 4), st.sampled_from(["已完成", "序时推进", "滞后", "未启动"])),
                max_size=40), st.integers(1, 4))
def test_counts_always_cover_all_sixteen_items(rows, quarter):
    entries = [entry(i, item=item, quarter=f"2020Q{q}", date=Quarter(2020, q).start.isoformat(), status=s)
               for i, (item, q, s) in enumerate(rows)]
    m = model(entries, quarter=quarter)
    assert sum(m.counts.values()) == 16
    assert m.missing == [r.item.number for r in m.items if not any(rec.quarter == f"2020Q{quarter}" for rec in r.records)]
