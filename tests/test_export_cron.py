"""kjplan export in cron's world: `env -i PATH=/usr/bin:/bin`, no HOME, LANG unset, cwd `/`, no terminal.

The workspace comes from KJPLAN_ROOT or --root; success prints nothing; a failure prints one Chinese
line that still decodes as UTF-8 under LC_ALL=C; two exports at once never both run.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from test_export import (DATA_FORMATS, PDF, Q2_NAMES, TODAY_ARG, fill, leftovers, needs_soffice, one_line,
                         snapshot)

from kjplan.export_job import export_lock

CRON_PATH = "/usr/bin:/bin"


def cron_env(**extra) -> dict[str, str]:
    """What cron gives a job: a PATH and little else (no HOME, USER, LANG, TERM)."""
    return {"PATH": CRON_PATH, **extra}


def cron(*args, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The installed command, from /, no terminal on any stream."""
    return subprocess.run([sys.executable, "-m", "kjplan", "--today", TODAY_ARG, *map(str, args)], env=env,
                          cwd="/", stdin=subprocess.DEVNULL, capture_output=True, timeout=180)


def test_cron_environment_has_nothing_else():
    probe = subprocess.run([sys.executable, "-c", "import os, sys; print(sorted(os.environ), sys.flags.utf8_mode)"],
                           env=cron_env(), cwd="/", capture_output=True, text=True)
    assert "HOME" not in probe.stdout and "LANG" not in probe.stdout and "USER" not in probe.stdout


def test_export_under_env_i_from_root_prints_nothing(ws):
    fill(ws)
    result = cron("export", "--quarter", "auto", "--formats", DATA_FORMATS, env=cron_env(KJPLAN_ROOT=str(ws.root)))
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert result.stdout == b"" and result.stderr == b""
    assert set(Q2_NAMES) <= {p.name for p in ws.reports_dir.iterdir()}
    assert leftovers(ws.reports_dir) == []
    # Chinese written as UTF-8 although the locale is C.
    assert "第二季度" in (ws.reports_dir / "report-2020Q2.json").read_text(encoding="utf-8")


@needs_soffice
def test_every_format_under_env_i_including_pdf(ws, tmp_path):
    fill(ws)
    log = tmp_path / "export.log"
    result = cron("--root", ws.root, "export", "--log", log, env=cron_env())
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert result.stdout == b"" and result.stderr == b""
    names = {p.name for p in ws.reports_dir.iterdir()}
    assert set(Q2_NAMES) | {PDF} <= names
    assert (ws.reports_dir / PDF).read_bytes().startswith(b"%PDF")
    before = snapshot(ws.reports_dir)
    again = cron("--root", ws.root, "export", "--log", log, env=cron_env())
    assert again.returncode == 0 and again.stdout == b"" and again.stderr == b""
    assert snapshot(ws.reports_dir) == before  # the PDF too: LibreOffice is not run for an unchanged report
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and " exit=0 " in lines[0] and "written=-" in lines[1]
    assert leftovers(ws.reports_dir) == []


@pytest.mark.parametrize("locale", [{}, {"LANG": "C"}, {"LC_ALL": "C"}, {"LC_ALL": "POSIX", "LANG": "C"}])
def test_failure_is_one_chinese_line_whatever_the_locale(ws, locale):
    fill(ws)
    with export_lock(ws, command="kjplan export"):
        result = cron("export", env=cron_env(KJPLAN_ROOT=str(ws.root), **locale))
    assert result.returncode == 75
    text = result.stderr.decode("utf-8")  # not escaped, not mojibake
    assert result.stdout == b""
    line = one_line(subprocess.CompletedProcess([], 75, "", text))
    assert "另一个导出正在进行" in line and f"进程 {os.getpid()}" in line


def test_no_workspace_under_cron_is_one_line(tmp_path):
    result = cron("export", env=cron_env())  # no KJPLAN_ROOT, cwd /
    assert result.returncode == 1
    line = result.stderr.decode("utf-8").strip()
    assert "\n" not in line and "KJPLAN_ROOT" in line and result.stdout == b""


def test_two_exports_at_once_one_waits(ws):
    """The first holds the lock (held here through the same API, so the test is deterministic): the
    second exits 75 at once, or with --wait runs as soon as the first is done."""
    fill(ws)
    env = cron_env(KJPLAN_ROOT=str(ws.root))
    with export_lock(ws):
        busy = cron("export", "--formats", "json", env=env)
        waiting = subprocess.Popen([sys.executable, "-m", "kjplan", "--today", TODAY_ARG, "export", "--formats",
                                    "json", "--wait", "60"], env=env, cwd="/", stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with pytest.raises(subprocess.TimeoutExpired):
            waiting.wait(timeout=2)
    out, err = waiting.communicate(timeout=60)
    assert busy.returncode == 75 and busy.stdout == b""
    assert waiting.returncode == 0 and out == b"" and err == b"", err.decode("utf-8", "replace")
    assert (ws.reports_dir / "report-2020Q2.json").exists()


def test_two_real_exports_never_overlap(ws):
    """Two exports started together: each either ran or was turned away with 75; at least one ran."""
    fill(ws)
    env = cron_env(KJPLAN_ROOT=str(ws.root))
    argv = [sys.executable, "-m", "kjplan", "--today", TODAY_ARG, "export", "--formats", DATA_FORMATS]
    procs = [subprocess.Popen(argv, env=env, cwd="/", stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(2)]
    codes = sorted(p.wait(timeout=120) for p in procs)
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert codes in ([0, 0], [0, 75])
    assert set(Q2_NAMES) <= {p.name for p in ws.reports_dir.iterdir()}
    assert leftovers(ws.reports_dir) == []
