"""What every plan-document reader returns: the document's paragraphs as text, each with its origin.

A reader turns one file format into `Source` (txt and md: one entry per line; docx: per paragraph,
with Word's automatic list numbers written out as a reader sees them). Everything after the readers
works on this, so every message can name where a piece of text came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line (txt, md) or paragraph (docx) of the source file
    text: str  # stripped of surrounding whitespace; never empty


@dataclass
class Source:
    path: Path
    unit: str  # "行" (a line of a text file) or "段" (a paragraph of a Word document)
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the reader noticed (encoding, skipped tables)

    def where(self, number: int) -> str:
        """第 12 行 / 第 12 段"""
        return f"第 {number} {self.unit}"
