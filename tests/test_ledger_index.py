"""The ledger index is a cache: whatever happened to the ledger or to the index, a command reads exactly
what a full read gives (compared byte for byte), and only the time differs (issue 14)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kjplan import cache, ledger, ledger_index
from kjplan.records import AmendEntry, ProgressEntry, RetractEntry, resolve

from progress_fixtures import ledger_path, new_workspace

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
TZ = dt.timezone(dt.timedelta(hours=8))


def shown(records, problems) -> bytes:
    """Everything a command could show of a read, as bytes: every field of every record, every problem."""
    data = {"records": [r.as_dict() for r in records], "problems": [[str(p.path), p.line, p.detail] for p in problems]}
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def full_read(path) -> bytes:
    book = ledger.load(path)
    return shown(resolve(book.entries), book.problems)


def indexed_read(path) -> bytes:
    snapshot = ledger_index.load(path)
    return shown(snapshot.records, snapshot.problems)


def newest_read(path) -> bytes:
    """log's read: the newest records, then the older ones (kjplan.ledger_index.load_newest)."""
    view = ledger_index.load_newest(path)
    records = view.older() + view.newest
    assert view.total == len(records)
    return shown(records, view.problems)


@pytest.fixture(autouse=True)
def few_newest(monkeypatch):
    """The index keeps the newest 3 records apart (not 2,000): every test reads both parts."""
    monkeypatch.setattr(ledger_index, "NEWEST", 3)


def same(path) -> bytes:
    """Read through the index (twice: once building or advancing it, once from it) and in full; all agree;
    and log's read, newest first, before and after."""
    newest = newest_read(path)
    first, second, full = indexed_read(path), indexed_read(path), full_read(path)
    assert first == full
    assert second == full
    assert newest == full and newest_read(path) == full
    return full


# ----------------------------------------------------------------------------------------- entries

class Maker:
    """Entries with increasing creation times (random content, fixed by the seed)."""

    def __init__(self, seed=0):
        self.rng = random.Random(seed)
        self.n = 0
        self.ids: list[str] = []

    def _id(self):
        return f"{self.rng.getrandbits(64):016x}"

    def _created(self):
        self.n += 1
        return dt.datetime(2020, 1, 1, 9, tzinfo=TZ) + dt.timedelta(minutes=self.n)

    def progress(self, **kw):
        day = dt.date(2020, 1, 1) + dt.timedelta(days=self.rng.randint(0, 360))
        fields = dict(id=self._id(), created=self._created(), by=self.rng.choice(["张三", "李四"]),
                      item=self.rng.randint(1, 16), quarter=f"2020Q{(day.month - 1) // 3 + 1}", date=day,
                      text=f"第{self.n}条进展", status=self.rng.choice(["已完成", "滞后", None]),
                      unit=self.rng.choice(["", "高新区"]), metrics={"x": float(self.n)} if self.n % 3 else {})
        fields.update(kw)
        entry = ProgressEntry(**fields)
        self.ids.append(entry.id)
        return entry

    def amend(self, target, **kw):
        day = dt.date(2020, 1, 1) + dt.timedelta(days=self.rng.randint(0, 360))
        fields = dict(id=self._id(), created=self._created(), by="王五", item=self.rng.randint(1, 16),
                      quarter=f"2020Q{(day.month - 1) // 3 + 1}", date=day, text=f"更正{self.n}", status="序时推进",
                      supersedes=target)
        fields.update(kw)
        entry = AmendEntry(**fields)
        self.ids.append(entry.id)
        return entry

    def retract(self, target):
        entry = RetractEntry(id=self._id(), created=self._created(), by="李四", retracts=target, reason="重复")
        self.ids.append(entry.id)
        return entry


def line(entry) -> bytes:
    return ledger.encode(entry) + b"\n"


def write(path: Path, *parts: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(parts))


def append(path: Path, *parts: bytes) -> None:
    with open(path, "ab") as fh:
        fh.write(b"".join(parts))


# --------------------------------------------------------------------------------- what can happen

def test_appends_amendments_and_retractions_are_read_as_a_full_read_would(tmp_path, cache_dir):
    path, make = tmp_path / "2020.jsonl", Maker()
    a, b = make.progress(), make.progress()
    write(path, line(a), line(b))
    same(path)
    append(path, line(make.amend(a.id)))
    same(path)
    fix = make.amend(a.id, text="再次更正")
    append(path, line(fix), line(make.amend(fix.id, text="更正的更正")), line(make.progress()))
    same(path)
    append(path, line(make.retract(b.id)), line(make.amend(b.id)))  # an amendment of a withdrawn record
    same(path)
    append(path, line(make.amend("0123456789abcdef")), line(make.retract("fedcba9876543210")))  # unknown ids
    assert same(path)


def test_a_correction_that_arrived_before_its_record_and_a_merge_duplicate_are_read_in_full(tmp_path, cache_dir):
    path, make = tmp_path / "2020.jsonl", Maker(1)
    a = make.progress()
    early = make.amend(a.id)
    write(path, line(make.progress()), line(early))
    same(path)
    append(path, line(a))  # the record the amendment corrects comes after it (another office's merge)
    same(path)
    append(path, line(a))  # the same line twice: counted once
    same(path)
    append(path, line(a.model_copy(update={"text": "同一编号，不同内容"})))  # named as a problem
    assert "与第 3 行相同但内容不同".encode() in same(path)


def test_bad_lines_torn_tails_bom_and_crlf_are_read_as_a_full_read_would(tmp_path, cache_dir):
    path, make = tmp_path / "2020.jsonl", Maker(2)
    write(path, line(make.progress()), b'{"type": "progress", "id": "x"}\n', "写错了".encode("gbk") + b"\n")
    same(path)
    append(path, b"\xef\xbb\xbf" + line(make.progress()).replace(b"\n", b"\r\n"), b"\n\n  \n")
    same(path)
    torn = line(make.progress())
    append(path, torn[:40])  # a write in progress, or a hand-edited end without its newline
    same(path)
    append(path, torn[40:])  # now complete
    same(path)
    entry = make.progress()
    append(path, line(entry)[:-1])  # a valid last record without its newline
    same(path)
    append(path, b"\n" + line(make.amend(entry.id)))
    same(path)


def test_a_truncated_ledger_is_read_in_full(tmp_path, cache_dir):
    path, make = tmp_path / "2020.jsonl", Maker(3)
    lines = [line(make.progress()) for _ in range(30)]
    write(path, *lines)
    same(path)
    write(path, *lines[:10])  # `check --repair` cut a torn tail, or a backup was restored
    same(path)
    write(path, *lines[:10], lines[10][:25])
    same(path)


def test_a_ledger_rewritten_by_repair_is_read_in_full(tmp_path, cache_dir):
    ws = new_workspace(tmp_path)
    path, make = ledger_path(ws), Maker(4)
    write(path, line(make.progress()), b"not json\n", line(make.progress()), line(make.progress()))
    before = same(path)
    assert "JSON".encode() in before
    ledger.repair(path, now=dt.datetime(2020, 5, 10, tzinfo=TZ))  # the bad line moves out: a new file
    assert "JSON".encode() not in same(path)


def test_a_union_merge_that_inserts_lines_in_the_middle_is_read_in_full(tmp_path, cache_dir):
    path, make = tmp_path / "2020.jsonl", Maker(5)
    ours = [line(make.progress()) for _ in range(5)]
    theirs = [line(make.progress()) for _ in range(3)]
    write(path, *ours)
    same(path)
    write(path, *ours[:3], *theirs, *ours[3:])  # git's union driver puts their lines among ours
    same(path)


def test_a_hand_edit_of_the_same_length_right_after_a_read_is_seen(tmp_path, cache_dir):
    path, make = tmp_path / "2020.jsonl", Maker(6)
    entries = [make.progress(text=f"原文{n}") for n in range(5)]
    write(path, *map(line, entries))
    same(path)
    data = path.read_bytes()
    edited = data.replace("原文2".encode(), "改文2".encode())
    assert len(edited) == len(data)
    with open(path, "r+b") as fh:  # in place: same file, same size, within the file system's clock tick
        fh.write(edited)
    assert "改文2".encode() in same(path)


def test_a_hand_edit_long_after_the_index_is_seen(tmp_path, cache_dir, monkeypatch):
    path, make = tmp_path / "2020.jsonl", Maker(7)
    write(path, *[line(make.progress(text=f"原文{n}")) for n in range(5)])
    same(path)
    monkeypatch.setattr(ledger_index, "SETTLE_NS", 0)  # the stamp counts as settled: only the signature guards
    same(path)  # stamped as settled
    time.sleep(0.01)
    data = path.read_bytes()
    with open(path, "r+b") as fh:
        fh.write(data.replace("原文3".encode(), "改文3".encode()))
    assert "改文3".encode() in same(path)  # the modification time changed


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty", "folder", "other ledger",
                                    "stamp garbage", "stamp of another state", "older garbage", "older missing",
                                    "older of another state"])
def test_a_damaged_index_is_never_an_error_and_never_changes_a_result(tmp_path, cache_dir, damage, monkeypatch):
    path, make = tmp_path / "2020.jsonl", Maker(8)
    first = make.progress()
    write(path, line(first), *[line(make.progress()) for _ in range(20)], line(make.amend(first.id)))
    expected = same(path)
    index, stamp, older = (cache.entry_path(path, kind) for kind in ("index", "stamp", "older"))
    data = index.read_bytes()
    if damage == "older garbage":
        older.write_bytes(os.urandom(len(older.read_bytes())))
    elif damage == "older missing":
        older.unlink()
    elif damage == "older of another state":  # the index rewritten since (a large tail folded in)
        before = older.read_bytes()
        append(path, *[line(make.progress()) for _ in range(5)])
        monkeypatch.setattr(ledger_index, "REWRITE_AFTER", 1)
        expected = same(path)
        older.write_bytes(before)
    elif damage == "garbage":
        index.write_bytes(os.urandom(len(data)))
    elif damage == "truncated":
        index.write_bytes(data[: len(data) * 2 // 3])
    elif damage == "flipped":
        index.write_bytes(data[:-100] + bytes([data[-100] ^ 0x01]) + data[-99:])
    elif damage == "empty":
        index.write_bytes(b"")
    elif damage == "folder":
        index.unlink()
        index.mkdir()
    elif damage == "other ledger":
        other = tmp_path / "other" / "2020.jsonl"
        write(other, line(make.progress()))
        same(other)
        index.write_bytes(cache.entry_path(other, "index").read_bytes())
    elif damage == "stamp garbage":
        stamp.write_bytes(b"kjplan-cache 1\nnonsense\n" + os.urandom(40))
    else:
        append(path, line(make.progress()))
        same(path)
        stamp_now = stamp.read_bytes()
        write(path, path.read_bytes()[:-1] + b" ")  # other bytes, same size
        stamp.write_bytes(stamp_now)
        expected = full_read(path)
    if damage.startswith("older"):  # log's read first: the newest part, then the older one is missed
        assert newest_read(path) == expected
    assert indexed_read(path) == expected
    assert indexed_read(path) == expected
    assert newest_read(path) == expected


def test_deleting_the_index_changes_nothing_and_it_never_lives_in_the_workspace(tmp_path, cache_dir):
    ws = new_workspace(tmp_path)
    path, make = ledger_path(ws), Maker(9)
    write(path, *[line(make.progress()) for _ in range(10)])
    before = sorted(p.relative_to(ws.root) for p in ws.root.rglob("*"))
    expected = same(path)
    assert sorted(p.relative_to(ws.root) for p in ws.root.rglob("*")) == before
    assert cache.entry_path(path, "index").is_file() and cache_dir in cache.entry_path(path, "index").parents
    for kind in ("index", "stamp"):
        cache.entry_path(path, kind).unlink()
    assert indexed_read(path) == expected


def test_two_copies_of_a_ledger_have_two_indexes(tmp_path, cache_dir):
    make = Maker(10)
    data = b"".join(line(make.progress()) for _ in range(5))
    one, two = tmp_path / "a" / "2020.jsonl", tmp_path / "b" / "2020.jsonl"
    write(one, data)
    write(two, data)
    same(one)
    append(two, line(make.progress()))
    same(two)
    assert cache.entry_path(one, "index") != cache.entry_path(two, "index")
    assert same(one) != same(two)


def test_a_large_tail_is_folded_into_the_index(tmp_path, cache_dir, monkeypatch):
    monkeypatch.setattr(ledger_index, "REWRITE_AFTER", 2000)
    path, make = tmp_path / "2020.jsonl", Maker(11)
    write(path, line(make.progress()))
    same(path)
    written = cache.entry_path(path, "index").stat().st_mtime_ns
    append(path, line(make.progress()))
    same(path)
    assert cache.entry_path(path, "index").stat().st_mtime_ns == written  # one line: read each time
    append(path, *[line(make.progress()) for _ in range(20)])
    ledger_index.load(path)
    assert cache.entry_path(path, "index").stat().st_mtime_ns != written
    # What it now covers is hashed as it is: the next reader takes it, with or without the stamp.
    state = ledger_index._read_state(path)
    assert state.covered == path.stat().st_size
    assert state.sha == hashlib.sha256(path.read_bytes()).hexdigest()
    cache.entry_path(path, "stamp").unlink()
    monkeypatch.setattr(ledger_index, "_build", lambda *a: pytest.fail("read in full"))
    same_index = indexed_read(path)
    monkeypatch.undo()
    assert same_index == full_read(path)


def test_an_up_to_date_index_and_a_few_appended_lines_need_no_full_read(tmp_path, cache_dir, monkeypatch):
    path, make = tmp_path / "2020.jsonl", Maker(13)
    first = make.progress()
    write(path, line(first), *[line(make.progress()) for _ in range(30)])
    expected = same(path)

    def no_full_read(*args):
        raise AssertionError("read in full")

    monkeypatch.setattr(ledger_index, "_build", no_full_read)
    monkeypatch.setattr(ledger, "load", no_full_read)
    assert indexed_read(path) == expected
    append(path, line(make.amend(first.id)), line(make.progress()), line(make.retract(make.ids[3])))
    appended = indexed_read(path)
    monkeypatch.undo()
    assert appended == full_read(path) != expected


def test_with_caching_off_the_index_is_neither_read_nor_written(tmp_path, cache_dir, monkeypatch):
    path, make = tmp_path / "2020.jsonl", Maker(12)
    write(path, line(make.progress()))
    monkeypatch.setenv(cache.ENV_OFF, "1")
    assert indexed_read(path) == full_read(path)
    assert not cache_dir.exists()


def test_a_missing_or_unreadable_ledger_is_what_a_full_read_says(tmp_path, cache_dir):
    assert indexed_read(tmp_path / "none.jsonl") == full_read(tmp_path / "none.jsonl")
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    with pytest.raises(Exception) as full:
        ledger.load(folder)
    with pytest.raises(Exception) as indexed:
        ledger_index.load(folder)
    assert str(full.value) == str(indexed.value)


# ------------------------------------------------------------------------------- any sequence at all

operations = st.lists(st.tuples(st.sampled_from(["add", "amend", "retract", "dup", "conflict", "bad", "torn",
                                                 "finish", "truncate", "insert", "edit", "drop index"]),
                                st.integers(0, 10 ** 6)), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_any_sequence_of_changes_reads_as_a_full_read(tmp_path_factory, monkeypatch, ops):
    folder = tmp_path_factory.mktemp("seq")
    monkeypatch.setenv(cache.ENV_DIR, str(folder / "cache"))
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    path, make = folder / "2020.jsonl", Maker(len(ops))
    write(path, line(make.progress()))
    for op, n in ops:
        data = path.read_bytes()
        lines = data.splitlines(keepends=True)
        if op == "add":
            append(path, *[line(make.progress()) for _ in range(n % 4 + 1)])
        elif op == "amend":
            append(path, line(make.amend(make.ids[n % len(make.ids)])))
        elif op == "retract":
            append(path, line(make.retract(make.ids[n % len(make.ids)])))
        elif op == "dup" and lines:
            append(path, lines[n % len(lines)] if lines[n % len(lines)].endswith(b"\n") else b"\n")
        elif op == "conflict":
            append(path, line(make.progress(id=make.ids[n % len(make.ids)])))
        elif op == "bad":
            append(path, [b"{oops\n", b'{"type":"amend"}\n', b"\xff\xfe\n", b"[]\n"][n % 4])
        elif op == "torn":
            append(path, line(make.progress())[: n % 50 + 1])
        elif op == "finish":
            append(path, b"\n")
        elif op == "truncate" and data:
            write(path, data[: n % len(data)])
        elif op == "insert" and lines:
            at = n % len(lines)
            write(path, *lines[:at], line(make.progress()), *lines[at:])
        elif op == "edit" and data:
            at = n % len(data)
            write(path, data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:])
        elif op == "drop index":
            for kind in ("index", "stamp"):
                entry = cache.entry_path(path, kind)
                if entry.exists():
                    entry.unlink()
        same(path)


# --------------------------------------------------------------------------- processes at the same time

APPENDER = """
import datetime as dt, sys
from pathlib import Path
from kjplan import ledger
from kjplan.records import ProgressEntry, new_id
path, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for i in range(count):
    ledger.append(path, [ProgressEntry(id=new_id(), created=dt.datetime(2020, 5, 10, 9, tzinfo=dt.timezone.utc),
                  by=name, item=1, quarter="2020Q2", date=dt.date(2020, 5, 10), text=f"{name}-{i}", status="滞后")])
"""

READER = """
import json, sys
from pathlib import Path
from kjplan import ledger_index
path, out = Path(sys.argv[1]), Path(sys.argv[2])
reads = []
for _ in range(int(sys.argv[3])):
    snap = ledger_index.load(path)
    reads.append([r.as_dict() for r in snap.records] + [[p.line, p.detail] for p in snap.problems])
out.write_text(json.dumps(reads, ensure_ascii=False), encoding="utf-8")
"""


def test_two_processes_appending_while_a_third_reads(tmp_path, cache_dir):
    path = tmp_path / "progress" / "2020.jsonl"
    write(path, b"")
    env = dict(os.environ)
    writers = [subprocess.Popen([sys.executable, "-c", APPENDER, str(path), name, "60"], env=env)
               for name in ("甲", "乙")]
    reader = subprocess.Popen([sys.executable, "-c", READER, str(path), str(tmp_path / "reads.json"), "25"], env=env)
    for proc in (*writers, reader):
        assert proc.wait(timeout=300) == 0
    final = path.read_bytes().splitlines(keepends=True)
    assert len(final) == 120
    reads = json.loads((tmp_path / "reads.json").read_text(encoding="utf-8"))
    seen = set()
    for got in reads:
        # Every read saw the ledger as it stood after some number of appends: exactly a full read of
        # that many first lines.
        count = len(got)
        prefix = tmp_path / "prefix" / "2020.jsonl"
        write(prefix, *final[:count])
        book = ledger.load(prefix)
        expected = [r.as_dict() for r in resolve(book.entries)]
        assert got == expected
        seen.add(count)
    assert ledger_index.load(path).records == resolve(ledger.load(path).entries)


# ------------------------------------------------------------------------------------ the commands

def test_commands_print_the_same_bytes_with_and_without_the_index(tmp_path, cache_dir):
    sys.path.insert(0, str(BENCHMARKS))
    import workloads

    ws = workloads.workspace(tmp_path / "ws", 400)
    env = dict(os.environ)

    def run(*args, **extra):
        out = subprocess.run([sys.executable, "-m", "kjplan", "--root", str(ws.root), "--today", "2020-12-20", *args],
                             capture_output=True, env={**env, **extra})
        assert out.returncode in (0, 3), out.stderr.decode()
        return out.stdout, out.stderr

    commands = [("log", "--format", "json"), ("log", "--format", "csv"), ("log", "--no-pager"),
                ("status", "-q", "2", "--format", "json"), ("status", "-q", "4")]
    for args in commands:
        cold, warm, none = run(*args), run(*args), run(*args, KJPLAN_NO_CACHE="1")
        assert cold == warm == none, args
    append(ledger_path(ws), b"{broken\n")
    for args in commands:
        assert run(*args) == run(*args, KJPLAN_NO_CACHE="1"), args


def test_the_benchmark_ledgers_are_ledgers_kjplan_writes(tmp_path):
    sys.path.insert(0, str(BENCHMARKS))
    import workloads

    ws = workloads.workspace(tmp_path / "ws", 300)
    data = ledger_path(ws).read_bytes()
    book = ledger.scan(data, ledger_path(ws))
    assert book.problems == [] and len(book.entries) == 300
    assert b"".join(line(e) for e in book.entries) == data  # byte for byte what ledger.append writes
    kinds = {e.type for e in book.entries}
    assert kinds == {"progress", "amend", "retract"}
