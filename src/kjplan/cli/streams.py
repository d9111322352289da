"""Standard streams and signals, set up once when the command starts.

- A stream that is closed (`kjplan log >&-`, `--text - <&-`) is a clear message, not an AttributeError;
  and its file descriptor is pointed at the null device first, so that no file kjplan opens later (the
  ledger!) takes the number 0, 1 or 2 and receives a child process's output.
- Standard output that cannot be written (a full disk, `> /dev/full`, a closed pipe) raises OutputFailed,
  exit 73 (quietly, exit 141, for a pipe whose reader has gone, as `| head` does). Once a command has
  durably written what it was asked to (`committed()`), a failure to print the result must not turn the
  run into a failure: a script would retry and write it twice. The text goes to standard error instead,
  and the command ends as it would have.
- SIGTERM (cron, systemd, `kill`) ends a command like Ctrl-C: clean-ups run, exit 130.
"""

from __future__ import annotations

import errno
import os
import signal
import sys

from kjplan.errors import EXIT_CANTCREAT, KjplanError, os_reason

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what the shell reports for a program whose reader went away

_state = {"committed": False}


class OutputFailed(KjplanError):
    exit_code = EXIT_CANTCREAT

    def __init__(self, message: str, *, broken_pipe: bool = False):
        super().__init__(message)
        self.broken_pipe = broken_pipe
        if broken_pipe:
            self.exit_code = EXIT_BROKEN_PIPE


def committed() -> None:
    """The command's change is durably on disk: from now on, stdout failures are not failures."""
    _state["committed"] = True


def is_committed() -> bool:
    return _state["committed"]


def _to_stderr(text: str) -> None:
    stream = sys.stderr
    if stream is None or not text:
        return
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):
        pass


def _silence_fd(fd: int) -> None:
    """Point a descriptor at the null device: buffered bytes that can no longer be written go nowhere,
    instead of failing again when Python exits."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, fd)
        os.close(null)
    except OSError:
        pass


class GuardedOutput:
    """sys.stdout that turns a write failure into OutputFailed (or, once committed, into text on stderr)."""

    def __init__(self, stream, fd: int = 1):
        self._stream = stream
        self._fd = fd
        self._pending: list[str] = []  # written since the last successful flush

    def write(self, text: str) -> int:
        if isinstance(text, (bytes, bytearray)):
            raise TypeError("write() argument must be str")  # click probes streams with b"" and ""
        if not text:
            return 0
        if self._stream is None:
            return self._failed(text, None)
        try:
            count = self._stream.write(text)
        except (OSError, ValueError) as exc:
            return self._failed(text, exc)
        self._pending.append(text)
        return count

    def flush(self) -> None:
        if self._stream is None:
            return
        try:
            self._stream.flush()
        except (OSError, ValueError) as exc:
            self._failed("", exc)
            return
        self._pending.clear()

    def _failed(self, text: str, exc: BaseException | None) -> int:
        lost = "".join(self._pending) + text
        self._pending.clear()
        if self._stream is not None:
            self._stream = None
            _silence_fd(self._fd)
        if is_committed():
            _to_stderr(lost)
            return len(text)
        if exc is None or isinstance(exc, ValueError):
            raise OutputFailed("无法输出结果：标准输出已关闭")
        if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
            raise OutputFailed("输出管道已关闭", broken_pipe=True)
        raise OutputFailed(f"无法输出结果：标准输出无法写入（{os_reason(exc)}）")

    def isatty(self) -> bool:
        try:
            return self._stream is not None and self._stream.isatty()
        except (OSError, ValueError):
            return False

    def __getattr__(self, name):
        if self._stream is None:
            raise AttributeError(name)
        return getattr(self._stream, name)


class ClosedInput:
    """sys.stdin when file descriptor 0 was closed: reading is a clear error, not an AttributeError."""

    encoding = "utf-8"

    @property
    def buffer(self):
        return self

    def read(self, *_):
        raise KjplanError("标准输入已关闭，读不到内容（“-” 表示从标准输入读取，请用管道或重定向提供内容）")

    readline = read

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "closed")


def _on_terminate(signum, frame):
    raise KeyboardInterrupt


def prepare() -> None:
    """Set up the streams and signals for one run of the command line."""
    _state["committed"] = False
    closed = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.append(fd)
            _silence_fd(fd)  # dup2 onto a closed descriptor reopens it
    # Chinese messages must print whatever the locale (cron runs with LANG unset or C).
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if stream is not None and encoding not in ("utf8", "utf8sig", "gb18030") and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    if sys.stdin is None or 0 in closed:
        sys.stdin = ClosedInput()
    out = None if 1 in closed else sys.stdout
    if not isinstance(out, GuardedOutput):
        sys.stdout = GuardedOutput(out)
    if 2 in closed:
        sys.stderr = None
    try:
        signal.signal(signal.SIGTERM, _on_terminate)
    except (ValueError, OSError):  # not the main thread (an embedding program): leave signals alone
        pass


def finish() -> None:
    """Flush standard output before Python does it silently at exit (where a failure would be lost)."""
    out = sys.stdout
    if isinstance(out, GuardedOutput):
        out.flush()
