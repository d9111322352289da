"""Workspace settings (kjplan.yaml): who the report goes to, who signs, which fonts."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from kjplan.errors import EXIT_CONFIG, DataError, KjplanError
from kjplan.loading import load_yaml, validate_model
from kjplan.records import Line, VisibleLine

# One line each, nothing Word cannot hold: a font name with \x01 would only fail when the report is drawn.
FontName = VisibleLine
Text = Line


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReportSettings(_Section):
    recipients: Text = ""  # 主送机关, e.g. 中共渭南市委、渭南市人民政府
    signature: Text = ""  # 署名; empty: the plan's issuer
    cc: Text = ""  # 抄送 (版记)
    printer: Text = ""  # 印发机关 (版记), e.g. 渭南市科学技术局办公室
    example: bool = False  # the workspace holds example data, not real records


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
    report: ReportSettings = ReportSettings()
    fonts: FontSettings = FontSettings()
    # 报送单位: when listed, --unit must be one of them (catches typos that would split a unit in two).
    units: list[FontName] = []


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
