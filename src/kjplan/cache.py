"""Caches that only ever save time: the validated plan and settings, and the ledger index (ledger_index.py).

Where: in the user's own cache folder (KJPLAN_CACHE_DIR, else %LOCALAPPDATA%\\kjplan\\Cache on Windows,
~/Library/Caches/kjplan on macOS, $XDG_CACHE_HOME/kjplan or ~/.cache/kjplan elsewhere), one file per
source file and kind, named by a hash of the source's real path. So a cache is never inside a workspace
(there is nothing to commit or to sync), never shared between workspaces (each file has its own), and
never shared between users (each has their own folder, readable only by them). KJPLAN_NO_CACHE=1 turns
every cache off.

Trust: a cached value is used only when its file names the same source path, the same hash of the
source's bytes (read afresh every time), the same kjplan code and a payload whose own hash matches.
Anything else - a missing, truncated, corrupt or foreign file, an unwritable folder - is a miss: the
source is read as if there were no cache, and the cache rewritten when possible. A cache is never an
error and never changes a result, only the time it takes.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ENV_DIR = "KJPLAN_CACHE_DIR"
ENV_OFF = "KJPLAN_NO_CACHE"
MAGIC = b"kjplan-cache 1\n"
T = TypeVar("T")


def root() -> Path | None:
    """The user's kjplan cache folder, or None when caching is off or there is no home to keep it in."""
    if os.environ.get(ENV_OFF, "").strip() not in ("", "0"):
        return None
    chosen = os.environ.get(ENV_DIR, "").strip()
    if chosen:
        return Path(chosen)
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "kjplan" / "Cache" if base else None
    home = os.environ.get("HOME")
    if sys.platform == "darwin":
        return Path(home) / "Library" / "Caches" / "kjplan" if home else None
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "kjplan"
    return Path(home) / ".cache" / "kjplan" if home else None


def entry_path(source: Path, kind: str) -> Path | None:
    """The cache file of `kind` for the file at `source` (by its real path), or None when caching is off."""
    folder = root()
    if folder is None:
        return None
    real = os.path.realpath(source)
    name = hashlib.sha256(os.fsencode(real)).hexdigest()[:32]
    return folder / name[:2] / f"{name}.{kind}"


def named_entry(name: str) -> Path | None:
    """A cache file that belongs to no source file (say, the title segmenter's results), or None when
    caching is off."""
    folder = root()
    return None if folder is None else folder / name


_fingerprint: str | None = None


def code_fingerprint() -> str:
    """Changes whenever the code that produced a cached value may have changed: kjplan's version and
    modules (size and modification time), Python's and pydantic's versions."""
    global _fingerprint
    if _fingerprint is None:
        import kjplan

        package = Path(kjplan.__file__).parent
        parts = [kjplan.__version__, sys.version, _pydantic_version()]
        try:
            with os.scandir(package) as entries:
                for entry in sorted(entries, key=lambda e: e.name):
                    if entry.name.endswith(".py"):
                        st = entry.stat()
                        parts.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append("unreadable")
        _fingerprint = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    return _fingerprint


def _pydantic_version() -> str:
    try:
        from pydantic.version import VERSION
    except ImportError:  # pragma: no cover - pydantic is a dependency
        return "none"
    return VERSION


# ------------------------------------------------------------------------------------ file format
# MAGIC, then one header line (key=value;...), then the payload. The header names the source, the
# hashes and the code; the payload's own hash catches a torn or damaged file before it is decoded.

def write(path: Path, header: dict[str, str], payload: bytes) -> bool:
    """Write a cache file atomically (temporary file, rename); False when it could not be written."""
    head = ";".join(f"{k}={v}" for k, v in {**header, "payload": hashlib.sha256(payload).hexdigest()}.items())
    data = MAGIC + head.encode("utf-8", "surrogateescape") + b"\n" + payload
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        top = root()
        if top is not None and not top.is_dir():
            top.parent.mkdir(parents=True, exist_ok=True)
            top.mkdir(mode=0o700, exist_ok=True)  # the user's own: other users can neither read nor plant
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False


def read(path: Path | None, expect: dict[str, str]) -> bytes | None:
    """The payload of a cache file whose header holds every `expect` value, or None (a miss)."""
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            if hasattr(os, "geteuid") and os.fstat(fh.fileno()).st_uid != os.geteuid():
                return None  # only ever trust what this user wrote
            data = fh.read()
    except OSError:
        return None
    if not data.startswith(MAGIC):
        return None
    end = data.find(b"\n", len(MAGIC))
    if end < 0:
        return None
    try:
        header = dict(part.split("=", 1) for part in data[len(MAGIC):end].decode("utf-8", "surrogateescape").split(";"))
    except ValueError:
        return None
    if any(header.get(k) != v for k, v in expect.items()):
        return None
    payload = data[end + 1:]
    if header.get("payload") != hashlib.sha256(payload).hexdigest():
        return None
    return payload


# ------------------------------------------------------------------------------ validated files

def load_file(path: Path, kind: str, loader: Callable[[Path], T]) -> T:
    """loader(path), or the value it returned before for exactly these bytes of the file.

    For files validated into pydantic models (the plan, the settings): reading a cached copy costs
    a fraction of parsing the YAML and validating it. The file is read and hashed every time, so an
    edit is seen at once. When the file changes while it is being loaded, nothing is cached."""
    entry = entry_path(path, kind)
    if entry is None:
        return loader(path)
    try:
        before = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return loader(path)  # the loader names the problem
    expect = {"source": os.path.realpath(path), "sha256": before, "code": code_fingerprint()}
    payload = read(entry, expect)
    if payload is not None:
        try:
            return _unpickle(payload)
        except Exception:  # a cache that cannot be decoded is a miss, whatever went wrong
            pass
    value = loader(path)
    try:
        after = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return value
    if after == before:  # what was validated is what was hashed
        try:
            payload = _pickle(value)
        except Exception:
            return value
        write(entry, expect, payload)
    return value


def _pickle(value: Any) -> bytes:
    import pickle

    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _unpickle(payload: bytes) -> Any:
    """pickle.loads, building nothing but plain data, dates and kjplan's own classes: a cache file is
    only ever data, whoever wrote it."""
    import io
    import pickle

    class Unpickler(pickle.Unpickler):
        def find_class(self, module: str, name: str):
            if (module == "datetime" and name in ("date", "datetime", "time", "timedelta", "timezone")) \
                    or (module == "pydantic_core._pydantic_core" and name == "TzInfo") \
                    or module.startswith("kjplan."):  # pydantic's time zone of a parsed time, kjplan's models
                return super().find_class(module, name)
            raise pickle.UnpicklingError(f"{module}.{name} 不应出现在缓存中")

    return Unpickler(io.BytesIO(payload)).load()


def dumps(value: Any) -> bytes:
    """A cache payload (pickle) of plain data, dates and instances of kjplan's classes."""
    return _pickle(value)


def loads(payload: bytes) -> Any:
    """The value of a payload written by dumps(); raises on anything else (the caller: a miss)."""
    return _unpickle(payload)
