"""log and status print exactly what they printed before they were made fast (issue 14): the same
bytes as the code before the speed-up (golden digests), with the ledger index and without it; and
each fast path is its slow definition (JSON text, CSV cells, terminal widths, a unit's status)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kjplan.cells import csv_cell
from kjplan.cli import listing
from kjplan.records import Record

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

# sha256 (first 24 hex digits) of what kjplan printed, with KJPLAN_NO_CACHE=1 and COLUMNS=100, for the
# benchmark's 500-line ledger of 2020Q2 (workloads.workspace(..., 500, quarter="2020Q2")), taken with
# the code before the read path was made fast (main at c7a25e5). A change of wording or layout that is
# meant must update these; a speed-up never.
GOLDEN = {
    ("log", "--format", "json"): "2382b4d6ad5d6add64767f6d",
    ("log", "--format", "csv"): "f3e989122c0826f4abc1f1c8",
    ("log", "--no-pager"): "e0e317c977e406e4cad8ab4d",
    ("log", "-n", "7"): "7400f739f530b46f267c18f6",
    ("log", "-q", "2", "-u", "办公室", "--no-pager"): "bb97bee725641b3b6359ef5f",
    ("log", "-i", "9", "--format", "json"): "317211a69abcc89dd207cfdc",
    ("log", "-u", "高新区", "--format", "csv"): "3ff9251f19a39f8d9374e9d6",
    ("status", "-q", "2"): "b34a2727ce3f773708906108",
    ("status", "-q", "2", "--format", "json"): "b162df6579fc6fddbeb50eda",
    ("status", "-q", "4"): "0ba610f175e7b69cb4d83e55",
    ("status", "-q", "4", "--format", "json"): "b45ed2e17d643a1d7b205365",
    ("status", "-q", "3", "--missing"): "f26aafa58ca023828e180e9e",
}


def test_log_and_status_print_what_they_printed_before_with_and_without_the_index(tmp_path, cache_dir):
    sys.path.insert(0, str(BENCHMARKS))
    import workloads

    ws = workloads.workspace(tmp_path / "ws", 500, quarter="2020Q2")
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("KJPLAN_NO_CACHE", None)

    def run(args, **extra) -> bytes:
        out = subprocess.run([sys.executable, "-m", "kjplan", "--root", str(ws.root), "--today", "2020-12-20", *args],
                             capture_output=True, env={**env, **extra})
        assert out.returncode in (0, 3), out.stderr.decode()
        return out.stdout

    for args, digest in GOLDEN.items():  # the first cached run builds the index, the others use it
        none, cached = run(args, KJPLAN_NO_CACHE="1"), run(args)
        assert hashlib.sha256(none).hexdigest()[:24] == digest, (args, none.decode()[:2000])
        assert cached == none, args


# ------------------------------------------------------------------------------ fast paths = definitions

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["=1+1", "+86", "-", "@a", "\t制表", "\r回车", "引号\"和,逗号", "换\n行", "中文“引号”…—", "'="])
TZ = dt.timezone(dt.timedelta(hours=8))
times = st.datetimes(min_value=dt.datetime(2019, 1, 1), max_value=dt.datetime(2022, 1, 1), timezones=st.just(TZ))


@st.composite
def records(draw) -> Record:
    created = draw(times)
    updated = created if draw(st.booleans()) else draw(times)
    metrics = draw(st.dictionaries(st.sampled_from(["innovation_fund", "incubator_occupancy", "x"]),
                                   st.floats(0, 1e12) | st.integers(0, 10**6), max_size=2))
    return Record(draw(st.from_regex(r"[0-9a-f]{16}", fullmatch=True)), draw(st.from_regex(r"[0-9a-f]{16}", fullmatch=True)),
                  draw(st.integers(1, 16)), draw(st.sampled_from(["2020Q1", "2020Q2", "2021Q4"])),
                  draw(st.dates(dt.date(2019, 1, 1), dt.date(2022, 1, 1))), draw(texts),
                  draw(st.none() | st.sampled_from(["已完成", "序时推进", "滞后", "未启动"])), draw(texts), draw(texts),
                  metrics, draw(texts), draw(texts), created, updated, draw(st.booleans()))


@settings(max_examples=300, deadline=None)
@given(record=records())
def test_a_records_json_text_is_json_dumps_of_its_dict(record):
    expected = json.dumps(record.as_dict(), ensure_ascii=False, indent=2).replace("\n", "\n  ")
    assert listing.record_json(record) == expected


def test_written_json_texts_are_json_dumps_of_the_list():
    rows = [{"a": n, "b": "中文"} for n in range(1500)]  # more than one batch
    for data in ([], rows[:1], rows):
        for given_texts in ([listing.indented(r, 1) for r in data], (listing.indented(r, 1) for r in data)):
            out = io.StringIO()
            listing.write_json_texts(given_texts, out)
            assert out.getvalue() == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _csv_by_definition(records, plan) -> str:
    """log --format csv as it was written before: record_dict, every cell through csv_cell."""
    from kjplan.cli.progress_cmds import _quantity

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = ["id", "item", "quarter", "date", "status", "unit", "by", "text", "problems", "next",
               "metrics", "created", "updated", "amended"]
    writer.writerow(columns)
    for r in records:
        d = r.as_dict()
        d["metrics"] = ";".join(f"{k}={_quantity(plan, r.item, k, v)}" for k, v in r.metrics.items())
        d["status"] = d["status"] or ""
        d["amended"] = "true" if r.amended else "false"
        writer.writerow([csv_cell(d[c]) for c in columns])
    return out.getvalue()


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(records(), max_size=8), many=st.booleans())
def test_log_csv_is_every_cell_through_csv_cell(rows, many):
    from conftest import REPO
    from kjplan.cli.progress_cmds import _write_csv
    from kjplan.plan import load_plan

    plan = load_plan(REPO / "plans" / "2020.yaml")
    rows = rows * 150 if many and rows else rows  # more than one batch of rows
    out = io.StringIO()
    _write_csv(rows, plan, out)
    assert out.getvalue() == _csv_by_definition(rows, plan)


_WIDE_CHAR = re.compile(listing._WIDE)


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cs",))) | st.text("中文ab，。“”…—ｱ한\U00020001 "))
def test_width_counts_each_wide_character_twice(text):
    assert listing.width(text) == len(text) + len(_WIDE_CHAR.findall(text))


def test_lines_are_written_in_batches_with_a_screenful_first():
    class Out(io.StringIO):
        flushed: list[int] = []

        def flush(self):
            self.flushed.append(self.getvalue().count("\n"))

    out = Out()
    listing.write_lines((f"行{n}" for n in range(1000)), out, batch=300)
    assert out.getvalue() == "".join(f"行{n}\n" for n in range(1000))
    assert out.flushed == [64, 364, 664, 964, 1000]


# ------------------------------------------------------------------------------ the newest records first

def _bench_workspace(tmp_path, size):
    """The benchmark's ledger, its records' dates spread over a quarter (not in line order)."""
    sys.path.insert(0, str(BENCHMARKS))
    import workloads

    return workloads.workspace(tmp_path / "ws", size, quarter="2020Q2")


def test_the_newest_records_and_the_older_ones_are_the_records(tmp_path, cache_dir, monkeypatch):
    from kjplan import ledger_index

    from progress_fixtures import ledger_path

    monkeypatch.setattr(ledger_index, "NEWEST", 40)
    path = ledger_path(_bench_workspace(tmp_path, 300))

    loads = []
    real_load = ledger_index.load
    monkeypatch.setattr(ledger_index, "load", lambda p: loads.append(p) or real_load(p))

    def check(from_index: bool):
        full = ledger_index._full(path)
        loads.clear()
        view = ledger_index.load_newest(path)
        assert loads == ([] if from_index else [path])  # from the index alone, or load() split
        assert view.total == len(full.records) and min(40, len(full.records)) <= len(view.newest)
        assert view.older() + view.newest == full.records
        assert [(p.line, p.detail) for p in view.problems] == [(p.line, p.detail) for p in full.problems]
        return view

    check(False)  # no index yet: a full load, split
    ledger_index.load(path)  # writes the index
    check(True)
    records = ledger_index._full(path).records
    template = json.loads(next(line for line in path.read_bytes().splitlines() if b'"type":"progress"' in line))

    def new_record(n: int, day: dt.date) -> bytes:
        data = {**template, "id": f"{n:016x}", "date": day.isoformat(), "text": f"新记录{n}"}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"

    newest_day, oldest_day = records[-40].date, records[0].date
    with open(path, "ab") as fh:  # new records of the newest days (add-progress): still from the index
        fh.write(new_record(1, newest_day) + new_record(2, records[-1].date) + new_record(3, newest_day))
    check(True)
    with open(path, "ab") as fh:  # one that belongs among the older records: load() instead
        fh.write(new_record(4, oldest_day))
    check(False)
    ledger_index.load(path)
    check(False)  # a small tail is not folded into the index: still read by load()
    monkeypatch.setattr(ledger_index, "REWRITE_AFTER", 1)
    ledger_index.load(path)  # folded in now
    check(True)
    amend = {**template, "type": "amend", "id": f"{5:016x}", "supersedes": records[-1].version}
    with open(path, "ab") as fh:  # an amendment: load() instead
        fh.write(json.dumps(amend, ensure_ascii=False).encode() + b"\n")
    check(False)
    ledger_index.load(path)
    check(True)
    with open(path, "ab") as fh:  # a bad line, then a line still being written: load() instead
        fh.write(b"{broken\n")
    check(False)
    ledger_index.load(path)
    with open(path, "ab") as fh:
        fh.write(new_record(6, newest_day)[:-1])
    check(False)
    for entry in cache_dir.rglob("*.index"):  # a damaged index: a miss, same records
        entry.write_bytes(entry.read_bytes()[:-100])
    check(False)
    monkeypatch.setenv("KJPLAN_NO_CACHE", "1")
    check(False)


def test_log_with_the_older_records_decoded_late_prints_what_it_printed(tmp_path, cache_dir, monkeypatch):
    """log (table), log -n and log -n past the newest part, read through the index split at 40 records,
    print what they print with caching off."""
    from kjplan import ledger_index

    from progress_fixtures import invoke

    monkeypatch.setattr(ledger_index, "NEWEST", 40)
    ws = _bench_workspace(tmp_path, 300)
    monkeypatch.setenv("COLUMNS", "100")
    commands = [("log",), ("log", "-n", "7"), ("log", "-n", "40"), ("log", "-n", "41"), ("log", "-n", "1000"),
                ("log", "-n", "55", "--format", "json"), ("log", "-n", "3", "--format", "csv")]
    expected = {}
    with monkeypatch.context() as off:
        off.setenv("KJPLAN_NO_CACHE", "1")
        for args in commands:
            expected[args] = invoke(ws, *args, today="2020-12-20").stdout
    invoke(ws, "status", today="2020-12-20")  # writes the index
    for args in commands:
        assert invoke(ws, *args, today="2020-12-20").stdout == expected[args], args
