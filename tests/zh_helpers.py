"""What a Chinese message may contain in Latin letters: command, option and file names, nothing else."""

from __future__ import annotations

import re

COMMANDS = {"kjplan", "init", "check", "plan", "add-progress", "amend", "retract", "log", "status", "report",
            "export", "import", "assign", "forms", "remind", "show"}
# Column and key names of the records files (item:, text:, …), written as the files spell them.
FILE_KEYS = {"item", "quarter", "text", "status", "unit", "by", "metrics", "problems", "next", "date", "records",
             "units", "report", "fonts", "items", "targets", "number", "title", "id", "name", "value", "kind",
             "lead", "partners", "source", "review", "cumulative", "level"}
# Words that are names, not English prose: formats and file kinds, units of measure, the plan's ids.
NAMES = {"YAML", "CSV", "UTF-8", "GBK", "GB18030", "Excel", "WPS", "Word", "JSON", "xlsx", "docx", "pdf", "PDF",
         "csv", "json", "yaml", "yml", "txt", "Tab", "NUL", "EDITOR", "VISUAL", "KJPLAN_ROOT", "Ctrl-C",
         "Ctrl-D", "Enter", "Q1", "Q2", "Q3", "Q4", "current", "previous", "done", "on-track", "behind",
         "not-started", "table", "innovation_fund", "incubator_occupancy", "GB/T", "LibreOffice", "git",
         "activate", "pipx", "all", "BOM", "Windows", "Linux", "macOS", "WPS", "ID", "CTRL", "true", "false", "yes", "no", "auto", "cron", "systemd", "venv", "OK",
         "PAGER", "KJPLAN_PAGER", "LESS", "less"}


def english_words(message: str, allowed: set[str] = frozenset()) -> list[str]:
    """Latin words in `message` other than options (--text), paths, hex ids, U+XXXX, the names above and
    what the user wrote, quoted back in “…”."""
    text = re.sub(r"“[^”]*”", " ", message)
    text = re.sub(r"(?<![\w-])--?[a-z][\w-]*", " ", text)  # --option, -h
    path_part = r"[A-Za-z0-9_.~:+-]"
    text = re.sub(rf"{path_part}*[/\\][A-Za-z0-9_./\\~:+-]*|[^\s“”（）：，、；]+\.(?:ya?ml|csv|xlsx|docx|jsonl?|txt|md|pdf|j2)\b|(?<![\w.])\.[a-z]\w+",
                  " ", text)  # paths and file names
    text = re.sub(r"U\+[0-9A-F]{4,6}|0x[0-9A-Fa-f]+|\b[0-9a-f]{6,16}\b", " ", text)
    words = [w.rstrip("-") for w in re.findall(r"[A-Za-z][\w/.-]*", text)]
    ok = COMMANDS | NAMES | FILE_KEYS | set(allowed)
    # Single letters and quarter codes; snake_case words are target ids (innovation_fund) and dotted ones
    # settings keys (report.header): names, not prose.
    return [w for w in words if w not in ok and not re.fullmatch(
        r"[A-Z]|\d*Q\d|[a-z]|[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z_]+(?:\.[a-z_]+)+", w)]


def assert_chinese(message: str, allowed: set[str] = frozenset()) -> None:
    assert re.search(r"[\u4e00-\u9fff]", message), message
    assert not english_words(message, allowed), (english_words(message, allowed), message)
