"""Convert a .docx to PDF with LibreOffice (soffice --headless).

Each conversion gets its own LibreOffice profile (two conversions sharing one fail) and its own
output folder; the PDF reaches `out_dir` by an atomic rename. On Linux a fontconfig file shipped
with kjplan maps the fonts GB/T 9704 names onto free fonts of the same metrics.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from kjplan.errors import KjplanError, OutputError, ToolMissing, os_reason

SOFFICE_ENV = "KJPLAN_SOFFICE"  # path of soffice; empty: behave as if LibreOffice were not installed
FONTS_CONF = Path(__file__).with_name("fonts.conf")
INSTALL_HINT = (
    "未找到 LibreOffice（soffice），无法生成 PDF。"
    "Debian/Ubuntu 请安装：sudo apt-get install libreoffice-writer-nogui "
    "fonts-arphic-gkai00mp fonts-arphic-gbsn00lp fonts-wqy-zenhei；"
    "Windows 或 macOS 请从 https://www.libreoffice.org 下载安装 LibreOffice。"
)


def _candidates() -> list[str]:
    places = ["/usr/bin", "/usr/local/bin", "/usr/lib/libreoffice/program", "/snap/bin"]
    places += sorted(glob.glob("/opt/libreoffice*/program"), reverse=True)
    if sys.platform == "darwin":
        places.append("/Applications/LibreOffice.app/Contents/MacOS")
    if os.name == "nt":
        for root in (os.environ.get("PROGRAMFILES"), os.environ.get("PROGRAMFILES(X86)")):
            if root:
                places.append(os.path.join(root, "LibreOffice", "program"))
    return places


def find_soffice() -> Path | None:
    """$KJPLAN_SOFFICE when set (a LibreOffice outside the usual places, or "" to disable PDF
    output), else soffice on PATH, then in the usual install folders."""
    override = os.environ.get(SOFFICE_ENV)
    if override is not None:
        path = Path(override) if override else None
        return path if path is not None and path.is_file() and os.access(path, os.X_OK) else None
    names = ["soffice", "libreoffice"]
    if os.name == "nt":
        names = ["soffice.exe", "soffice.com"]
    for name in names:
        found = shutil.which(name)
        if found:
            return Path(found)
    for place in _candidates():
        for name in names:
            path = Path(place) / name
            if path.is_file() and os.access(path, os.X_OK):
                return path
    return None


def _environment(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    if not env.get("HOME"):
        env["HOME"] = str(home)  # a bare environment (cron, systemd): soffice needs somewhere to write
    if sys.platform.startswith("linux") and not env.get("FONTCONFIG_FILE") and FONTS_CONF.is_file():
        env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    return env


# Keep the blank page Word and LibreOffice insert before a section that starts on an even page (the
# 版记's, GB/T 9704 7.4): LibreOffice leaves such pages out of a PDF unless told not to, and the PDF
# must print double-sided like the .docx. (Filter options in JSON: LibreOffice 7.4 and later;
# older ones ignore them.)
PDF_FILTER = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'


def soffice_command(soffice: Path, profile: Path, out_dir: Path, sources: list[Path]) -> list[str]:
    """The soffice command line that converts `sources` into PDFs in `out_dir` with its own
    profile folder (two conversions sharing one fail)."""
    return [
        str(soffice),
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        PDF_FILTER,
        "--outdir",
        str(out_dir),
        *(str(Path(source).resolve()) for source in sources),
    ]


def convert_to_pdf(docx_path: Path, out_dir: Path, *, timeout: float = 120) -> Path:
    """Write <out_dir>/<docx stem>.pdf and return its path."""
    docx_path = Path(docx_path)
    out_dir = Path(out_dir)
    if not docx_path.is_file():
        raise KjplanError(f"找不到要转换的文件：{docx_path}")
    soffice = find_soffice()
    if soffice is None:
        raise ToolMissing(INSTALL_HINT)
    target = out_dir / f"{docx_path.stem}.pdf"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # The temporary folder sits beside the target so the final rename stays on one file system.
        workspace = tempfile.TemporaryDirectory(prefix=".kjplan-pdf-", dir=out_dir)
    except OSError as exc:
        raise OutputError(f"无法写入输出目录 {out_dir}：{os_reason(exc, out_dir)}") from exc
    with workspace as work:
        work_dir = Path(work)
        profile = work_dir / "profile"
        result_dir = work_dir / "out"
        result_dir.mkdir()
        command = soffice_command(soffice, profile, result_dir, [docx_path])
        returncode, output = _run(command, _environment(work_dir), timeout, docx_path, soffice)
        produced = result_dir / f"{docx_path.stem}.pdf"
        if returncode != 0 or not produced.is_file():
            detail = f"退出码 {returncode}" if returncode != 0 else "没有生成 PDF 文件"
            said = output.decode("utf-8", "replace").strip().splitlines()
            quoted = f"LibreOffice 的输出：{said[-1][:200]}" if said else ""  # its own words, for whoever looks into it
            raise KjplanError(f"LibreOffice 未能将 {docx_path.name} 转换为 PDF（{detail}）；"
                              f"原有的 PDF 未改动{('。' + quoted) if quoted else ''}")
        try:
            problem = pdf_problem(produced.read_bytes())
        except OSError as exc:
            problem = f"无法读取（{os_reason(exc)}）"
        if problem:
            raise KjplanError(f"LibreOffice 转换 {docx_path.name} 得到的 PDF {problem}，没有使用它；原有的 PDF 未改动。"
                              "请重试；仍不行时请检查 LibreOffice 是否安装完整")
        try:
            os.replace(produced, target)
        except OSError as exc:
            raise OutputError(f"无法写入 {target}：{os_reason(exc)}") from exc
    return target


_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def pdf_problem(data: bytes) -> str | None:
    """Why `data` is not a PDF a reader can open (empty, no header or end, no page), or None.

    A converter that crashes or runs out of disk can still exit 0 and leave an empty or cut-off file;
    nothing of that kind may replace a good PDF."""
    if not data:
        return "是空文件（0 字节）"
    if not data.startswith(b"%PDF-"):
        return "不是 PDF 文件（开头没有 %PDF-）"
    if b"%%EOF" not in data[-2048:]:
        return "不完整（缺少文件结尾，可能写入中断）"
    if not _PAGE.search(data) and b"/ObjStm" not in data:  # pages in compressed object streams: not countable here
        return "没有任何页面"
    return None


def _run(command: list[str], env: dict[str, str], timeout: float, docx_path: Path, soffice: Path):
    """Run soffice in its own process group, so a timeout also ends the soffice.bin it spawns."""
    posix = os.name == "posix"
    try:
        process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=posix,
        )
    except OSError as exc:
        raise KjplanError(f"无法启动 LibreOffice（{soffice}）：{exc}") from exc
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill_group(process, posix)
        raise KjplanError(f"LibreOffice 转换超时（超过 {timeout:g} 秒）：{docx_path}") from exc
    except BaseException:  # interrupted (Ctrl-C, SIGTERM from cron/systemd): leave no soffice.bin behind
        _kill_group(process, posix)
        raise
    return process.returncode, output or b""


def _kill_group(process: subprocess.Popen, posix: bool) -> None:
    if posix:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    else:
        process.kill()
    process.communicate()
