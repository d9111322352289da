"""Two offices share a workspace through git: each appends in its own clone, a merge keeps both."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from kjplan import ledger
from conftest import open_workspace
from kjplan.workspace import Workspace, init_workspace

from progress_fixtures import run

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo, *args):
    result = subprocess.run(["git", "-c", "user.name=测试", "-c", "user.email=test@example.com",
                             "-c", "init.defaultBranch=main", "-c", "pull.rebase=false", "-c", "commit.gpgsign=false",
                             *args], cwd=repo, capture_output=True, text=True)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def texts(ws):
    result = run(ws, "log", "--format", "json")
    assert result.returncode == 0, result.stderr
    return sorted(r["text"] for r in json.loads(result.stdout))


@pytest.mark.parametrize("first_record_in_origin", [False, True])
def test_appends_from_two_clones_both_survive_a_merge(tmp_path, first_record_in_origin):
    origin = open_workspace(tmp_path / "origin")
    git(origin.root, "init", "-q")
    if first_record_in_origin:
        assert run(origin, "add-progress", "--item", "1", "--text", "共同的第一条", "--status", "done").returncode == 0
    git(origin.root, "add", ".")
    git(origin.root, "commit", "-q", "-m", "工作区")
    a, b = Workspace(tmp_path / "a"), Workspace(tmp_path / "b")
    git(tmp_path, "clone", "-q", str(origin.root), str(a.root))
    git(tmp_path, "clone", "-q", str(origin.root), str(b.root))

    for ws, text in ((a, "成果转化科：基金扩资"), (b, "蒲城县科技局：孵化器招商")):
        result = run(ws, "add-progress", "--item", "9", "--text", text, "--metric", "innovation_fund=3000万")
        assert result.returncode == 0, result.stderr
        git(ws.root, "add", "progress")
        git(ws.root, "commit", "-q", "-m", text)
    git(b.root, "pull", "-q", "--no-edit", str(a.root), "main")  # a merge: both sides appended to one file
    assert len(git(b.root, "log", "--merges", "--oneline").splitlines()) == 1

    assert "<<<<<<<" not in ledger.read_bytes(b.progress_path(2020)).decode("utf-8")
    expected = ["成果转化科：基金扩资", "蒲城县科技局：孵化器招商"] + (["共同的第一条"] if first_record_in_origin else [])
    assert texts(b) == sorted(expected)
    assert run(b, "check").returncode == 0
    status = json.loads(run(b, "status", "--quarter", "2", "--format", "json").stdout)
    assert status["items"][8]["metrics"][0]["achieved"] == pytest.approx(0.6)  # both amounts add up
    # Lock files stay local: nothing of them was committed.
    tracked = git(b.root, "ls-files", "progress")
    assert ".lock" not in tracked
