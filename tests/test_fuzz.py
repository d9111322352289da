"""Fuzz (hypothesis): arbitrary Unicode and bytes in every file a person edits or hands to kjplan.

The rule under test is the one issue 11 states: whatever enters, `kjplan check` either reports a clear
problem, or every other command handles it; no command ever ends in a traceback (内部错误), and every file
written opens. Inputs: a ledger line, the plan, the settings, and `add-progress --from` files (CSV, YAML).

The commands run in-process (typer's runner, the same code path as the installed command) so that the
examples stay cheap; the number of examples is bounded so that the whole suite stays within minutes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kjplan.cli import app
from kjplan.workspace import init_workspace

from hardening_helpers import assert_all_open, assert_chinese

TODAY = "2020-07-06"
GOOD = {"type": "progress", "id": "0123456789abcdef", "created": "2020-07-01T09:00:00+08:00", "by": "张三",
        "item": 9, "quarter": "2020Q2", "date": "2020-06-30", "text": "完成基金扩资方案。", "status": None,
        "unit": "办公室", "metrics": {"innovation_fund": 0.6}, "problems": "资金拨付偏慢", "next": "加快推进"}
GOOD_LINE = json.dumps(GOOD, ensure_ascii=False).encode("utf-8")
# What the commands may end with besides 0 (the documented table); never 1 from an internal error.
DOCUMENTED = {0, 1, 2, 3, 73, 78}
# Ten examples a test keep the suite fast; KJPLAN_FUZZ_EXAMPLES=500 searches deeper (by hand, before a release).
FUZZ = settings(max_examples=int(os.environ.get("KJPLAN_FUZZ_EXAMPLES", "10")), deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """One workspace made by `kjplan init`, with a good record; each example works on a copy."""
    ws = init_workspace(tmp_path_factory.mktemp("fuzz") / "ws")
    ws.progress_path(2020).parent.mkdir(exist_ok=True)
    ws.progress_path(2020).write_bytes(GOOD_LINE + b"\n")
    return ws.root


class Workspace:
    def __init__(self, template: Path, where: Path):
        if where.exists():
            shutil.rmtree(where)
        shutil.copytree(template, where)
        self.root = where

    def invoke(self, *args):
        runner = CliRunner()
        result = runner.invoke(app, ["--root", str(self.root), "--today", TODAY, *map(str, args)],
                               catch_exceptions=True)
        shown = result.stdout + result.stderr
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        assert not crashed, f"{args}: {result.exception!r}\n{shown}"
        assert "Traceback" not in shown and "内部错误" not in shown, f"{args}:\n{shown}"
        assert result.exit_code in DOCUMENTED, f"{args}: exit {result.exit_code}\n{shown}"
        if result.exit_code != 0:
            assert result.stderr.strip(), f"{args}: exit {result.exit_code} without a word"
            assert_chinese(result.stderr)
        assert_all_open(self.root / "reports")
        return result


def everything_else_works(ws: Workspace) -> None:
    """What check passed, every command handles."""
    for args in (("log",), ("log", "--format", "csv"), ("status", "-q", "2"), ("status", "-q", "2", "--format", "json"),
                 ("plan",), ("export", "-q", "2", "--formats", "docx,json,csv,xlsx")):  # export draws the report
        result = ws.invoke(*args)
        assert result.exit_code == 0, f"check passed, but {args} exits {result.exit_code}:\n{result.stderr}"


def nothing_crashes(ws: Workspace) -> None:
    """What check refused: every command still ends with a message and a documented code."""
    for args in (("log",), ("status", "-q", "2"), ("report", "-q", "2"), ("export", "-q", "2", "--formats", "json,xlsx")):
        ws.invoke(*args)


def check_then_use(ws: Workspace) -> None:
    checked = ws.invoke("check")
    if checked.exit_code == 0:
        everything_else_works(ws)
    else:
        assert checked.exit_code in (1, 78)
        assert re.search(r"错误：", checked.stderr), checked.stderr
        nothing_crashes(ws)


# --------------------------------------------------------------------------------------- strategies

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def ledger_lines(draw) -> bytes:
    """A line as hands, merges, crashes and other programs leave them."""
    kind = draw(st.sampled_from(["bytes", "text", "field", "mutated", "nested"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200)).replace(b"\n", b" ")
    if kind == "text":
        return draw(st.text(max_size=200)).replace("\n", " ").encode("utf-8", "surrogatepass")
    if kind == "field":
        key = draw(st.sampled_from(sorted(GOOD) + ["extra"]))
        value = draw(json_values | st.text(max_size=50))
        data = {**GOOD, "id": "1123456789abcdef", key: value}
        return json.dumps(data, ensure_ascii=draw(st.booleans()), allow_nan=True).encode("utf-8", "surrogatepass")
    if kind == "nested":
        return draw(st.sampled_from([b"[", b"{\"a\":"])) * draw(st.integers(1, 3000))
    raw = bytearray(GOOD_LINE.replace(b"0123456789abcdef", b"2123456789abcdef"))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw)))
        raw[at:at + draw(st.integers(0, 3))] = draw(st.binary(max_size=4))
    return bytes(raw).replace(b"\n", b" ")


@st.composite
def plan_edits(draw, text: str) -> bytes:
    """The bundled plan with one scalar replaced, or arbitrary characters or bytes inserted."""
    kind = draw(st.sampled_from(["scalar", "insert-text", "insert-bytes"]))
    data = text.encode("utf-8")
    if kind == "scalar":
        keys = [m for m in re.finditer(r"^(\s*-?\s*)(\w+): ?(.*)$", text, flags=re.M)]
        match = draw(st.sampled_from(keys))
        value = draw(st.one_of(st.text(max_size=30).map(json.dumps), st.text(max_size=30),
                               st.sampled_from([".inf", ".nan", "-1", "0", "1e999", "2020-02-30", "true", "~", "[]",
                                                "{}", "&a x", "*a", "!!binary eA==", "'", "\"\\x01\""])))
        line = f"{match.group(1)}{match.group(2)}: {value}".replace("\n", " ")
        return (text[: match.start()] + line + text[match.end():]).encode("utf-8", "surrogatepass")
    at = draw(st.integers(0, len(data)))
    extra = (draw(st.text(max_size=20)).encode("utf-8", "surrogatepass") if kind == "insert-text"
             else draw(st.binary(max_size=20)))
    return data[:at] + extra + data[at:]


settings_files = st.one_of(
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.binary(max_size=200),
    st.builds(lambda section, key, value: f"{section}:\n  {key}: {value}\n".encode("utf-8", "surrogatepass"),
              st.sampled_from(["report", "fonts", "units", "other"]),
              st.sampled_from(["recipients", "signature", "cc", "printer", "title", "body", "fallback", "x"]),
              st.one_of(st.text(max_size=20).map(json.dumps), st.text(max_size=20),
                        st.sampled_from(['"\\x01"', "2020-02-30", "[a, b]", "{a: 1}", "&x [*x]", ".nan"]))),
)

cells = st.one_of(st.text(max_size=30), st.sampled_from(["1", "9", "17", "2", "done", "已完成", "2020-02-30",
                                                         "=1+1", "'=1+1", "innovation_fund=6000万", "\u200b", ""]))


@st.composite
def from_files(draw) -> tuple[str, bytes]:
    keys = ["item", "quarter", "text", "status", "unit", "by", "metrics", "problems", "next", "date", "extra"]
    kind = draw(st.sampled_from(["csv", "yaml", "bytes"]))
    if kind == "bytes":
        return draw(st.sampled_from(["batch.csv", "batch.yaml"])), draw(st.binary(max_size=300))
    columns = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(cells, min_size=len(columns), max_size=len(columns)), min_size=1, max_size=3))
    if kind == "csv":
        import csv
        import io

        out = io.StringIO()
        csv.writer(out).writerows([columns, *rows])
        return "batch.csv", out.getvalue().encode("utf-8", "surrogatepass")
    records = [dict(zip(columns, row)) for row in rows]
    return "batch.yaml", json.dumps(records, ensure_ascii=False).encode("utf-8", "surrogatepass")  # JSON is YAML


# ------------------------------------------------------------------------------------------ the tests

@FUZZ
@given(line=ledger_lines(), where=st.sampled_from(["end", "middle", "torn-tail"]))
def test_any_ledger_line(template, tmp_path, line, where):
    ws = Workspace(template, tmp_path / "ws")
    path = ws.root / "progress" / "2020.jsonl"
    good = path.read_bytes()
    path.write_bytes({"end": good + line + b"\n", "middle": line + b"\n" + good, "torn-tail": good + line}[where])
    check_then_use(ws)
    repaired = ws.invoke("check", "--repair")
    if repaired.exit_code == 0:
        everything_else_works(ws)


@FUZZ
@given(data=st.data())
def test_any_plan(template, tmp_path, data):
    ws = Workspace(template, tmp_path / "ws")
    plan = ws.root / "plans" / "2020.yaml"
    plan.write_bytes(data.draw(plan_edits(plan.read_text(encoding="utf-8"))))
    check_then_use(ws)


@FUZZ
@given(content=settings_files)
def test_any_settings(template, tmp_path, content):
    ws = Workspace(template, tmp_path / "ws")
    (ws.root / "kjplan.yaml").write_bytes(content)
    check_then_use(ws)


@FUZZ
@given(file=from_files())
def test_any_from_file(template, tmp_path, file):
    ws = Workspace(template, tmp_path / "ws")
    name, content = file
    source = ws.root / name
    source.write_bytes(content)
    ledger = ws.root / "progress" / "2020.jsonl"
    before = ledger.read_bytes()
    added = ws.invoke("add-progress", "--from", source, "-q", "2")
    if added.exit_code != 0:
        assert ledger.read_bytes() == before  # refused: nothing written
    else:
        assert ledger.read_bytes().startswith(before)
    check_then_use(ws)


@FUZZ
@given(text=st.text(max_size=300), unit=st.text(max_size=20))
def test_any_text_typed_on_the_command_line(template, tmp_path, text, unit):
    ws = Workspace(template, tmp_path / "ws")
    ledger = ws.root / "progress" / "2020.jsonl"
    before = ledger.read_bytes()
    added = ws.invoke("add-progress", "-i", "1", "-q", "2", "-s", "done", "--text", text, "--unit", unit,
                      "--problems", text)
    if added.exit_code != 0:
        assert ledger.read_bytes() == before
    check_then_use(ws)
