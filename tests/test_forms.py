"""Forms out: one .xlsx per unit, locked and validated, with a hidden identity; printed by LibreOffice."""

from __future__ import annotations

import json

import openpyxl
import pytest

from collect_fixtures import assigned_workspace, collect_workspace
from conftest import run_kjplan
from sheet_render import overprinted, xlsx_to_pdf

TODAY = "2020-06-10"


def kj(ws, *args):
    return run_kjplan("--root", ws.root, "--today", TODAY, *args)


def make_forms(ws, tmp_path, *args):
    out = tmp_path / "填报表"
    r = kj(ws, "forms", "--quarter", "2", "--deadline", "2020-06-25", "--out", out, *args)
    assert r.returncode == 0, r.stderr
    return out, [line for line in r.stdout.splitlines() if line]


def test_one_form_per_responsible_unit(tmp_path):
    ws = assigned_workspace(tmp_path)
    out, printed = make_forms(ws, tmp_path)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"2020年第二季度进展填报表-{u}.xlsx" for u in
                           ["办公室", "成果转化科", "高新技术科", "富平县科技局", "市科技资源统筹中心"])
    assert len(printed) == 5
    _, printed = make_forms(ws, tmp_path, "--unit", "成果转化科")
    assert printed == [str(out / "2020年第二季度进展填报表-成果转化科.xlsx")]
    r = kj(ws, "forms", "-q", "2", "--unit", "外国专家科", "--out", out)
    assert r.returncode == 1 and "没有牵头或配合的事项" in r.stderr
    r = kj(ws, "forms", "-q", "2", "--unit", "不存在科", "--out", out)
    assert r.returncode == 1 and "不在设置文件 kjplan.yaml 的报送单位名单" in r.stderr


def test_form_layout_locking_validation_and_identity(tmp_path):
    ws = assigned_workspace(tmp_path)
    out, _ = make_forms(ws, tmp_path, "--unit", "成果转化科")
    book = openpyxl.load_workbook(out / "2020年第二季度进展填报表-成果转化科.xlsx")
    assert book.sheetnames == ["填报表", "kjplan"]
    sheet, ident = book["填报表"], book["kjplan"]
    assert ident.sheet_state == "hidden"
    assert sheet["A1"].value == "2020年第二季度《中共渭南市科学技术局党组2020年科技工作要点》进展填报表"
    assert sheet["A2"].value == "填报单位：成果转化科　　报送截止：2020年6月25日"
    assert sheet["A3"].value.startswith("填报说明：")
    header = [c.value for c in sheet[4]]
    assert header == ["序号", "重点任务", "进展情况", "存在问题", "下一步打算", "状态",
                      "科技创新发展基金募集规模（万元）", "孵化器入驻率（%）", "填报人", "填报日期"]
    assert [sheet.cell(r, 1).value for r in (5, 6)] == [9, 12]  # leads 9, supports 12
    assert sheet["B5"].value == "提升科技成果转移转化能力\n（牵头）" and sheet["B6"].value.endswith("（配合）")
    # Locked fixed cells, unlocked input cells, protection without a password.
    assert sheet.protection.sheet and not sheet.protection.password
    assert sheet["A5"].protection.locked and sheet["B5"].protection.locked and sheet["A4"].protection.locked
    for cell in ("C5", "D5", "E5", "F5", "G5", "I5", "J5", "H6"):
        assert not sheet[cell].protection.locked, cell
    assert sheet["H5"].protection.locked and sheet["G6"].protection.locked  # targets of the other item
    # Drop-down of the four statuses, decimal validation on the targets, dates in the year.
    validations = {dv.type: dv for dv in sheet.data_validations.dataValidation}
    assert validations["list"].formula1 == '"已完成,序时推进,滞后,未启动"' and str(validations["list"].sqref) == "F5:F6"
    decimals = [dv for dv in sheet.data_validations.dataValidation if dv.type == "decimal"]
    assert {str(dv.sqref) for dv in decimals} == {"G5:G6", "H5:H6"}
    assert "DATE(2020,1,1)" in validations["date"].formula1
    # Fonts, heights, print setup.
    assert sheet["A1"].font.name == "宋体" and sheet["C5"].font.name == "仿宋"
    assert sheet.row_dimensions[5].height >= 60 and sheet.row_dimensions[3].height > 15
    assert sheet.page_setup.orientation == "landscape" and sheet.print_area
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # Identity: year, quarter, unit, columns, and a row key per item.
    meta = {r[0]: r[1] for r in ident.iter_rows(values_only=True) if r[0] and r[0] != "row" and not isinstance(r[0], int)}
    assert (meta["kind"], meta["year"], meta["quarter"], meta["unit"]) == ("kjplan-form", 2020, "2020Q2", "成果转化科")
    assert json.loads(meta["columns"])["F"] == "status"
    keyed = [r for r in ident.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert [(r[0], r[1], r[3]) for r in keyed] == [(5, 9, "牵头"), (6, 12, "配合")]
    assert all(len(r[2]) == 16 for r in keyed)


def test_without_assignment_every_unit_gets_every_item(tmp_path):
    ws = collect_workspace(tmp_path)
    out, printed = make_forms(ws, tmp_path, "--unit", "办公室")
    sheet = openpyxl.load_workbook(printed[0])["填报表"]
    assert [sheet.cell(r, 1).value for r in range(5, 21)] == list(range(1, 17))
    assert sheet["B5"].value == "加强党对科技工作的全面领导"


def test_forms_are_deterministic(tmp_path):
    ws = assigned_workspace(tmp_path)
    out, printed = make_forms(ws, tmp_path, "--unit", "高新技术科")
    first = open(printed[0], "rb").read()
    make_forms(ws, tmp_path, "--unit", "高新技术科")
    assert open(printed[0], "rb").read() == first


@pytest.mark.render
def test_form_prints_on_a4_landscape_without_overprinting(tmp_path):
    ws = collect_workspace(tmp_path)
    out, printed = make_forms(ws, tmp_path, "--unit", "办公室")  # all 16 items: more than one page
    pdf = xlsx_to_pdf(printed[0], tmp_path / "pdf")
    assert overprinted(pdf) == []
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        assert len(document.pages) >= 2
        for page in document.pages:
            assert page.width > page.height  # landscape
            assert abs(page.width - 842) < 2 and abs(page.height - 595) < 2  # A4
        text = "".join(page.extract_text() for page in document.pages)
    assert "强化党风廉政建设主体责任落实" in text.replace("\n", "")
