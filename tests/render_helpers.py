"""Rendering .docx files with LibreOffice for the render tests, and reading the PDF back by grid row."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kjplan.render import pdf
from kjplan.render.pdf import find_soffice

INSTALL = (
    "apt-get install -y --no-install-recommends libreoffice-writer-nogui poppler-utils "
    "fonts-arphic-gkai00mp fonts-arphic-gbsn00lp fonts-wqy-zenhei"
)
FONTS = ("AR PL KaitiM GB", "AR PL SungtiL GB", "WenQuanYi Zen Hei Mono")

MM = 72 / 25.4  # PDF points per millimetre
BLOCK_TOP, BLOCK_BOTTOM, BLOCK_LEFT, BLOCK_RIGHT = 37.0, 262.0, 28.0, 184.0  # text block, mm
# A sheet turned sideways (the attachment table): the same text block, seen rotated a quarter turn.
LANDSCAPE_BLOCK = (28.0, 184.0, 35.0, 260.0)  # top, bottom, left, right
PITCH = 28.95 / MM  # one grid line, mm
CHAR = 15.75 / MM  # one condensed 16 pt character, mm
PAGE_NUMBER_CHAR = 14 / MM
HANGING = set("，。、；：？！）》”’")
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.|（\d+）)")


def missing_fonts() -> list[str]:
    if shutil.which("fc-list") is None:
        return list(FONTS)
    listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    return [f for f in FONTS if f not in listed]


def render_skip_reason() -> str | None:
    if find_soffice() is None:
        return f"LibreOffice (soffice) not found; install it with: {INSTALL}"
    missing = missing_fonts()
    if missing:
        return f"fonts {', '.join(missing)} not found; install them with: {INSTALL}"
    return None


@dataclass
class Line:
    row: int  # grid row on the page, 0 = first line of the text block
    text: str
    x0: float  # mm
    x1: float  # mm
    size: float
    chars: list[dict]

    @property
    def centre_y(self) -> float:
        return sum((c["top"] + c["bottom"]) / 2 for c in self.chars) / len(self.chars) / MM


def landscape(page) -> bool:
    return page.width > page.height


def page_lines(page) -> tuple[list[Line], list[dict]]:
    """Text lines by grid row, and the page number's characters (below the text block; on a sheet
    turned sideways, turned with it along the left edge, in reading order)."""
    top, bottom = LANDSCAPE_BLOCK[:2] if landscape(page) else (BLOCK_TOP, BLOCK_BOTTOM)
    rows: dict[int, list[dict]] = {}
    footer = []
    for c in page.chars:
        centre = (c["top"] + c["bottom"]) / 2 / MM
        if centre > bottom or not c.get("upright", True):
            footer.append(c)
            continue
        rows.setdefault(int((centre - top) // PITCH), []).append(c)
    lines = []
    for row, chars in sorted(rows.items()):
        chars.sort(key=lambda c: c["x0"])
        lines.append(Line(row, "".join(c["text"] for c in chars), chars[0]["x0"] / MM, chars[-1]["x1"] / MM,
                          max(c["size"] for c in chars), chars))
    footer.sort(key=lambda c: (c["x0"], c["top"]) if c.get("upright", True) else (0, c["top"]))
    return lines, footer




def render_all(docs: dict[str, bytes], folder: Path) -> dict[str, Path]:
    """Write the .docx files and convert them all in one LibreOffice run (one start-up for all),
    with the converter's own command line and environment; returns each one's PDF."""
    sources = []
    for name, data in docs.items():
        path = folder / f"{name}.docx"
        path.write_bytes(data)
        sources.append(path)
    out = folder / "pdf"
    out.mkdir()
    command = pdf.soffice_command(find_soffice(), folder / "profile", out, sources)
    subprocess.run(command, env=pdf._environment(folder), capture_output=True, timeout=600, check=True,
                   start_new_session=os.name == "posix")
    return {name: out / f"{name}.pdf" for name in docs}
