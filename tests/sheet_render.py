"""Render a workbook with LibreOffice and measure the PDF: does any text cross a row's border?"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kjplan.render.pdf import convert_to_pdf, find_soffice


def xlsx_to_pdf(path: Path, out_dir: Path) -> Path:
    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) not found: apt-get install libreoffice-calc-nogui")
    return convert_to_pdf(path, out_dir)


def pages(pdf: Path):
    pdfplumber = pytest.importorskip("pdfplumber", reason="pip install pdfplumber (the test extra)")
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            yield page.chars, _horizontal_rules(page), page


def _horizontal_rules(page) -> list[tuple[float, float, float]]:
    """(y, x0, x1) of every horizontal cell border on the page."""
    rules = []
    for line in page.lines:
        if abs(line["top"] - line["bottom"]) < 0.5:
            rules.append((line["top"], line["x0"], line["x1"]))
    for rect in page.rects:
        if rect["height"] < 1.5:  # LibreOffice draws borders as thin filled rectangles
            rules.append(((rect["top"] + rect["bottom"]) / 2, rect["x0"], rect["x1"]))
    return rules


def overprinted(pdf: Path) -> list[str]:
    """Every glyph that a horizontal border runs through (text spilling into the next row)."""
    problems = []
    for number, (chars, rules, _) in enumerate(pages(pdf), start=1):
        for ch in chars:
            if not ch["text"].strip():
                continue
            # The glyph's ink lies well inside its box; allow a fifth of its height at either edge.
            margin = (ch["bottom"] - ch["top"]) * 0.2
            top, bottom = ch["top"] + margin, ch["bottom"] - margin
            middle = (ch["x0"] + ch["x1"]) / 2
            for y, x0, x1 in rules:
                if top < y < bottom and x0 <= middle <= x1:
                    problems.append(f"第 {number} 页 “{ch['text']}” 在 y={ch['top']:.1f}–{ch['bottom']:.1f}，边框 y={y:.1f}")
                    break
    return problems


def printed_characters(pdf: Path) -> Counter:
    return Counter(ch["text"] for chars, _, _ in pages(pdf) for ch in chars if ch["text"].strip())


def missing_characters(pdf: Path, texts: list[str]) -> Counter:
    """Characters of `texts` that the PDF does not show (a row too short clips its text)."""
    wanted = Counter(ch for text in texts for ch in text if ch.strip())
    return wanted - printed_characters(pdf)
