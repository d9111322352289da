"""Install and first run anywhere: no symlinks in the repository, the example workspace made by
`kjplan init --example` from an installed wheel, and the README's first command producing its report."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from conftest import REPO, run_kjplan
from kjplan.workspace import Workspace

from zh_helpers import assert_chinese


def test_the_repository_has_no_symlinks():
    """A zip download turns a symlink into a text file holding its target."""
    if (REPO / ".git").exists():
        listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-s"], capture_output=True, text=True, check=True)
        links = [line.split("\t", 1)[1] for line in listed.stdout.splitlines() if line.startswith("120000 ")]
    else:
        links = [str(p) for top in ("src", "tests", "examples", "plans", "templates", "docs", "benchmarks")
                 for p in (REPO / top).rglob("*") if p.is_symlink()]
    assert links == []


def readme_first_commands() -> list[list[str]]:
    """The kjplan commands of the README's first command line, as argument lists."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("python3 -m venv") and "kjplan" in line)
    return [shlex.split(part)[1:] for part in (p.strip() for p in first.split("&&")) if part.startswith("kjplan ")]


@pytest.fixture(scope="module")
def wheel_install(tmp_path_factory) -> Path:
    """kjplan built as a wheel and installed (without its dependencies, which this environment has) into a
    folder of its own, away from the checkout."""
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(out / "dist"), str(REPO)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (wheel,) = (out / "dist").glob("kjplan-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "kjplan/_bundled/example/progress/2020.jsonl" in names and "kjplan/_bundled/plans/2020.yaml" in names
    target = out / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                              str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr
    return target


def run_installed(site: Path, *args, cwd: Path):
    env = dict(os.environ, PYTHONPATH=str(site))
    env.pop("KJPLAN_ROOT", None)
    return subprocess.run([sys.executable, "-m", "kjplan", *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)


def test_the_readmes_first_command_makes_the_example_report_from_an_installed_wheel(wheel_install, tmp_path):
    where = run_installed(wheel_install, "--version", cwd=tmp_path)
    assert where.returncode == 0
    probe = subprocess.run([sys.executable, "-c", "import kjplan; print(kjplan.__file__)"], cwd=tmp_path,
                           env=dict(os.environ, PYTHONPATH=str(wheel_install)), capture_output=True, text=True)
    assert probe.stdout.startswith(str(wheel_install)), probe.stdout  # the wheel, not the checkout
    commands = readme_first_commands()
    assert [c[:2] for c in commands] == [["init", "--example"], ["--root", commands[0][2]]]
    for args in commands:
        result = run_installed(wheel_install, *args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    report = Path(result.stdout.strip())
    assert report.is_file() and report.name == "report-2020Q2.docx"
    text = "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    assert "落实情况的报告" in text and "中共渭南市委：" in text and "2020年7月6日" in text
    # The README's command can be run again: the example workspace is there, unchanged.
    again = run_installed(wheel_install, *commands[0], cwd=tmp_path)
    assert again.returncode == 0 and "未做改动" in again.stdout


def test_init_example_makes_a_workspace_with_the_example_records(tmp_path):
    folder = tmp_path / "科技局 示例"
    result = run_kjplan("init", "--example", folder)
    assert result.returncode == 0, result.stderr
    assert f'kjplan --root "{folder}" report' in result.stdout  # a path with a space, quoted
    assert (folder / "progress" / "2020.jsonl").read_bytes() == (REPO / "examples/demo/progress/2020.jsonl").read_bytes()
    assert "example: true" in (folder / "kjplan.yaml").read_text(encoding="utf-8")
    log = run_kjplan("--root", folder, "log", "--format", "json")
    assert log.returncode == 0 and log.stdout.count('"id"') >= 10
    # Its units: list names every unit of its records, so the guided entry shows the menu a real workspace has.
    units = Workspace(folder).settings.units
    assert len(units) >= 10 and {r["unit"] for r in json.loads(log.stdout)} <= set(units)
    check = run_kjplan("--root", folder, "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_init_refuses_a_folder_with_other_content_and_quotes_paths_in_its_hints(tmp_path):
    folder = tmp_path / "科技局 工作" / "kjplan 2020"
    made = run_kjplan("init", folder)
    assert made.returncode == 0
    assert f'cd "{folder}" 后运行' in made.stdout
    (folder / "progress" / "2020.jsonl").write_text("", encoding="utf-8")
    again = run_kjplan("init", "--example", folder)
    assert again.returncode == 1 and "不会覆盖" in again.stderr
    assert_chinese(again.stderr)


def test_a_folder_that_is_no_workspace_points_to_init(tmp_path):
    result = run_kjplan("--root", REPO / "examples" / "demo", "status")
    assert result.returncode == 1
    assert "kjplan init --example" in result.stderr
    missing = run_kjplan("--root", tmp_path / "没有 这个", "status")
    assert f'kjplan init "{tmp_path / "没有 这个"}"' in missing.stderr
    (tmp_path / "记录.txt").write_text("x", encoding="utf-8")
    a_file = run_kjplan("--root", tmp_path / "记录.txt", "status")
    assert a_file.returncode == 1 and "是一个文件，不是文件夹" in a_file.stderr


@pytest.mark.parametrize("path, shown", [
    ("D:/科技局/kjplan", '"D:/科技局/kjplan"'), ("/srv/kjplan", "/srv/kjplan"), ("a b", '"a b"'),
    ("it's $HOME", "'it'\"'\"'s $HOME'"),
])
def test_paths_in_hints_are_quoted_for_the_shell(path, shown):
    from kjplan.errors import shell_path

    assert shell_path(path) == shown
    if os.name != "nt":
        assert shlex.split(shown) == [path]


def test_the_tests_need_nothing_outside_the_repository():
    """A user's clone has no ../shared: the schemas, their validator and the plan's source text are here."""
    tests = REPO / "tests"
    assert (tests / "ooxml" / "ISO-IEC29500-4_2016" / "wml.xsd").is_file() and (tests / "ooxml" / "LICENSE").is_file()
    assert "MIT" in (tests / "ooxml" / "LICENSE").read_text(encoding="utf-8")
    assert (tests / "fixtures" / "plan-2020-source.txt").is_file()
    outside = [p.name for p in tests.glob("*.py")
               if re.search(r'"shared"|\.\./shared|/work/', p.read_text(encoding="utf-8")) and p.name != "test_install.py"]
    assert outside == []
