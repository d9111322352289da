"""The progress ledger: progress/<year>.jsonl, one JSON object a line, append-only.

Why one JSON object a line: a line parses fast on its own; a torn write (a crash, a full disk) can only
damage the last line, which the loader names and skips without losing the others; git's merge=union
works line by line, so two offices' appends both survive a merge; Chinese is stored as is (not escaped),
so a person can read the file, and any YAML reader reads it too.

Writing: an exclusive lock (kjplan.oslock: flock, or filelock where there is none) on progress/.<year>.jsonl.lock, a holder file
beside it naming who holds the lock, all new lines in one os.write on an O_APPEND descriptor, fsync.
Earlier content is never rewritten, except by `repair`, which moves bad lines into a file of their own
and replaces the ledger atomically (temp file, fsync, os.replace) under the same lock.
"""

from __future__ import annotations

import datetime as dt
import errno
import getpass
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from kjplan.errors import DataError, KjplanError, LockBusy, OutputError, os_reason
from kjplan.fsutil import fsync_dir
from kjplan.loading import decode_utf8, describe_error, field_path
from kjplan.records import Entry

DEFAULT_LOCK_TIMEOUT = 10.0  # seconds; KJPLAN_LOCK_TIMEOUT overrides
ENV_LOCK_TIMEOUT = "KJPLAN_LOCK_TIMEOUT"
_BOM = b"\xef\xbb\xbf"
# Lock and holder files are per machine: keep them out of the offices' git history.
_GITIGNORE = "# kjplan：锁文件只在本机有效，不要提交\n.*.lock\n.*.lock.info\n.*.tmp\n"


@cache
def _entry_adapter() -> TypeAdapter:
    return TypeAdapter(Entry)


@cache
def _list_adapter() -> TypeAdapter:
    return TypeAdapter(list[Entry])


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


def holder_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock.info")


def login_name() -> str:
    """The login name, or "" where there is none (no USER/LOGNAME, e.g. under `env -i`)."""
    try:
        return getpass.getuser()
    except Exception:  # getpass raises OSError (3.13) or KeyError (older) without a name
        return ""


def lock_timeout(timeout: float | None = None) -> float:
    if timeout is not None:
        return timeout
    raw = os.environ.get(ENV_LOCK_TIMEOUT, "").strip()
    if raw:
        try:
            value = float(raw)
        except ValueError:
            raise KjplanError(f"环境变量 {ENV_LOCK_TIMEOUT}=“{raw}”无效，应为等待的秒数，如 10") from None
        if value >= 0:
            return value
    return DEFAULT_LOCK_TIMEOUT


# ---------------------------------------------------------------------------------------------- lock

def _holder_info(command: str | None) -> dict:
    return {
        "user": login_name(),
        "host": _host(),
        "pid": os.getpid(),
        "command": command or " ".join([Path(sys.argv[0]).name, *sys.argv[1:2]]),
        "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def _host() -> str:
    if hasattr(os, "uname"):
        return os.uname().nodename  # what socket.gethostname() returns, without importing socket
    import socket

    return socket.gethostname()


def describe_holder(path: Path) -> str:
    """Who holds the lock, as the holder wrote it down (best effort: it may be mid-write or gone)."""
    try:
        info = json.loads(holder_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "另一个程序（未留下占用者信息）"
    if not isinstance(info, dict):
        return "另一个程序（占用者信息无法识别）"
    who = info.get("user") or "未知用户"
    since = str(info.get("since", "")).replace("T", " ")
    return (f"{who}（主机 {info.get('host') or '未知'}，进程 {info.get('pid') or '未知'}，"
            f"命令 {info.get('command') or '未知'}，自 {since or '未知时间'} 起）")


def _ensure_gitignore(folder: Path) -> None:
    ignore = folder / ".gitignore"
    if not ignore.exists():
        try:
            with open(ignore, "x", encoding="utf-8") as fh:
                try:
                    fh.write(_GITIGNORE)
                    fh.flush()
                except OSError:
                    fh.close()
                    _unlink_quietly(ignore)  # a full disk: leave no empty file behind
        except OSError:
            pass  # only a convenience


@contextmanager
def locked(path: Path, *, timeout: float | None = None, command: str | None = None,
           what: str = "进度记录文件") -> Iterator[None]:
    """Hold the exclusive lock on `path` (the ledger, or the export's lock target); on timeout raise
    LockBusy naming the holder. `what` names the locked thing in messages."""
    from kjplan import oslock

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"无法创建文件夹 {path.parent}（{os_reason(exc, path.parent)}）") from None
    _ensure_gitignore(path.parent)
    wait = lock_timeout(timeout)
    lock = oslock.Lock(str(lock_path(path)))
    try:
        lock.acquire(wait)
    except oslock.Timeout:
        raise LockBusy(
            f"{what} {path} 正被 {describe_holder(path)} 占用，已等待 {wait:g} 秒仍未释放。"
            f"请稍后重试（可用环境变量 {ENV_LOCK_TIMEOUT} 设置等待秒数）"
        ) from None
    except OSError as exc:
        raise OutputError(f"无法在文件夹 {path.parent} 中创建{what}的锁文件 {lock_path(path).name}"
                          f"（{os_reason(exc)}）") from None
    info = holder_path(path)
    try:
        try:
            info.write_text(json.dumps(_holder_info(command), ensure_ascii=False), encoding="utf-8")
        except OSError:
            pass  # the lock still holds; only the courtesy message would be poorer
        yield
    finally:
        try:
            info.unlink()
        except OSError:
            pass
        lock.release()


# ------------------------------------------------------------------------------------------- writing

def encode(entry) -> bytes:
    """One ledger line (without the newline): compact JSON, Chinese as is, `type` first."""
    data = entry.model_dump(mode="json")
    data = {"type": data.pop("type"), **data}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _ends_torn(fd: int) -> bool:
    """True when the file is non-empty and its last byte is not a newline (a torn or hand-edited tail)."""
    size = os.fstat(fd).st_size
    if size == 0:
        return False
    if hasattr(os, "pread"):
        return os.pread(fd, 1, size - 1) != b"\n"
    os.lseek(fd, size - 1, os.SEEK_SET)
    return os.read(fd, 1) != b"\n"


def append(path: Path, entries: Sequence, *, timeout: float | None = None, command: str | None = None) -> None:
    """Append entries under the lock in one write, then fsync. Never rewrites earlier content.

    All or nothing: when the write or the fsync fails (a full disk, a quota, an interrupt), the file is
    cut back to its old length, so it stays byte for byte as it was; a ledger this call created is
    removed again."""
    path = Path(path)
    payload = b"".join(encode(e) + b"\n" for e in entries)
    if not payload:
        return
    with locked(path, timeout=timeout, command=command):
        created = not path.exists()
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(path, flags, 0o644)
        except OSError as exc:
            raise OutputError(f"无法写入进度记录文件 {path}（{os_reason(exc)}），这条记录没有登记") from None
        try:
            before = os.fstat(fd)
            size = before.st_size
            data = (b"\n" if _ends_torn(fd) else b"") + payload
            try:
                written = os.write(fd, data)
                while written < len(data):  # a regular file takes it all at once; be correct anyway
                    written += os.write(fd, data[written:])
                os.fsync(fd)
            except BaseException as exc:
                restored = _cut_back(fd, size)
                if restored and created:
                    _unlink_quietly(path)  # it did not exist before this call
                if not isinstance(exc, OSError):
                    raise  # an interrupt: the ledger is as it was, the caller says "已中断"
                if restored:
                    raise OutputError(f"写入进度记录文件 {path} 失败（{os_reason(exc)}），这条记录没有登记；"
                                      "记录文件保持原样") from None
                raise OutputError(f"写入进度记录文件 {path} 失败（{os_reason(exc)}），且未能撤销已写入的部分；"
                                  f"请运行 kjplan check --repair 把残缺的末行移到单独的文件") from None
            _summary_after_append(path, before, fd, len(data), entries)
        finally:
            os.close(fd)
        if created:
            fsync_dir(path.parent)


def _summary_after_append(path: Path, before: os.stat_result, fd: int, written: int, entries: Sequence) -> None:
    """Bring the write path's summary (ledger_index) up to date, still under the lock. The records are
    written: nothing here may fail the append."""
    try:
        from kjplan import ledger_index

        ledger_index.appended(path, before, os.fstat(fd), written, entries)
    except Exception:
        pass


def _cut_back(fd: int, size: int) -> bool:
    """Truncate a failed append back to the file's old length; True when that worked."""
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    except OSError:
        return False
    return True


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# ------------------------------------------------------------------------------------------- reading

@dataclass
class Ledger:
    """What one ledger file holds: valid entries (each with its line) and the lines that are not."""

    path: Path
    entries: list = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # line number of each entry
    problems: list[DataError] = field(default_factory=list)

    def line_of(self) -> dict[str, int]:
        return {e.id: n for e, n in zip(self.entries, self.lines)}


_JSON_PROBLEMS = {
    "Expecting value": "缺少值",
    "Unterminated string starting at": "引号未闭合（字符串没有结束）",
    "Expecting ',' delimiter": "缺少逗号“,”",
    "Expecting ':' delimiter": "缺少冒号“:”",
    "Expecting property name enclosed in double quotes": "键名须用英文双引号括起来（或多了一个逗号）",
    "Extra data": "一行只能写一条记录（行尾有多余内容）",
    "Invalid control character at": "字符串中有控制字符（换行须写成 \\n）",
    "Invalid \\uXXXX escape": "引号内的 \\u 转义不完整（应为 \\u 加 4 位十六进制数字）",
    "Invalid \\escape": "引号内有无法识别的转义字符",
    "Illegal trailing comma": "末尾多了一个逗号",
    "Unexpected UTF-8 BOM": "行中有 BOM（字节顺序标记）",
}

TORN_HINT = "可能是写入中断留下的残缺记录；可运行 kjplan check --repair 把它移到单独的文件"
# A record is at most a few fields of 5,000 characters; a longer line is not one (and is not parsed).
MAX_LINE = 1 << 20


def _json_problem(exc: json.JSONDecodeError) -> str:
    reason = next((cn for en, cn in _JSON_PROBLEMS.items() if exc.msg.startswith(en)), "无法解析")
    return f"JSON 格式错误：{reason}（第 {exc.colno} 列）；{TORN_HINT}"


def _entry_problem(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False):
        kind = err["type"]
        if kind == "union_tag_not_found":
            parts.append("缺少 type 字段（应为 progress、amend 或 retract）")
            continue
        if kind == "union_tag_invalid":
            parts.append(f"type：应为 progress、amend 或 retract，实际为 {err['ctx'].get('tag')!r}")
            continue
        loc = tuple(err["loc"])[1:] if err["loc"] else ()  # the first part is the union tag
        if not loc and kind in ("model_attributes_type", "dict_type", "model_type"):
            parts.append("每行应为一条记录（{…} 形式的 JSON 对象）")
            continue
        parts.append(f"{field_path(loc)}：{describe_error(err)}")
    return "记录无效：" + "；".join(parts)


def parse_line(raw: bytes, path: Path, line_no: int):
    """One non-blank ledger line -> entry, or raise DataError naming file and line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            decode_utf8(raw, path)
        except DataError as exc:
            raise DataError(path, line_no, exc.detail) from None
        raise  # pragma: no cover - decode_utf8 always raises here
    if len(raw) > MAX_LINE:
        raise DataError(path, line_no, f"这一行有 {len(raw)} 字节，远超一条记录的长度（最多 {MAX_LINE} 字节）；{TORN_HINT}")
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise DataError(path, line_no, _json_problem(exc)) from None
    except _NotANumber as exc:
        raise DataError(path, line_no, f"记录无效：{exc} 不是有效的数值（数值须为有限的数字）") from None
    except RecursionError:  # a line of 1,000 "[" must not stop the tool from reading (or repairing) the rest
        raise DataError(path, line_no, f"JSON 格式错误：括号嵌套层数过多，这不是一条记录；{TORN_HINT}") from None
    try:
        return _entry_adapter().validate_python(data)
    except ValidationError as exc:
        raise DataError(path, line_no, _entry_problem(exc)) from None
    except RecursionError:
        raise DataError(path, line_no, "记录无效：内容嵌套层数过多") from None


class _NotANumber(ValueError):
    pass


def _refuse_constant(name: str):
    # json accepts NaN and Infinity, which are not JSON; a figure must be a finite number.
    raise _NotANumber(name)


def _split(data: bytes, first_line: int = 1) -> tuple[list[bytes], list[int]]:
    """Non-blank lines (CR and a leading BOM stripped) and their line numbers (from first_line).

    A BOM can start any line, not just the first: files joined with `type a b > c` on Windows, or a
    line pasted from a file a Windows editor saved. It is an invisible encoding mark, not content."""
    if _BOM not in data:  # the usual case: no line to look at twice
        return _split_plain(data, first_line)
    raw_lines, numbers = [], []
    for n, line in enumerate(data.split(b"\n"), first_line):
        if line.endswith(b"\r"):
            line = line[:-1]
        while line.startswith(_BOM):
            line = line[len(_BOM):]
        if line.strip():
            raw_lines.append(line)
            numbers.append(n)
    return raw_lines, numbers


def _split_plain(data: bytes, first_line: int = 1) -> tuple[list[bytes], list[int]]:
    raw_lines, numbers = [], []
    for n, line in enumerate(data.split(b"\n"), first_line):
        if line.endswith(b"\r"):
            line = line[:-1]
        if line.strip():
            raw_lines.append(line)
            numbers.append(n)
    return raw_lines, numbers


def scan(data: bytes, path: Path, first_line: int = 1) -> Ledger:
    """Parse a ledger's bytes. Bad lines become problems; they never stop the other lines from loading.
    first_line: the number of data's first line (the ledger index reads only what was appended)."""
    path = Path(path)
    ledger = Ledger(path)
    raw_lines, numbers = _split(data, first_line)
    if not raw_lines:
        return ledger
    entries: list | None
    try:  # fast path: the whole file as one JSON array, validated in Rust
        entries = _list_adapter().validate_json(b"[" + b",".join(raw_lines) + b"]")
    except ValidationError:
        entries = None
    if entries is not None and len(entries) != len(raw_lines):
        entries = None  # e.g. two records on one hand-edited line: find it line by line
    kept: list = []
    kept_lines: list[int] = []
    if entries is None:
        for raw, n in zip(raw_lines, numbers):
            try:
                entries_n = parse_line(raw, path, n)
            except DataError as exc:
                ledger.problems.append(exc)
            else:
                kept.append(entries_n)
                kept_lines.append(n)
    else:
        kept, kept_lines = entries, numbers
    # A union merge can bring the same line twice: identical entries are one entry.
    seen: dict[str, tuple[object, int]] = {}
    for entry, n in zip(kept, kept_lines):
        first = seen.get(entry.id)
        if first is None:
            seen[entry.id] = (entry, n)
            ledger.entries.append(entry)
            ledger.lines.append(n)
        elif first[0] != entry:
            ledger.problems.append(DataError(
                path, n, f"记录编号 {entry.id} 与第 {first[1]} 行相同但内容不同（编号应唯一），已忽略此行",
            ))
    ledger.problems.sort(key=lambda p: p.line or 0)
    return ledger


def read_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        return b""
    except OSError as exc:
        raise DataError(path, None, f"无法读取进度记录文件（{os_reason(exc)}）") from None


def load(path: Path) -> Ledger:
    """Load a ledger file (a missing file is an empty ledger)."""
    return scan(read_bytes(path), Path(path))


def load_records(ws, year: int) -> tuple[list, list[DataError]]:
    """The resolved records (latest versions, date order) of a plan year, and the lines that could not
    be loaded. A bad line never hides the others. Read through the ledger index (kjplan.ledger_index),
    which gives the same as resolving a full read, in a fraction of the time."""
    from kjplan import ledger_index

    snapshot = ledger_index.load(ws.progress_path(year))
    return snapshot.records, snapshot.problems


# -------------------------------------------------------------------------------------------- repair

@dataclass
class Repair:
    path: Path
    rejected_path: Path | None  # None: nothing to move
    moved: list[DataError]  # the lines moved aside, with why


def repair(path: Path, *, now: dt.datetime, timeout: float | None = None) -> Repair:
    """Move every line that cannot be loaded into a file of its own beside the ledger, never deleting it,
    then remove them from the ledger. Runs under the ledger's lock.

    When the bad lines are the file's tail (a torn last write, the usual case) the ledger is cut back in
    place, which needs no free space: a repair works on the full disk that tore the line. Otherwise the
    remaining lines replace the ledger atomically (temporary file, fsync, rename). Either way, a repair
    that fails leaves the ledger as it was and no new file behind."""
    path = Path(path)
    if not path.exists():
        return Repair(path, None, [])
    with locked(path, timeout=timeout, command="kjplan check --repair"):
        data = read_bytes(path)
        ledger = scan(data, path)
        if not ledger.problems:
            return Repair(path, None, [])
        bad = {p.line for p in ledger.problems}
        why = {p.line: p.detail for p in ledger.problems}
        lines = data.split(b"\n")
        out = [f"# kjplan check --repair 于 {now.isoformat(timespec='seconds')} 从 {path.name} 移出的无效行。\n"
               "# 每条先写“原第几行”和原因，下一行是该行的原始内容（字节原样保留）。\n".encode()]
        kept = []
        first_bad: int | None = None  # byte offset where the first bad line starts
        kept_end = 0  # byte offset just after the last line that stays
        offset = 0
        for number, raw in enumerate(lines, 1):
            if number in bad:
                out.append(f"# 原第 {number} 行：{why[number]}\n".encode())
                out.append(raw.rstrip(b"\r") + b"\n")
                first_bad = offset if first_bad is None else first_bad
            elif raw.strip() and raw.strip() != _BOM:
                kept.append(raw.rstrip(b"\r") + b"\n")
                kept_end = offset + len(raw) + 1
            offset += len(raw) + 1
        tail_from = first_bad if first_bad is not None and first_bad >= kept_end else None
        rejected = _rejected_path(path, now)
        _write_durably(rejected, b"".join(out), exclusive=True)
        try:
            if tail_from is not None:
                _cut_tail(path, tail_from)
            else:
                _replace_with(path, b"".join(kept))
        except BaseException:
            _unlink_quietly(rejected)
            raise
        return Repair(path, rejected, ledger.problems)


def _rejected_path(path: Path, now: dt.datetime) -> Path:
    stamp = now.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    rejected = path.with_name(f"{path.name}.rejected-{stamp}.txt")
    n = 1
    while rejected.exists():
        n += 1
        rejected = path.with_name(f"{path.name}.rejected-{stamp}-{n}.txt")
    return rejected


def _cut_tail(path: Path, size: int) -> None:
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        try:
            os.ftruncate(fd, size)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise OutputError(f"无法修复进度记录文件 {path}（{os_reason(exc)}）；记录文件未改动") from None


def _replace_with(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.repair-{os.getpid()}.tmp")
    try:
        _write_durably(tmp, data)
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise OutputError(f"无法替换进度记录文件 {path}（{os_reason(exc)}）；记录文件未改动") from None
    except BaseException:
        _unlink_quietly(tmp)
        raise
    fsync_dir(path.parent)


def _write_durably(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    """Write a whole new file and fsync it; on failure remove what was created (no empty file stays)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        raise OutputError(f"无法写入 {path}（{os_reason(exc)}）；进度记录文件未改动") from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException as exc:
        _unlink_quietly(path)
        if isinstance(exc, OSError):
            space = "（磁盘空间不足，请先腾出空间再修复）" if exc.errno in _NO_SPACE else ""
            raise OutputError(f"无法写入 {path}（{os_reason(exc)}）{space}；进度记录文件未改动，也没有留下新文件") from None
        raise


_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
