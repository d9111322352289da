"""Plan documents for the import tests, written by the tests themselves: Word files whose items are
automatic numbered list paragraphs (python-docx, with numbering definitions made here), and text in
the shapes real plans come in."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from kjplan.numerals import cn_number

ABSTRACT_ID = 90


def _abstract(abstract_id: int, levels: list[tuple[str, str]]) -> str:
    """levels: (numFmt, lvlText) for ilvl 0, 1, ..."""
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
        f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="0" w:firstLine="640"/></w:pPr></w:lvl>'
        for i, (fmt, text) in enumerate(levels))
    return (f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            f'<w:multiLevelType w:val="hybridMultilevel"/>{lvls}</w:abstractNum>')


class NumberedDocument:
    """A python-docx document with list definitions of our own (the default template's are not used)."""

    def __init__(self):
        self.doc = docx.Document()
        self.numbering = self.doc.part.numbering_part.element
        self._next_abstract = ABSTRACT_ID
        self._next_num = ABSTRACT_ID

    def define_list(self, levels: list[tuple[str, str]]) -> int:
        """A new abstract list definition; returns its abstractNumId."""
        abstract_id = self._next_abstract
        self._next_abstract += 1
        element = parse_xml(_abstract(abstract_id, levels))
        first_num = self.numbering.find(qn("w:num"))
        if first_num is not None:  # the schema wants every abstractNum before the nums
            first_num.addprevious(element)
        else:
            self.numbering.append(element)
        return abstract_id

    def list_instance(self, abstract_id: int, *, restart: bool = False) -> int:
        """A w:num of the definition; `restart` begins it again at 1 (Word's "restart numbering")."""
        num_id = self._next_num
        self._next_num += 1
        override = ('<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>' if restart else "")
        self.numbering.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'))
        return num_id

    def paragraph(self, text: str, *, num_id: int | None = None, ilvl: int = 0):
        p = self.doc.add_paragraph(text)
        if num_id is not None:
            ppr = p._p.get_or_add_pPr()
            ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))
        return p

    def save(self, path: Path) -> Path:
        self.doc.save(str(path))
        return path


# ------------------------------------------------------------------------- the shapes of issue 13

NOTICE = """\
各县(市、区)科技局,高新区、经开区科技主管部门:
现将《中共渭南市科学技术局党组2021年科技工作要点》印发给你们,请结合实际认真贯彻落实。
中共渭南市科学技术局党组
2021年3月15日
"""
PREAMBLE = "2021年全市科技工作以习近平新时代中国特色社会主义思想为指导，坚持创新驱动发展战略。"
GOALS = ("主要预期目标：国家高新技术企业总数达到11000家，科技型中小企业评价入库超过13000家，"
         "全市技术合同成交额保持在2500亿元以上，全社会研发投入强度保持在5%以上。")
GOAL_TARGETS = [("国家高新技术企业总数", 11000, "家", "level"), ("科技型中小企业评价入库", 13000, "家", "cumulative"),
                ("技术合同成交额", 2500, "亿元", "cumulative"), ("全社会研发投入强度", 5, "%", "level")]
ITEMS = [
    ("加强党的建设", "坚持以习近平新时代中国特色社会主义思想为指导，全面加强党的建设。"),
    ("做好规划编制", "组织实施“十四五”科技创新规划，全年新增省级创新平台10个。"),
    ("培育科技企业", "积极组织企业开展高新技术企业认定，力争新增高新技术企业50家。"),
    ("提升孵化器运营水平", "确保孵化器入驻率达到85%以上。"),
    ("加大科技宣传力度", ""),  # a single sentence: title and text the same
]
ITEM_TARGETS = {2: [("新增省级创新平台", 10, "个", "cumulative")], 3: [("新增高新技术企业", 50, "家", "cumulative")],
                4: [("孵化器入驻率", 85, "%", "level")]}


def item_line(label: str, title: str, body: str) -> str:
    return f"{label}{title}。{body}"


def shape(kind: str) -> tuple[str, dict]:
    """A plan document in one of the shapes of issue 13, and what its import must find."""
    title = "中共渭南市科学技术局党组2021年科技工作要点"
    expect = {"parts": [], "titles": [t for t, _ in ITEMS], "goals": [], "items": ITEM_TARGETS, "issuer": "中共渭南市科学技术局党组",
              "part_of": [None] * 5, "labels": [None] * 5}
    items = [item_line(f"{n}.", t, b) for n, (t, b) in enumerate(ITEMS, 1)]
    if kind == "parts-cn-paren":
        lines = [title, PREAMBLE, "一、强化创新引领"] + [item_line(f"（{cn_number(n)}）", *ITEMS[n - 1]) for n in (1, 2)]
        lines += ["二、优化创新生态"] + [item_line(f"（{cn_number(n)}）", *ITEMS[n + 1]) for n in (1, 2, 3)]
        expect |= {"parts": [(1, "强化创新引领"), (2, "优化创新生态")], "part_of": [1, 1, 2, 2, 2],
                   "labels": ["（一）", "（二）", "（一）", "（二）", "（三）"]}
        return NOTICE + "\n".join(lines) + "\n", expect
    if kind == "parts-arabic-through":
        lines = [title, PREAMBLE, "一、强化创新引领", *items[:2], "二、优化创新生态", *items[2:]]
        expect |= {"parts": [(1, "强化创新引领"), (2, "优化创新生态")], "part_of": [1, 1, 2, 2, 2]}
        return NOTICE + "\n".join(lines) + "\n", expect
    if kind == "goals":
        expect |= {"goals": GOAL_TARGETS}
        return NOTICE + "\n".join([title, PREAMBLE, GOALS, *items]) + "\n", expect
    if kind == "one-sentence":
        short = [item_line(f"{n}.", t, "") for n, (t, _) in enumerate(ITEMS, 1)]
        expect |= {"items": {}, "one_sentence": True}
        return NOTICE + "\n".join([title, PREAMBLE, *short]) + "\n", expect
    if kind == "two-line-title":
        return NOTICE + "\n".join(["中共渭南市科学技术局党组", "2021年科技工作要点", PREAMBLE, *items]) + "\n", expect
    if kind == "dun-hao":
        numbered = [item_line(f"{n}、", t, b) for n, (t, b) in enumerate(ITEMS, 1)]
        return NOTICE + "\n".join([title, PREAMBLE, *numbered]) + "\n", expect
    if kind == "paren-arabic":
        numbered = [item_line(f"（{n}）", t, b) for n, (t, b) in enumerate(ITEMS, 1)]
        expect |= {"labels": [f"（{n}）" for n in range(1, 6)]}
        return NOTICE + "\n".join([title, PREAMBLE, *numbered]) + "\n", expect
    if kind == "space-and-full-stop":  # "1. " with a space, "1．" full-width, half-width punctuation
        numbered = [item_line(f"{n}. " if n % 2 else f"{n}．", t, b).replace("，", ",") for n, (t, b) in enumerate(ITEMS, 1)]
        return NOTICE + "\n".join([title, PREAMBLE, *numbered]) + "\n", expect
    if kind == "no-notice":
        expect |= {"no_notice": True}
        return "\n".join([title, "（2021年3月15日）", PREAMBLE, *items]) + "\n", expect
    raise ValueError(kind)
