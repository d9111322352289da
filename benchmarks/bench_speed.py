"""kjplan's speed against its peers, measured in one run: every figure is a ratio to something timed
in the same run, on the same machine, interleaved (A B C A B C ...) so that a busy machine slows all of
them alike.

    python benchmarks/bench_speed.py [--runs 9] [--only add,log,status,report,export]
                                     [--baseline PYTHON] [--jrnl-venv DIR]

Peers and floors (issue 14):
  - jrnl 4.x adding one entry to a journal of 1,000 entries (installed by this script into its own
    virtual environment, --jrnl-venv, reused on later runs);
  - pandoc converting the same report content, as HTML, to .docx (skipped with a note where pandoc
    is missing: `apt-get install pandoc`);
  - `python -c "import typer, pydantic, yaml"`, the import floor of any command built on the design
    card's libraries; with typer._adapters (what typer imports to parse options), and with python-docx
    and jinja2 too (the report's libraries): what is left of a target once the libraries are loaded.
--baseline PYTHON also times the same kjplan commands with another installation (say, a virtual
environment with main's kjplan) in the same rounds: "x before" columns.

Each figure is the median wall time of whole processes (a user's or cron's view: start-up included);
CPU is the median user+system time of the process, and RSS its peak memory. Caches (the plan cache and
the ledger index) live in a temporary KJPLAN_CACHE_DIR: they are warmed by one untimed run, and the
cold cases delete them before every run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pty
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import fcntl
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workloads  # noqa: E402

PY = sys.executable
# Import floors beyond `import typer, pydantic, yaml`: typer's option parsing (typer._adapters imports
# pydantic's TypeAdapter machinery), and with it the libraries `kjplan report` writes the .docx with.
TYPER_PARSE = "typer, pydantic, yaml, typer._adapters"
LIBRARIES = f"{TYPER_PARSE}, docx, jinja2"
RESULT = Path(tempfile.gettempdir()) / f"kjplan-bench-{os.getpid()}.result"
SCREEN_ROWS, SCREEN_COLS = 40, 160


@dataclass
class Sample:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)  # KiB

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    def line(self, name: str, ratio: str = "") -> str:
        cpu = statistics.median(self.cpu) * 1000
        rss = max(self.rss) / 1024
        return f"  {name:<46} {self.median * 1000:>9.0f} ms {cpu:>8.0f} ms {rss:>7.0f} MiB  {ratio}"


MEASURE = str(Path(__file__).resolve().parent / "measure.py")


def measured(argv: list[str], env: dict, result: Path, **popen) -> tuple[float, float, int, int, bytes, float]:
    """One whole process through measure.py: (wall s, CPU s, peak RSS KiB, exit code, stderr, started)."""
    result.unlink(missing_ok=True)
    proc = subprocess.Popen([PY, MEASURE, str(result), *map(str, argv)], env=env, **popen)
    _, err = proc.communicate()
    wall, cpu, rss, code, started = result.read_text().split()
    return float(wall), float(cpu), int(rss), int(code), err or b"", float(started)


def run(argv: list[str], env: dict, *, ok=(0, 3)) -> tuple[float, float, int]:
    """One whole process, output discarded: (wall seconds, CPU seconds, peak RSS KiB)."""
    wall, cpu, rss, code, err, _ = measured(argv, env, RESULT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE)
    if code not in ok:
        raise SystemExit(f"{' '.join(map(str, argv))} failed ({code}): {err.decode(errors='replace')}")
    return wall, cpu, rss


def first_screen(argv: list[str], env: dict, stamp: Path) -> tuple[float, float, int]:
    """`kjplan log` on a terminal (a pseudo-terminal of 40 rows): the time until its pager has received
    the first screen. The pager is a small script that notes the (system-wide monotonic) time when it
    has read 40 lines and quits, as a reader who has seen enough quits less."""
    pager = f"{PY} {Path(__file__).resolve().parent / 'screen_pager.py'} {SCREEN_ROWS} {stamp}"
    env = {**env, "PAGER": pager, "KJPLAN_PAGER": pager, "TERM": "xterm", "COLUMNS": str(SCREEN_COLS),
           "LINES": str(SCREEN_ROWS)}
    stamp.unlink(missing_ok=True)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SCREEN_ROWS, SCREEN_COLS, 0, 0))
    stop = threading.Event()

    def drain():
        while not stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    os.read(master, 65536)
                except OSError:
                    return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    _, cpu, rss, code, _, start = measured(argv, env, RESULT, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    stop.set()
    reader.join()
    os.close(slave)
    os.close(master)
    if not stamp.exists():
        raise SystemExit(f"{' '.join(map(str, argv))}: the pager never received a screen (exit {code})")
    return float(stamp.read_text()) - start, cpu, rss


def rounds(cases: dict, runs: int) -> dict[str, Sample]:
    """Interleaved: run every case once per round, `runs` rounds; cases are callables returning run()."""
    samples = {name: Sample() for name in cases}
    for _ in range(runs):
        for name, case in cases.items():
            wall, cpu, rss = case()
            samples[name].wall.append(wall)
            samples[name].cpu.append(cpu)
            samples[name].rss.append(rss)
    return samples


def ratio(a: Sample, b: Sample | None, label: str) -> str:
    return f"{a.median / b.median:.2f}× {label}" if b is not None else ""


def header(title: str) -> None:
    print(f"\n{title}")
    print(f"  {'':<46} {'wall':>12} {'CPU':>11} {'RSS':>11}  ratio")


class Bench:
    def __init__(self, args, tmp: Path):
        self.args = args
        self.tmp = tmp
        self.cache = tmp / "cache"
        self.env = {**os.environ, "KJPLAN_CACHE_DIR": str(self.cache), "PYTHONDONTWRITEBYTECODE": "",
                    "LANG": os.environ.get("LANG", "C.UTF-8")}
        self.env.pop("PAGER", None)
        self.workspaces: dict[str, object] = {}
        self.pandoc = shutil.which("pandoc")

    # -- set-up ------------------------------------------------------------------------------------
    def ws(self, size: int, quarter: str | None = None):
        key = f"{size}-{quarter}"
        if key not in self.workspaces:
            started = time.perf_counter()
            self.workspaces[key] = workloads.workspace(self.tmp / f"ws-{key}", size, quarter=quarter)
            print(f"(set-up: a ledger of {size:,} lines in {time.perf_counter() - started:.1f} s)", file=sys.stderr)
        return self.workspaces[key]

    def kj(self, ws, *args, python: str = PY) -> list[str]:
        return [python, "-m", "kjplan", "--root", str(ws.root), "--today", workloads.TODAY, *map(str, args)]

    def case(self, argv, **kw):
        return lambda: run(argv, self.env, **kw)

    def jrnl(self) -> list[str] | None:
        """jrnl 4.x in a virtual environment of its own (created on first use)."""
        venv = Path(self.args.jrnl_venv)
        exe = venv / "bin" / "jrnl"
        if not exe.exists():
            print(f"(set-up: installing jrnl 4.x into {venv})", file=sys.stderr)
            subprocess.run([PY, "-m", "venv", str(venv)], check=True)
            made = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "jrnl>=4,<5"],
                                  capture_output=True, text=True)
            if made.returncode != 0:
                print(f"jrnl 无法安装，跳过（{made.stderr.strip().splitlines()[-1:]}）")
                return None
        config = workloads.jrnl_journal(self.tmp / "jrnl", 1000)
        home = self.tmp / "jrnl-home"
        home.mkdir(exist_ok=True)
        self.env_jrnl = {**self.env, "HOME": str(home)}
        return [str(exe), "--config-file", str(config), "今天完成了基金扩资方案的报批。"]

    def new_record(self) -> list[str]:
        """add-progress of a record not seen before (the same text twice is refused as a duplicate), with a
        figure for a cumulative target (its year total is checked)."""
        self.added = getattr(self, "added", 0) + 1
        return ["add-progress", "--item", "9", "--text", f"完成基金扩资方案报批（第 {self.added} 次）",
                "--metric", "innovation_fund=100万", "--unit", "成果转化科"]

    def warm(self, argv) -> None:
        run(argv, self.env)

    def cold(self, argv):
        def go():
            shutil.rmtree(self.cache, ignore_errors=True)
            return run(argv, self.env)
        return go

    # -- groups ------------------------------------------------------------------------------------
    def add(self) -> None:
        runs = self.args.runs
        small, large = self.ws(1000), self.ws(100_000)
        cases = {'python -c "import typer, pydantic, yaml"': self.case([PY, "-c", "import typer, pydantic, yaml"]),
                 # typer parses options with pydantic TypeAdapters: what any typer command pays before it acts
                 "import floor + typer._adapters": self.case([PY, "-c", f"import {TYPER_PARSE}"])}
        jrnl = self.jrnl()
        if jrnl:
            run(jrnl, self.env_jrnl)
            cases["jrnl: add one entry (1,000 entries)"] = lambda: run(jrnl, self.env_jrnl)
        cases["kjplan add-progress (1,000 records)"] = lambda: run(self.kj(small, *self.new_record()), self.env)
        cases["kjplan add-progress (100,000 records)"] = lambda: run(self.kj(large, *self.new_record()), self.env)
        cases["kjplan --help"] = self.case([PY, "-m", "kjplan", "--help"])
        cases["kjplan plan"] = self.case(self.kj(small, "plan"))
        if self.args.baseline:
            cases["before: kjplan add-progress (1,000)"] = lambda: run(self.kj(small, *self.new_record(),
                                                                               python=self.args.baseline), self.env)
            cases["before: kjplan --help"] = self.case([self.args.baseline, "-m", "kjplan", "--help"])
            cases["before: kjplan plan"] = self.case(self.kj(small, "plan", python=self.args.baseline))
        for name, case in cases.items():  # warm the page cache, .pyc files and kjplan's caches
            case()
        s = rounds(cases, runs)
        floor = s['python -c "import typer, pydantic, yaml"']
        peer = s.get("jrnl: add one entry (1,000 entries)")
        header(f"add-progress and start-up (median of {runs})")
        for name, sample in s.items():
            notes = []
            if name.startswith("kjplan add"):
                notes = [ratio(sample, peer, "jrnl"), ratio(sample, floor, "floor")]
                if self.args.baseline:
                    notes.append(ratio(sample, s["before: kjplan add-progress (1,000)"], "before"))
            elif name.startswith("kjplan"):
                notes = [ratio(sample, floor, "floor")]
                if self.args.baseline:
                    notes.append(ratio(sample, s[f"before: {name}"], "before"))
            elif name == "import floor + typer._adapters":
                notes = [ratio(sample, peer, "jrnl"), ratio(sample, floor, "floor")]
            elif name.startswith("jrnl"):
                notes = [ratio(sample, floor, "floor")]
            print(sample.line(name, "  ".join(n for n in notes if n)))

    def log(self) -> None:
        runs = max(3, self.args.runs // 2)
        ws = self.ws(100_000)
        stamp = self.tmp / "screen"
        self.warm(self.kj(ws, "log", "-n", "1"))
        def after_add():
            run(self.kj(ws, *self.new_record()), self.env)
            return first_screen(self.kj(ws, "log"), self.env, stamp)

        cases = {
            "log on a terminal: first screen (newest first)": lambda: first_screen(self.kj(ws, "log"), self.env, stamp),
            "log first screen, one record added since": after_add,
            "log | (whole table, piped)": self.case(self.kj(ws, "log")),
            "log --format csv | (whole)": self.case(self.kj(ws, "log", "--format", "csv")),
            "log --format json | (whole)": self.case(self.kj(ws, "log", "--format", "json")),
            "log -n 20": self.case(self.kj(ws, "log", "-n", "20")),
        }
        if self.args.baseline:
            cases["before: log --format json"] = self.case(self.kj(ws, "log", "--format", "json", python=self.args.baseline))
        s = rounds(cases, runs)
        header(f"log, 100,000 records (median of {runs}; targets: first screen < 0.5 s, whole < 2 s and 200 MiB)")
        for name, sample in s.items():
            print(sample.line(name))

    def status(self) -> None:
        runs = max(3, self.args.runs // 2)
        ws = self.ws(100_000)
        status = self.kj(ws, "status", "-q", "2")
        self.warm(status)
        def after_append():
            run(self.kj(ws, *self.new_record()), self.env)
            return run(status, self.env)

        read = [PY, "-c", "import sys, datetime as dt\nfrom kjplan.workspace import Workspace\n"
                "from kjplan.report_job import build_model\n"
                f"build_model(Workspace(__import__('pathlib').Path({str(ws.root)!r})), '2', today=dt.date(2020, 12, 20))"]
        cases = {
            "status -q 2 (index up to date)": self.case(status),
            "status -q 2 (one record appended since)": after_append,
            "report's read: plan + records -> report model": self.case(read),
            "status -q 2 (no index: first run)": self.cold(status),
        }
        if self.args.baseline:
            cases["before: status -q 2"] = self.case(self.kj(ws, "status", "-q", "2", python=self.args.baseline))
        s = rounds(cases, runs)
        header(f"status, 100,000 records (median of {runs}; target < 1 s)")
        for name, sample in s.items():
            note = ratio(sample, s.get("before: status -q 2"), "before") if not name.startswith("before") else ""
            print(sample.line(name, note))

    def report(self) -> None:
        date = dt.date(2020, 7, 6)
        example = workloads.example_workspace(self.tmp / "example")
        big = self.ws(20_000, quarter="2020Q2")
        # pandoc takes half a minute on 20,000 records: fewer rounds there.
        for label, ws, limit, runs in (("example", example, "3", self.args.runs),
                                       ("20,000 records", big, "0.5", max(3, self.args.runs // 3))):
            cases = {}
            out = self.tmp / f"report-{ws.root.name}.docx"
            argv = self.kj(ws, "report", "-q", "2", "--date", date.isoformat(), "--out", out)
            self.warm(argv)
            cases[f"kjplan report ({label})"] = self.case(argv)
            if label == "example":  # what the report's libraries cost before kjplan does anything
                cases["import floor + typer._adapters, docx, jinja2"] = self.case([PY, "-c", f"import {LIBRARIES}"])
            if self.pandoc:
                page = out.with_suffix(".html")
                page.write_text(workloads.html(ws, "2", date), encoding="utf-8")
                cases[f"pandoc html -> docx ({label})"] = self.case(
                    [self.pandoc, "-f", "html", "-t", "docx", "-o", str(out.with_name(out.stem + "-pandoc.docx")), str(page)])
            if self.args.baseline:
                cases[f"before: kjplan report ({label})"] = self.case(self.kj(ws, "report", "-q", "2", "--date", date.isoformat(),
                                                                              "--out", out.with_name("before.docx"),
                                                                              python=self.args.baseline))
            s = rounds(cases, runs)
            header(f"report, {label} (median of {runs}; target: at most {limit}× pandoc's time)")
            if not self.pandoc:
                print("  pandoc 未安装（apt-get install pandoc），跳过与 pandoc 的对比")
            for name, sample in s.items():
                note = ""
                if name.startswith(("kjplan", "import floor")):
                    note = "  ".join(x for x in (ratio(sample, s.get(f"pandoc html -> docx ({label})"), "pandoc"),
                                                 ratio(sample, s.get(f"before: kjplan report ({label})"), "before")) if x)
                print(sample.line(name, note))

    def export(self) -> None:
        runs = max(3, self.args.runs // 2)
        ws = self.ws(20_000, quarter="2020Q2")
        cases = {}
        for fmt in ("docx", "json", "csv", "xlsx", "docx,json,csv,xlsx"):
            out = self.tmp / f"export-{fmt.replace(',', '-')}"

            def go(fmt=fmt, out=out):
                shutil.rmtree(out, ignore_errors=True)  # every run writes its files anew
                return run(self.kj(ws, "export", "-q", "2", "--formats", fmt, "--out", out, "--date", "2020-07-06"),
                           self.env)

            go()
            cases[f"export --formats {fmt}"] = go
        if self.args.baseline:
            out = self.tmp / "export-before"

            def before():
                shutil.rmtree(out, ignore_errors=True)
                return run(self.kj(ws, "export", "-q", "2", "--formats", "docx,json,csv,xlsx", "--out", out,
                                   "--date", "2020-07-06", python=self.args.baseline), self.env)

            cases["before: export --formats docx,json,csv,xlsx"] = before
        s = rounds(cases, runs)
        header(f"export, 20,000 records (median of {runs}; target: all four < 3 s)")
        for name, sample in s.items():
            note = ""
            if name == "export --formats docx,json,csv,xlsx" and self.args.baseline:
                note = ratio(sample, s["before: export --formats docx,json,csv,xlsx"], "before")
            print(sample.line(name, note))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", default="add,log,status,report,export")
    parser.add_argument("--baseline", metavar="PYTHON", help="another Python with kjplan installed, timed alongside")
    parser.add_argument("--jrnl-venv", default=str(Path(tempfile.gettempdir()) / "kjplan-bench-jrnl"),
                        help="where jrnl is installed (reused when present)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kjplan-bench-") as tmp:
        bench = Bench(args, Path(tmp))
        for group in args.only.split(","):
            getattr(bench, group.strip())()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n(python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.1f} at the end)")


if __name__ == "__main__":
    main()
