"""Every WordprocessingML part validates against ISO/IEC 29500 (Word refuses what LibreOffice forgives).

The schemas and the validator are in the repository (tests/ooxml/, tests/ooxml_validate.py), so the test
runs in every clone.
"""

from __future__ import annotations

import datetime as dt

import pytest

from docx_helpers import sample_document, write
from kjplan.render.docx import render_docx
from kjplan.render.document import Attachment, Imprint, Masthead, Paragraph, Table
from kjplan.settings import FontSettings
from ooxml_validate import validate

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
    assert validate(path) == []
