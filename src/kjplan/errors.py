"""Errors a user can act on. Each carries a Chinese message and the process exit code.

The CLI turns a KjplanError into one line on stderr and its exit code; anything else is a bug
and shows a traceback only with --debug.
"""

from __future__ import annotations

from pathlib import Path

# Exit codes (documented in the README). 2 is left to typer/click for usage errors.
EXIT_OK = 0
EXIT_ERROR = 1  # bad input, invalid data, a failed check
EXIT_USAGE = 2
EXIT_MISSING = 3  # `status --missing`: some item has no record for the quarter
EXIT_UNAVAILABLE = 69  # a required outside program (LibreOffice) is not installed
EXIT_CANTCREAT = 73  # an output file or folder cannot be written
EXIT_TEMPFAIL = 75  # busy: another writer or export holds the lock; try again later
EXIT_CONFIG = 78  # a broken template or settings file


class KjplanError(Exception):
    """An error with a message meant for the user (Chinese) and an exit code."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, *, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class DataError(KjplanError):
    """Invalid content in a data file; names the file and, where known, the line.

    `where` replaces the "file:line" prefix for places that are no line (a spreadsheet's sheet and cell)."""

    def __init__(self, path: Path | str | None, line: int | None, message: str, *, where: str | None = None, **kw):
        self.path = Path(path) if path is not None else None
        self.line = line
        self.detail = message
        if where is None:
            where = ""
            if self.path is not None:
                where = f"{self.path}:{line}: " if line else f"{self.path}: "
        else:
            where += ": "
        super().__init__(where + message, **kw)


class DataErrors(KjplanError):
    """Several DataErrors found in one pass (a check reports them all, not just the first)."""

    def __init__(self, errors: list[DataError]):
        self.errors = errors
        super().__init__("\n".join(e.message for e in errors))


class LockBusy(KjplanError):
    exit_code = EXIT_TEMPFAIL


class ToolMissing(KjplanError):
    exit_code = EXIT_UNAVAILABLE


class OutputError(KjplanError):
    exit_code = EXIT_CANTCREAT


class ConfigError(KjplanError):
    exit_code = EXIT_CONFIG


# What the operating system said, in Chinese (strerror is English, whatever the locale).
_OS_REASONS = {
    "ENOSPC": "磁盘空间不足", "EDQUOT": "超出磁盘配额", "EFBIG": "文件超出允许的大小",
    "EACCES": "没有权限", "EPERM": "不允许此操作（没有权限，或文件被设为不可更改）",
    "EROFS": "所在的磁盘是只读的", "ENOENT": "文件或文件夹不存在", "ENOTDIR": "路径中有一段不是文件夹",
    "EISDIR": "这是一个文件夹，不是文件", "EEXIST": "已存在同名的文件或文件夹", "EBUSY": "文件正被占用",
    "ETXTBSY": "文件正被占用", "EIO": "磁盘读写出错", "ENAMETOOLONG": "文件名过长", "EMFILE": "打开的文件过多",
    "ENFILE": "打开的文件过多", "ELOOP": "符号链接循环", "EXDEV": "不能跨磁盘移动", "EPIPE": "管道已关闭",
    "EBADF": "文件已关闭", "ENOTEMPTY": "文件夹不是空的", "EINVAL": "参数无效",
}


def os_reason(exc: OSError, folder=None) -> str:
    """'磁盘空间不足' for ENOSPC: the cause of an OSError as a user reads it. With the folder a write
    needed: a file standing at it or at one of its parents is named (mkdir says only EEXIST or ENOTDIR)."""
    import errno as _errno

    name = _errno.errorcode.get(exc.errno or 0, "")
    if name in ("EEXIST", "ENOTDIR") and folder is not None:
        blocker = _file_in_the_way(folder)
        if blocker is not None:
            return f"{blocker} 是一个文件，不是文件夹"
    if name in _OS_REASONS:
        return _OS_REASONS[name]
    if getattr(exc, "winerror", None) == 32:  # ERROR_SHARING_VIOLATION: open in Word or Excel
        return "文件正被其他程序（如 Word、Excel）打开"
    return f"系统错误 {exc.errno}" if exc.errno else "系统错误"


def _file_in_the_way(folder) -> str | None:
    """The first of `folder` and its parents, from the top, that exists but is not a folder."""
    from pathlib import Path

    folder = Path(folder)
    for place in [*reversed(folder.parents), folder]:
        if place.exists() and not place.is_dir():
            return str(place)
    return None


def shell_path(path: Path | str) -> str:
    """A path as it must be typed in a command a message suggests: quoted when it has spaces, Chinese or
    other characters a shell would split or expand (double quotes work in bash, cmd and PowerShell)."""
    import os
    import re
    import shlex

    text = str(path)
    if text and re.fullmatch(r"[A-Za-z0-9_./:@%+=,~-]+", text) and not text.startswith("~"):
        return text
    if os.name != "nt" and any(c in text for c in '$`"\\!'):
        return shlex.quote(text)  # single quotes: nothing inside is expanded
    return f'"{text}"'
