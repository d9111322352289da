"""Writing output files safely: whole or not at all, and untouched when nothing changed."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from pathlib import Path

from kjplan.errors import OutputError, os_reason

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def same_content(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: bytes) -> bool:
    """Write `data` to `path` via a temporary file and a rename; return False when the file already
    held exactly these bytes (then it is left untouched, modification time included)."""
    path = Path(path)
    if same_content(path, data):
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"无法写入 {path}（{os_reason(exc)}）") from None
    try:
        if hasattr(os, "fchmod"):
            # mkstemp makes the file private (0600); a report is shared like any file the user saves.
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"无法写入 {path}（{os_reason(exc)}）") from None
    return True


def normalise_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite an Office package (docx, xlsx) with fixed entry order, timestamps and attributes, so
    that the same content gives the same bytes: a scheduled run that changes nothing changes no file."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    if when.year < 1980:
        stamp = FIXED_ZIP_TIME
    source = zipfile.ZipFile(io.BytesIO(data))
    first = ["[Content_Types].xml", "_rels/.rels"]
    names = first + sorted(n for n in source.namelist() if n not in first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, source.read(name), compresslevel=6)
    return out.getvalue()
