"""The progress ledger: progress/<year>.jsonl, one JSON object a line, append-only.

Why one JSON object a line: a line parses fast on its own; a torn write (a crash, a full disk) can only
damage the last line, which the loader names and skips without losing the others; git's merge=union
works line by line, so two offices' appends both survive a merge; Chinese is stored as is (not escaped),
so a person can read the file, and any YAML reader reads it too.

Writing: an exclusive lock (filelock, cross-platform) on progress/.<year>.jsonl.lock, a holder file
beside it naming who holds the lock, all new lines in one os.write on an O_APPEND descriptor, fsync.
Earlier content is never rewritten, except by `repair`, which moves bad lines into a file of their own
and replaces the ledger atomically (temp file, fsync, os.replace) under the same lock.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import socket
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from kjplan.errors import DataError, KjplanError, LockBusy
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
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "command": command or " ".join([Path(sys.argv[0]).name, *sys.argv[1:2]]),
        "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    }


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
                fh.write(_GITIGNORE)
        except OSError:
            pass  # only a convenience


@contextmanager
def locked(path: Path, *, timeout: float | None = None, command: str | None = None,
           what: str = "进度记录文件") -> Iterator[None]:
    """Hold the exclusive lock on `path` (the ledger, or the export's lock target); on timeout raise
    LockBusy naming the holder. `what` names the locked thing in messages."""
    from filelock import FileLock, Timeout

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KjplanError(f"无法创建文件夹 {path.parent}（{exc.strerror}）") from None
    _ensure_gitignore(path.parent)
    wait = lock_timeout(timeout)
    lock = FileLock(str(lock_path(path)), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise LockBusy(
            f"{what} {path} 正被 {describe_holder(path)} 占用，已等待 {wait:g} 秒仍未释放。"
            f"请稍后重试（可用环境变量 {ENV_LOCK_TIMEOUT} 设置等待秒数）"
        ) from None
    except OSError as exc:
        raise KjplanError(f"无法锁定{what} {path}（{exc.strerror}）") from None
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


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a directory; NTFS journals the metadata
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    """Append entries under the lock in one write, then fsync. Never rewrites earlier content."""
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
            raise KjplanError(f"无法写入进度记录文件 {path}（{exc.strerror}）") from None
        try:
            data = (b"\n" if _ends_torn(fd) else b"") + payload
            written = os.write(fd, data)
            while written < len(data):  # a regular file takes it all at once; be correct anyway
                written += os.write(fd, data[written:])
            os.fsync(fd)
        except OSError as exc:
            raise KjplanError(f"写入进度记录文件 {path} 失败（{exc.strerror}）；已写入的记录不受影响") from None
        finally:
            os.close(fd)
        if created:
            _fsync_dir(path.parent)


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
    "Invalid \\escape": "引号内有无法识别的转义字符",
}

TORN_HINT = "可能是写入中断留下的残缺记录；可运行 kjplan check --repair 把它移到单独的文件"


def _json_problem(exc: json.JSONDecodeError) -> str:
    reason = next((cn for en, cn in _JSON_PROBLEMS.items() if exc.msg.startswith(en)), exc.msg)
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
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(path, line_no, _json_problem(exc)) from None
    try:
        return _entry_adapter().validate_python(data)
    except ValidationError as exc:
        raise DataError(path, line_no, _entry_problem(exc)) from None


def _split(data: bytes) -> tuple[list[bytes], list[int]]:
    """Non-blank lines (CR stripped) and their 1-based line numbers."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    raw_lines, numbers = [], []
    for n, line in enumerate(data.split(b"\n"), 1):
        if line.endswith(b"\r"):
            line = line[:-1]
        if line.strip():
            raw_lines.append(line)
            numbers.append(n)
    return raw_lines, numbers


def scan(data: bytes, path: Path) -> Ledger:
    """Parse a ledger's bytes. Bad lines become problems; they never stop the other lines from loading."""
    path = Path(path)
    ledger = Ledger(path)
    raw_lines, numbers = _split(data)
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
        raise DataError(path, None, f"无法读取进度记录文件（{exc.strerror}）") from None


def load(path: Path) -> Ledger:
    """Load a ledger file (a missing file is an empty ledger)."""
    return scan(read_bytes(path), Path(path))


def load_records(ws, year: int) -> tuple[list, list[DataError]]:
    """The resolved records (latest versions, date order) of a plan year, and the lines that could not
    be loaded. A bad line never hides the others."""
    from kjplan.records import resolve

    ledger = load(ws.progress_path(year))
    return resolve(ledger.entries), ledger.problems


# -------------------------------------------------------------------------------------------- repair

@dataclass
class Repair:
    path: Path
    rejected_path: Path | None  # None: nothing to move
    moved: list[DataError]  # the lines moved aside, with why


def repair(path: Path, *, now: dt.datetime, timeout: float | None = None) -> Repair:
    """Move every line that cannot be loaded into a file of its own beside the ledger, never deleting it,
    then replace the ledger atomically with the remaining lines. Runs under the ledger's lock."""
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
        body = data[len(_BOM):] if data.startswith(_BOM) else data
        lines = body.split(b"\n")
        stamp = now.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        rejected = path.with_name(f"{path.name}.rejected-{stamp}.txt")
        n = 1
        while rejected.exists():
            n += 1
            rejected = path.with_name(f"{path.name}.rejected-{stamp}-{n}.txt")
        out = [f"# kjplan check --repair 于 {now.isoformat(timespec='seconds')} 从 {path.name} 移出的无效行。\n"
               "# 每条先写“原第几行”和原因，下一行是该行的原始内容（字节原样保留）。\n".encode()]
        kept = []
        for number, raw in enumerate(lines, 1):
            if number in bad:
                out.append(f"# 原第 {number} 行：{why[number]}\n".encode())
                out.append(raw.rstrip(b"\r") + b"\n")
            elif raw.strip():
                kept.append(raw.rstrip(b"\r") + b"\n")
        _write_durably(rejected, b"".join(out), exclusive=True)
        tmp = path.with_name(f".{path.name}.repair-{os.getpid()}.tmp")
        _write_durably(tmp, b"".join(kept))
        os.replace(tmp, path)
        _fsync_dir(path.parent)
        return Repair(path, rejected, ledger.problems)


def _write_durably(path: Path, data: bytes, *, exclusive: bool = False) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise KjplanError(f"无法写入 {path}（{exc.strerror}）；进度记录文件未改动") from None
