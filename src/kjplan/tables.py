"""Tables for the terminal: coloured and fitted to the window in a terminal, whole and plain when piped.

In a terminal every row stays on one line, however narrow the window (80 columns included): columns
that must be read whole (ids, dates, numbers, statuses) keep their width, and the text columns share
what is left, each cut with "…" where it is longer. Piped into a file or another program, nothing is
cut: every row is one line with every cell whole.
"""

from __future__ import annotations

import sys

KEEP = "keep"  # never cut or wrapped: ids, dates, numbers, statuses
CUT = "cut"  # one line, cut with …; "cut:3" takes three shares of the room left
FOLD = "fold"  # wrapped onto more lines where it must (the default: nothing is lost)


def console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped output: no colour, and no width limit, so that every row is one whole line (for grep and the like).
    return Console(file=stream, width=None if stream.isatty() else 100_000, highlight=False, soft_wrap=False)


def _cell_width(cell) -> int:
    from rich.cells import cell_len

    text = cell.plain if hasattr(cell, "plain") else str(cell)
    return max((cell_len(line) for line in text.split("\n")), default=0)


def _widths(headers: list, rows: list[list], fits: list[str], room: int) -> list[int | None]:
    """Widths of the CUT columns (None for the others) so that the table fits in `room` columns."""
    natural = [max([_cell_width(h)] + [_cell_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    shares = {i: int(f.partition(":")[2] or 1) for i, f in enumerate(fits) if f.startswith(CUT)}
    # SIMPLE_HEAD: a space of padding either side of each cell, a space between columns, one at each edge.
    left = room - (3 * len(headers) + 1) - sum(w for i, w in enumerate(natural) if i not in shares)
    out: list[int | None] = [None] * len(headers)
    pending = dict(shares)
    while pending:  # columns narrower than their share take what they need; the rest share the remainder
        unit = max(left, 0) / sum(pending.values())
        small = {i for i in pending if natural[i] <= unit * pending[i]}
        if not small:
            for i in pending:
                out[i] = max(4, min(_cell_width(headers[i]), 8), int(unit * pending[i]))
            # A column held at its least width takes room from the widest of the others.
            over = sum(out[i] for i in pending) - max(left, 0)
            while over > 0:
                widest = max(pending, key=lambda i: out[i])
                if out[widest] <= 4:
                    break
                out[widest] -= 1
                over -= 1
            break
        for i in small:
            out[i] = natural[i]
            left -= natural[i]
            del pending[i]
    return out


def table(headers: list, rows: list[list], *, fits: list[str] | None = None, title: str | None = None):
    """A rich Table of `rows` (str or rich Text cells), fitted to the terminal as the module says."""
    from rich import box
    from rich.table import Table

    out = Table(title=title, box=box.SIMPLE_HEAD, show_lines=False, header_style="bold")
    fits = fits or [FOLD] * len(headers)
    widths = _widths(headers, rows, fits, console().width) if sys.stdout.isatty() else [None] * len(headers)
    for header, fit, width in zip(headers, fits, widths):
        if not sys.stdout.isatty() or fit == FOLD:
            out.add_column(header, overflow="fold")
        elif fit == KEEP:
            out.add_column(header, no_wrap=True)
        else:
            out.add_column(header, no_wrap=True, overflow="ellipsis", width=width)
    for row in rows:
        out.add_row(*(_cut(cell, width) if width else cell for cell, width in zip(row, widths)))
    return out


def _cut(cell, width: int):
    """Each line of `cell` within `width` cells, ending in "…" where it is cut. Cut here rather than by
    rich, which cuts at width - 1 cells and so leaves a space before the "…" after a Chinese character."""
    from rich.cells import cell_len
    from rich.text import Text

    plain = cell.plain if isinstance(cell, Text) else str(cell)
    if all(cell_len(line) <= width for line in plain.split("\n")):
        return cell
    lines = []
    for line in plain.split("\n"):
        if cell_len(line) > width:
            kept, used = [], 0
            for ch in line:
                used += cell_len(ch)
                if used > width - 1:
                    break
                kept.append(ch)
            line = "".join(kept) + "…"
        lines.append(line)
    return Text("\n".join(lines), style=cell.style) if isinstance(cell, Text) else "\n".join(lines)


def print_table(headers: list[str], rows: list[list[str]], *, title: str | None = None,
                fits: list[str] | None = None, styles: dict | None = None):
    console().print(table(headers, rows, fits=fits, title=title))
