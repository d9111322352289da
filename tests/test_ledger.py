"""The ledger file: append, load with problems, repair, the lock and its holder."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kjplan import ledger
from kjplan.errors import EXIT_TEMPFAIL, LockBusy
from kjplan.records import AmendEntry, ProgressEntry, RetractEntry, is_blank, new_id

from progress_fixtures import NOW

CREATED = dt.datetime(2020, 5, 10, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def entry(text="完成基金扩资方案", item=9, **kw):
    fields = dict(id=new_id(), created=CREATED, by="张三", item=item, quarter="2020Q2", date=dt.date(2020, 5, 10),
                  text=text, metrics={"innovation_fund": 0.6} if item == 9 else {}, status=None if item == 9 else "已完成")
    fields.update(kw)
    return ProgressEntry(**fields)


def test_a_line_is_compact_json_with_chinese_as_is_and_type_first():
    e = entry()
    line = ledger.encode(e).decode("utf-8")
    assert "\n" not in line
    assert "完成基金扩资方案" in line and "\\u" not in line
    assert line.startswith('{"type":"progress","id":"')
    assert ", " not in line and '": ' not in line
    data = json.loads(line)
    assert data["metrics"] == {"innovation_fund": 0.6}
    assert data["created"] == "2020-05-10T09:30:00+08:00"
    # One JSON object a line is also YAML: a YAML reader gets the same record.
    assert yaml.safe_load(line)["text"] == "完成基金扩资方案"


def test_append_writes_one_line_per_entry_and_never_rewrites_earlier_content(tmp_path):
    path = tmp_path / "progress" / "2020.jsonl"
    first, second, third = entry(), entry(text="第二条"), entry(text="第三条")
    ledger.append(path, [first])
    before = path.read_bytes()
    ledger.append(path, [second, third])
    after = path.read_bytes()
    assert after.startswith(before)
    assert after.count(b"\n") == 3 and after.endswith(b"\n")
    loaded = ledger.load(path)
    assert loaded.entries == [first, second, third]
    assert loaded.lines == [1, 2, 3]
    assert loaded.problems == []


def test_append_leaves_no_holder_file_and_keeps_lock_files_out_of_git(tmp_path):
    path = tmp_path / "progress" / "2020.jsonl"
    ledger.append(path, [entry()])
    assert not ledger.holder_path(path).exists()
    ignore = (path.parent / ".gitignore").read_text(encoding="utf-8")
    assert ".*.lock" in ignore and ".*.lock.info" in ignore


def test_a_torn_tail_is_named_and_the_next_append_starts_on_its_own_line(tmp_path):
    path = tmp_path / "2020.jsonl"
    good = entry()
    ledger.append(path, [good])
    torn = ledger.encode(entry(text="写到一半"))[:40]
    with open(path, "ab") as fh:
        fh.write(torn)
    later = entry(text="之后的记录")
    ledger.append(path, [later])
    loaded = ledger.load(path)
    assert loaded.entries == [good, later]
    assert [p.line for p in loaded.problems] == [2]
    message = loaded.problems[0].message
    assert f"{path}:2:" in message and "JSON" in message and "--repair" in message
    assert path.read_bytes().split(b"\n")[1] == torn


def test_bad_lines_never_stop_the_others_from_loading(tmp_path):
    path = tmp_path / "2020.jsonl"
    a, b, c = entry(), entry(item=1, text="学习"), entry(text="第三")
    lines = [ledger.encode(a), b'{"type": "progress", "id": ', ledger.encode(b), b"",
             b'{"type":"progress","id":"0123456789abcdef"}', b"[1, 2]", ledger.encode(c)]
    path.write_bytes(b"\n".join(lines) + b"\n")
    loaded = ledger.load(path)
    assert loaded.entries == [a, b, c]
    assert loaded.lines == [1, 3, 7]
    assert [p.line for p in loaded.problems] == [2, 5, 6]
    assert "缺少必填字段" in loaded.problems[1].message
    assert "每行应为一条记录" in loaded.problems[2].message


def test_a_wrong_field_value_is_named_in_chinese(tmp_path):
    path = tmp_path / "2020.jsonl"
    data = json.loads(ledger.encode(entry()))
    data["status"] = "差不多"
    data["text"] = ""
    path.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    (problem,) = ledger.load(path).problems
    assert problem.line == 1
    assert "status" in problem.message and "已完成" in problem.message
    assert "text" in problem.message and "不能为空" in problem.message


def test_unknown_type_is_named(tmp_path):
    path = tmp_path / "2020.jsonl"
    data = json.loads(ledger.encode(entry()))
    data["type"] = "note"
    path.write_text(json.dumps(data) + "\n", encoding="utf-8")
    (problem,) = ledger.load(path).problems
    assert "type" in problem.message and "progress" in problem.message and "'note'" in problem.message


def test_two_records_on_one_hand_edited_line_are_found(tmp_path):
    path = tmp_path / "2020.jsonl"
    a, b = entry(), entry(text="二")
    path.write_bytes(ledger.encode(a) + b"," + ledger.encode(b) + b"\n")
    loaded = ledger.load(path)
    assert loaded.entries == []
    assert [p.line for p in loaded.problems] == [1]
    assert "一行只能写一条记录" in loaded.problems[0].message


def test_utf8_bom_and_crlf_from_a_windows_editor_are_accepted(tmp_path):
    path = tmp_path / "2020.jsonl"
    a, b = entry(), entry(text="二")
    path.write_bytes(b"\xef\xbb\xbf" + ledger.encode(a) + b"\r\n" + ledger.encode(b) + b"\r\n")
    loaded = ledger.load(path)
    assert loaded.entries == [a, b] and loaded.problems == []


def test_a_gbk_line_is_named_as_gbk_and_the_rest_still_load(tmp_path):
    path = tmp_path / "2020.jsonl"
    a = entry()
    gbk = ledger.encode(entry(text="用记事本改过")).decode("utf-8").encode("gbk")
    path.write_bytes(ledger.encode(a) + b"\n" + gbk + b"\n")
    loaded = ledger.load(path)
    assert loaded.entries == [a]
    (problem,) = loaded.problems
    assert problem.line == 2 and "GBK" in problem.message and "UTF-8" in problem.message


def test_identical_lines_from_a_union_merge_count_once(tmp_path):
    path = tmp_path / "2020.jsonl"
    a, b = entry(), entry(text="二")
    path.write_bytes(b"\n".join([ledger.encode(a), ledger.encode(b), ledger.encode(a)]) + b"\n")
    loaded = ledger.load(path)
    assert loaded.entries == [a, b] and loaded.problems == []


def test_same_id_with_different_content_is_a_problem(tmp_path):
    path = tmp_path / "2020.jsonl"
    a = entry()
    clash = entry(id=a.id, text="另一份内容")
    path.write_bytes(ledger.encode(a) + b"\n" + ledger.encode(clash) + b"\n")
    loaded = ledger.load(path)
    assert loaded.entries == [a]
    (problem,) = loaded.problems
    assert problem.line == 2 and a.id in problem.message and "第 1 行" in problem.message


def test_a_missing_ledger_is_empty(tmp_path):
    loaded = ledger.load(tmp_path / "2020.jsonl")
    assert loaded.entries == [] and loaded.problems == []


def test_amendments_and_retractions_round_trip(tmp_path):
    path = tmp_path / "2020.jsonl"
    a = entry()
    fix = AmendEntry(**{**a.model_dump(exclude={"type"}), "id": new_id(), "text": "更正", "supersedes": a.id})
    gone = RetractEntry(id=new_id(), created=CREATED, by="李四", retracts=a.id, reason="重复登记")
    ledger.append(path, [a, fix, gone])
    assert ledger.load(path).entries == [a, fix, gone]


texts = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"),
                min_size=1, max_size=200).filter(lambda s: not is_blank(s))  # "\xad" alone is no text


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(texts, min_size=1, max_size=5))
def test_fast_and_line_by_line_loading_agree(tmp_path_factory, texts):
    entries = [entry(text=t) for t in texts]
    data = b"".join(ledger.encode(e) + b"\n" for e in entries)
    fast = ledger.scan(data, "x.jsonl")
    slow = [ledger.parse_line(line, "x.jsonl", n) for n, line in enumerate(data.splitlines(), 1)]
    assert fast.entries == entries == slow
    assert [e.text for e in fast.entries] == texts


# ------------------------------------------------------------------------------------------- repair

def test_repair_moves_bad_lines_aside_with_their_line_numbers_and_keeps_the_rest(tmp_path):
    path = tmp_path / "progress" / "2020.jsonl"
    path.parent.mkdir()
    a, b = entry(), entry(text="二")
    bad1, bad2 = b'{"type":"progress",', "写错了".encode("gbk")
    path.write_bytes(b"\n".join([ledger.encode(a), bad1, ledger.encode(b), bad2]))
    result = ledger.repair(path, now=NOW)
    assert result.rejected_path == path.with_name("2020.jsonl.rejected-20200510T013000Z.txt")
    assert [p.line for p in result.moved] == [2, 4]
    rejected = result.rejected_path.read_bytes()
    assert bad1 + b"\n" in rejected and bad2 + b"\n" in rejected  # the bytes as they were
    assert "原第 2 行".encode() in rejected and "原第 4 行".encode() in rejected
    assert path.read_bytes() == ledger.encode(a) + b"\n" + ledger.encode(b) + b"\n"
    assert ledger.load(path).problems == []
    assert not list(path.parent.glob("*.tmp"))


def test_repair_of_a_clean_ledger_changes_nothing(tmp_path):
    path = tmp_path / "2020.jsonl"
    ledger.append(path, [entry()])
    before = path.read_bytes()
    assert ledger.repair(path, now=NOW).rejected_path is None
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "rejected" in p.name] == []


def test_repair_twice_in_one_second_keeps_both_rejected_files(tmp_path):
    path = tmp_path / "2020.jsonl"
    for _ in range(2):
        with open(path, "ab") as fh:
            fh.write(b"{broken\n")
        ledger.repair(path, now=NOW)
    rejected = sorted(p.name for p in tmp_path.iterdir() if "rejected" in p.name)
    assert rejected == ["2020.jsonl.rejected-20200510T013000Z-2.txt", "2020.jsonl.rejected-20200510T013000Z.txt"]


# --------------------------------------------------------------------------------------------- lock

HOLD = """
import sys, time
from pathlib import Path
from kjplan import ledger
with ledger.locked(Path(sys.argv[1]), command="kjplan add-progress"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@pytest.fixture
def held_lock(tmp_path):
    """Another process holds the ledger's lock for a while."""
    path = tmp_path / "progress" / "2020.jsonl"
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(path), "30"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    yield path, proc
    proc.kill()
    proc.wait()


def test_a_busy_lock_times_out_with_a_message_naming_the_holder(held_lock):
    path, proc = held_lock
    start = time.monotonic()
    with pytest.raises(LockBusy) as caught:
        ledger.append(path, [entry()], timeout=0.3)
    assert time.monotonic() - start < 5
    message = caught.value.message
    assert f"进程 {proc.pid}" in message and "kjplan add-progress" in message and "0.3 秒" in message
    assert ledger.login_name() in message
    assert caught.value.exit_code == EXIT_TEMPFAIL == 75
    assert not path.exists()


def test_the_lock_timeout_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(ledger.ENV_LOCK_TIMEOUT, "2.5")
    assert ledger.lock_timeout() == 2.5
    assert ledger.lock_timeout(1) == 1
    monkeypatch.setenv(ledger.ENV_LOCK_TIMEOUT, "abc")
    with pytest.raises(Exception, match=ledger.ENV_LOCK_TIMEOUT):
        ledger.lock_timeout()
    monkeypatch.delenv(ledger.ENV_LOCK_TIMEOUT)
    assert ledger.lock_timeout() == ledger.DEFAULT_LOCK_TIMEOUT


def test_the_lock_is_free_again_once_its_holder_is_killed(held_lock):
    path, proc = held_lock
    proc.kill()
    proc.wait()
    ledger.append(path, [entry()], timeout=5)
    assert len(ledger.load(path).entries) == 1
