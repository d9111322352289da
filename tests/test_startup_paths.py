"""What add-progress and report load, so that a later change cannot quietly bring a slow import back
(issue 14: add-progress as fast as jrnl, the report within a few times pandoc). The checks name modules,
never times: a command imports the module of its own command alone, add-progress none of the heavy
libraries, the input layer's readers or the guided entry, and with warm caches neither YAML nor a
pydantic validator for the plan or the settings."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from progress_fixtures import invoke, new_workspace

PROBE = """
import json, sys
from kjplan.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
from pydantic import BaseModel
from kjplan import plan, settings
built = sorted(name for module in (plan, settings) for name, model in vars(module).items()
               if isinstance(model, type) and issubclass(model, BaseModel) and model.__pydantic_complete__)
print(json.dumps({"modules": sorted(sys.modules), "built": built}), file=sys.__stderr__)
"""

COMMAND_MODULES = {"kjplan.cli.plan_cmds", "kjplan.cli.report_cmds", "kjplan.cli.progress_cmds",
                   "kjplan.cli.export_cmds", "kjplan.cli.collect_cmds"}
HEAVY = {"docx", "jinja2", "lxml", "openpyxl", "rich", "rjieba", "yaml", "kjplan.yamlfiles", "kjplan.cli.guided",
         "importlib.metadata"}


def loaded(ws, *args, env=None) -> dict:
    """sys.modules after one whole `kjplan` run in a fresh process (the second of two: caches warm)."""
    argv = [sys.executable, "-c", PROBE, "--root", str(ws.root), "--today", "2020-05-10", *args]
    for _ in range(2):
        result = subprocess.run(argv, capture_output=True, text=True, encoding="utf-8", env=env)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stderr.strip().splitlines()[-1])
    found["modules"] = set(found["modules"])
    return found


@pytest.fixture
def ws(tmp_path, cache_dir, monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    ws = new_workspace(tmp_path)
    assert invoke(ws, "add-progress", "--item", "9", "--text", "完成基金扩资方案报批",
                  "--metric", "innovation_fund=100万").exit_code == 0
    return ws


def test_add_progress_loads_its_own_command_and_nothing_heavy(ws):
    found = loaded(ws, "add-progress", "--item", "9", "--text", "召开推进会", "--metric", "innovation_fund=50万")
    modules = found["modules"]
    assert modules & COMMAND_MODULES == {"kjplan.cli.progress_cmds"}
    assert not modules & HEAVY, modules & HEAVY
    assert not any(m.startswith("kjplan.readers.") or m.startswith("kjplan.render") for m in modules)
    assert found["built"] == []  # plan and settings came from their cache: no validator built for their models


def test_report_loads_what_a_report_needs_and_not_the_input_layer_or_excel(ws):
    found = loaded(ws, "report", "-q", "2", "--date", "2020-07-06")
    modules = found["modules"]
    assert {"docx", "jinja2", "kjplan.render.docx"} <= modules
    assert modules & COMMAND_MODULES == {"kjplan.cli.report_cmds"}
    assert not modules & {"openpyxl", "rich", "yaml", "kjplan.yamlfiles", "kjplan.cli.guided", "importlib.metadata"}
    assert not any(m.startswith("kjplan.readers.") or m.startswith("kjplan.exporters") for m in modules)
    assert found["built"] == []


def test_help_lists_every_command_in_order_whatever_was_loaded_first():
    def run(code):
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8").stdout

    fresh = run("from kjplan.cli import main\nmain(['--help'])")
    after_one = run("from kjplan.cli import main\n"
                    "for line in (['report', '--help'], ['--help']):\n"
                    "    try:\n        main(line)\n    except SystemExit:\n        print('=====')\n")
    assert "add-progress" in fresh and "export" in fresh
    assert after_one.split("=====\n")[1] == fresh


def test_the_table_of_commands_names_the_module_that_registers_each():
    import kjplan.cli as cli

    app = cli.app  # every module loaded
    registered = {info.name: info.callback.__module__ for info in app.registered_commands}
    registered.update({info.name: info.typer_instance.registered_commands[0].callback.__module__
                       for info in app.registered_groups})
    assert {name: module.rpartition(".")[2] for name, module in registered.items()} == cli.MODULE_OF
    assert set(cli.MODULE_OF.values()) == set(cli.COMMAND_MODULES)


@pytest.mark.parametrize("line, name", [
    (["add-progress", "--item", "9"], "add-progress"),
    (["--root", "report", "--today", "2020-05-10", "log"], "log"),  # an option's value is not the command
    (["--root=ws", "--year", "2020", "--debug", "plan", "show"], "plan"),
    (["--help"], None),
    (["--", "plan"], None),
    ([], None),
    (["--version"], None),
])
def test_the_command_a_line_names(line, name):
    from kjplan.cli import command_named

    assert command_named(line) == name
