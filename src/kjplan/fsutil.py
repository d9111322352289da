"""Writing output files safely: whole or not at all, and untouched when nothing changed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kjplan.errors import OutputError


def same_content(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


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
        raise OutputError(f"无法写入 {path}（{exc.strerror}）") from None
    try:
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
        raise OutputError(f"无法写入 {path}（{exc.strerror}）") from None
    return True
