"""`kjplan plan import`: the 2020 source text and a Word file made from it give the bundled plan; every
shape real plans come in is read; nothing is written when there is nothing to write."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, run_kjplan
from kjplan.numerals import cn_number
from kjplan.plan import load_plan
from kjplan.plan_import import import_plan, read_document
from kjplan.plan_import.docx import format_number
from kjplan.plan_import.targets import propose

from plan_docs import ITEMS, NOTICE, PREAMBLE, NumberedDocument, shape

FIXTURE = Path(__file__).parent / "fixtures" / "plan-2020-source.txt"
BUNDLED = REPO / "plans" / "2020.yaml"
FIELDS = ("year", "title", "issuer", "date", "recipients", "notice", "preamble")
ITEM_RE = re.compile(r"^(\d+)\.(.*)$")


@pytest.fixture(scope="module")
def bundled():
    return load_plan(BUNDLED)


def source_text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


def full_width(text: str) -> str:
    return text.replace(",", "，").replace("(", "（").replace(")", "）").replace(":", "：")


def assert_same_plan(imported, bundled):
    """Field by field: the metadata, every item word for word, and the two targets of the bundled plan,
    proposed (review: true) with an id of the import's making."""
    for name in FIELDS:
        assert getattr(imported, name) == getattr(bundled, name), name
    assert imported.parts == [] and imported.targets == []
    assert len(imported.items) == len(bundled.items) == 16
    for mine, theirs in zip(imported.items, bundled.items):
        assert (mine.number, mine.title, mine.text) == (theirs.number, theirs.title, theirs.text)
        assert (mine.lead, mine.partners, mine.part, mine.label) == (None, [], None, None)
        assert [(t.name, t.value, t.unit, t.kind, t.source) for t in mine.targets] == \
               [(t.name, t.value, t.unit, t.kind, t.source) for t in theirs.targets], mine.number
        assert all(t.review for t in mine.targets)
    assert [t.id for t in imported.item(9).targets] == ["item9_1"]
    assert [t.id for t in imported.item(12).targets] == ["item12_1"]


@pytest.mark.parametrize("variant", ["as given", "full-width"])
def test_the_source_text_gives_the_bundled_plan(tmp_path, bundled, variant):
    text = source_text() if variant == "as given" else full_width(source_text())
    path = tmp_path / "要点.txt"
    path.write_text(text, encoding="utf-8")
    result = import_plan(path, tmp_path / "2020.yaml")
    assert_same_plan(result.plan, bundled)
    assert_same_plan(load_plan(result.path), bundled)
    assert result.unplaced == []


def seed_docx(path: Path) -> Path:
    """The source text as Word: the items automatic numbered list paragraphs ("1." drawn by Word)."""
    document = NumberedDocument()
    numbers = document.list_instance(document.define_list([("decimal", "%1.")]))
    for line in source_text().splitlines():
        match = ITEM_RE.match(line)
        if match:
            document.paragraph(match.group(2), num_id=numbers)
        else:
            document.paragraph(line)
    return document.save(path)


def test_a_word_file_with_automatic_numbers_gives_the_same_plan(tmp_path, bundled):
    path = seed_docx(tmp_path / "要点.docx")
    import docx

    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    assert not any(ITEM_RE.match(p) for p in paragraphs)  # the numbers are Word's, not in the text
    result = import_plan(path, tmp_path / "2020.yaml")
    assert_same_plan(result.plan, bundled)
    assert result.source.unit == "段"


def test_the_command_says_what_it_did(tmp_path, bundled):
    path = tmp_path / "要点.txt"
    path.write_text(source_text(), encoding="utf-8")
    out = tmp_path / "out" / "2020.yaml"
    result = run_kjplan("plan", "import", path, "--out", out)
    assert result.returncode == 0, result.stderr
    said = result.stdout
    assert "事项：16 项" in said and "提出的量化指标：2 个" in said
    assert "原文（第 15 行）：力争2020年全市科技创新发展基金募集规模达1亿元" in said
    assert "原文（第 18 行）：确保孵化器入驻率达到80%以上" in said
    assert "未能归入计划的文字：无" in said
    assert_same_plan(load_plan(out), bundled)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 中共渭南市科学技术局党组2020年科技工作要点（《工作要点》原文")
    assert len(re.findall(r"^ +review: true", text, flags=re.M)) == 2
    assert "lead:        # 牵头科室：原文未写明" in text


# ------------------------------------------------------------------------------------------ shapes

SHAPES = ["parts-cn-paren", "parts-arabic-through", "goals", "one-sentence", "two-line-title", "dun-hao",
          "paren-arabic", "space-and-full-stop", "no-notice"]


def check_shape(plan, expect):
    assert [(p.number, p.title) for p in plan.parts] == expect["parts"]
    assert len(plan.items) == 5 and plan.numbers == [1, 2, 3, 4, 5]
    assert [i.title for i in plan.items] == expect["titles"]
    assert [i.part for i in plan.items] == expect["part_of"]
    assert [i.label for i in plan.items] == expect["labels"]
    for item, (title, body) in zip(plan.items, ITEMS):
        assert item.text == f"{title}。{'' if expect.get('one_sentence') else body}"
    assert [(t.name, t.value, t.unit, t.kind) for t in plan.targets] == expect["goals"]
    found = {i.number: [(t.name, t.value, t.unit, t.kind) for t in i.targets] for i in plan.items if i.targets}
    assert found == expect["items"]
    assert all(t.review for _, t in plan.all_targets())
    assert plan.year == 2021 and plan.issuer == expect["issuer"]
    assert plan.date.isoformat() == "2021-03-15"
    if expect.get("no_notice"):
        assert plan.notice is None and plan.recipients == []
    else:
        assert plan.recipients == ["各县（市、区）科技局", "高新区、经开区科技主管部门"]
        assert plan.notice == "现将《中共渭南市科学技术局党组2021年科技工作要点》印发给你们，请结合实际认真贯彻落实。"
    assert plan.preamble.split("\n")[0] == PREAMBLE


@pytest.mark.parametrize("kind", SHAPES)
def test_each_shape_of_plan(tmp_path, kind):
    text, expect = shape(kind)
    path = tmp_path / f"{kind}.txt"
    path.write_text(text, encoding="utf-8")
    result = import_plan(path, tmp_path / "2021.yaml")
    check_shape(result.plan, expect)
    check_shape(load_plan(result.path), expect)
    assert result.unplaced == []


@pytest.mark.parametrize("encoding,bom", [("gb18030", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe")])
def test_encodings_are_detected(tmp_path, encoding, bom):
    text, expect = shape("parts-cn-paren")
    path = tmp_path / "要点.txt"
    path.write_bytes(bom + text.replace("\n", "\r\n").encode(encoding))
    result = import_plan(path, tmp_path / "2021.yaml")
    check_shape(result.plan, expect)
    assert result.source.notes[0].startswith("编码：" + {"gb18030": "GB18030", "utf-8": "UTF-8（带 BOM）",
                                                        "utf-16-le": "UTF-16"}[encoding])


def test_markdown(tmp_path):
    text, expect = shape("parts-arabic-through")
    lines = text.splitlines()
    # Markdown: headings marked, paragraphs apart, an item's text wrapped over two lines, a bold title
    md = ["# 关于印发《中共渭南市科学技术局党组2021年科技工作要点》的通知", ""] + [f"{line}\n" for line in lines[:4]]
    md += ["## " + lines[4], "", lines[5], "", "## " + lines[6], "", lines[7], ""]
    md += ["**" + lines[8][:8] + "**" + lines[8][8:], "", "## " + lines[9], ""]
    md += [f"{line}\n" for line in lines[10:12]] + [lines[12][:10], lines[12][10:]]
    path = tmp_path / "要点.md"
    path.write_text("\n".join(md) + "\n", encoding="utf-8")
    result = import_plan(path, tmp_path / "2021.yaml")
    check_shape(result.plan, expect)
    # the notice's own heading is not part of the plan: reported, not lost
    assert [(u.line.number, u.line.text) for u in result.unplaced] == [(1, md[0][2:])]


def test_word_parts_and_items_as_a_two_level_list(tmp_path):
    """Parts 一、 at level 0 and items （一） at level 1 of one Word list: the items restart in each part."""
    text, expect = shape("parts-cn-paren")
    document = NumberedDocument()
    numbers = document.list_instance(document.define_list([("chineseCounting", "%1、"), ("chineseCounting", "（%2）")]))
    for line in text.splitlines():
        if re.match(r"^[一二]、", line):
            document.paragraph(line[2:], num_id=numbers, ilvl=0)
        elif line.startswith("（"):
            document.paragraph(line[3:], num_id=numbers, ilvl=1)
        else:
            document.paragraph(line)
    path = document.save(tmp_path / "要点.docx")
    result = import_plan(path, tmp_path / "2021.yaml")
    check_shape(result.plan, expect)


def test_word_list_restarted_and_continued(tmp_path):
    """Items numbered 1. straight through two parts: the second part continues the same list; a list
    restarted with startOverride begins again at 1."""
    text, expect = shape("parts-arabic-through")
    document = NumberedDocument()
    definition = document.define_list([("decimal", "%1.")])
    through = document.list_instance(definition)
    for line in text.splitlines():
        match = ITEM_RE.match(line)
        document.paragraph(match.group(2) if match else line, num_id=through if match else None)
    path = document.save(tmp_path / "through.docx")
    check_shape(import_plan(path, tmp_path / "a.yaml").plan, expect)

    restarted = NumberedDocument()
    definition = restarted.define_list([("decimal", "%1.")])
    for line in text.splitlines():
        match = ITEM_RE.match(line)
        if line.startswith(("一、", "二、")):
            current = restarted.list_instance(definition, restart=True)
        restarted.paragraph(match.group(2) if match else line, num_id=current if match else None)
    lines = read_document(restarted.save(tmp_path / "restart.docx")).lines
    shown = [line.text.split(".")[0] for line in lines if ITEM_RE.match(line.text)]
    assert shown == ["1", "2", "1", "2", "3"]
    plan = import_plan(tmp_path / "restart.docx", tmp_path / "b.yaml").plan
    assert plan.numbers == [1, 2, 3, 4, 5] and [i.label for i in plan.items] == [None, None, "1.", "2.", "3."]


@pytest.mark.parametrize("n,fmt,shown", [
    (3, "decimal", "3"), (3, "chineseCounting", "三"), (12, "chineseCountingThousand", "十二"), (3, "decimalEnclosedCircle", "③"),
    (2, "ideographTraditional", "乙"), (4, "lowerRoman", "iv"), (28, "upperLetter", "BB"), (7, "decimalFullWidth", "７"),
    (5, "chineseLegalSimplified", "伍"), (3, "decimalZero", "03"),
])
def test_word_number_formats(n, fmt, shown):
    assert format_number(n, fmt) == shown


# --------------------------------------------------------------------------------- what is refused

def test_a_file_with_no_items_writes_nothing(tmp_path):
    path = tmp_path / "通知.txt"
    path.write_text("关于召开全市科技工作会议的通知\n各县（市、区）科技局：\n定于3月15日召开会议。\n", encoding="utf-8")
    out = tmp_path / "plans" / "2021.yaml"
    result = run_kjplan("plan", "import", path, "--out", out)
    assert result.returncode == 1
    assert result.stderr.startswith("错误：") and "没有找到编号的事项" in result.stderr and "没有写入" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists() and not out.parent.exists()


def test_an_existing_plan_is_kept_unless_forced(ws, tmp_path):
    path = tmp_path / "要点.txt"
    path.write_text(source_text(), encoding="utf-8")
    plan_file = ws.plans_dir / "2020.yaml"
    before = plan_file.read_bytes()
    refused = run_kjplan("--root", ws.root, "plan", "import", path)
    assert refused.returncode == 1 and "已存在，没有覆盖" in refused.stderr and "--force" in refused.stderr
    assert plan_file.read_bytes() == before
    forced = run_kjplan("--root", ws.root, "plan", "import", path, "--force")
    assert forced.returncode == 0, forced.stderr
    assert re.search(r"^ +review: true", plan_file.read_text(encoding="utf-8"), flags=re.M)
    checked = run_kjplan("--root", ws.root, "check")
    assert checked.returncode == 0 and checked.stdout.count("待核对：") == 2
    assert "plans/2020.yaml:" in checked.stdout and "item9_1" in checked.stdout


def test_missing_issuer_and_date_are_asked_for(tmp_path):
    path = tmp_path / "要点.txt"
    path.write_text("2021年科技工作要点\n1.加强党的建设。坚持党的领导。\n2.做好规划编制。\n", encoding="utf-8")
    out = tmp_path / "2021.yaml"
    no_issuer = run_kjplan("plan", "import", path, "--out", out)
    assert no_issuer.returncode == 1 and "--issuer" in no_issuer.stderr and not out.exists()
    no_date = run_kjplan("plan", "import", path, "--out", out, "--issuer", "渭南市科学技术局")
    assert no_date.returncode == 1 and "--date" in no_date.stderr and not out.exists()
    done = run_kjplan("plan", "import", path, "--out", out, "--issuer", "渭南市科学技术局", "--date", "2021-03-15")
    assert done.returncode == 0, done.stderr
    plan = load_plan(out)
    assert (plan.issuer, plan.date.isoformat(), len(plan.items)) == ("渭南市科学技术局", "2021-03-15", 2)
    text = out.read_text(encoding="utf-8")
    assert "（由 --issuer 给出）" in text and "由 --date 给出" in text


@pytest.mark.parametrize("name,data,words", [
    ("要点.doc", b"\xd0\xcf\x11\xe0", "另存为 .docx"),
    ("要点.pdf", b"%PDF-1.4", "另存为 .docx"),
    ("要点.xlsx", b"PK", "不认识的文件类型"),
    ("要点.docx", b"not a zip", "无法作为 Word 文档"),
    ("要点.txt", b"\x81\x30\xff\xfe\x80", "无法识别文件的编码"),
])
def test_unreadable_documents_are_named(tmp_path, name, data, words):
    path = tmp_path / name
    path.write_bytes(data)
    result = run_kjplan("plan", "import", path, "--out", tmp_path / "2021.yaml")
    assert result.returncode == 1 and words in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "2021.yaml").exists()


def test_lines_that_fit_nowhere_are_reported_with_their_numbers(tmp_path):
    text, _ = shape("parts-cn-paren")
    lines = text.splitlines()
    lines.insert(7, "围绕产业链部署创新链。")  # between a part heading and its first item
    lines.insert(0, "关于印发《中共渭南市科学技术局党组2021年科技工作要点》的通知")
    lines += ["三、保障措施", "各单位要高度重视，确保各项任务落到实处。", "— 3 —"]
    path = tmp_path / "要点.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "2021.yaml"
    result = run_kjplan("plan", "import", path, "--out", out)
    assert result.returncode == 0, result.stderr
    said = result.stdout
    assert "未能归入计划的文字：5 处" in said
    for number in (1, 9, 16, 17, 18):
        assert f"第 {number} 行：" in said
    plan = load_plan(out)
    assert len(plan.items) == 5 and [p.number for p in plan.parts] == [1, 2]


# ------------------------------------------------------------------------------- targets, properties

@pytest.mark.parametrize("sentence,expected", [
    ("力争2020年全市科技创新发展基金募集规模达1亿元", [("科技创新发展基金募集规模", 1, "亿元", "cumulative")]),
    ("确保孵化器入驻率达到80%以上", [("孵化器入驻率", 80, "%", "level")]),
    ("全社会研发投入强度不低于2.5％", [("全社会研发投入强度", 2.5, "%", "level")]),
    ("新增高新技术企业50家、科技型中小企业200家", [("新增高新技术企业", 50, "家", "cumulative"),
                                                   ("新增科技型中小企业", 200, "家", "cumulative")]),
    ("组织开展技术转移培训20场次左右", [("组织开展技术转移培训", 20, "场次", "cumulative")]),
    ("技术合同成交额突破30亿元", [("技术合同成交额", 30, "亿元", "cumulative")]),
    ("研发投入增长10%", [("研发投入增长", 10, "%", "level")]),
    # no figure to reach: years, ordinals, Chinese numerals, figures without a verb of reaching
    ("2020年全市科技工作以十九届四中全会精神为指导", []), ("积极发挥“3+1”服务平台作用", []),
    ("做到“两个维护”", []), ("第3季度完成", []), ("支持5G基站建设", []), ("全市共有企业300家", []),
])
def test_proposed_targets(sentence, expected):
    assert [(p.name, p.value, p.unit, p.kind) for p in propose(sentence + "。")] == expected
    assert all(p.source == sentence for p in propose(sentence + "。"))


def test_the_2020_source_proposes_exactly_the_bundled_targets():
    assert [(p.name, p.value, p.unit, p.kind) for p in propose(source_text())] == [
        ("科技创新发展基金募集规模", 1, "亿元", "cumulative"), ("孵化器入驻率", 80, "%", "level")]


_HAN = st.text(alphabet=st.sampled_from("科技创新发展基金规模企业平台服务建设推进加强做好培育深化合作人才成果转化统筹宣传"),
               min_size=2, max_size=14)
_STYLES = [("{n}.", "arabic"), ("{n}、", "arabic"), ("{n}．", "arabic"), ("（{n}）", "paren"), ("（{cn}）", "cn")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(titles=st.lists(_HAN, min_size=1, max_size=30), bodies=st.lists(_HAN, min_size=30, max_size=30),
       style=st.sampled_from(_STYLES), notice=st.booleans())
def test_any_list_of_items_comes_back_word_for_word(tmp_path_factory, titles, bodies, style, notice):
    pattern, _ = style
    lines = [NOTICE.rstrip("\n")] if notice else []
    lines += ["中共渭南市科学技术局党组2021年科技工作要点", "（2021年3月15日）", PREAMBLE]
    texts = [f"{t}。{b}。" for t, b in zip(titles, bodies)]
    lines += [pattern.format(n=n, cn=cn_number(n)) + text for n, text in enumerate(texts, 1)]
    path = tmp_path_factory.mktemp("prop") / "要点.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = import_plan(path, path.with_suffix(".yaml"), force=True).plan
    assert [i.text for i in plan.items] == texts
    assert [i.title for i in plan.items] == titles
    assert plan.numbers == list(range(1, len(titles) + 1))
    assert (plan.notice is not None) == notice


# ----------------------------------------------------------------------- a workspace from a document

def test_init_from_a_new_document(tmp_path):
    text, expect = shape("goals")
    document = tmp_path / "2021年工作要点.txt"
    document.write_text(text, encoding="utf-8")
    folder = tmp_path / "kjplan2021"
    result = run_kjplan("init", "--year", "2021", "--plan", document, folder)
    assert result.returncode == 0, result.stderr
    assert "事项：5 项" in result.stdout and "已新建工作区" in result.stdout
    assert sorted(p.name for p in (folder / "plans").iterdir()) == ["2021.yaml"]
    check_shape(load_plan(folder / "plans" / "2021.yaml"), expect)
    checked = run_kjplan("--root", folder, "check")
    assert checked.returncode == 0 and checked.stdout.count("待核对：") == 7
    added = run_kjplan("--root", folder, "--today", "2021-05-10", "add-progress", "--item", "4", "--text", "入驻率82%",
                       "--metric", "item4_1=82%")
    assert added.returncode == 0, added.stderr
    report = run_kjplan("--root", folder, "--today", "2021-07-06", "report", "-q", "2")
    assert report.returncode == 0, report.stderr
    assert "提示：2021 年计划中有 7 个量化指标标着 review: true，尚未核对" in report.stderr
    # a document without items, or a folder in use, leaves nothing behind
    empty = tmp_path / "空.txt"
    empty.write_text("2021年科技工作要点\n", encoding="utf-8")
    refused = run_kjplan("init", "--plan", empty, tmp_path / "new")
    assert refused.returncode == 1 and not (tmp_path / "new").exists()
    again = run_kjplan("init", "--plan", document, folder)
    assert again.returncode == 1 and "不会覆盖" in again.stderr
    alone = run_kjplan("init", "--year", "2021", tmp_path / "other")
    assert alone.returncode == 1 and "--plan" in alone.stderr and not (tmp_path / "other").exists()


def test_text_word_cannot_hold_is_named_at_its_line(tmp_path):
    path = tmp_path / "要点.txt"
    path.write_text("中共渭南市科学技术局党组2021年科技工作要点\n（2021年3月15日）\n1.加强党的建设。\n"
                    "2.做好规划\x07编制。新增平台0个。\n", encoding="utf-8")
    result = run_kjplan("plan", "import", path, "--out", tmp_path / "2021.yaml")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{path}:4: items[1].text" in result.stderr and not (tmp_path / "2021.yaml").exists()


def test_items_numbered_like_parts_with_sub_points(tmp_path):
    """Items "一、标题。正文" (sentences after the title: not part headings), sub-points "（一）" within them."""
    path = tmp_path / "要点.txt"
    path.write_text("2021年科技工作要点\n（2021年3月15日）\n一、加强党的建设。坚持党的全面领导。\n（一）抓好理论学习。\n"
                    "（二）抓好作风建设。\n二、做好规划编制。组织编制专项规划。\n三、加大宣传力度。\n", encoding="utf-8")
    plan = import_plan(path, tmp_path / "2021.yaml", issuer="渭南市科学技术局").plan
    assert plan.parts == [] and plan.numbers == [1, 2, 3]
    assert [i.label for i in plan.items] == ["一、", "二、", "三、"]
    assert plan.item(1).text == "加强党的建设。坚持党的全面领导。\n（一）抓好理论学习。\n（二）抓好作风建设。"
    assert plan.item(1).title == "加强党的建设"


def test_writing_without_overwrite_never_replaces(tmp_path):
    from kjplan.fsutil import atomic_write

    path = tmp_path / "2021.yaml"
    assert atomic_write(path, b"new", overwrite=False) and path.read_bytes() == b"new"
    with pytest.raises(FileExistsError):
        atomic_write(path, b"other", overwrite=False)
    assert path.read_bytes() == b"new" and sorted(p.name for p in tmp_path.iterdir()) == ["2021.yaml"]


def test_a_masthead_and_the_notice_title_before_the_notice(tmp_path):
    text, expect = shape("goals")
    head = ["中共渭南市科学技术局党组文件", "渭科党发〔2021〕5号", "关于印发《中共渭南市科学技术局党组2021年科技工作要点》的通知"]
    path = tmp_path / "要点.txt"
    path.write_text("\n".join(head) + "\n" + text, encoding="utf-8")
    result = import_plan(path, tmp_path / "2021.yaml")
    check_shape(result.plan, expect)
    assert [u.line.number for u in result.unplaced] == [1, 2, 3]


def test_init_from_a_document_without_a_notice(tmp_path):
    """No 主送 line, so no unit is named: the settings keep an empty list (any unit goes) the office
    fills in; kjplan assign edits the imported plan's lead lines as it does the bundled plan's."""
    text, _ = shape("no-notice")
    document = tmp_path / "要点.txt"
    document.write_text(text, encoding="utf-8")
    result = run_kjplan("init", "--plan", document, tmp_path / "ws")
    assert result.returncode == 0, result.stderr
    checked = run_kjplan("--root", tmp_path / "ws", "check")
    assert checked.returncode == 0, checked.stderr
    assigned = run_kjplan("--root", tmp_path / "ws", "assign", "1", "--lead", "办公室")
    assert assigned.returncode == 0, assigned.stderr
    plan = load_plan(tmp_path / "ws" / "plans" / "2021.yaml")
    assert plan.item(1).lead == "办公室" and plan.item(1).targets == [] and plan.item(2).targets[0].review


def test_the_plan_as_the_notices_attachment_with_page_numbers_between(tmp_path):
    """A notice sending the plan as 附件, and page numbers left in by a conversion, even inside an item."""
    text, expect = shape("parts-arabic-through")
    lines = text.splitlines()
    lines.insert(4, "附件")
    lines.insert(10, "— 2 —")  # inside item 2, before a paragraph that continues it
    lines.insert(11, "加强调查研究。")
    path = tmp_path / "要点.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_plan(path, tmp_path / "2021.yaml")
    assert [(u.line.number, u.why) for u in result.unplaced] == [(5, "印发通知的附件标记（计划文件不记录）"), (11, "页码")]
    plan = result.plan
    assert plan.title == "中共渭南市科学技术局党组2021年科技工作要点" and len(plan.items) == 5
    assert plan.item(2).text == f"{ITEMS[1][0]}。{ITEMS[1][1]}\n加强调查研究。"
