"""Report speed: the example workspace, and 20,000 records, against pandoc on the same content.

    python benchmarks/bench_report.py [--records 20000] [--runs 3]

For each workspace it times (median of --runs):
  - `kjplan report` as a user runs it (a fresh process, start-up included);
  - pandoc converting the same report content, written as Markdown, to .docx (`apt-get install pandoc`).
Targets: example under 1 s, 20,000 records under 2 s, no slower than pandoc on the same content.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATE = dt.date(2020, 7, 6)


def timed(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fill(ws, count: int) -> None:
    """Append `count` realistic Q2 records in one locked write (the ledger's own append)."""
    from kjplan import ledger
    from kjplan.records import ProgressEntry, new_id

    rng = random.Random(2020)
    phrases = ["召开专题推进会", "组织企业开展技术对接", "完成项目申报材料审核", "开展政策宣讲培训",
               "深入县市区调研指导", "推进平台建设", "落实科技特派员服务", "开展成果转化对接活动"]
    created = dt.datetime(2020, 6, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    entries = []
    for n in range(count):
        item = rng.randint(1, 16)
        text = "；".join(rng.sample(phrases, 3)) + f"，累计服务企业{rng.randint(1, 300)}家（第{n + 1}条）。"
        entries.append(ProgressEntry(
            id=new_id(), created=created + dt.timedelta(seconds=n), by="基准测试", item=item, quarter="2020Q2",
            date=dt.date(2020, 4, 1) + dt.timedelta(days=rng.randint(0, 90)), text=text,
            status=rng.choice(["序时推进", "滞后", "已完成"]), unit=f"第{rng.randint(1, 12)}科室",
            problems="人员不足。" if rng.random() < 0.1 else "", next="继续推进。" if rng.random() < 0.1 else "",
        ))
    ledger.append(ws.progress_path(2020), entries)


def markdown(ws) -> str:
    """The same report content as Markdown, for pandoc."""
    from kjplan.report_job import build_model
    from kjplan.render.text import build_document

    model = build_model(ws, "2", today=DATE)
    doc = build_document(model, ws.settings, ws.templates_dir, DATE)
    lines = [f"# {doc.title}", "", f"{doc.recipients}：", ""]
    marks = {"h1": "## ", "h2": "### ", "h3": "#### ", "h4": "##### ", "body": ""}
    for para in doc.body:
        for line in para.text.splitlines():
            lines += [marks[para.kind] + line, ""]
    lines += [doc.signature, "", f"{DATE.year}年{DATE.month}月{DATE.day}日", ""]
    for att in doc.attachments:
        lines += ["附件", "", f"## {att.title}", "", "| " + " | ".join(att.table.header) + " |",
                  "|" + "---|" * len(att.table.header)]
        lines += ["| " + " | ".join(c.replace("|", "｜").replace("\n", " ") for c in row) + " |" for row in att.table.rows]
    return "\n".join(lines) + "\n"


def bench(name: str, ws, runs: int, pandoc: str | None) -> tuple[str, float, float | None]:
    out = Path(tempfile.mkdtemp()) / "r.docx"
    kjplan = [sys.executable, "-m", "kjplan", "--root", str(ws.root), "report", "--quarter", "2",
              "--date", DATE.isoformat(), "--out", str(out)]
    subprocess.run(kjplan, check=True, capture_output=True)  # warm caches
    ours = timed(kjplan, runs)
    theirs = None
    if pandoc:
        md = out.with_suffix(".md")
        md.write_text(markdown(ws), encoding="utf-8")
        theirs = timed([pandoc, "-f", "markdown", "-o", str(out.with_name("p.docx")), str(md)], runs)
    return name, ours, theirs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from kjplan.workspace import init_workspace

    pandoc = shutil.which("pandoc")
    if not pandoc:
        print("pandoc 未安装（apt-get install pandoc）；只测 kjplan", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        rows = [bench("example workspace", init_workspace(Path(tmp) / "example", example=True), args.runs, pandoc)]
        ws = init_workspace(Path(tmp) / "big")
        fill(ws, args.records)
        rows.append(bench(f"{args.records:,} records", ws, args.runs, pandoc))
    print(f"{'workspace':<20} {'kjplan report':>14} {'pandoc md->docx':>16} {'ratio':>7}")
    for name, ours, theirs in rows:
        ratio = f"{ours / theirs:.2f}" if theirs else "—"
        pand = f"{theirs:.2f}s" if theirs else "—"
        print(f"{name:<20} {ours:>13.2f}s {pand:>16} {ratio:>7}")


if __name__ == "__main__":
    main()
