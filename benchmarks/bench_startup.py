"""Start-up time of the fast commands against a bare `python -c "import typer"`.

    python benchmarks/bench_startup.py [--runs 15]

Each command runs as a fresh process (as a user or cron runs it); the table shows the median and the
ratio to the baseline. Also checks that none of them imported python-docx or jinja2.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def median_seconds(argv: list[str], runs: int, cwd: Path) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    from kjplan.workspace import init_workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws = init_workspace(Path(tmp) / "ws")
        py = sys.executable
        cases = {
            'python -c "import typer"': [py, "-c", "import typer"],
            "kjplan --help": [py, "-m", "kjplan", "--help"],
            "kjplan plan": [py, "-m", "kjplan", "--root", str(ws.root), "plan"],
            "kjplan check": [py, "-m", "kjplan", "--root", str(ws.root), "check"],
        }
        for argv in cases.values():  # warm the OS file cache and .pyc files
            subprocess.run(argv, cwd=tmp, capture_output=True)
        results = {name: median_seconds(argv, args.runs, Path(tmp)) for name, argv in cases.items()}
        probe = ("import sys; from kjplan.cli import main\n"
                 f"try: main(['--root', {str(ws.root)!r}, 'check'])\nexcept SystemExit: pass\n"
                 "print(sorted(m for m in ('docx', 'jinja2') if m in sys.modules), file=sys.stderr)")
        heavy = subprocess.run([py, "-c", probe], capture_output=True, text=True).stderr.strip().splitlines()[-1]
    base = results['python -c "import typer"']
    print(f"{'command':<28} {'median':>9} {'× baseline':>11}")
    for name, seconds in results.items():
        print(f"{name:<28} {seconds * 1000:>7.0f}ms {seconds / base:>10.2f}×")
    print(f"heavy modules imported by `check`: {heavy}")


if __name__ == "__main__":
    main()
