"""What makes a command start fast must never change what it does: the plan and settings cache, the
process's pydantic without plugins, the lock without filelock (issue 14)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kjplan import cache, oslock
from kjplan.errors import DataErrors
from kjplan.plan import load_plan
from kjplan.settings import load_settings
from kjplan.workspace import Workspace

from progress_fixtures import new_workspace


def fresh(ws) -> Workspace:
    return Workspace(ws.root)  # a new Workspace: no settings remembered in the object


def plan_entry(ws) -> Path:
    return cache.entry_path(ws.plan_path(2020), "plan")


# ------------------------------------------------------------------------------------- plan cache

def test_the_cached_plan_is_the_plan_in_the_file(tmp_path, cache_dir):
    ws = new_workspace(tmp_path)
    first = fresh(ws).plan()
    assert plan_entry(ws).is_file() and cache_dir in plan_entry(ws).parents
    second = fresh(ws).plan()
    direct = load_plan(ws.plan_path(2020))
    assert first == second == direct
    assert second.model_dump(mode="json") == direct.model_dump(mode="json")
    assert second.item(9).target("innovation_fund") == direct.item(9).target("innovation_fund")


def test_an_edited_plan_is_seen_at_once(tmp_path, cache_dir):
    ws = new_workspace(tmp_path)
    path = ws.plan_path(2020)
    before = fresh(ws).plan()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(before.title, before.title + "（修订）", 1), encoding="utf-8")
    assert fresh(ws).plan().title == before.title + "（修订）" == load_plan(path).title
    path.write_text(text, encoding="utf-8")  # and back: the first version again, from the cache or not
    assert fresh(ws).plan() == before


def test_an_edited_settings_file_is_seen_at_once(tmp_path, cache_dir):
    ws = new_workspace(tmp_path)
    assert fresh(ws).settings.units == []
    text = ws.settings_path.read_text(encoding="utf-8")
    ws.settings_path.write_text(text.replace("units: []", "units:\n  - 成果转化科\n"), encoding="utf-8")
    assert fresh(ws).settings.units == ["成果转化科"] == load_settings(ws.settings_path).units


@pytest.mark.parametrize("damage", ["garbage", "empty", "truncated", "payload flipped", "other source",
                                    "other code", "a folder"])
def test_a_damaged_or_foreign_cache_file_is_a_miss_never_an_error(tmp_path, cache_dir, damage):
    ws = new_workspace(tmp_path)
    expected = fresh(ws).plan()
    entry = plan_entry(ws)
    data = entry.read_bytes()
    if damage == "garbage":
        entry.write_bytes(os.urandom(len(data)))
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "payload flipped":
        entry.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
    elif damage == "other source":  # a cache file copied from another workspace
        other = new_workspace(tmp_path, "other")
        fresh(other).plan()
        entry.write_bytes(plan_entry(other).read_bytes())
    elif damage == "other code":
        entry.write_bytes(data.replace(f"code={cache.code_fingerprint()}".encode(), b"code=" + b"0" * 32))
    else:
        entry.unlink()
        entry.mkdir()
    assert fresh(ws).plan() == expected
    if damage != "a folder":
        assert cache.read(entry, {}) is not None  # rewritten whole
    assert fresh(ws).plan() == expected


def test_an_invalid_plan_fails_the_same_with_or_without_a_cache(tmp_path, cache_dir, monkeypatch):
    ws = new_workspace(tmp_path)
    fresh(ws).plan()
    path = ws.plan_path(2020)
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2020", "year: 二〇二〇", 1), encoding="utf-8")
    with pytest.raises(DataErrors) as cached:
        fresh(ws).plan()
    monkeypatch.setenv(cache.ENV_OFF, "1")
    with pytest.raises(DataErrors) as uncached:
        fresh(ws).plan()
    assert str(cached.value) == str(uncached.value)


def test_a_plan_edited_while_it_is_validated_is_not_cached(tmp_path, cache_dir):
    ws = new_workspace(tmp_path)
    path = ws.plan_path(2020)
    original = path.read_text(encoding="utf-8")

    def loader(p):
        plan = load_plan(p)
        p.write_text(original.replace(plan.title, "另一个标题", 1), encoding="utf-8")  # a colleague saves
        return plan

    cache.load_file(path, "plan", loader)
    assert not plan_entry(ws).exists()
    assert fresh(ws).plan().title == "另一个标题"


def test_without_a_usable_cache_folder_everything_still_works(tmp_path, monkeypatch):
    ws = new_workspace(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv(cache.ENV_DIR, str(blocker / "cache"))
    assert fresh(ws).plan() == load_plan(ws.plan_path(2020))
    monkeypatch.setenv(cache.ENV_DIR, str(tmp_path / "off"))
    monkeypatch.setenv(cache.ENV_OFF, "1")
    assert fresh(ws).plan() == load_plan(ws.plan_path(2020))
    assert not (tmp_path / "off").exists()


def test_the_cache_is_per_source_file_and_never_inside_the_workspace(tmp_path, cache_dir):
    one, two = new_workspace(tmp_path, "one"), new_workspace(tmp_path, "two")
    assert one.plan_path(2020).read_bytes() == two.plan_path(2020).read_bytes()
    before = {p for p in tmp_path.rglob("*") if cache_dir not in p.parents}
    fresh(one).plan(), fresh(two).plan()
    assert plan_entry(one) != plan_entry(two)  # same bytes, two workspaces: two caches
    after = {p for p in tmp_path.rglob("*") if cache_dir not in p.parents and p != cache_dir}
    assert after == before


def test_the_default_cache_folder_is_the_users(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV_DIR, raising=False)
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    if os.name == "posix" and sys.platform != "darwin":
        assert cache.root() == tmp_path / ".cache" / "kjplan"
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert cache.root() == tmp_path / "xdg" / "kjplan"
    monkeypatch.delenv("HOME")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    assert cache.root() is None  # cron with no home: no cache, no error


def test_plan_output_is_byte_identical_with_and_without_the_cache(tmp_path, cache_dir):
    ws = new_workspace(tmp_path)
    env = dict(os.environ)

    def plan(*args, **extra):
        return subprocess.run([sys.executable, "-m", "kjplan", "--root", str(ws.root), "plan", *args],
                              capture_output=True, env={**env, **extra}).stdout

    for args in ((), ("9",), ("--format", "json")):
        cold, warm = plan(*args), plan(*args)
        assert cold == warm == plan(*args, KJPLAN_NO_CACHE="1") and cold


# -------------------------------------------------------------------------------- pydantic plugins

PROBE = """
import sys
{imports}
from pydantic import BaseModel
class M(BaseModel):
    x: int
M(x=1)
print("importlib.metadata" in sys.modules, "get_plugins" in dir(sys.modules["pydantic.plugin._loader"]))
"""


def test_the_kjplan_process_looks_for_no_pydantic_plugins_but_a_library_user_keeps_them():
    def probe(imports):
        out = subprocess.run([sys.executable, "-c", PROBE.format(imports=imports)], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return out.stdout.split()

    assert probe("import kjplan.cli") == ["False", "True"]  # no entry-point scan, no importlib.metadata
    assert probe("import kjplan.plan, kjplan.records")[0] == "True"  # pydantic's own loader


def test_the_plugin_loader_stub_still_answers_what_pydantic_may_ask():
    out = subprocess.run([sys.executable, "-c", "import kjplan.cli\n"
                          "from pydantic.plugin import _loader\n"
                          "print(list(_loader.get_plugins()), _loader.PYDANTIC_ENTRY_POINT_GROUP)"],
                         capture_output=True, text=True)
    assert out.stdout.split() == ["[]", "pydantic"], out.stderr


# -------------------------------------------------------------------------------------------- lock

def test_the_lock_excludes_another_holder_until_released(tmp_path):
    path = str(tmp_path / ".x.lock")
    first = oslock.Lock(path)
    first.acquire(1)
    with pytest.raises(oslock.Timeout):
        oslock.Lock(path).acquire(0.2)
    first.release()
    second = oslock.Lock(path)
    second.acquire(0)
    second.release()


def test_a_lock_file_deleted_while_waiting_is_locked_anew(tmp_path):
    path = tmp_path / ".x.lock"
    holder = oslock.Lock(str(path))
    holder.acquire(1)
    got = []

    def wait():
        waiter = oslock.Lock(str(path))
        waiter.acquire(5)
        got.append(os.stat(path).st_ino)
        waiter.release()

    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(0.2)
    path.unlink()  # someone cleans up the folder; the holder still holds the old file
    holder.release()  # the waiter gets the old, deleted file first, sees it is gone, locks the new one
    thread.join(5)
    assert got and path.exists() and got[0] == os.stat(path).st_ino


@pytest.mark.filterwarnings("ignore:flock not supported")
def test_where_flock_is_missing_filelock_takes_over(tmp_path, monkeypatch):
    if oslock.fcntl is None:
        pytest.skip("no flock on this system: filelock is used anyway")

    def unsupported(fd, op):
        raise OSError(errno.ENOSYS, "flock not supported")

    monkeypatch.setattr(oslock.fcntl, "flock", unsupported)
    path = str(tmp_path / ".x.lock")
    first = oslock.Lock(path)
    first.acquire(1)
    assert first._fallback is not None
    with pytest.raises(oslock.Timeout):
        oslock.Lock(path).acquire(0.2)
    first.release()


# ------------------------------------------------------------------------- the report's caches
# The title segmenter's results and the compiled templates (kjplan.render.titles, kjplan.render.text)
# are kept in the cache folder; the report must come out byte for byte as without them.

def _example(tmp_path) -> Path:
    folder = tmp_path / "example"
    made = subprocess.run([sys.executable, "-m", "kjplan", "init", "--example", str(folder)], capture_output=True)
    assert made.returncode == 0, made.stderr.decode()
    return folder


def _report(folder: Path, out: Path, **env) -> tuple[bytes, str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "kjplan", "--root", str(folder), "--today",
                           "2020-12-20", "report", "-q", "2", "--date", "2020-07-06", "--out", str(out)],
                          capture_output=True, env={**os.environ, **env})
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return out.read_bytes(), done.stderr.decode()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "other code"])
def test_the_report_is_the_same_with_cold_warm_damaged_or_no_caches(tmp_path, cache_dir, damage):
    folder = _example(tmp_path)
    none, imports = _report(folder, tmp_path / "none.docx", KJPLAN_NO_CACHE="1")
    assert "rjieba" in imports  # the title is broken into lines by the segmenter
    cold, imports = _report(folder, tmp_path / "cold.docx")
    assert "rjieba" in imports
    segments = cache.named_entry("titles.segments")
    compiled = list((cache_dir / "templates").glob("*.compiled"))
    assert segments.is_file() and compiled
    warm, imports = _report(folder, tmp_path / "warm.docx")
    assert "rjieba" not in imports  # its dictionary is not loaded for titles seen before
    assert none == cold == warm
    for entry in [segments, *compiled]:
        data = entry.read_bytes()
        if damage == "garbage":
            entry.write_bytes(os.urandom(len(data)))
        elif damage == "truncated":
            entry.write_bytes(data[: len(data) // 2])
        else:
            entry.write_bytes(data.replace(f"code={cache.code_fingerprint()}".encode(), b"code=" + b"0" * 32))
    again, _ = _report(folder, tmp_path / "again.docx")
    assert again == none


def test_an_edited_template_is_seen_at_once(tmp_path, cache_dir):
    folder = _example(tmp_path)
    first, _ = _report(folder, tmp_path / "first.docx")
    template = folder / "templates" / "report.j2"
    if not template.exists():  # the workspace's own copy of the bundled template
        template.parent.mkdir(exist_ok=True)
        template.write_bytes((Path(__file__).resolve().parents[1] / "templates" / "report.j2").read_bytes())
    text = template.read_text(encoding="utf-8")
    assert "特此报告。" in text
    template.write_text(text.replace("特此报告。", "特此报告，请审阅。"), encoding="utf-8")
    edited, _ = _report(folder, tmp_path / "edited.docx")
    uncached, _ = _report(folder, tmp_path / "uncached.docx", KJPLAN_NO_CACHE="1")
    assert edited == uncached != first


def test_a_new_title_is_segmented_and_remembered(tmp_path, cache_dir):
    from kjplan.render import titles

    title = "中共渭南市科学技术局党组关于2020年第三季度全市科技创新工作要点落实情况的报告"
    fresh_segments = titles._Segments()
    titles._segments, saved = fresh_segments, titles._segments
    try:
        lines = titles.break_title(title)
        assert title in fresh_segments.known
        titles._segments = titles._Segments()
        assert titles.break_title(title) == lines
        assert title in titles._segments.known  # read back from the cache folder
    finally:
        titles._segments = saved
