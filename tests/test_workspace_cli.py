"""Workspace discovery and init, and the CLI's behaviour as a tool: help, errors, exit codes, start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import REPO, run_kjplan
from kjplan.errors import KjplanError
from kjplan.workspace import Workspace, find_workspace, init_workspace


def test_init_creates_a_complete_workspace(tmp_path):
    ws = init_workspace(tmp_path / "新工作区")
    for sub in ("plans/2020.yaml", "templates/report.j2", "kjplan.yaml", ".gitattributes"):
        assert (ws.root / sub).is_file(), sub
    for sub in ("progress", "reports"):
        assert (ws.root / sub).is_dir()
    assert "merge=union" in (ws.root / ".gitattributes").read_text(encoding="utf-8")
    assert len(ws.plan().items) == 16


def test_init_refuses_to_overwrite(tmp_path, cli):
    ws = init_workspace(tmp_path / "w")
    plan_file = ws.plan_path()
    plan_file.write_text(plan_file.read_text(encoding="utf-8") + "# 本地修改\n", encoding="utf-8")
    before = plan_file.read_bytes()
    result = cli("init", ws.root)
    assert result.exit_code == 1 and "不会覆盖" in result.stderr
    assert plan_file.read_bytes() == before


def test_root_option_beats_env_beats_search(tmp_path):
    a, b = init_workspace(tmp_path / "a"), init_workspace(tmp_path / "b")
    nested = a.root / "reports" / "深层"
    nested.mkdir()
    assert find_workspace(None, env={}, cwd=nested) == Workspace(a.root)
    assert find_workspace(None, env={"KJPLAN_ROOT": str(b.root)}, cwd=nested) == Workspace(b.root)
    assert find_workspace(a.root, env={"KJPLAN_ROOT": str(b.root)}, cwd=nested) == Workspace(a.root)


def test_no_workspace_is_a_clear_error(tmp_path):
    with pytest.raises(KjplanError, match="没有找到 kjplan 工作区"):
        find_workspace(None, env={}, cwd=tmp_path)
    with pytest.raises(KjplanError, match="不是 kjplan 工作区"):
        find_workspace(tmp_path, env={})
    with pytest.raises(KjplanError, match="KJPLAN_ROOT"):
        find_workspace(None, env={"KJPLAN_ROOT": str(tmp_path / "none")})


def test_repository_root_is_a_workspace():
    assert find_workspace(None, env={}, cwd=REPO / "src") == Workspace(REPO)


def test_plan_lists_sixteen_items_from_any_folder(ws, tmp_path):
    result = run_kjplan("--root", ws.root, "plan", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for item in ws.plan().items:
        assert item.title in result.stdout
    assert "innovation_fund" in result.stdout and "1亿元" in result.stdout


def test_plan_one_item_and_json(ws, cli):
    one = cli("--root", ws.root, "plan", "9")
    assert one.exit_code == 0 and "募集规模达1亿元" in one.stdout and "牵头单位：（未指定）" in one.stdout
    data = json.loads(cli("--root", ws.root, "plan", "--format", "json").stdout)
    assert [i["number"] for i in data["items"]] == list(range(1, 17))
    assert data["items"][11]["targets"][0] == {"id": "incubator_occupancy", "name": "孵化器入驻率", "value": 80,
                                                "unit": "%", "kind": "level", "source": "确保孵化器入驻率达到80%以上",
                                                "review": False}
    item = json.loads(cli("--root", ws.root, "plan", "12", "--format", "json").stdout)
    assert item["title"] == "高标准做好渭南（西安）创新创业孵化器运营工作"


def test_unknown_item_is_a_chinese_error(ws, cli):
    result = cli("--root", ws.root, "plan", "17")
    assert result.exit_code == 1 and "没有第 17 项" in result.stderr and "Traceback" not in result.stderr


def test_check_passes_on_a_new_workspace(ws, cli):
    result = cli("--root", ws.root, "check")
    assert result.exit_code == 0 and "检查通过" in result.stdout


def test_bad_settings_named_with_line(ws, cli):
    ws.settings_path.write_text("report:\n  recipient: 某单位\n", encoding="utf-8")
    result = cli("--root", ws.root, "check")
    assert result.exit_code == 1
    assert f"{ws.settings_path}:2: report.recipient：未知字段" in result.stderr
    report = cli("--root", ws.root, "report", "--quarter", "2", "--date", "2020-07-06")
    assert report.exit_code == 78 and "report.recipient" in report.stderr


def test_gbk_plan_file_is_named_as_such(ws, cli):
    path = ws.plan_path()
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    result = cli("--root", ws.root, "plan")
    assert result.exit_code == 1 and "GBK" in result.stderr


def test_bom_is_accepted(ws, cli):
    path = ws.plan_path()
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert cli("--root", ws.root, "check").exit_code == 0


def test_usage_errors_exit_2_in_chinese(ws):
    result = run_kjplan("--root", ws.root, "plan", "--bogus")
    assert result.returncode == 2 and "没有选项 --bogus" in result.stderr
    result = run_kjplan("--root", ws.root, "plan", "--format", "xml")
    assert result.returncode == 2 and "table、json 或 docx" in result.stderr


def test_help_is_chinese_with_examples():
    for command in ([], ["init"], ["check"], ["plan"], ["report"], ["add-progress"], ["amend"], ["retract"],
                    ["log"], ["status"], ["export"]):
        result = run_kjplan(*command, "--help")
        assert result.returncode == 0
        assert "示例" in result.stdout or "例：" in result.stdout, command
        assert "Show this message" not in result.stdout


def test_debug_shows_the_traceback_only_when_asked(tmp_path):
    quiet = run_kjplan("--root", tmp_path, "plan")
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr and "不是 kjplan 工作区" in quiet.stderr
    loud = run_kjplan("--debug", "--root", tmp_path, "plan")
    assert loud.returncode == 1 and "Traceback" in loud.stderr


@pytest.mark.parametrize("command", [["--help"], ["plan"], ["check"]])
def test_fast_commands_do_not_import_docx_or_jinja(ws, command):
    code = (
        "import sys\n"
        "from kjplan.cli import main\n"
        "try:\n"
        f"    main(['--root', {str(ws.root)!r}, *{command!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('docx', 'jinja2', 'openpyxl', 'lxml', 'rjieba') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8")
    assert "HEAVY []" in result.stderr, result.stderr


def test_works_without_locale_and_home(ws, tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    result = run_kjplan("--root", ws.root, "plan", "9", env=env, cwd="/")
    assert result.returncode == 0 and "提升科技成果转移转化能力" in result.stdout


def test_non_editable_install_ships_plan_and_templates(tmp_path):
    """Build the wheel, install it without deps into a fresh venv that borrows ours, run from elsewhere."""
    import sysconfig

    wheel_dir = tmp_path / "wheel"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(REPO)],
                           capture_output=True, text=True)
    if build.returncode != 0:
        pytest.skip(f"无法构建 wheel（{build.stderr.strip()[-200:]}）")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    wheel = next(wheel_dir.glob("kjplan-*.whl"))
    import zipfile

    zipfile.ZipFile(wheel).extractall(site)
    # Borrow the test environment's dependencies (not kjplan itself, which must come from the wheel).
    deps = sysconfig.get_paths()["purelib"]
    (__import__("pathlib").Path(site) / "borrowed.pth").write_text(deps + "\n")
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KJPLAN_ROOT")}
    init = subprocess.run([str(py), "-m", "kjplan", "init", "office"], cwd=workdir, capture_output=True, text=True, env=env)
    assert init.returncode == 0, init.stderr
    where = subprocess.run([str(py), "-c", "import kjplan; print(kjplan.__file__)"], cwd=workdir,
                           capture_output=True, text=True, env=env).stdout
    assert str(venv) in where, where  # kjplan came from the wheel, not the checkout
    listing = subprocess.run([str(py), "-m", "kjplan", "--root", "office", "plan"], cwd=workdir,
                             capture_output=True, text=True, env=env)
    assert listing.returncode == 0, listing.stderr
    assert "强化党风廉政建设主体责任落实" in listing.stdout
