"""`kjplan plan import`: a new year's 工作要点 from the document itself (.docx, .txt, .md).

    reader (txt/md, docx) -> Source lines -> structure (notice, title, preamble, parts, items)
      -> proposed targets -> Plan (validated) -> YAML in the bundled plan's style -> plans/<year>.yaml

Nothing is invented: every field comes from the document (or from --year/--issuer/--date when the
document does not say), targets are proposals marked `review: true`, and what could not be placed is
reported with its line number. The file is written only when it loads back as a valid plan, and an
existing plan is replaced only with `force`.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from kjplan.errors import DataError, DataErrors, KjplanError
from kjplan.fsutil import atomic_write
from kjplan.plan import Plan, Target, load_plan
from kjplan.plan_import.source import Source
from kjplan.plan_import.structure import Structure, Unplaced, parse_structure
from kjplan.plan_import.targets import Proposal, propose

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
WORD_SUFFIXES = {".docx", ".docm"}
_REFUSED = {".doc": "旧版 Word 文档（.doc）", ".wps": "WPS 文档（.wps）", ".pdf": "PDF 文件", ".rtf": "RTF 文档"}


def read_document(path: Path | str) -> Source:
    """The document's lines, by its kind (suffix): docx, txt or md."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise DataError(path, None, "文件不存在")
    if path.is_dir():
        raise DataError(path, None, "这是一个文件夹，不是文件")
    if suffix in _REFUSED:
        raise DataError(path, None, f"不能直接读取{_REFUSED[suffix]}：请在 Word 或 WPS 中另存为 .docx（Word 文档）"
                                    "或 .txt（纯文本）后再导入")
    if suffix in WORD_SUFFIXES:
        from kjplan.plan_import.docx import read_docx

        return read_docx(path)
    from kjplan.plan_import.text import read_text

    if suffix in TEXT_SUFFIXES or suffix in MARKDOWN_SUFFIXES:
        return read_text(path, markdown=suffix in MARKDOWN_SUFFIXES)
    raise DataError(path, None, f"不认识的文件类型“{path.suffix or '（无后缀）'}”：可导入 .docx、.txt 或 .md 文件")


@dataclass
class ProposedTarget:
    item: int | None  # None: plan-wide
    target: Target
    line: int  # where its sentence is in the source


@dataclass
class ImportResult:
    plan: Plan
    yaml: str
    source: Source
    structure: Structure
    path: Path | None = None  # the file written (None: not written)
    proposed: list[ProposedTarget] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things the user should know (where fields came from)

    @property
    def unplaced(self) -> list[Unplaced]:
        return self.structure.unplaced


def _targets(proposals: list[Proposal], prefix: str) -> list[Target]:
    return [Target(id=f"{prefix}_{n}", name=p.name, value=p.value, unit=p.unit, kind=p.kind, source=p.source,
                   review=True) for n, p in enumerate(proposals, start=1)]


def _line_of(text: str, lines) -> int:
    return next((line.number for line in lines if text in line.text), lines[0].number if lines else 0)


def build_plan(source: Source, *, year: int | None = None, issuer: str | None = None,
               date: dt.date | None = None) -> tuple[Plan, Structure, list[ProposedTarget], list[str]]:
    """The plan the document states, with proposed targets. Raises KjplanError naming what is missing."""
    structure = parse_structure(source.lines)
    path = source.path
    if not structure.items:
        raise KjplanError(
            f"{path}：没有找到编号的事项（如“1.加强……。”“（一）……”“1、……”），没有写入任何文件。"
            f"请确认这是工作要点的正文；共读到 {len(source.lines)} {source.unit}文字")
    notes = list(source.notes) + structure.notes
    if structure.title is None:
        raise KjplanError(f"{path}：没有找到计划的标题（事项之前单独一行的短标题，如“……2021年科技工作要点”），没有写入任何文件")
    title_year = structure.year
    if year is None:
        if title_year is None:
            raise KjplanError(f"{path}：标题“{structure.title}”中没有年份，请用 --year 写明计划年度，如 --year 2021")
        year = title_year
    elif title_year is not None and title_year != year:
        notes.append(f"标题中的年份是 {title_year} 年，按 --year 写为 {year} 年的计划")
    issuer_from = structure.issuer_from
    if issuer is None:
        issuer = structure.issuer
        if issuer is None:
            raise KjplanError(f"{path}：原文没有写明发文机关（通知落款或标题开头），请用 --issuer 写明，"
                              "如 --issuer 中共渭南市科学技术局党组")
        if issuer_from == "title":
            notes.append(f"发文机关“{issuer}”取自标题（原文没有印发通知的落款）")
    else:
        issuer_from = "option"
    if date is None:
        date = structure.date
        if date is None:
            raise KjplanError(f"{path}：原文没有写明成文日期，请用 --date 写明，如 --date {year}-03-15")
    proposed: list[ProposedTarget] = []
    plan_targets = _targets([p for line in structure.goals_lines for p in propose(line.text)], "overall")
    if not structure.goals_lines:
        plan_targets = _targets([p for line in structure.preamble_lines for p in propose(line.text)], "overall")
    for target in plan_targets:
        proposed.append(ProposedTarget(None, target, _line_of(target.source, structure.preamble_lines)))
    items = []
    for item in structure.items:
        targets = _targets(propose(item.text), f"item{item.number}")
        proposed += [ProposedTarget(item.number, t, item.line) for t in targets]
        items.append({"number": item.number, "title": item.title, "text": item.text, "part": item.part,
                      "label": item.label, "targets": targets})
    data = {
        "year": year, "title": structure.title, "issuer": issuer, "date": date,
        "recipients": structure.recipients, "notice": structure.notice, "preamble": structure.preamble,
        "targets": plan_targets, "parts": [{"number": p.number, "title": p.title} for p in structure.parts],
        "items": items,
    }
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise _content_errors(exc, source, structure) from None
    return plan, structure, proposed, notes


def _content_errors(exc: ValidationError, source: Source, structure: Structure) -> DataErrors:
    """What the plan model refuses (a character Word cannot hold, say), at its line in the document."""
    from kjplan.loading import describe_error, field_path

    first_line = {"title": structure.title_lines[0] if structure.title_lines else None,
                  "preamble": structure.preamble_lines[0].number if structure.preamble_lines else None}
    errors = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        if loc[:1] == ("items",) and len(loc) > 1 and isinstance(loc[1], int):
            line = structure.items[loc[1]].line
        else:
            line = first_line.get(loc[0]) if loc else None
        errors.append(DataError(source.path, line, f"{field_path(loc)}：{describe_error(err)}"))
    return DataErrors(errors)


def import_plan(document: Path | str, out: Path | str | None = None, *, plans_dir: Path | None = None,
                year: int | None = None, issuer: str | None = None, date: dt.date | None = None,
                force: bool = False, write: bool = True) -> ImportResult:
    """Read `document`, build the plan and (with `write`) save it as `out`, or as <year>.yaml in
    `plans_dir` once the year is known.

    Raises KjplanError, writing nothing, when the document holds no items, when a field the plan needs
    is neither in the document nor given, or when the file exists and `force` is not set."""
    from kjplan.plan_import.writer import plan_yaml

    if (out is None) == (plans_dir is None):
        raise TypeError("give exactly one of out and plans_dir")
    source = read_document(document)
    plan, structure, proposed, notes = build_plan(source, year=year, issuer=issuer, date=date)
    out = Path(out) if out is not None else Path(plans_dir) / f"{plan.year}.yaml"
    if write and out.exists() and not force:
        raise KjplanError(f"{out} 已存在，没有覆盖；确要用导入的内容替换它，请加 --force")
    issuer_note = {"title": "（取自标题）", "option": "（由 --issuer 给出）"}.get(
        structure.issuer_from if issuer is None else "option", "")
    date_note = "由 --date 给出" if date is not None else ""
    text = plan_yaml(plan, source_name=Path(document).name, issuer_note=issuer_note, date_note=date_note)
    _check_round_trip(text, plan, out)
    result = ImportResult(plan=plan, yaml=text, source=source, structure=structure, proposed=proposed, notes=notes)
    if write:
        try:
            atomic_write(out, text.encode("utf-8"), overwrite=force)
        except FileExistsError:
            raise KjplanError(f"{out} 已存在，没有覆盖；确要用导入的内容替换它，请加 --force") from None
        result.path = out
    return result


def _check_round_trip(text: str, plan: Plan, out: Path) -> None:
    """The YAML we are about to write must load (with every check `kjplan check` makes) as this plan."""
    with tempfile.TemporaryDirectory(prefix="kjplan-import-") as tmp:
        probe = Path(tmp) / out.name
        probe.write_text(text, encoding="utf-8")
        try:
            loaded = load_plan(probe)
        except KjplanError as exc:
            message = exc.message.replace(str(probe), str(out))
            raise KjplanError(f"导入的计划未通过检查，没有写入：\n{message}") from None
    if loaded.model_dump() != plan.model_dump():
        raise KjplanError("内部错误：写出的计划文件与导入的内容不一致，没有写入；请把原文件发给维护人员")
