"""The imported plan as YAML in the bundled plan's commented style (plans/2020.yaml).

Written by hand rather than dumped, so that the file a clerk opens explains itself: what each field
is, what the source did not say, and which proposed targets still wait for a person's check. Scalars
go through PyYAML's own emitter, so quoting is always right; the result is read back before it is
used (kjplan.plan_import.import_plan), so the text and the model cannot disagree.
"""

from __future__ import annotations

import yaml

from kjplan.numerals import cn_date, format_number
from kjplan.plan import Plan, Target


# libyaml's emitter where present: the pure-Python one takes most of an import's time.
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def scalar(value) -> str:
    """One YAML scalar on one line, quoted only where YAML needs it."""
    if isinstance(value, float):
        return format_number(value)
    text = yaml.dump(value, Dumper=_Dumper, allow_unicode=True, width=2**31 - 1, default_flow_style=True)
    return text.removesuffix("\n...\n").rstrip("\n")


def _text(key: str, value: str, indent: int) -> str:
    pad = " " * indent
    if "\n" in value:  # paragraphs of their own: a literal block keeps each line as it is
        body = "\n".join(f"{pad}  {line}" for line in value.split("\n"))
        return f"{pad}{key}: |-\n{body}"
    return f"{pad}{key}: {scalar(value)}"


def _target(target: Target, indent: int) -> list[str]:
    pad = " " * indent
    lines = [f"{pad}- id: {scalar(target.id)}",
             f"{pad}  name: {scalar(target.name)}",
             f"{pad}  value: {scalar(float(target.value))}",
             f"{pad}  unit: {scalar(target.unit)}",
             f"{pad}  kind: {target.kind}   # {'全年累计的量' if target.kind == 'cumulative' else '某一时点的水平'}（推测，请核对）"
             if target.review else f"{pad}  kind: {target.kind}"]
    if target.source:
        lines.append(f"{pad}  source: {scalar(target.source)}")
    if target.review:
        lines.append(f"{pad}  review: true   # 导入时提出的指标：对照原文核对后删去这一行")
    return lines


HEADER = """\
# {title}（《工作要点》原文，由 kjplan plan import 从 {source} 导入）
#
# 本文件是 kjplan 的计划数据，可以手工编辑：保存后运行 `kjplan check` 检查。
# - 文字一律照录原文，仅把半角的“,”“(”“)”等改为公文用的全角“，”“（”“）”。
# - number：事项序号；title：事项的领头句；text：整段原文（不含序号）{part_note}。
# - lead（牵头科室）、partners（配合单位）：原文没有写明，留空，由各单位按分工填写。
# - targets：原文写明的可量化指标，由导入程序从原文中找出，都标着 review: true（待核对）。
#   请逐条对照 source（原文）核对 name、value、unit 和 kind（cumulative 表示全年累计的量，如资金；
#   level 表示某一时点的水平，如入驻率），可把 id 改为有意义的英文名（如 innovation_fund），
#   核对无误后删去 review: true 这一行；不是指标的，整条删去。原文没有写明数字的，一律不编造指标。
"""


def plan_yaml(plan: Plan, *, source_name: str, issuer_note: str = "", date_note: str = "") -> str:
    part_note = "；part：事项所属部分的编号；label：原文的序号写法" if plan.parts else ""
    out = [HEADER.format(title=plan.title, source=source_name, part_note=part_note).rstrip("\n"), ""]
    out.append(f"year: {plan.year}")
    out.append(_text("title", plan.title, 0))
    out.append(f"issuer: {scalar(plan.issuer)}   # 发文机关{issuer_note}，也是季度报告的署名")
    out.append(f"date: {plan.date.isoformat()}   # 成文日期（{date_note or '原文：' + cn_date(plan.date)}）")
    if plan.recipients:
        out.append("recipients:   # 印发通知的主送机关")
        out += [f"  - {scalar(r)}" for r in plan.recipients]
    else:
        out.append("recipients: []   # 原文没有印发通知的主送机关")
    out.append(_text("notice", plan.notice, 0) if plan.notice else "notice:   # 原文没有印发通知")
    out.append(_text("preamble", plan.preamble, 0) if plan.preamble else "preamble:   # 原文在事项之前没有导语")
    if plan.targets:
        out += ["", "targets:   # 全局指标（主要预期目标）：整个计划的目标，不属于某一事项"]
        for target in plan.targets:
            out += _target(target, 2)
    if plan.parts:
        out += ["", "parts:   # 计划的各部分（一、二、……）"]
        for part in plan.parts:
            out += [f"  - number: {part.number}", _text("title", part.title, 4)]
    out += ["", "items:"]
    for item in plan.items:
        out += ["", f"  - number: {item.number}", _text("title", item.title, 4), _text("text", item.text, 4)]
        if item.part is not None:
            out.append(f"    part: {item.part}")
        if item.label is not None:
            out.append(f"    label: {scalar(item.label)}   # 原文的序号")
        out.append(f"    lead: {scalar(item.lead)}" if item.lead else "    lead:        # 牵头科室：原文未写明")
        out.append("    partners: [] # 配合单位：原文未写明" if not item.partners
                   else "    partners: [" + ", ".join(scalar(p) for p in item.partners) + "]")
        if item.targets:
            out.append("    targets:")
            for target in item.targets:
                out += _target(target, 6)
        else:
            out.append("    targets: []")
    return "\n".join(out) + "\n"
