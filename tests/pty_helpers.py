"""Running kjplan in a pseudo-terminal, as a clerk at a terminal would: a window of a given width, and a
conversation of prompts and answers (pexpect)."""

from __future__ import annotations

import os
import re

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def spawn(argv: list[str], *, columns: int = 100, env: dict | None = None, cwd=None, timeout: float = 60):
    import pexpect

    child = pexpect.spawn(argv[0], argv[1:], env=dict(os.environ if env is None else env), cwd=cwd,
                          encoding="utf-8", timeout=timeout, dimensions=(50, columns))
    return child


def terminal_output(argv: list[str], *, columns: int = 80, env: dict | None = None) -> str:
    """Everything a command prints to a terminal `columns` wide, colours removed."""
    import pexpect

    child = spawn(argv, columns=columns, env=env)
    child.expect(pexpect.EOF)
    child.close()
    return ANSI.sub("", child.before).replace("\r\n", "\n")
