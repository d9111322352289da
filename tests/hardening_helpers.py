"""Helpers for the hardening tests: run kjplan as a process, snapshot a workspace, and check that what
the user sees is one clear Chinese message and that every file left behind opens."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

TODAY = "2020-07-06"
REPORT_FILES = ("report-2020Q2.docx", "report-2020Q2.json", "records-2020Q2.csv", "ledger-2020Q2.xlsx")


def run(ws, *args, input: str | bytes | None = "", env: dict | None = None, today: str | None = TODAY,
        timeout: float = 120, **popen) -> subprocess.CompletedProcess:
    """`kjplan --root WS --today 2020-07-06 ARGS` as a process; stdout and stderr as text (bytes kept
    undecodable ones as U+FFFD)."""
    argv = [sys.executable, "-m", "kjplan"]
    if ws is not None:
        argv += ["--root", str(ws.root)]
    if today is not None:
        argv += ["--today", today]
    data = input.encode("utf-8") if isinstance(input, str) else input
    if data is None and "stdin" not in popen:
        popen["stdin"] = subprocess.DEVNULL
    full_env = dict(os.environ if env is None else env)
    full_env.setdefault("KJPLAN_LOCK_TIMEOUT", "5")
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.PIPE)
    result = subprocess.run(argv + [os.fsencode(a) if isinstance(a, bytes) else str(a) for a in args],
                            input=data, env=full_env, timeout=timeout, **popen)
    result.stdout = result.stdout.decode("utf-8", "replace") if isinstance(result.stdout, bytes) else ""
    result.stderr = result.stderr.decode("utf-8", "replace") if isinstance(result.stderr, bytes) else ""
    return result


def files(root: Path) -> dict[str, bytes]:
    """Every file under a folder by relative path, lock files aside (they come and go by design, with
    the .gitignore that keeps them out of git)."""
    out = {}
    for path in sorted(Path(root).rglob("*")):
        if path.is_file() and not re.search(r"\.lock(\.info)?$|^\.gitignore$", path.name) and "__pycache__" not in path.parts:
            out[str(path.relative_to(root))] = path.read_bytes()
    return out


# Words a Chinese message may carry: commands, options, formats, names of files and fields.
_ALLOWED = re.compile(r"kjplan( [a-z-]+)?|--?[a-zA-Z][\w-]*|[\w./\\:-]*[/\\][\w./\\:-]*|[\w-]+\.[a-z]{2,5}\b"
                      r"|LibreOffice|Word|Excel|WPS|YAML|JSON|CSV|UTF-8|GBK|GB18030|BOM|XML|PDF|Tab|Unicode"
                      r"|Ctrl-C|SIGTERM|SIGINT|true|false|YYYY-MM-DD|[A-Z]+\d*|U\+[0-9A-F]+|0x[0-9A-F]+"
                      r"|\b(docx|pdf|json|csv|xlsx|yaml|yml|all|auto|table|current|previous|done|on-track|behind|not-started"
                      r"|item|quarter|text|status|unit|by|metrics|problems|next|date|records|reason|id|type|progress"
                      r"|amend|retract|created|supersedes|retracts)\b")


def assert_chinese(message: str) -> None:
    """A message a user reads: some Chinese, and no English sentence (two plain English words in a row)."""
    assert re.search(r"[\u4e00-\u9fff]", message), message
    rest = _ALLOWED.sub(" ", message)
    english = re.search(r"\b[A-Za-z]{2,}\b[ ,]+\b[A-Za-z]{2,}\b", rest)
    assert english is None, f"English in the message: {english.group()!r} in {message!r}"


def assert_clean_failure(result: subprocess.CompletedProcess, code: int, *fragments: str) -> str:
    """Exit `code`, a Chinese message holding every fragment, no traceback, no internal error."""
    text = result.stderr
    assert result.returncode == code, f"exit {result.returncode}, expected {code}:\n{text}\n{result.stdout}"
    assert "Traceback" not in text and "内部错误" not in text, text
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    assert_chinese(text)
    return text


def assert_opens(path: Path) -> None:
    """A file a reader can open: JSON parses, every XML part of a docx/xlsx parses, a CSV reads as
    UTF-8, a PDF starts as one."""
    data = Path(path).read_bytes()
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        json.loads(data.decode("utf-8"), parse_constant=_refuse)
    elif suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if name.endswith((".xml", ".rels")):
                    ElementTree.fromstring(archive.read(name))  # expat refuses what XML 1.0 forbids
    elif suffix == ".csv":
        list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    elif suffix == ".pdf":
        assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:], path
    elif suffix == ".jsonl":
        pass  # the ledger: compared byte for byte instead


def _refuse(name):
    raise AssertionError(f"{name} is not JSON")


def assert_all_open(folder: Path) -> list[Path]:
    opened = []
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and path.suffix.lower() in (".json", ".docx", ".xlsx", ".csv", ".pdf"):
            assert_opens(path)
            opened.append(path)
    return opened


def limit_file_size(size: int):
    """A preexec_fn: files this process writes cannot grow beyond `size` bytes (EFBIG), which is how
    a full disk looks to a program, without needing a small file system."""
    import resource

    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, resource.RLIM_INFINITY))

    return apply


MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")


def fake_soffice(folder: Path, behaviour: str) -> Path:
    """A stand-in for LibreOffice (KJPLAN_SOFFICE): it makes the profile folder as soffice does, then
    writes a valid one-page PDF ("good"), an empty file ("empty"), a cut-off PDF ("torn"), nothing at all
    while exiting 0 ("none"), exits 1 without a PDF ("fail"), or starts a
    child and hangs ("hang", writing both pids to hang.pids)."""
    script = Path(folder) / f"soffice-{behaviour}"
    script.write_text(f"""#!{sys.executable}
import os, sys, time, subprocess
from pathlib import Path
args = sys.argv[1:]
profile = next(a for a in args if a.startswith("-env:UserInstallation=")).split("=", 1)[1]
Path(profile.replace("file://", "")).mkdir(parents=True, exist_ok=True)
(Path(profile.replace("file://", "")) / "registrymodifications.xcu").write_text("x" * 1000)
out = Path(args[args.index("--outdir") + 1])
pdf = out / (Path(args[-1]).stem + ".pdf")
behaviour = {behaviour!r}
if behaviour == "good":
    pdf.write_bytes({MINIMAL_PDF!r})
elif behaviour == "empty":
    pdf.write_bytes(b"")
elif behaviour == "torn":
    pdf.write_bytes({MINIMAL_PDF[:60]!r})
elif behaviour == "fail":
    sys.exit(1)
elif behaviour == "hang":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    (Path({str(folder)!r}) / "hang.pids").write_text(f"{{os.getpid()}} {{child.pid}}")
    time.sleep(120)
""", encoding="utf-8")
    script.chmod(0o755)
    return script


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by its parent) is not running
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except OSError:
        return True
