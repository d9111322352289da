"""Speed of the progress commands over ledgers of 1,000 / 20,000 / 100,000 records.

    python benchmarks/bench_records.py [--sizes 1000,20000,100000] [--runs 7]

Targets (issue 3): add-progress within 1.5x the start-up of `python -c "import typer, pydantic, yaml"`;
status over 20,000 records under 1 s and over 100,000 under 5 s, growing linearly.
Every figure is the median wall time of several runs of the real command as a process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kjplan import ledger
from kjplan.records import AmendEntry, ProgressEntry, RetractEntry
from kjplan.workspace import init_workspace

TODAY = "2020-12-20"


def build(root: Path, size: int, seed: int = 2020):
    """A workspace whose ledger holds `size` lines: mostly records, 5% amendments, 1% retractions."""
    ws = init_workspace(root)
    plan = ws.plan()
    rng = random.Random(seed)
    tz = dt.timezone(dt.timedelta(hours=8))
    lines, originals = [], []
    start = dt.datetime(2020, 1, 2, 9, tzinfo=tz)
    for n in range(size):
        created = start + dt.timedelta(seconds=n * 29)
        roll = rng.random()
        if originals and roll < 0.05:
            base = rng.choice(originals)
            entry = AmendEntry(**{**base.model_dump(exclude={"type", "id", "created"}), "id": f"{rng.getrandbits(64):016x}",
                                  "created": created, "text": base.text + "（更正）", "supersedes": base.id})
        elif originals and roll < 0.06:
            entry = RetractEntry(id=f"{rng.getrandbits(64):016x}", created=created, by="李四",
                                 retracts=rng.choice(originals).id, reason="重复登记")
        else:
            item = plan.items[n % len(plan.items)]
            day = min(created.date(), dt.date(2020, 12, 20))
            metrics = {t.id: round(rng.uniform(0, 0.01 if t.unit == "亿元" else 90), 4) for t in item.targets}
            entry = ProgressEntry(
                id=f"{rng.getrandbits(64):016x}", created=created, by="张三", item=item.number,
                quarter=f"2020Q{(day.month - 1) // 3 + 1}", date=day,
                text=f"第{n}条：{item.title}，本季度召开推进会议，完成阶段任务。" * 2,
                status=None if metrics else rng.choice(["已完成", "序时推进", "滞后"]),
                unit=rng.choice(["成果转化科", "蒲城县科技局", "高新区"]), metrics=metrics,
                problems="资金到位偏慢" if n % 7 == 0 else "", next="加快推进" if n % 5 == 0 else "",
            )
            originals.append(entry)
        lines.append(ledger.encode(entry) + b"\n")
    path = ws.progress_path(2020)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"".join(lines))
    return ws


def timed(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if result.returncode not in (0, 3):
            raise SystemExit(f"{' '.join(argv)} failed: {result.stderr.decode()}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,20000,100000")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    py = sys.executable
    baseline = timed([py, "-c", "import typer, pydantic, yaml"], args.runs)
    print(f"python -c 'import typer, pydantic, yaml': {baseline * 1000:.0f} ms (median of {args.runs})")
    with tempfile.TemporaryDirectory() as tmp:
        # The floor for any typer command: typer builds pydantic adapters for its options when it parses.
        mini = Path(tmp) / "mini.py"
        mini.write_text(MINI_TYPER, encoding="utf-8")
        floor = timed([py, str(mini), "--x", "1"], args.runs)
        print(f"a one-option typer app (the floor of any typer command): {floor * 1000:.0f} ms "
              f"= {floor / baseline:.2f}x baseline")
        print(f"{'records':>8} {'add-progress':>14} {'x baseline':>11} {'log --format json':>18} {'status':>10}")
        statuses = {}
        for size in sizes:
            ws = build(Path(tmp) / f"ws{size}", size)
            kj = [py, "-m", "kjplan", "--root", str(ws.root), "--today", TODAY]
            add = timed(kj + ["add-progress", "--item", "1", "--text", "基准测试", "--status", "done"], args.runs)
            slow_runs = max(3, args.runs // 2)
            log = timed(kj + ["log", "--format", "json"], slow_runs)
            status = statuses[size] = timed(kj + ["status", "--quarter", "4"], slow_runs)
            print(f"{size:>8} {add * 1000:>11.0f} ms {add / baseline:>10.2f}x {log * 1000:>15.0f} ms {status * 1000:>7.0f} ms")
    if len(statuses) > 1:
        (small, t_small), (large, t_large) = min(statuses.items()), max(statuses.items())
        slope = (t_large - t_small) / (large - small) * 10000
        print(f"status grows by {slope * 1000:.0f} ms per 10,000 records "
              f"(fixed cost about {(t_small - slope * small / 10000) * 1000:.0f} ms)")
    print(f"(python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")


MINI_TYPER = """
import typer
app = typer.Typer()


@app.command()
def main(x: str = typer.Option("a", "--x")):
    pass


app()
"""


if __name__ == "__main__":
    main()
