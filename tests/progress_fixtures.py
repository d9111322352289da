"""Helpers for the progress tests: workspaces, the CLI in-process and as a process, fixed clocks."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from kjplan.cli import app
from kjplan.workspace import Workspace, init_workspace

TODAY = dt.date(2020, 5, 10)
NOW = dt.datetime(2020, 5, 10, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TRACEBACK = "Traceback"


def new_workspace(tmp_path: Path, name: str = "ws") -> Workspace:
    from conftest import open_workspace

    return open_workspace(tmp_path / name)


def ledger_path(ws: Workspace) -> Path:
    return ws.progress_path(2020)


def ledger_bytes(ws: Workspace) -> bytes:
    path = ledger_path(ws)
    return path.read_bytes() if path.exists() else b"<absent>"


def invoke(ws: Workspace, *args, input=None, env=None, today: str = "2020-05-10"):
    """kjplan in-process (typer's runner); stdout and stderr kept apart."""
    runner = CliRunner()
    argv = ["--root", str(ws.root), "--today", today, *map(str, args)]
    return runner.invoke(app, argv, input=input, env=env, catch_exceptions=False)


def run(ws: Workspace | None, *args, input=None, env=None, today: str | None = "2020-05-10",
        timeout: float = 120) -> subprocess.CompletedProcess:
    """The installed command as a process (python -m kjplan)."""
    argv = [sys.executable, "-m", "kjplan"]
    if ws is not None:
        argv += ["--root", str(ws.root)]
    if today:
        argv += ["--today", today]
    return subprocess.run(argv + [str(a) for a in args], input=input, capture_output=True, text=True,
                          encoding="utf-8", env=dict(os.environ if env is None else env), timeout=timeout)


def refused_by(ws: Workspace, command, *, words, code: int = 1) -> str:
    """Run `command()` (a kjplan process that must refuse): a Chinese message on stderr that starts with 错误：
    and holds every one of `words`, exit `code`, nothing on stdout and the ledger byte-identical."""
    from zh_helpers import assert_chinese

    before = ledger_bytes(ws)
    result = command()
    assert result.returncode == code, (result.stdout, result.stderr)
    assert result.stderr.startswith("错误：") and TRACEBACK not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert result.stdout == ""
    assert ledger_bytes(ws) == before
    assert_chinese(result.stderr)
    return result.stderr


def add(ws: Workspace, *extra, item=9, text="完成基金扩资方案", **kw):
    """Add one record through the CLI and return its id (the test fails loudly otherwise). The tests that
    use it add the same text more than once and are not about duplicates: --allow-duplicate."""
    result = invoke(ws, "add-progress", "--item", item, "--text", text, "--allow-duplicate", *extra, **kw)
    assert result.exit_code == 0, result.stderr
    record_id = result.stdout.strip()
    assert len(record_id) == 16, result.stdout
    return record_id
