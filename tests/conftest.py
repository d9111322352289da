"""Shared fixtures: fresh workspaces in temporary folders, the CLI through typer's runner and as a process."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kjplan.cli import app
from kjplan.workspace import init_workspace

# kjplan's caches (kjplan.cache: the plan, the settings, the ledger index) go to a folder of the test
# session's own, never the user's ~/.cache; commands run as subprocesses inherit it.
if not os.environ.get("KJPLAN_CACHE_DIR"):
    os.environ["KJPLAN_CACHE_DIR"] = tempfile.mkdtemp(prefix="kjplan-test-cache-")
    atexit.register(shutil.rmtree, os.environ["KJPLAN_CACHE_DIR"], True)

REPO = Path(__file__).resolve().parents[1]
# The plan's source text (the bureau's published 工作要点), kept in the repository so that every clone
# runs the tests that compare the plan and its import with it.
SEED = REPO / "tests" / "fixtures" / "plan-2020-source.txt"


def open_workspace(folder) -> "Workspace":
    """A new workspace made by `kjplan init`, with its units: list emptied so that any unit name is
    taken (init lists only the plan's named recipients; the tests record from made-up offices)."""
    from collect_fixtures import set_units

    ws = init_workspace(folder)
    set_units(ws, [])
    return ws


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A cache folder of the test's own (kjplan.cache), caching on."""
    from kjplan import cache

    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_DIR, str(folder))
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    return folder


@pytest.fixture
def ws(tmp_path):
    """A new workspace made by `kjplan init`, taking any unit name (see open_workspace)."""
    return open_workspace(tmp_path / "ws")


@pytest.fixture
def cli():
    """Run kjplan through typer's runner: cli("--root", dir, "plan") -> Result (stdout, stderr apart)."""
    runner = CliRunner()

    def invoke(*args, input=None, env=None):
        return runner.invoke(app, [str(a) for a in args], input=input, env=env, catch_exceptions=False)

    return invoke


def run_kjplan(*args, cwd=None, env=None, input=None, timeout=120) -> subprocess.CompletedProcess:
    """The installed command as a subprocess (python -m kjplan, same interpreter as the tests)."""
    full_env = dict(os.environ if env is None else env)
    return subprocess.run([sys.executable, "-m", "kjplan", *map(str, args)], cwd=cwd, env=full_env,
                          input=input, capture_output=True, text=True, encoding="utf-8", timeout=timeout)


@pytest.fixture
def seed_text():
    return SEED.read_text(encoding="utf-8")
