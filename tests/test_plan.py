"""plans/2020.yaml against the source text, and the validation rules of the plan loader."""

from __future__ import annotations

import re
import textwrap

import pytest

from conftest import REPO
from kjplan.errors import DataErrors, KjplanError
from kjplan.plan import load_plan

PLAN = REPO / "plans" / "2020.yaml"


def official(text: str) -> str:
    """The only changes allowed: half-width , ( ) to the full-width forms of an official document."""
    return text.replace(",", "，").replace("(", "（").replace(")", "）")


@pytest.fixture(scope="module")
def plan():
    return load_plan(PLAN)


def test_plan_has_sixteen_items_in_order(plan):
    assert [item.number for item in plan.items] == list(range(1, 17))


def test_items_match_source_word_for_word(plan, seed_text):
    source_items = re.findall(r"^(\d+)\.(.+)$", seed_text, flags=re.M)
    assert len(source_items) == 16
    for (number, paragraph), item in zip(source_items, plan.items):
        assert item.number == int(number)
        assert item.text == official(paragraph)
        # The title is the item's lead phrase: the paragraph up to its first full stop.
        assert item.title == official(paragraph).split("。")[0]


def test_metadata_matches_source(plan, seed_text):
    lines = seed_text.strip().splitlines()
    assert plan.recipients == official(lines[0]).rstrip(":").split("，")
    assert plan.notice == official(lines[1])
    assert plan.issuer == lines[2] == "中共渭南市科学技术局党组"
    assert plan.date.isoformat() == "2020-03-31" and lines[3] == "2020年3月31日"
    assert plan.title == lines[4]
    assert plan.preamble == official(lines[5])


def test_items_9_and_12_carry_their_targets(plan):
    fund = plan.item(9).targets
    assert [(t.id, t.name, t.value, t.unit, t.kind) for t in fund] == [
        ("innovation_fund", "科技创新发展基金募集规模", 1, "亿元", "cumulative")]
    occupancy = plan.item(12).targets
    assert [(t.id, t.name, t.value, t.unit, t.kind) for t in occupancy] == [
        ("incubator_occupancy", "孵化器入驻率", 80, "%", "level")]


def test_nothing_invented(plan):
    """Every target is stated in its item's text; lead and partners stay empty (the text names none)."""
    for item in plan.items:
        assert item.lead is None and item.partners == []
        for target in item.targets:
            assert target.source and target.source in item.text
            value = f"{target.value:g}"
            assert value in target.source


def test_interface_keys_are_plain_yaml():
    raw = PLAN.read_text(encoding="utf-8")
    assert re.search(r"^\s+- number: 1$", raw, flags=re.M)
    assert "\n    no:" not in raw  # YAML 1.1 reads a bare `no` as false


# One invalid plan per rule: (description, edit applied to a valid plan, expected words, expected line).
VALID = textwrap.dedent("""\
    year: 2020
    title: 测试计划
    issuer: 测试机关
    date: 2020-03-31
    items:
      - number: 1
        title: 第一项
        text: 第一项。正文。
        targets:
          - id: fund
            name: 基金
            value: 1
            unit: 亿元
            kind: cumulative
      - number: 2
        title: 第二项
        text: 第二项。正文。
    """)

INVALID = [
    ("unknown key", VALID.replace("    title: 第二项\n", "    title: 第二项\n    owner: 某科\n"), "未知字段", 17, "items[1].owner"),
    ("duplicate number", VALID.replace("number: 2", "number: 1"), "重复", 15, "items[1].number"),
    ("empty title", VALID.replace("title: 第一项", "title: ''"), "不能为空", 7, "items[0].title"),
    ("value not a number", VALID.replace("value: 1", "value: 一亿"), "应为数字", 12, "items[0].targets[0].value"),
    ("quoted number", VALID.replace("value: 1", "value: '1'"), "应为数字", 12, "items[0].targets[0].value"),
    ("missing text", VALID.replace("    text: 第二项。正文。\n", ""), "缺少必填字段", 15, "items[1].text"),
    ("bad kind", VALID.replace("kind: cumulative", "kind: total"), "应为以下之一", 14, "items[0].targets[0].kind"),
    ("malformed yaml", VALID.replace("    title: 第二项", "    title: 第二项: 错"), "YAML 格式错误", 16, None),
    ("tab indent", VALID.replace("    title: 第二项", "\ttitle: 第二项"), "YAML 格式错误", 16, None),
    ("duplicate key", VALID.replace("    title: 第二项\n", "    title: 第二项\n    title: 又一个\n"), "重复", 17, None),
]


@pytest.mark.parametrize("name,content,words,line,field", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_plan_is_rejected_with_file_and_line(tmp_path, name, content, words, line, field):
    path = tmp_path / "2020.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KjplanError) as info:
        load_plan(path)
    errors = info.value.errors if isinstance(info.value, DataErrors) else [info.value]
    message = next(e.message for e in errors if words in e.message)
    assert message.startswith(f"{path}:{line}: "), message
    if field:
        assert field in message


def test_valid_fixture_loads(tmp_path):
    path = tmp_path / "2020.yaml"
    path.write_text(VALID, encoding="utf-8")
    assert load_plan(path).item(1).target("fund").value == 1


def test_invalid_plan_through_cli_exit_1_no_traceback(ws, cli):
    path = ws.plan_path(2020)
    path.write_text(path.read_text(encoding="utf-8").replace("value: 80", "value: 八十"), encoding="utf-8")
    for command in (["check"], ["plan"]):
        result = cli("--root", ws.root, *command)
        assert result.exit_code == 1
        assert "应为数字" in result.stderr and f"{path}:" in result.stderr
        assert "Traceback" not in result.output + result.stderr
