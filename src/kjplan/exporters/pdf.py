"""report-2020Q2.pdf: the report converted by LibreOffice.

LibreOffice stamps each PDF with its creation time, so two conversions of the same report differ. A
hidden file beside the PDF (.report-2020Q2.pdf.source) records the SHA-256 of the .docx it was made
from and of the PDF itself; when both still match, the existing PDF is kept as it is (same bytes, same
modification time) and LibreOffice is not even started.
"""

from __future__ import annotations

import hashlib
import json

from kjplan.exporters import ExportJob, Output
from kjplan.exporters import docx as docx_exporter
from kjplan.report_model import ReportModel

LABEL = "季度报告（PDF）"


def filename(model: ReportModel) -> str:
    return docx_exporter.filename(model)[: -len(".docx")] + ".pdf"


def source_name(model: ReportModel) -> str:
    return f".{filename(model)}.source"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source_record(docx: bytes, pdf: bytes) -> bytes:
    info = {"docx_sha256": _sha256(docx), "pdf_sha256": _sha256(pdf)}
    return (json.dumps(info, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _reusable(job: ExportJob, docx: bytes) -> bytes | None:
    """The existing PDF's bytes when it was made from exactly this report and is unchanged since."""
    try:
        pdf = (job.out_dir / filename(job.model)).read_bytes()
        info = json.loads((job.out_dir / source_name(job.model)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict):
        return None
    if info.get("docx_sha256") == _sha256(docx) and info.get("pdf_sha256") == _sha256(pdf):
        return pdf
    return None


def render(job: ExportJob) -> list[Output]:
    docx = job.docx()
    pdf = _reusable(job, docx)
    if pdf is None:
        from kjplan.render.pdf import convert_to_pdf

        produced = convert_to_pdf(job.staged_docx(), job.stage / "pdf")
        pdf = produced.read_bytes()
    return [Output(filename(job.model), pdf),
            Output(source_name(job.model), _source_record(docx, pdf), listed=False)]
