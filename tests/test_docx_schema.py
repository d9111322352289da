"""Every WordprocessingML part validates against ISO/IEC 29500 (Word refuses what LibreOffice forgives).

Needs the shared validator and schemas next to the repository (a developer checkout has them; a
user's clone does not, and the test is skipped there).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from docx_helpers import SHARED, sample_document, write
from kjplan.render.docx import render_docx
from kjplan.render.document import Attachment, Imprint, Masthead, Paragraph, Table
from kjplan.settings import FontSettings

VALIDATOR = SHARED / "tools" / "validate-docx"
SCHEMAS = SHARED / "ooxml-schemas" / "ISO-IEC29500-4_2016" / "wml.xsd"

pytestmark = pytest.mark.skipif(
    not (VALIDATOR.is_file() and SCHEMAS.is_file()),
    reason=f"the OOXML validator and schemas are not here ({VALIDATOR}, {SCHEMAS}); "
    "they live in the team's shared folder next to the repository",
)

TABLE = Table(["序号", "事项", "备注"], [["1", "甲\n乙", ""], ["2", "", "𠮷"]], [1, 5, 2])
VARIANTS = {
    "full": sample_document(),
    "minimal": sample_document(recipients="", signature="", attachments=[], imprint=None),
    "two attachments, imprint without cc": sample_document(
        attachments=[Attachment("统计表", TABLE), Attachment("清单", TABLE)],
        imprint=Imprint("", "渭南市科学技术局办公室", dt.date(2020, 7, 6)),
    ),
    "landscape attachment between portrait pages": sample_document(
        attachments=[Attachment("统计表", TABLE, landscape=True), Attachment("清单", TABLE)],
    ),
    "masthead with 签发人, unsealed": sample_document(
        masthead=Masthead("中共渭南市科学技术局党组文件", "渭科党发〔2020〕12号", "张三𠮷"), seal=False,
    ),
    "masthead without 签发人": sample_document(masthead=Masthead("渭南市科学技术局文件", "渭科发〔2020〕3号")),
    "odd text": sample_document(
        title="标题\t带制表符\n和换行 😀",
        body=[Paragraph("h1", "一、 前后空格 "), Paragraph("body", "\x01控制字符\n\n空行之后 𠮷👍")],
        fonts=FontSettings(body="仿宋", heading2="楷体"),
    ),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_docx_is_schema_valid(tmp_path, name):
    data, _ = render_docx(VARIANTS[name])
    path = write(tmp_path, data)
    result = subprocess.run(
        [sys.executable, str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
