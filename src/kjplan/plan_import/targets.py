"""Proposed targets: the clauses of a plan that state a figure to reach, never anything more.

A clause (the text between "。", "；", "，" or "：") proposes a target when a verb of reaching
("达到/达/突破/超过/不低于/保持在/新增/培育…") is followed by an Arabic number and a unit
("1亿元", "80%", "11000家"), perhaps with "以上/左右". The name is what the clause says reaches the
figure: the words before the verb ("孵化器入驻率达到80%" -> 孵化器入驻率), or the verb and its object
when the figure follows them ("新增省级平台10个" -> 新增省级平台). Leading words of intent, time and
place ("力争", "确保", "2020年", "全市") are not part of a name.

`kind` is a guess, said as one: rates, shares, intensities and totals are `level` (read at a point);
amounts raised, added or completed over the year are `cumulative`. Every proposal is marked for review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from kjplan.records import MAX_FIGURE

# Verbs after which the figure comes at once ("达到80%"), longest first so that 达到 wins over 达.
_REACH = ["保持在", "提高到", "提升到", "提高至", "提升至", "增长到", "增加到", "控制在", "稳定在", "不低于", "不少于",
          "达到", "突破", "超过", "超", "达", "增长", "提高", "提升", "增加", "累计"]
# Verbs of a change: the name keeps the verb ("研发投入增长" 10%).
_CHANGE = {"增长", "提高", "提升", "增加"}
# Verbs that may take an object before the figure. What they count keeps the verb ("新增省级平台" 10个);
# after the plain ones the object alone is the name ("实现技术合同成交额" -> 技术合同成交额).
_ADD_NAMED = ["新增", "培育", "引进", "建成", "新建", "认定", "举办", "开展", "组织", "登记", "入库", "孵化", "实施",
              "支持", "推广", "带动", "吸引", "培训", "服务", "打造", "创建", "申报", "签订", "转化", "募集", "发放",
              "兑现", "帮助"]
_ADD_PLAIN = ["完成", "实现", "争取", "落实"]
_ADD = _ADD_NAMED + _ADD_PLAIN
_UNITS = ["个百分点", "万人次", "人次", "场次", "项次", "亿元", "万元", "万亿", "千米", "公里", "平方米", "万平方米", "万人",
          "万家", "万户", "万亩", "万吨", "万台", "万件", "%", "％", "元", "亿", "万", "个", "家", "项", "人", "名", "位",
          "件", "次", "场", "所", "户", "亩", "台", "套", "篇", "部", "批", "期", "处", "座", "条", "支", "份", "吨", "倍",
          "款", "种", "门", "届", "天"]
_NUMBER = r"(?<![0-9.．第])([0-9]+(?:[.．][0-9]+)?)"
_UNIT = "(" + "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True)) + ")"
_FIGURE = re.compile(_NUMBER + r"\s*" + _UNIT + r"\s*(以上|左右|以内)?")
_REACH_RE = re.compile("(" + "|".join(sorted(_REACH, key=len, reverse=True)) + r")\s*$")
_CLAUSE = re.compile(r"[^。；;，,：:！？!?\n]+")
# Words that open a clause without naming anything: intent, time, place.
_FILLER = re.compile(r"^(?:力争|确保|争取|努力|力求|推动|促进|使|让|全年|年内|今年|当年|到年底|年底前|年底|全市|全区|全县|全省|"
                     r"[0-9]{4}年(?:底|末)?|到[0-9]{4}年(?:底|末)?|截至[0-9]{4}年(?:底|末)?|其中|以上|实现|我市)+")
_LEVEL_WORDS = re.compile(r"率|比例|比重|占比|强度|总数|总量|总额|保有量|存量|水平|指数|密度|覆盖|人均|均值|平均")
_CUMULATIVE_WORDS = re.compile(r"新增|募集|引进|培育|完成|实现|认定|登记|入库|举办|开展|建成|新建|签订|转化|发放|兑现|"
                               r"成交额|交易额|投入|数量|项目")
_FULL = str.maketrans("０１２３４５６７８９．％", "0123456789.%")


@dataclass(frozen=True)
class Proposal:
    name: str
    value: float
    unit: str
    kind: str  # "level" or "cumulative"
    source: str  # the clause, word for word


def _strip_filler(text: str) -> str:
    return _FILLER.sub("", text.strip()).strip(" 的")


def _kind(name: str, unit: str, verb: str) -> str:
    if unit in ("%", "％", "个百分点"):
        return "level"
    if _LEVEL_WORDS.search(name):
        return "level"
    if verb in _ADD or _CUMULATIVE_WORDS.search(name):
        return "cumulative"
    return "level" if verb in ("保持在", "稳定在", "控制在", "不低于") else "cumulative"


def _value(text: str) -> float:
    return float(Decimal(text.translate(_FULL)))


def propose(text: str) -> list[Proposal]:
    """Every figure to reach that the text states, in order."""
    out: list[Proposal] = []
    for clause_match in _CLAUSE.finditer(text):
        clause = clause_match.group().strip()
        probe = clause.translate(_FULL)  # same length: positions agree with the clause
        previous_end = 0
        verb_for_list = None  # "新增高新技术企业50家、科技型中小企业200家": the verb carries over "、"
        for figure in _FIGURE.finditer(probe):
            before = probe[previous_end:figure.start()]
            name, verb = _name_and_verb(clause[previous_end:figure.start()], before, verb_for_list)
            previous_end = figure.end()
            if name is None:
                continue
            verb_for_list = verb if verb in _ADD else None
            unit = "%" if figure.group(2) == "％" else figure.group(2)
            if not 0 < _value(figure.group(1)) <= MAX_FIGURE:  # "新增0个" states no target
                continue
            out.append(Proposal(name=name, value=_value(figure.group(1)), unit=unit, kind=_kind(name, unit, verb),
                                source=clause))
    return out


def _name_and_verb(original: str, probe: str, carried: str | None) -> tuple[str | None, str]:
    """The name of the figure that follows `original` (the clause up to the figure), and its verb."""
    reach = _REACH_RE.search(probe)
    if reach is not None:  # "孵化器入驻率达到" 80%
        subject = _strip_filler(original[: reach.start()].lstrip("、"))
        verb = reach.group(1)
        if subject:
            return subject + (verb if verb in _CHANGE else ""), verb
        return None, verb
    best = None
    for verb in _ADD:  # the first verb of the clause: "组织开展培训" 20场次 is all one name
        at = probe.find(verb)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, verb)
    if best is not None:  # "新增省级平台" 10个
        at, verb = best
        obj = original[at + len(verb):].strip()
        if obj and len(obj) <= 20 and not re.search(r"[0-9]", obj):
            return (verb if verb in _ADD_NAMED else "") + obj, verb
        return None, verb
    if carried and probe.startswith("、"):  # "、科技型中小企业" 200家 after "新增高新技术企业50家"
        obj = original.lstrip("、").strip()
        if obj and len(obj) <= 20:
            return carried + obj, carried
    return None, ""
