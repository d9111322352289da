"""`kjplan log` at any size: newest first through a pager on a terminal, streamed when piped, the same
JSON and CSV as before (issue 14)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kjplan import ledger
from hypothesis import given, settings
from hypothesis import strategies as st

from kjplan.cli.listing import Table, fit, indented, width, write_json
from kjplan.records import resolve

from progress_fixtures import ledger_path, new_workspace

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
posix = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")

COPY_PAGER = """
import sys, os
data = sys.stdin.buffer.read()
open(sys.argv[1], "wb").write(data)
open(sys.argv[1] + ".env", "w").write(os.environ.get("LESS", ""))
"""

QUIT_PAGER = """
import sys
for n, _ in enumerate(sys.stdin.buffer, 1):
    if n >= 5:
        break
open(sys.argv[1], "w").write(str(n))
"""


@pytest.fixture
def big(tmp_path):
    sys.path.insert(0, str(BENCHMARKS))
    import workloads

    return workloads.workspace(tmp_path / "ws", 600)


def kjplan(ws, *args) -> list[str]:
    return [sys.executable, "-m", "kjplan", "--root", str(ws.root), "--today", "2020-12-20", *args]


def on_terminal(argv, env, timeout=120) -> tuple[int, bytes]:
    """Run with stdin, stdout and stderr on a pseudo-terminal; (exit code, what the terminal showed)."""
    import pty
    import select

    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    shown = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        elif proc.poll() is not None:
            break
    code = proc.wait(timeout=10)
    os.close(master)
    return code, shown


def records_of(ws):
    return resolve(ledger.load(ledger_path(ws)).entries)


# ------------------------------------------------------------------------------------------ pager

@posix
def test_on_a_terminal_the_table_goes_newest_first_through_the_pager(big, tmp_path):
    out = tmp_path / "paged.txt"
    env = {**os.environ, "PAGER": f"{sys.executable} -c '{COPY_PAGER}' {out}"}
    env.pop("LESS", None)
    code, shown = on_terminal(kjplan(big, "log"), env)
    assert code == 0, shown.decode(errors="replace")
    lines = out.read_text(encoding="utf-8").splitlines()
    records = records_of(big)
    assert lines[0] == f"进展记录（共 {len(records)} 条，最新的在前）"
    body = lines[3:]
    assert [row.split()[0] for row in body] == [r.id[:8] for r in reversed(records)]
    assert Path(str(out) + ".env").read_text() == "FRX"  # as git sets it: one screen needs no paging
    assert b"\xe8\xbf\x9b\xe5\xb1\x95" not in shown  # the table went to the pager, not to the terminal


@posix
def test_no_pager_n_and_an_empty_pager_print_directly(big, tmp_path):
    out = tmp_path / "paged.txt"
    env = {**os.environ, "PAGER": f"{sys.executable} -c '{COPY_PAGER}' {out}"}
    code, shown = on_terminal(kjplan(big, "log", "--no-pager", "-n", "3"), env)
    assert code == 0 and not out.exists()
    text = shown.decode("utf-8")
    newest = [r.id[:8] for r in reversed(records_of(big))][:3]
    assert all(i in text for i in newest) and text.index(newest[0]) < text.index(newest[2])
    assert "共 3 条" in text
    code, shown = on_terminal(kjplan(big, "log", "-n", "2"), {**os.environ, "PAGER": ""})
    assert code == 0 and "共 2 条" in shown.decode("utf-8")


@posix
def test_quitting_the_pager_early_ends_the_listing_quietly(big, tmp_path):
    seen = tmp_path / "seen.txt"
    env = {**os.environ, "PAGER": f"{sys.executable} -c '{QUIT_PAGER}' {seen}"}
    code, shown = on_terminal(kjplan(big, "log"), env)
    assert code == 0 and seen.read_text() == "5"
    assert b"Error" not in shown and "错误".encode() not in shown and b"Traceback" not in shown


# ------------------------------------------------------------------------------------------ piped

def test_piped_the_table_streams_every_record_newest_first_in_aligned_columns(big):
    out = subprocess.run(kjplan(big, "log"), capture_output=True, env=dict(os.environ))
    assert out.returncode == 0, out.stderr.decode()
    lines = out.stdout.decode("utf-8").splitlines()
    records = records_of(big)
    body = lines[3:]
    assert len(body) == len(records)
    assert [row[:8] for row in body] == [r.id[:8] for r in reversed(records)]
    # Every column but the last starts at the same terminal column on every line.
    heading_width = width(lines[1][: lines[1].index("指标")])
    for row in body:
        metrics_start = row.rindex("  ") + 2
        assert width(row[:metrics_start]) == heading_width, row
    amended = [r for r in records if r.amended]
    assert amended and all("（已修改）" in body[len(records) - 1 - records.index(r)] for r in amended)


def test_json_and_csv_are_what_they_were_and_n_keeps_the_newest(big):
    records = records_of(big)
    out = subprocess.run(kjplan(big, "log", "--format", "json"), capture_output=True, env=dict(os.environ)).stdout
    expected = json.dumps([r.as_dict() for r in records], ensure_ascii=False, indent=2) + "\n"
    assert out.decode("utf-8") == expected
    last = subprocess.run(kjplan(big, "log", "--format", "json", "-n", "5"), capture_output=True).stdout
    assert [r["id"] for r in json.loads(last)] == [r.id for r in records[-5:]]
    csv_out = subprocess.run(kjplan(big, "log", "--format", "csv", "-n", "5"), capture_output=True).stdout
    rows = csv_out.decode("utf-8").splitlines()
    assert rows[0].startswith("id,item,quarter") and [row[:16] for row in rows[1:]] == [r.id for r in records[-5:]]


def test_json_written_a_row_at_a_time_is_json_dumps_of_the_list():
    rows = [{"a": 1, "b": {"x": 1.5, "y": "中文"}, "c": [], "d": {}}, {"a": None, "b": "\n\"q\""}]
    for data in ([], rows[:1], rows):
        out = io.StringIO()
        write_json(iter(data), out)
        assert out.getvalue() == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(value=json_values, level=st.integers(0, 3))
def test_the_fast_indented_json_is_json_dumps(value, level):
    expected = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)
    assert indented(value, level) == expected


def test_cells_are_cut_and_padded_by_terminal_columns():
    assert width("进展ab") == 6 and width("abc") == 3
    assert fit("进展情况很长", 7) == "进展情…"
    assert width(fit("进展情况很长", 7)) == 7 and width(fit("进", 7)) == 7
    assert fit("abcdefgh", 5) == "abcd…"
    table = Table([("编号", 4), ("名称", 6), ("其他", 0)], right=[0])
    assert table.line(["12", "科技局", "x"]) == "  12  科技局  x"
