"""Workspaces for the benchmarks: ledgers of any size, the example, and the same report as HTML (for pandoc).

The ledgers are written directly as JSON lines (the format kjplan.ledger.encode writes), because
building 100,000 pydantic entries only to serialise them again would make the set-up slower than the
benchmark. A test (tests/test_speed_caches.py) checks that these lines load as the ledger's own.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path

TODAY = "2020-12-20"
UNITS = ["成果转化科", "蒲城县科技局", "高新区", "办公室", "科技合作科"]
PHRASES = ["召开专题推进会", "组织企业开展技术对接", "完成项目申报材料审核", "开展政策宣讲培训",
           "深入县市区调研指导", "推进平台建设", "落实科技特派员服务", "开展成果转化对接活动"]


def _line(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def ledger_lines(plan, size: int, *, seed: int = 2020, quarter: str | None = None) -> list[bytes]:
    """`size` ledger lines of the plan's year: records of every item, 5% amendments, 1% retractions.

    quarter: put every record in that quarter (the report benchmark), else spread over the year."""
    rng = random.Random(seed)
    tz = dt.timezone(dt.timedelta(hours=8))
    start = dt.datetime(plan.year, 1, 2, 9, tzinfo=tz)
    lines, originals = [], []
    for n in range(size):
        created = start + dt.timedelta(seconds=n * 29 if quarter is None else n)
        roll = rng.random()
        entry_id = f"{rng.getrandbits(64):016x}"
        if originals and roll < 0.05:
            base = rng.choice(originals)
            lines.append(_line({**base, "type": "amend", "id": entry_id, "created": created.isoformat(),
                                "text": base["text"] + "（更正）", "supersedes": base["id"]}))
            continue
        if originals and roll < 0.06:
            lines.append(_line({"type": "retract", "id": entry_id, "created": created.isoformat(), "by": "李四",
                                "retracts": rng.choice(originals)["id"], "reason": "重复登记"}))
            continue
        item = plan.items[n % len(plan.items)]
        if quarter is None:
            day = min(created.date(), dt.date(plan.year, 12, 20))
            code = f"{plan.year}Q{(day.month - 1) // 3 + 1}"
        else:
            code = quarter
            first_month = 3 * (int(code[-1]) - 1) + 1
            day = dt.date(plan.year, first_month, 1) + dt.timedelta(days=rng.randint(0, 89))
        # Money in amounts that add up over the year to about what the plan targets, however many records:
        # add-progress refuses a figure that takes a year's total past ten times its target.
        metrics = {t.id: round(rng.uniform(0, 10 / size), 6) if t.unit == "亿元" else round(rng.uniform(0, 90), 4)
                   for t in item.targets}
        text = "；".join(rng.sample(PHRASES, 3)) + f"，累计服务企业{rng.randint(1, 300)}家（第{n + 1}条）。"
        record = {
            "type": "progress", "id": entry_id, "created": created.isoformat(), "by": "张三",
            "item": item.number, "quarter": code, "date": day.isoformat(), "text": text,
            "status": None if metrics else rng.choice(["已完成", "序时推进", "滞后"]),
            "unit": rng.choice(UNITS), "metrics": metrics,
            "problems": "资金到位偏慢。" if n % 7 == 0 else "", "next": "加快推进。" if n % 5 == 0 else "",
        }
        originals.append(record)
        lines.append(_line(record))
    return lines


def workspace(root: Path, size: int, *, quarter: str | None = None):
    """A new workspace (kjplan init) whose 2020 ledger holds `size` lines."""
    from kjplan.workspace import init_workspace

    ws = init_workspace(root)
    _open_units(ws)
    path = ws.progress_path(2020)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"".join(ledger_lines(ws.plan(2020), size, quarter=quarter)))
    return ws


def _open_units(ws) -> None:
    """Take any unit name (init lists only the plan notice's recipients)."""
    settings = ws.settings_path
    lines = settings.read_text(encoding="utf-8").splitlines(keepends=True)
    out, skipping = [], False
    for line in lines:
        if line.startswith("units:"):
            out.append("units: []\n")
            skipping = True
            continue
        if skipping and (line.startswith((" ", "-", "\t")) or not line.strip()):
            continue
        skipping = False
        out.append(line)
    settings.write_text("".join(out), encoding="utf-8")


def example_workspace(root: Path):
    """The example workspace the README's first command makes (`kjplan init --example`), or the
    repository's examples/demo where that option does not exist yet."""
    from kjplan.workspace import Workspace

    made = subprocess.run([sys.executable, "-m", "kjplan", "init", "--example", str(root)], capture_output=True)
    if made.returncode == 0 and (root / "plans").is_dir():
        return Workspace(root)
    demo = Path(__file__).resolve().parents[1] / "examples" / "demo"
    import shutil

    shutil.copytree(demo, root, symlinks=False)
    return Workspace(root)


def html(ws, quarter: str, date: dt.date) -> str:
    """The report's content as HTML (title, recipients, body, signature, the attachment's table with each
    cell's paragraphs): what pandoc is given, so that both tools lay out the same text. HTML rather than
    Markdown: a Markdown pipe table cannot hold a cell's paragraphs (they would run into one line of
    150,000 characters at 20,000 records, which takes pandoc twice as long to read)."""
    from html import escape

    from kjplan.render.text import build_document
    from kjplan.report_job import build_model

    model = build_model(ws, quarter, today=date)
    doc = build_document(model, ws.settings, ws.templates_dir, date)
    out = [f"<h1>{escape(doc.title)}</h1>", f"<p>{escape(doc.recipients)}：</p>"]
    tags = {"h1": "h2", "h2": "h3", "h3": "h4", "h4": "h5"}
    for para in doc.body:
        tag = tags.get(para.kind, "p")
        out += [f"<{tag}>{escape(line)}</{tag}>" for line in para.text.splitlines()]
    out += [f"<p>{escape(doc.signature)}</p>", f"<p>{date.year}年{date.month}月{date.day}日</p>"]
    for n, att in enumerate(doc.attachments, 1):
        label = "附件" if len(doc.attachments) == 1 else f"附件{n}"  # as the docx writer labels them
        out += [f"<p>{label}</p>", f"<h2>{escape(att.title)}</h2>", "<table>",
                "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in att.table.header) + "</tr>"]
        out += ["<tr>" + "".join("<td>" + "".join(f"<p>{escape(p)}</p>" for p in cell.split("\n")) + "</td>"
                                 for cell in row) + "</tr>" for row in att.table.rows]
        out.append("</table>")
    return "<!DOCTYPE html>\n<html><body>\n" + "\n".join(out) + "\n</body></html>\n"


JRNL_CONFIG = """\
colors: {{body: none, date: none, tags: none, title: none}}
default_hour: 9
default_minute: 0
editor: ''
encrypt: false
highlight: false
indent_character: '|'
journals:
  default:
    journal: {journal}
linewrap: 79
tagsymbols: '@'
template: false
timeformat: '%Y-%m-%d %H:%M'
version: v4.6
"""


def jrnl_journal(folder: Path, size: int) -> Path:
    """A jrnl config and a journal of `size` entries (jrnl's plain-text format); returns the config."""
    folder.mkdir(parents=True, exist_ok=True)
    journal = folder / "journal.txt"
    start = dt.datetime(2020, 1, 2, 9)
    rng = random.Random(7)
    entries = []
    for n in range(size):
        when = start + dt.timedelta(minutes=37 * n)
        entries.append(f"[{when:%Y-%m-%d %H:%M}] {'；'.join(rng.sample(PHRASES, 2))}。\n第{n + 1}条进展。\n\n")
    journal.write_text("".join(entries), encoding="utf-8")
    config = folder / "jrnl.yaml"
    config.write_text(JRNL_CONFIG.format(journal=journal), encoding="utf-8")
    return config
