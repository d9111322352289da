"""Workspace settings (kjplan.yaml): who the report goes to, who signs, which fonts."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kjplan.errors import EXIT_CONFIG, DataError, KjplanError
from kjplan.loading import load_yaml, validate_model
from kjplan.records import Line, VisibleLine

# One line each, nothing Word cannot hold: a font name with \x01 would only fail when the report is drawn.
FontName = VisibleLine
Text = Line


class _Section(BaseModel):
    # defer_build: validators are built when first used; settings read from their cache need none.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# 发文字号 (GB/T 9704 7.2.5): 机关代字, the year in full in 六角括号 〔〕, the number without 第 or
# leading zeros, then 号: 渭科党发〔2020〕12号.
_DOC_NUMBER = re.compile(r"(?P<code>[^〔〕]+)〔(?P<year>\d{4})〕(?P<n>[1-9]\d*)号")


def doc_number_problem(number: str) -> str | None:
    """Why `number` is not a 发文字号 as GB/T 9704 writes it, in Chinese; None when it is one."""
    example = "，如：渭科党发〔2020〕12号"
    if _DOC_NUMBER.fullmatch(number):
        return None
    if "第" in number:
        return f"发文字号“{number}”不加“第”字{example}"
    if not number.endswith("号"):
        return f"发文字号“{number}”应以“号”结尾{example}"
    bracket = re.search(r"[\[【（(［〈<{]\s*(\d+)\s*[\]】）)］〉>}]", number)
    if bracket or ("〔" not in number and re.search(r"\d{4}", number)):
        return f"发文字号“{number}”的年份应用六角括号〔〕括起（不是 []、【】 或 （））{example}"
    found = re.fullmatch(r"(?P<code>[^〔〕]*)〔(?P<year>[^〔〕]*)〕(?P<n>[^〔〕]*)号", number)
    if found is None:
        return f"发文字号“{number}”格式不对，应为 机关代字〔年份〕序号号{example}"
    if not found["code"]:
        return f"发文字号“{number}”缺少机关代字{example}"
    if not re.fullmatch(r"\d{4}", found["year"]):
        return f"发文字号“{number}”的年份应写全四位数字{example}"
    if re.fullmatch(r"0\d*", found["n"]):
        return f"发文字号“{number}”的序号不编虚位（写 12号，不写 012号）{example}"
    return f"发文字号“{number}”的序号应为阿拉伯数字{example}"


def doc_number_year(number: str) -> int | None:
    found = _DOC_NUMBER.fullmatch(number)
    return int(found["year"]) if found else None


class HeaderSettings(_Section):
    """版头 of a 上行文 (GB/T 9704 7.2): absent, the report has none (plain paper, or paper with the
    版头 printed on it)."""

    mark: VisibleLine  # 发文机关标志
    number: Text = ""  # 发文字号; `kjplan report --number` gives each report its own
    signer: Text = ""  # 签发人; empty: the 发文字号 is centred (a document that is not a 上行文)

    @field_validator("number")
    @classmethod
    def _number(cls, value: str) -> str:
        problem = doc_number_problem(value) if value else None
        if problem:
            raise ValueError(problem)
        return value


class ReportSettings(_Section):
    recipients: Text = ""  # 主送机关, e.g. 中共渭南市委、渭南市人民政府
    signature: Text = ""  # 署名; empty: the plan's issuer
    cc: Text = ""  # 抄送 (版记)
    printer: Text = ""  # 印发机关 (版记), e.g. 渭南市科学技术局办公室
    example: bool = False  # the workspace holds example data, not real records
    # Sealed (GB/T 9704 7.3.5.1, what a report to a superior is): 署名 centred over a date four
    # characters from the right, with room for the seal; false: the unsealed layout (7.3.5.2).
    seal: bool = True
    header: HeaderSettings | None = None  # 版头: 发文机关标志, 发文字号, 签发人
    # Open each unit's progress with its name ("高新技术科：…"); by default the report speaks in the
    # bureau's own voice and names units only in the attachment where several reported on one item.
    unit_prefix: bool = False


class FontSettings(_Section):
    """Font names as Word knows them; GB/T 9704's by default. Machines without the _GB2312
    fonts can name 仿宋 / 楷体 instead."""

    title: FontName = "方正小标宋简体"
    body: FontName = "仿宋_GB2312"
    heading1: FontName = "黑体"
    heading2: FontName = "楷体_GB2312"
    page_number: FontName = "宋体"
    # For characters outside GB2312 (rare names, 𠮷, emoji) that 仿宋_GB2312 has no glyph for.
    fallback: FontName = "宋体"


class Settings(_Section):
    # Made when needed (default_factory): an instance as the default would build these models' validators
    # whenever this module is imported, even when the settings come from their cache.
    report: ReportSettings = Field(default_factory=ReportSettings)
    fonts: FontSettings = Field(default_factory=FontSettings)
    # 报送单位: when listed, --unit must be one of them (catches typos that would split a unit in two).
    units: list[FontName] = []


def with_doc_number(settings: Settings, number: str) -> Settings:
    """The settings with the 发文字号 of one report (`kjplan report --number`)."""
    number = number.strip()
    problem = doc_number_problem(number)
    if problem:
        raise KjplanError(f"--number：{problem}")
    header = settings.report.header
    if header is None:
        raise KjplanError("--number：没有设置版头，发文字号无处可印。请先在 kjplan.yaml 的 report.header 中填写发文机关标志（mark）")
    report = settings.report.model_copy(update={"header": header.model_copy(update={"number": number})})
    return settings.model_copy(update={"report": report})


def load_settings(path: Path) -> Settings:
    """The settings, or the defaults when there is no file. A broken file is a configuration error
    (exit 78), so that a scheduled job tells it apart from bad records."""
    if not path.exists():
        return Settings()
    try:
        data, lines = load_yaml(path)
        if data is None:
            return Settings()
        if not isinstance(data, dict):
            raise DataError(path, 1, "设置文件应为键值对（report:、fonts: 等）")
        return validate_model(Settings, data, lines, path)
    except KjplanError as exc:
        exc.exit_code = EXIT_CONFIG
        raise
