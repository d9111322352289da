"""Several writers at once, and a writer killed in the middle: no record is ever lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from kjplan import ledger

from progress_fixtures import TRACEBACK, invoke, ledger_path, new_workspace, run

pytestmark = pytest.mark.skipif(os.name != "posix", reason="uses fork-free subprocesses and SIGKILL (POSIX)")

# One writer: N appends through the progress API (each takes the lock, writes, fsyncs, releases).
WRITER = """
import datetime as dt, sys
from kjplan import progress
from kjplan.workspace import Workspace
ws = Workspace(__import__("pathlib").Path(sys.argv[1]))
plan = ws.plan()
name, count = sys.argv[2], int(sys.argv[3])
print("ready", flush=True)
for i in range(count):
    progress.add_progress(ws, plan, item=(i % 16) + 1, text=f"{name} 第{i}条：并发写入", status="序时推进",
                          by=name, today=dt.date(2020, 5, 10), timeout=60)
    if len(sys.argv) > 4:
        print(i, flush=True)
"""


def test_eight_processes_appending_fifty_records_each_lose_nothing(tmp_path):
    ws = new_workspace(tmp_path)
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(ws.root), f"w{n}", "50"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(8)]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    data = ledger_path(ws).read_bytes()
    lines = data.split(b"\n")
    assert lines[-1] == b"" and len(lines) == 401  # every record on its own line, file ends with a newline
    for line in lines[:-1]:
        json.loads(line)
    book = ledger.load(ledger_path(ws))
    assert book.problems == [] and len(book.entries) == 400
    assert len({e.id for e in book.entries}) == 400
    texts = {e.text for e in book.entries}
    assert texts == {f"w{n} 第{i}条：并发写入" for n in range(8) for i in range(50)}
    check = invoke(ws, "check")
    assert check.exit_code == 0 and "（400 条）" in check.stdout


def test_a_writer_killed_mid_appends_loses_only_what_it_had_not_written(tmp_path):
    ws = new_workspace(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(ws.root), "victim", "100000", "verbose"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    done = -1
    while done < 20:
        done = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    book = ledger.load(ledger_path(ws))
    # Every append that returned is there; at most the one in flight is incomplete or absent.
    assert len(book.entries) >= done + 1
    assert [e.text for e in book.entries] == [f"victim 第{i}条：并发写入" for i in range(len(book.entries))]
    assert len(book.problems) <= 1
    # The lock died with its holder: the next writer gets in at once.
    result = run(ws, "add-progress", "--item", "1", "--text", "之后", "--status", "done",
                 env={**os.environ, ledger.ENV_LOCK_TIMEOUT: "5"})
    assert result.returncode == 0, result.stderr


# A writer that dies with half a record written: what a crash inside write() or a full disk leaves.
TORN = """
import os, sys, signal
from kjplan import ledger
from kjplan.records import ProgressEntry, new_id
import datetime as dt
path = sys.argv[1]
entry = ProgressEntry(id=new_id(), created=dt.datetime.now().astimezone(), item=1, quarter="2020Q2",
                      date=dt.date(2020, 5, 10), text="写到一半就断电了", status="已完成")
line = ledger.encode(entry) + b"\\n"
with ledger.locked(__import__("pathlib").Path(path)):
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, line[: len(line) // 2])
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_torn_last_record_is_named_skipped_and_moved_aside(tmp_path):
    ws = new_workspace(tmp_path)
    path = ledger_path(ws)
    first = run(ws, "add-progress", "--item", "2", "--text", "第一条", "--status", "done")
    second = run(ws, "add-progress", "--item", "3", "--text", "第二条", "--status", "done")
    assert first.returncode == second.returncode == 0
    proc = subprocess.run([sys.executable, "-c", TORN, str(path)], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    torn = path.read_bytes().split(b"\n")[-1]
    assert torn and not torn.endswith(b"}")

    # Completed records still load; the torn one is named with file and line by check.
    log = run(ws, "log", "--format", "json")
    assert log.returncode == 0 and [r["text"] for r in json.loads(log.stdout)] == ["第一条", "第二条"]
    assert f"{path}:3:" in log.stderr
    check = run(ws, "check")
    assert check.returncode == 1 and f"{path}:3: JSON 格式错误" in check.stderr and TRACEBACK not in check.stderr

    # A later append starts on a line of its own, so it is not glued to the torn one.
    third = run(ws, "add-progress", "--item", "4", "--text", "第三条", "--status", "done")
    assert third.returncode == 0
    assert [r["text"] for r in json.loads(run(ws, "log", "--format", "json").stdout)] == ["第一条", "第二条", "第三条"]

    # --repair moves it into a file of its own, never deleting it.
    repair = run(ws, "check", "--repair")
    assert repair.returncode == 0, repair.stderr
    assert "第 3 行" in repair.stdout and "检查通过" in repair.stdout
    (rejected,) = path.parent.glob("2020.jsonl.rejected-*.txt")
    assert torn + b"\n" in rejected.read_bytes()
    assert [e.text for e in ledger.load(path).entries] == ["第一条", "第二条", "第三条"]
    assert ledger.load(path).problems == []
    assert run(ws, "check").returncode == 0


def test_a_writer_waits_for_the_lock_rather_than_failing(tmp_path):
    ws = new_workspace(tmp_path)
    hold = ("import sys, time\nfrom pathlib import Path\nfrom kjplan import ledger\n"
            "with ledger.locked(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(1.5)\n")
    holder = subprocess.Popen([sys.executable, "-c", hold, str(ledger_path(ws))], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    start = time.monotonic()
    result = run(ws, "add-progress", "--item", "1", "--text", "等一等", "--status", "done")
    holder.wait()
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - start >= 1.0
