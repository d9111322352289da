"""Helpers for the collecting tests (分工, forms, import): a workspace with a units list and a 分工."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from kjplan.workspace import Workspace, init_workspace

OFFICES = ["办公室", "成果转化科", "高新技术科", "农村科技科", "外国专家科", "富平县科技局"]


def set_units(ws: Workspace, units: list[str]) -> None:
    """Replace the units: block (the last key of kjplan.yaml) with `units`."""
    path = ws.settings_path
    text = path.read_text(encoding="utf-8")
    head = re.split(r"^units:", text, flags=re.M)[0]
    block = "units:\n" + "".join(f"  - {u}\n" for u in units) if units else "units: []\n"
    path.write_text(head + block, encoding="utf-8")
    ws.__dict__.pop("settings", None)  # the cached settings


def collect_workspace(tmp_path: Path, name: str = "ws") -> Workspace:
    """A new workspace whose units: holds the recipients and the offices above."""
    ws = init_workspace(tmp_path / name)
    named = yaml.safe_load(ws.settings_path.read_text(encoding="utf-8"))["units"]
    set_units(ws, OFFICES + named)
    return ws


def assigned_workspace(tmp_path: Path, name: str = "ws") -> Workspace:
    """collect_workspace with items 1, 9, 12 and 3 assigned."""
    from kjplan.assign import Assignment, assign_many

    ws = collect_workspace(tmp_path, name)
    assign_many(ws, [Assignment(1, "办公室", ()), Assignment(9, "成果转化科", ("市科技资源统筹中心",)),
                     Assignment(12, "高新技术科", ("成果转化科",)), Assignment(3, "高新技术科", ("富平县科技局",))])
    return ws
