"""Export formats: one small module per format behind one interface (after jrnl's exporter plugins).

An exporter turns one export job (the report model, the year's records, the report date, a staging
folder) into the bytes of its file(s). It never writes into the output folder: `kjplan.export_job` stages
every format first and moves the files into place only when all of them succeeded.

Every exporter must be deterministic: the same plan, records, period and report date give the same
bytes, so that a rerun leaves the files untouched.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from pathlib import Path

from kjplan.records import Record
from kjplan.report_model import ReportModel
from kjplan.workspace import Workspace

# The formats in the order they are rendered: the cheap data files first, the report next, the PDF
# (which needs the report) last, so that a failing step fails as early as it can.
FORMATS = ("json", "csv", "xlsx", "docx", "pdf")
# The order users see (help, docs).
FORMAT_HELP_ORDER = ("docx", "pdf", "json", "csv", "xlsx")


@dataclass(frozen=True)
class Output:
    name: str  # file name inside the output folder
    data: bytes
    listed: bool = True  # False: a bookkeeping file (the PDF's source hash), not shown to users


@dataclass
class ExportJob:
    """What every exporter reads. Built once per export; the report is rendered at most once."""

    ws: Workspace
    model: ReportModel
    records: list[Record]  # current records of the plan's year up to the period's end, in date order
    date: dt.date  # 成文日期
    stage: Path  # staging folder inside the output folder
    out_dir: Path
    warnings: list[str] = field(default_factory=list)
    _docx: bytes | None = None

    def docx(self) -> bytes:
        """The report's .docx bytes (GB/T 9704 layout), rendered once."""
        if self._docx is None:
            from kjplan.report_job import render_docx

            self._docx, warnings = render_docx(self.ws, self.model, self.date)
            self.warnings.extend(warnings)
        return self._docx

    def staged_docx(self) -> Path:
        """The report written into the staging folder (under its final name, for LibreOffice)."""
        from kjplan.exporters.docx import filename

        folder = self.stage / "source"
        path = folder / filename(self.model)
        if not path.exists():
            folder.mkdir(exist_ok=True)
            path.write_bytes(self.docx())
        return path


def get(name: str):
    """The exporter module of a format (imported on demand: openpyxl and python-docx load slowly)."""
    if name not in FORMATS:
        raise KeyError(name)
    return importlib.import_module(f"kjplan.exporters.{name}")


def suffix(cumulative: bool) -> str:
    return "-cumulative" if cumulative else ""
