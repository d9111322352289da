"""A realistic report Document and readers for the docx written from it (shared by the docx tests)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from docx.oxml.ns import qn
from lxml import etree

from kjplan.render.document import Attachment, Document, Imprint, Paragraph, Table
from kjplan.render.lines import count_lines

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}

LONG_TITLE = "渭南市科学技术局关于2020年第二季度科技工作要点落实情况暨下半年科技创新重点工作安排的报告"

_SENTENCES = [
    "今年以来，市科技局坚持以习近平新时代中国特色社会主义思想为指导，紧紧围绕市委、市政府中心工作，",
    "聚焦创新驱动发展战略，着力推进科技创新平台建设、高新技术企业培育和科技成果转移转化，",
    "全市科技工作总体呈现稳中有进、进中提质的良好态势。",
    "上半年，全市新认定省级科技型中小企业二百一十三家，同比增长百分之十八点六，完成年度目标任务的百分之六十二。",
    "组织实施市级科技计划项目八十六项，落实财政科技资金三千二百万元，带动企业研发投入四点六亿元。",
    "围绕现代农业、装备制造、新材料等重点产业，布局建设重点实验室和工程技术研究中心十二个，",
    "引进培育创新创业团队十五个，柔性引进高层次人才四十余名。",
    "同时，认真落实疫情防控常态化要求，帮助企业解决复工复产中的技术难题，",
    "开展科技特派员服务活动，选派科技特派员三百余名深入镇村开展技术指导和培训。",
]


def body_text(seed: int, sentences: int = 6) -> str:
    return "".join(_SENTENCES[(seed + i) % len(_SENTENCES)] for i in range(sentences))


def sample_document(**overrides) -> Document:
    body = [
        Paragraph("body", body_text(0, 4)),
        Paragraph("h1", "一、主要工作进展"),
        Paragraph("h2", "（一）科技创新平台建设稳步推进"),
        Paragraph("body", body_text(1) + "\n" + body_text(2, 3)),
        Paragraph("h2", "（二）高新技术企业培育成效明显"),
        Paragraph("body", body_text(3, 7)),
        Paragraph("h3", "1.强化政策引导"),
        Paragraph("body", body_text(4, 5) + "模板语法如{{ 7*7 }}按原样保留。"),
        Paragraph("h4", "（1）落实研发费用加计扣除政策"),
        Paragraph("body", body_text(5, 6) + "特邀专家吉喆（𠮷字辈）点赞👍。"),
        Paragraph("h1", "二、存在的问题"),
        Paragraph("body", body_text(6, 8)),
        Paragraph("h1", "三、下半年工作安排"),
        Paragraph("body", body_text(7, 9)),
        Paragraph("body", body_text(8, 5)),
    ]
    header = ["序号", "重点工作任务", "责任单位", "进展情况", "完成率"]
    units = ["高新科", "农村科", "成果科", "政策法规科", "办公室"]
    rows = [
        [
            str(i),
            f"推进第{i}项重点科技工作任务落实，加强统筹协调和督促检查",
            units[i % len(units)],
            "已完成阶段目标，正在按计划推进后续工作" if i % 3 else "受疫情影响进度滞后，正在采取措施加快推进",
            f"{40 + i * 3}%",
        ]
        for i in range(1, 17)
    ]
    fields = dict(
        title=LONG_TITLE,
        recipients="中共渭南市委、渭南市人民政府",
        body=body,
        signature="渭南市科学技术局",
        date=dt.date(2020, 7, 6),
        attachments=[
            Attachment("渭南市2020年科技工作要点第二季度推进情况统计表",
                       Table(header, rows, [0.8, 3, 1.2, 3, 0.9])),
        ],
        imprint=Imprint("市委办公室，市人大常委会办公室，市政府办公室，市政协办公室", "渭南市科学技术局办公室",
                        dt.date(2020, 7, 6)),
    )
    fields.update(overrides)
    return Document(**fields)


# --- documents whose pages are known in advance: paragraphs of an exact number of lines ----------------
_POOL = (
    "全市科技系统坚持创新驱动发展战略，着力推进科技创新平台建设，培育壮大高新技术企业，"
    "促进科技成果转移转化，深化科技体制机制改革，优化创新创业生态环境，加强科技人才队伍建设，"
    "扎实开展科技特派员服务，推动科技与经济社会发展深度融合，为全市高质量发展提供有力支撑，"
)
FULL_LINE = 442.2  # points in the 156 mm line


def text_of_lines(lines: int, seed: int = 0) -> str:
    """Chinese text (no Latin, so every renderer breaks it alike) that takes exactly `lines` lines
    as a body paragraph, its last line about half full."""
    pool = _POOL * (lines // 3 + 2)
    for length in range(26 + 28 * (lines - 2) + 12, 28 * lines):
        text = pool[seed % 40 : seed % 40 + length].rstrip("，") + "。"
        if count_lines(text, FULL_LINE - 32, FULL_LINE, 16, -0.25) == lines:
            return text
    raise AssertionError(lines)


SMALL_TABLE = Table(["序号", "事项", "进展"], [[str(i), "推进科技创新平台建设", "按计划推进"] for i in range(1, 4)],
                    [1, 4, 4])
IMPRINT = Imprint("市委办公室，市政府办公室", "渭南市科学技术局办公室", dt.date(2020, 7, 6))


def report(*lines: int, **overrides) -> Document:
    """A short-titled report whose body paragraphs take `lines` lines each (sealed, no attachment):
    title, blank line and 主送 take the first three rows of page 1."""
    fields = dict(
        title="关于科技创新平台建设工作的报告",
        recipients="中共渭南市委",
        body=[Paragraph("body", text_of_lines(n, seed=i * 7)) for i, n in enumerate(lines)],
        signature="渭南市科学技术局",
        attachments=[],
        imprint=IMPRINT,
    )
    fields.update(overrides)
    return sample_document(**fields)


def write(tmp_path: Path, data: bytes, name: str = "report.docx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.fromstring(zf.read(name))


def style_chain(styles: etree._Element, style_id: str | None) -> list[etree._Element]:
    """The style and the styles it is based on, nearest first."""
    chain = []
    while style_id:
        found = styles.xpath("w:style[@w:styleId=$id]", namespaces=NS, id=style_id)
        assert found, f"missing style {style_id}"
        style = found[0]
        chain.append(style)
        based = style.find("w:basedOn", NS)
        style_id = based.get(qn("w:val")) if based is not None else None
    return chain


def effective(
    styles: etree._Element, p: etree._Element, r: etree._Element | None, path: str, attr: str
) -> str | None:
    """A run property as Word resolves it: run, paragraph style chain, Normal, document defaults."""
    sources = []
    if r is not None:
        sources.append(r.find("w:rPr", NS))
    style = p.find("w:pPr/w:pStyle", NS)
    style_id = style.get(qn("w:val")) if style is not None else "Normal"
    for s in style_chain(styles, style_id):
        sources.append(s.find("w:rPr", NS))
    sources.append(styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS))
    return _first_attr(sources, path, attr)


def effective_ppr(styles: etree._Element, p: etree._Element, path: str, attr: str) -> str | None:
    sources = [p.find("w:pPr", NS)]
    style = p.find("w:pPr/w:pStyle", NS)
    style_id = style.get(qn("w:val")) if style is not None else "Normal"
    sources += [s.find("w:pPr", NS) for s in style_chain(styles, style_id)]
    sources.append(styles.find("w:docDefaults/w:pPrDefault/w:pPr", NS))
    return _first_attr(sources, path, attr)


def _first_attr(sources: list, path: str, attr: str) -> str | None:
    """The attribute from the first properties element (direct, then styles, then defaults) that sets it."""
    for props in sources:
        if props is None:
            continue
        found = props.find(path, NS)
        if found is not None and found.get(qn(attr)) is not None:
            return found.get(qn(attr))
    return None


def paragraphs_with_style(document: etree._Element, style_id: str) -> list[etree._Element]:
    return document.xpath(".//w:p[w:pPr/w:pStyle/@w:val=$id]", namespaces=NS, id=style_id)


def text_of(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))
