"""report-2020Q2.docx: the quarterly report in GB/T 9704-2012 layout, the same file `kjplan report` writes."""

from __future__ import annotations

from pathlib import Path

from kjplan.exporters import ExportJob, Output
from kjplan.report_model import ReportModel

LABEL = "季度报告（Word）"


def filename(model: ReportModel) -> str:
    from kjplan.report_job import default_report_path
    from kjplan.workspace import Workspace

    # The same name as `kjplan report` (only the folder depends on the workspace).
    return default_report_path(Workspace(Path(".")), model.quarter, model.cumulative).name


def render(job: ExportJob) -> list[Output]:
    return [Output(filename(job.model), job.docx())]
