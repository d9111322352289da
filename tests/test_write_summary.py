"""add-progress checks a new record against the live ones (no record twice, a year's total far past its
target) through the summary kept beside the ledger index, not by reading the ledger (issue 14). Whatever
happened to the ledger or the summary, the answer is the one a full read gives."""

from __future__ import annotations

import os
import time

import pytest

from kjplan import cache, ledger, ledger_index, progress
from kjplan.errors import KjplanError

from progress_fixtures import NOW, TODAY, ledger_path, new_workspace


def add(ws, text, **kw):
    kw = {"item": 9, "unit": "成果转化科", "status": "序时推进", **kw}
    return progress.add_progress(ws, ws.plan(2020), text=text, today=TODAY, now=NOW, by="测试", **kw)


def outcome(ws, text, **kw):
    """What adding this record does: the id of the record it repeats, the refusal, or "added"."""
    try:
        add(ws, text, **kw)
    except progress.Duplicate as exc:
        return ("duplicate", exc.record.id)
    except KjplanError as exc:
        return ("refused", str(exc))
    return "added"


def no_full_read(monkeypatch):
    def refuse(*args, **kw):
        raise AssertionError("the ledger was read")

    monkeypatch.setattr(ledger_index, "load", refuse)
    monkeypatch.setattr(ledger, "read_bytes", refuse)
    monkeypatch.setattr(ledger, "scan", refuse)


def settled_summary(ws):
    """The summary kept for the ledger as it is now (it is kept once the file's last change settled)."""
    time.sleep(ledger_index.SETTLE_NS / 1e9 * 2)
    ledger_index.summary(ledger_path(ws))
    entry = cache.entry_path(ledger_path(ws), "summary")
    assert entry.is_file()
    return entry


def test_add_progress_after_add_progress_reads_no_ledger(tmp_path, cache_dir, monkeypatch):
    ws = new_workspace(tmp_path)
    for n in range(5):
        add(ws, f"第 {n} 条")
    # The first summary is built from the index and kept once the ledger's last change has settled
    # (a change within the file system's clock tick could not be told from it).
    time.sleep(ledger_index.SETTLE_NS / 1e9 * 2)
    add(ws, "第 5 条")
    entry = ledger_index.cache.entry_path(ledger_path(ws), "summary")
    assert entry.is_file()
    with monkeypatch.context() as m:
        no_full_read(m)
        add(ws, "又一条", metrics={"基金": "100万"})  # a cumulative target: its year total is checked too
        add(ws, "再一条", metrics={"基金": "100万"})
    # A repeated record is found: the summary's hint, then the records compared.
    first = ledger_index.load(ledger_path(ws)).records[0]
    assert outcome(ws, "第 0 条") == ("duplicate", first.id)
    assert outcome(ws, " 第 0 条\n") == ("duplicate", first.id)  # spaces around the text aside
    assert outcome(ws, "第 0 条", quarter="2020Q1") == "added"  # another quarter: another record


def test_a_summary_that_no_longer_fits_is_rebuilt(tmp_path, cache_dir, monkeypatch):
    ws = new_workspace(tmp_path)
    kept = add(ws, "保留的一条")
    gone = add(ws, "撤回的一条")
    edited = add(ws, "改过的一条")
    progress.retract_many(ws, ws.plan(2020), [gone.id], reason="测试", now=NOW, by="测试")
    progress.amend(ws, ws.plan(2020), edited.id, today=TODAY, now=NOW, by="测试", text="改后的一条")
    assert outcome(ws, "撤回的一条") == "added"  # its record was withdrawn
    assert outcome(ws, "改过的一条") == "added"  # that record says something else now
    assert outcome(ws, "改后的一条") == ("duplicate", edited.id)
    assert outcome(ws, "保留的一条") == ("duplicate", kept.id)


@pytest.mark.parametrize("change", ["hand edit", "truncated", "rewritten", "merged", "summary damaged",
                                    "summary of another file", "no cache"])
def test_the_checks_answer_as_a_full_read_does(tmp_path, cache_dir, monkeypatch, change):
    ws = new_workspace(tmp_path)
    path = ledger_path(ws)
    for n in range(4):
        add(ws, f"记录 {n}", metrics={"基金": "2000万"})  # 8000万 of the fund's 1亿元
    entry = settled_summary(ws)
    data = path.read_bytes()
    lines = data.splitlines(keepends=True)
    if change == "hand edit":  # same length, another text: 记录 1 becomes 记录 9
        path.write_bytes(data.replace("记录 1".encode(), "记录 9".encode()))
    elif change == "truncated":
        path.write_bytes(b"".join(lines[:2]))
    elif change == "rewritten":  # as check --repair does: a new file in its place
        new = path.with_name("new.jsonl")
        new.write_bytes(b"".join(lines[1:]))
        os.replace(new, path)
    elif change == "merged":  # a union merge: another clone's records in the middle
        other = new_workspace(tmp_path, "other")
        add(other, "另一处的记录", metrics={"基金": "5亿"}, force=True)
        path.write_bytes(lines[0] + ledger_path(other).read_bytes() + b"".join(lines[1:]))
    elif change == "summary damaged":
        raw = entry.read_bytes()
        entry.write_bytes(raw[:-20] + bytes(20))
    elif change == "summary of another file":
        other = new_workspace(tmp_path, "other")
        add(other, "另一处的记录")
        entry.write_bytes(settled_summary(other).read_bytes())
    probes = [("记录 1", {}), ("记录 9", {}), ("记录 3", {}), ("另一处的记录", {}),
              ("新的一条", {"metrics": {"基金": "2000万"}}), ("新的一条", {"metrics": {"基金": "2.5亿"}})]

    def answers(**env):
        results = []
        for text, kw in probes:
            saved = path.read_bytes()
            results.append(outcome(ws, text, **kw))
            path.write_bytes(saved)  # each probe against the same ledger
        return results

    monkeypatch.setenv(cache.ENV_OFF, "1")
    expected = answers()
    if change != "no cache":
        monkeypatch.delenv(cache.ENV_OFF)
    assert answers() == expected
    assert answers() == expected  # and again, with the summary rebuilt (or read back)


def test_two_writers_keep_the_summary_true(tmp_path, cache_dir):
    """Records appended by another process (or another kjplan) are in the next check's answer."""
    import subprocess
    import sys

    ws = new_workspace(tmp_path)
    add(ws, "本进程的一条")
    script = ("import datetime as dt, sys\nfrom pathlib import Path\nfrom kjplan import progress\n"
              "from kjplan.workspace import Workspace\n"
              "ws, who = Workspace(Path(sys.argv[1])), sys.argv[2]\n"
              "for n in range(20):\n"
              "    progress.add_progress(ws, ws.plan(2020), item=9, unit='成果转化科', status='序时推进', "
              "text=f'{who} {n}', today=dt.date(2020, 5, 10), by='测试')\n")
    procs = [subprocess.Popen([sys.executable, "-c", script, str(ws.root), who]) for who in ("甲进程", "乙进程")]
    for n in range(20):
        add(ws, f"本进程 {n}")
    assert all(p.wait(timeout=120) == 0 for p in procs)
    records = ledger_index.load(ledger_path(ws)).records
    for text in ["本进程的一条", "本进程 7", "甲进程 3", "乙进程 19"]:
        assert outcome(ws, text)[0] == "duplicate", text
    assert len(records) == 61
