"""Writing output files safely: whole or not at all, and untouched when nothing changed."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from kjplan.errors import OutputError, os_reason

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def same_content(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def fsync_dir(folder: Path) -> None:
    """Make the renames and new names in a folder durable (best effort: the files' own data already is)."""
    if os.name != "posix":
        return  # Windows cannot open a directory; NTFS journals the metadata
    try:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass  # some file systems cannot sync a folder


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: bytes, *, overwrite: bool = True) -> bool:
    """Write `data` to `path` via a temporary file and a rename; return False when the file already
    held exactly these bytes (then it is left untouched, modification time included).

    overwrite=False: never replace an existing file, even one that appears while we write (the new
    file is linked into place, which fails if the name is taken): FileExistsError."""
    import tempfile  # here, not at the top: add-progress imports this module and needs neither

    path = Path(path)
    if overwrite and same_content(path, data):
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"无法写入 {path}（{os_reason(exc, path.parent)}）") from None
    try:
        if hasattr(os, "fchmod"):
            # mkstemp makes the file private (0600); a report is shared like any file the user saves.
            os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            _link_new(tmp, path)
    except FileExistsError:
        _unlink_quietly(tmp)
        raise
    except OSError as exc:
        _unlink_quietly(tmp)
        raise OutputError(f"无法写入 {path}（{os_reason(exc)}）") from None
    if not overwrite:
        _unlink_quietly(tmp)  # the file is in place under its own name: drop the temporary one
    return True


def _link_new(tmp: str, path: Path) -> None:
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: the small window of a check is all we have
        if path.exists():
            raise FileExistsError(path) from None
        os.replace(tmp, path)


def _unlink_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def normalise_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite an Office package (docx, xlsx) with fixed entry order, timestamps and attributes, so
    that the same content gives the same bytes: a scheduled run that changes nothing changes no file."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    return package_zip({name: source.read(name) for name in source.namelist()}, when)


def package_zip(members: dict[str, bytes], when: dt.datetime) -> bytes:
    """An Office package of `members` (name -> bytes), as normalise_zip writes it."""
    import io
    import zipfile

    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    if when.year < 1980:
        stamp = FIXED_ZIP_TIME
    first = ["[Content_Types].xml", "_rels/.rels"]
    names = first + sorted(n for n in members if n not in first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, members[name], compresslevel=6)
    return out.getvalue()
