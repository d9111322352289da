"""The laid-out document as plain data: what the docx writer draws, block by block.

The report builder (kjplan.report_model + the wording templates) fills these; the docx writer only lays
them out per GB/T 9704-2012. Nothing here imports python-docx, so building one is cheap and testable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from kjplan.settings import FontSettings, ReportSettings

# body: 正文 paragraph, first line indented two characters.
# h1 "一、…" 黑体; h2 "（一）…" 楷体; h3 "1.…" and h4 "（1）…" 仿宋 — the numbering is part of the text.
ParagraphKind = Literal["body", "h1", "h2", "h3", "h4"]


@dataclass(frozen=True)
class Paragraph:
    kind: ParagraphKind
    text: str  # may contain "\n": each line becomes its own paragraph of the same kind


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    # Relative column widths (any positive numbers); the writer scales them to the text block.
    widths: list[float]
    # Per body row: True lets the row break across pages (a row taller than a page must); rows not
    # listed are kept whole on one page.
    may_split: list[bool] = field(default_factory=list)


@dataclass(frozen=True)
class Attachment:
    # The writer labels attachments: "附件" when there is one, "附件1", "附件2" … when there are several.
    title: str  # 《…推进情况统计表》 without the book-title marks
    table: Table
    # On A4 pages turned sideways (GB/T 9704 §8), in a section of their own; page numbers continue.
    landscape: bool = False


@dataclass(frozen=True)
class Imprint:
    """版记: 抄送 and 印发机关和印发日期, at the foot of the last page."""

    cc: str  # "" for none; written as 抄送：…。
    printer: str  # 印发机关
    date: dt.date  # 印发日期


@dataclass(frozen=True)
class Masthead:
    """版头 (GB/T 9704 7.2): 发文机关标志, 发文字号 and, for a 上行文, 签发人."""

    mark: str  # 发文机关标志, e.g. 中共渭南市科学技术局党组文件
    number: str  # 发文字号, e.g. 渭科党发〔2020〕12号
    signer: str = ""  # 签发人 (上行文); "" for none: the 发文字号 is centred


@dataclass(frozen=True)
class Document:
    title: str
    recipients: str  # 主送机关, "" for none; the writer adds the full-width colon
    body: list[Paragraph]
    signature: str  # 署名
    date: dt.date  # 成文日期, written 2020年7月6日
    attachments: list[Attachment] = field(default_factory=list)
    imprint: Imprint | None = None
    fonts: FontSettings = field(default_factory=FontSettings)  # (made when needed: see kjplan.settings.Settings)
    # Sealed (7.3.5.1): 署名 centred over a date four characters from the right, room for a 42 mm seal.
    # Not sealed (7.3.5.2): 署名 two characters from the right, the date two characters further right.
    seal: bool = True
    masthead: Masthead | None = None  # None: no 版头 (plain paper, or paper with a printed 版头)


def signing(report: ReportSettings, issuer: str, *, by: str = "") -> dict:
    """The 署名 and its layout for every document kjplan signs (the report, the 催报通知), as kjplan.yaml's
    report section sets them: signed `by` (else report.signature, else the plan's issuer); sealed
    (7.3.5.1) unless report.seal is false (7.3.5.2). Spread into Document(...)."""
    return {"signature": by or report.signature or issuer, "seal": report.seal}
