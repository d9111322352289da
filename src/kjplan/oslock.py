"""An exclusive lock on a lock file, for the ledger and the export: flock(2) where the system has it,
the filelock library elsewhere.

Why not filelock everywhere: importing it costs more than the whole append it guards (it brings in
logging, its soft-lock and registry machinery), and every add-progress pays that. On POSIX the lock is
one flock call on the same lock file filelock would lock, so kjplan versions that used filelock and this
one still exclude each other. Windows, and file systems without flock (some network mounts), keep
filelock, which knows their ways.
"""

from __future__ import annotations

import errno
import os
import time

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

POLL = 0.05  # seconds between attempts while another process holds the lock (filelock's default)
_BUSY = {errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK}
_UNSUPPORTED = {errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP)}


class Timeout(Exception):
    """The lock was still held by someone else when the wait ran out."""


class _Unsupported(Exception):
    pass


class Lock:
    """An exclusive lock on `lock_file` (created when missing): acquire(timeout), release()."""

    def __init__(self, lock_file: str):
        self.lock_file = lock_file
        self._fd: int | None = None
        self._fallback = None

    def acquire(self, timeout: float) -> None:
        """Wait up to `timeout` seconds; raise Timeout, or OSError when the lock file cannot be opened."""
        if fcntl is not None:
            try:
                self._fd = _acquire(self.lock_file, timeout)
                return
            except _Unsupported:
                pass
        from filelock import FileLock, Timeout as Busy

        lock = FileLock(self.lock_file, timeout=timeout)
        try:
            lock.acquire()
        except Busy:
            raise Timeout(self.lock_file) from None
        self._fallback = lock

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        elif self._fallback is not None:
            lock, self._fallback = self._fallback, None
            lock.release()


def _acquire(lock_file: str, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        fd, created = _open(lock_file)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno in _UNSUPPORTED:
                        if created:  # where locks are files that exist (filelock's soft lock), leave none
                            _unlink(lock_file)
                        raise _Unsupported from None
                    if exc.errno not in _BUSY:
                        raise
                if time.monotonic() >= deadline:
                    raise Timeout(lock_file)
                time.sleep(POLL)
            # The lock file may have been deleted (or replaced) while we waited: a lock on a file no
            # longer at that path excludes nobody. Lock whatever is there now.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(lock_file))
            except FileNotFoundError:
                same = False
            if same:
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


def _open(lock_file: str) -> tuple[int, bool]:
    """(descriptor, whether this call created the file)."""
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    try:
        # The umask decides the mode: colleagues sharing the folder must be able to open it too.
        return os.open(lock_file, os.O_RDWR | os.O_CREAT | os.O_EXCL | nofollow, 0o666), True
    except FileExistsError:
        pass
    try:
        return os.open(lock_file, os.O_RDWR | nofollow), False
    except PermissionError:
        return os.open(lock_file, os.O_RDONLY | nofollow), False  # flock needs no write access
    except FileNotFoundError:
        return _open(lock_file)  # removed between the two calls: create it after all


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
