"""Tables for the terminal: coloured in a terminal, plain text when piped (rich decides)."""

from __future__ import annotations

import sys


def console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped output: no colour, and wide enough that rows aren't squeezed into a narrow default.
    return Console(file=stream, width=None if stream.isatty() else 200, highlight=False, soft_wrap=False)


def print_table(headers: list[str], rows: list[list[str]], *, title: str | None = None, styles: dict | None = None):
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD, show_lines=False, header_style="bold")
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console().print(table)
