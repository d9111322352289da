"""`kjplan add-progress` in a terminal: a conversation that asks for one record, checks every answer at
once, and never loses what was typed.

Asked in order: the item (its number or words of its title), the quarter (today's by default), the date
(only when today is outside the plan's year), the reporting unit (a numbered menu of the settings'
units), the figures of the item's targets (with their units shown) or its status, the progress text
(in $VISUAL/$EDITOR when one is set, otherwise typed lines ending with an empty line), problems and next
steps (optional). A wrong answer is explained and asked again. A summary is shown and confirmed before
anything is written. If writing fails once text was typed, everything typed is kept in a draft file in
the workspace (drafts/), a records file that `kjplan add-progress --from` takes as it is. Ctrl-C at any
point writes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from kjplan import fields
from kjplan.errors import KjplanError, shell_path

SKIP = "直接回车跳过"
NOT_UTF8 = "输入的文字不是 UTF-8 编码（终端可能是 GBK），请把终端的编码改为 UTF-8 后重新输入"


class Cancelled(Exception):
    """Ctrl-C or end of input: the conversation stops and nothing is written."""


def say(text: str = "") -> None:
    typer.echo(text, err=True)


def ask(label: str, check: Callable[[str], Any], *, default: str | None = None) -> Any:
    """Ask until `check` takes the answer (it raises ValueError/KjplanError with the reason)."""
    while True:
        try:
            answer = typer.prompt(label, default=default, show_default=default not in (None, ""),
                                  prompt_suffix="：", err=True, type=str)
        except typer.Abort:
            raise Cancelled from None
        except UnicodeDecodeError:
            say(f"  {NOT_UTF8}。")
            continue
        try:
            return check(answer.strip())
        except (ValueError, KjplanError) as exc:
            say(f"  {exc}，请重新输入。" if not str(exc).endswith(("。", "？")) else f"  {exc}请重新输入。")


def confirm(label: str, default: bool = False) -> bool:
    try:
        return typer.confirm(label, default=default, err=True, prompt_suffix="：")
    except typer.Abort:
        raise Cancelled from None


def read_lines(label: str, *, required: bool) -> str:
    """Lines typed at the terminal, ending with an empty line (prompts on stderr: stdout holds the id)."""
    say(label)
    lines: list[str] = []
    while True:
        sys.stderr.write("  " if lines else "> ")
        sys.stderr.flush()
        try:
            line = input()
        except (EOFError, KeyboardInterrupt):
            raise Cancelled from None
        except UnicodeDecodeError:
            say(f"  {NOT_UTF8}（这一行没有记下）。")
            continue
        if not line.strip():
            if lines or not required:
                return "\n".join(lines).strip()
            say("  进展情况不能为空，请输入（输入一个空行结束）。")
            continue
        lines.append(line)


def configured_editor() -> str | None:
    """$VISUAL or $EDITOR, when one is set (a clerk's terminal usually has neither: then lines are typed)."""
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


class EditorFailed(KjplanError):
    """The editor exited with an error; `text` is what its file held then (kept in a draft)."""

    def __init__(self, message: str, text: str):
        super().__init__(message)
        self.text = text


NOTE = "# kjplan："  # the editor file's own notes start so; nothing the clerk writes is dropped (not even "#1 …")


def _uncommented(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith(NOTE)).strip()


def open_editor(template: str, editor: str) -> str:
    """Open `editor` (as $VISUAL/$EDITOR name it) on a temporary file holding `template`; return what was saved."""
    import os
    import subprocess
    import tempfile

    from kjplan.loading import decode_utf8

    fd, name = tempfile.mkstemp(prefix="kjplan-progress-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(template)
        # Through the shell, as git runs core.editor: EDITOR may hold options ("code --wait").
        quoted = f'"{name}"' if os.name == "nt" else __import__("shlex").quote(name)
        try:
            code = subprocess.call(f"{editor} {quoted}", shell=True)
        except OSError as exc:
            code, _ = 127, exc
        with open(name, "rb") as fh:
            saved = decode_utf8(fh.read(), "编辑器中保存的内容")
        if code != 0:
            raise EditorFailed(f"编辑器“{editor}”没有正常退出（退出码 {code}），没有写入任何记录。"
                               "可设置环境变量 EDITOR 指定编辑器，或直接用 --text 写进展情况", _uncommented(saved))
        return saved
    finally:
        try:
            os.unlink(name)
        except OSError:
            pass


def write_progress_text(item, *, ask_again: bool = True) -> str:
    """The progress text: in the configured editor, or typed lines; never empty."""
    editor = configured_editor()
    while True:
        if editor is None:
            text = read_lines("进展情况：请输入，可以写多行；写完后输入一个空行结束。", required=True)
        else:
            say(f"正在打开编辑器（{editor}）写进展情况：写完后保存文件并关闭编辑器即可"
                "（vi：按 Esc，输入 :wq 回车；nano：按 Ctrl-O 回车，再按 Ctrl-X）。")
            template = (f"\n{NOTE}请在上面写第 {item.number} 项“{item.title}”的进展情况。\n"
                        f"{NOTE}以“{NOTE}”开头的这两行会被去掉；保存并关闭编辑器即完成。\n")
            text = _uncommented(open_editor(template, editor))
        try:
            return fields.parse_text(text, required=True)
        except ValueError as exc:
            if not ask_again:
                raise KjplanError(f"进展情况{exc}，已取消，没有写入任何记录") from None
            say(f"  进展情况{exc}。")
            if editor is not None and not confirm("重新打开编辑器吗？", default=True):
                raise Cancelled from None


# ------------------------------------------------------------------------------------------- drafts

def save_draft(ws, answers: dict[str, Any], reason: str, now: dt.datetime | None = None) -> Path:
    """Everything typed, as a records file in the workspace's drafts/ folder (a YAML list of one record
    with Chinese keys, which `add-progress --from` reads), so that nothing typed is lost."""
    import yaml

    now = now or dt.datetime.now()
    folder = ws.root / "drafts"
    folder.mkdir(exist_ok=True)
    path = folder / f"进展草稿-{now:%Y%m%d-%H%M%S}.yaml"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"进展草稿-{now:%Y%m%d-%H%M%S}-{n}.yaml"
    labels = {"item": "事项", "quarter": "季度", "date": "日期", "unit": "报送单位", "status": "状态",
              "metrics": "指标", "text": "进展情况", "problems": "存在问题", "next": "下步打算"}
    record = {labels[k]: v for k, v in answers.items() if k in labels and v not in (None, "", {})}

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper, value):
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    body = yaml.dump([record], Dumper=Dumper, allow_unicode=True, sort_keys=False, width=1000)
    note = " ".join(reason.split())
    path.write_text(f"# kjplan add-progress 没有完成的登记（{now:%Y-%m-%d %H:%M}）：{note}\n"
                    f"# 改好后运行：kjplan add-progress --from {shell_path(path)}\n{body}", encoding="utf-8")
    return path


def draft_message(path: Path) -> str:
    return (f"已把这次填写的内容保存在 {path}；\n"
            f"改正后可用 kjplan add-progress --from {shell_path(path)} 登记（不必重新输入）")


# ---------------------------------------------------------------------------------- the conversation

def _item_list(plan) -> None:
    from kjplan.cli.wrap import shorten
    from kjplan.tables import console

    columns = max(console(stderr=True).width - 6, 20)
    for item in plan.items:
        say(f"{item.number:>4}. {shorten(item.title, columns)}")


def _unit(ws) -> str:
    """The reporting unit, required: a numbered menu of the settings' units, or typed when there is none."""
    units = list(ws.settings.units)

    def pick(answer: str) -> str:
        if units and answer.isdigit() and 1 <= int(answer) <= len(units):
            return units[int(answer) - 1]
        unit = fields.parse_unit(answer, units)
        if not unit:
            raise ValueError("报送单位不能为空")
        return unit

    if not units:
        return ask("报送单位（科室或县市区，如 成果转化科）", pick)
    say("报送单位：")
    for n, unit in enumerate(units, 1):
        say(f"{n:>4}. {unit}")
    return ask(f"报送单位（写序号 1-{len(units)} 或单位名称）", pick)


def _figures(ws, plan, item) -> tuple[dict[str, str], bool]:
    """The item's figures as typed ({target name: '6000万'}), each checked at once; and whether one of
    them was confirmed past the sanity limits (--force)."""
    from kjplan import progress
    from kjplan.numerals import format_quantity

    typed: dict[str, str] = {}
    forced = False
    for target in item.targets:
        kind = "全年累计：填这次新增的量" if target.kind == "cumulative" else "填现在达到的水平"
        label = (f"{target.name}（目标 {format_quantity(target.value, target.unit)}，{kind}，"
                 f"{fields.accepted_forms(target).removeprefix('请')}；{SKIP}）")

        def check(answer: str, target=target) -> str | None:
            nonlocal forced
            if not answer:
                return None
            try:
                value = fields.parse_figure(answer, target)
            except fields.Implausible as exc:
                say(f"  {exc.reason}。")
                if not confirm("数值确实如此吗？", default=False):
                    raise ValueError("没有记下这个数值") from None
                forced = True
                return answer
            if target.kind == "cumulative":
                total = progress.year_total(ws, plan, target.id) + value
                if total > 10 * target.value:
                    say(f"  加上这条，全年累计将达到 {format_quantity(total, target.unit)}，是目标的 "
                        f"{total / target.value:.1f} 倍。")
                    if not confirm("数值确实如此吗？", default=False):
                        raise ValueError("没有记下这个数值") from None
                    forced = True
            return answer

        answer = ask(label, check, default="")
        if answer:
            typed[target.name] = answer
    return typed, forced


def ask_item(plan):
    _item_list(plan)
    return ask(f"事项（写序号 {min(plan.numbers)}-{max(plan.numbers)}，或事项名称中的词）",
               lambda a: fields.parse_item(plan, a))


def ask_status(item, has_figures: bool) -> str | None:
    from kjplan.records import STATUSES

    menu = "　".join(f"{n}. {s}" for n, s in enumerate(STATUSES, 1))
    optional = has_figures

    def pick(answer: str) -> str | None:
        if not answer and optional:
            return None
        if answer.isdigit() and 1 <= int(answer) <= len(STATUSES):
            return STATUSES[int(answer) - 1]
        if not answer:
            raise ValueError("请选择状态")
        return fields.parse_status(answer)

    hint = f"；{SKIP}则按指标数值推算" if optional else ""
    return ask(f"进展状态（{menu}{hint}）", pick, default="" if optional else None)


def summary(plan, answers: dict[str, Any], today: dt.date) -> None:
    item = plan.item(answers["item"])
    say("")
    say("请核对：")
    rows = [("事项", f"{item.number}. {item.title}"), ("季度", answers["quarter"]),
            ("日期", str(answers.get("date") or f"{today}（今天）")), ("报送单位", answers["unit"]),
            ("指标", "；".join(f"{k} {v}" for k, v in answers.get("metrics", {}).items()) or "—"),
            ("状态", answers.get("status") or ("按指标推算" if answers.get("metrics") else "—")),
            ("进展情况", answers["text"]), ("存在问题", answers.get("problems") or "—"),
            ("下步打算", answers.get("next") or "—")]
    for label, value in rows:
        lines = str(value).split("\n")
        say(f"  {label}：{lines[0]}")
        for line in lines[1:]:
            say(f"  {'':{len(label) * 2}}  {line}")


def converse(ws, plan, today: dt.date, answers: dict[str, Any]) -> bool:
    """The whole conversation, filling `answers` (keys as add_progress takes them) as it goes, so that
    what was typed survives a Ctrl-C; returns whether a figure was confirmed past its limits (--force)."""
    from kjplan.periods import Quarter

    say("登记一条进展记录。每一项输入后按回车；随时可按 Ctrl-C 取消，不会写入任何内容。")
    say("")
    item = ask_item(plan)
    answers["item"] = item.number
    in_year = today.year == plan.year

    def which(answer: str):
        quarter = fields.parse_quarter(answer, plan.year, today)
        if quarter.start > today:
            raise ValueError(f"{quarter.code} 从 {quarter.start} 开始，今天还不能登记这个季度的进展")
        return quarter

    quarter = ask("季度（如 2 或 第二季度）", which, default=str(Quarter.of_date(today).number) if in_year else None)
    answers["quarter"] = quarter.code
    if not in_year:  # nothing is stamped with a today outside the plan's year: the date is asked for
        def day(answer: str) -> dt.date:
            value = fields.parse_date(answer)
            if value.year != plan.year:
                raise ValueError(f"{value} 不在 {plan.year} 年内")
            if value < quarter.start:
                raise ValueError(f"{value} 早于 {quarter.code} 的开始（{quarter.start}）")
            return value

        answers["date"] = ask(f"进展的日期（今天（{today}）不在 {plan.year} 年内，请写明，如 {quarter.end}）", day)
    answers["unit"] = _unit(ws)
    metrics, forced = _figures(ws, plan, item) if item.targets else ({}, False)
    answers["metrics"] = metrics
    answers["status"] = ask_status(item, bool(metrics))
    answers["text"] = write_progress_text(item)
    answers["problems"] = read_lines(f"存在问题（可以写多行，输入一个空行结束；没有就{SKIP}）：", required=False)
    answers["next"] = read_lines(f"下步打算（可以写多行，输入一个空行结束；没有就{SKIP}）：", required=False)
    return forced


def cancel(ws, answers: dict[str, Any]) -> None:
    """Ctrl-C: nothing written; what was typed is kept when there is text. Exits 130."""
    say("")
    say("已取消，没有写入任何记录。")
    if answers.get("text"):
        say(draft_message(save_draft(ws, answers, "已取消")))
    raise typer.Exit(130)


def run(ws, plan, today: dt.date, *, by: str | None, force: bool, allow_duplicate: bool):
    """The guided entry, from the first question to the record written (its entry returned)."""
    from kjplan import progress

    answers: dict[str, Any] = {}
    try:
        forced = converse(ws, plan, today, answers)
        summary(plan, answers, today)
        if not confirm("登记这条记录吗？", default=True):
            raise Cancelled
    except (Cancelled, KeyboardInterrupt):
        cancel(ws, answers)
    except EditorFailed as exc:  # keep what the editor's file held
        if exc.text:
            answers["text"] = exc.text
            raise KjplanError(f"{exc.message}\n{draft_message(save_draft(ws, answers, exc.message))}",
                              exit_code=exc.exit_code) from None
        raise
    values = {k: answers.get(k) for k in ("item", "quarter", "date", "unit", "status", "text", "problems", "next")}
    try:
        return progress.add_progress(ws, plan, today=today, by=by, metrics=answers.get("metrics") or None,
                                     force=force or forced, allow_duplicate=allow_duplicate,
                                     **{k: (v or None) if k in ("problems", "next") else v for k, v in values.items()})
    except KjplanError as exc:
        path = save_draft(ws, answers, exc.message)
        raise KjplanError(f"没有登记：{exc.message}\n{draft_message(path)}", exit_code=exc.exit_code) from None


def is_terminal() -> bool:
    return sys.stdin.isatty()
