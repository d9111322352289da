"""Finding and creating a workspace: a folder with plans/, progress/, templates/ and reports/.

Found from --root, else $KJPLAN_ROOT, else upward from the current folder (as git finds .git).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from kjplan.errors import KjplanError, OutputError, os_reason, shell_path

PLANS, PROGRESS, TEMPLATES, REPORTS = "plans", "progress", "templates", "reports"
SETTINGS_FILE = "kjplan.yaml"
ENV_ROOT = "KJPLAN_ROOT"

# Appends from two git clones both survive a merge: git's union driver keeps both sides' lines.
GITATTRIBUTES = "# kjplan：进度记录只追加，合并时保留双方新增的行\nprogress/*.jsonl merge=union\n"


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def plans_dir(self) -> Path:
        return self.root / PLANS

    @property
    def progress_dir(self) -> Path:
        return self.root / PROGRESS

    @property
    def templates_dir(self) -> Path:
        return self.root / TEMPLATES

    @property
    def reports_dir(self) -> Path:
        return self.root / REPORTS

    @property
    def settings_path(self) -> Path:
        return self.root / SETTINGS_FILE

    def plan_paths(self) -> dict[int, Path]:
        """Plan files by year (plans/2020.yaml -> 2020)."""
        found = {}
        for path in self.plans_dir.glob("*.yaml"):
            if path.stem.isdigit() and len(path.stem) == 4:
                found[int(path.stem)] = path
        return dict(sorted(found.items()))

    def plan_path(self, year: int | None = None) -> Path:
        """The plan for `year`, or the newest plan in the workspace."""
        paths = self.plan_paths()
        if not paths:
            raise KjplanError(f"工作区 {self.root} 的 plans/ 文件夹里没有计划文件（应为 plans/2020.yaml 这样以年份命名的文件）")
        if year is None:
            return paths[max(paths)]
        if year not in paths:
            raise KjplanError(f"工作区没有 {year} 年的计划（plans/{year}.yaml）；现有：{'、'.join(map(str, paths))}")
        return paths[year]

    def progress_path(self, year: int) -> Path:
        return self.progress_dir / f"{year}.jsonl"

    @cached_property
    def settings(self):
        from kjplan.cache import load_file

        def load(path):
            from kjplan.settings import load_settings

            return load_settings(path)

        return load_file(self.settings_path, "settings", load)

    def plan(self, year: int | None = None):
        from kjplan.cache import load_file

        def load(path):
            from kjplan.plan import load_plan

            return load_plan(path)

        return load_file(self.plan_path(year), "plan", load)


def is_workspace(folder: Path) -> bool:
    return (folder / PLANS).is_dir()


def find_workspace(root: Path | str | None = None, env: Mapping[str, str] | None = None,
                   cwd: Path | None = None) -> Workspace:
    """--root beats $KJPLAN_ROOT beats searching upward from the current folder."""
    env = os.environ if env is None else env
    if root is None and env.get(ENV_ROOT):
        root, source = env[ENV_ROOT], f"环境变量 {ENV_ROOT}"
    else:
        source = "--root"
    if root is not None:
        folder = Path(root).expanduser().resolve()
        if folder.exists() and not folder.is_dir():
            raise KjplanError(f"{source} 指定的 {folder} 是一个文件，不是文件夹；请写工作区文件夹（含 plans/ 的文件夹）")
        if not folder.is_dir():
            raise KjplanError(f"{source} 指定的工作区 {folder} 不存在；可用 kjplan init {shell_path(root)} 新建")
        if not is_workspace(folder):
            raise KjplanError(f"{source} 指定的 {folder} 不是 kjplan 工作区（缺少 plans/ 文件夹）；"
                              "可用 kjplan init 文件夹 新建工作区，或用 kjplan init --example 文件夹 生成示例工作区")
        return Workspace(folder)
    start = (cwd or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if is_workspace(folder):
            return Workspace(folder)
    raise KjplanError(
        f"从当前文件夹 {start} 向上没有找到 kjplan 工作区（含 plans/ 的文件夹）。"
        f"请用 --root 指定，或设置环境变量 {ENV_ROOT}，或用 `kjplan init 文件夹` 新建"
    )


def bundled_root() -> Path:
    """The bundled plan, templates and settings: package data in a wheel, the repository in a checkout."""
    from importlib import resources

    packaged = Path(str(resources.files("kjplan"))) / "_bundled"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / PLANS).is_dir() and (checkout / TEMPLATES).is_dir():
        return checkout
    raise KjplanError("安装不完整：找不到随程序附带的计划和模板，请重新安装 kjplan")


def bundled_example() -> Path:
    """The example data (fictitious records and their settings): examples/demo of the repository, copied
    into the wheel as package data."""
    root = bundled_root()
    folder = root / "example" if root.name == "_bundled" else root / "examples" / "demo"
    if not (folder / SETTINGS_FILE).is_file():
        raise KjplanError("安装不完整：找不到随程序附带的示例数据，请重新安装 kjplan")
    return folder


def _copies(target: Path, example: bool, bundled_plan: bool = True) -> list[tuple[Path, Path]]:
    """(source, destination) of every file a new workspace gets (bundled_plan: the 2020 plan too)."""
    source = bundled_root()
    settings = bundled_example() if example else source
    copies = [(source / PLANS / "2020.yaml", target / PLANS / "2020.yaml")] if bundled_plan else []
    copies.append((settings / SETTINGS_FILE, target / SETTINGS_FILE))
    copies += [(p, target / TEMPLATES / p.name) for p in sorted((source / TEMPLATES).iterdir()) if p.is_file()]
    if example:
        demo = bundled_example()
        copies += [(p, target / PROGRESS / p.name) for p in sorted((demo / PROGRESS).glob("*.jsonl"))]
        copies.append((demo / "README.md", target / "README.md"))
    return copies


def init_workspace(folder: Path | str, *, example: bool = False, plan: tuple[int, str] | None = None) -> Workspace:
    """Create a workspace with the bundled 2020 plan, default templates and settings (example: the
    fictitious example records and their settings as well). Never overwrites; making the same workspace
    again where it already is, unchanged, is not an error (the README's first command can be rerun).

    plan: (year, the plan file's text), e.g. from kjplan.plan_import, instead of the bundled plan."""
    target = Path(folder).expanduser().resolve()
    copies = _copies(target, example, bundled_plan=plan is None)
    plan_file = target / PLANS / (f"{plan[0]}.yaml" if plan else "2020.yaml")
    written = {target / ".gitattributes": GITATTRIBUTES} | ({plan_file: plan[1]} if plan else {})
    created_files = [dst for _, dst in copies] + list(written)
    if all(dst.is_file() and dst.read_bytes() == src.read_bytes() for src, dst in copies) and \
            all(path.is_file() and path.read_text(encoding="utf-8") == text for path, text in written.items()):
        return Workspace(target)
    existing = [p for p in created_files + [target / PROGRESS, target / REPORTS] if p.exists()]
    if existing:
        names = "、".join(p.relative_to(target).as_posix() + ("/" if p.is_dir() else "") for p in existing)
        raise KjplanError(f"{target} 已有 {names}，kjplan init 不会覆盖已有内容；请换一个空文件夹")
    try:
        for sub in (PLANS, PROGRESS, TEMPLATES, REPORTS):
            (target / sub).mkdir(parents=True, exist_ok=True)
        for src, dst in copies:
            shutil.copyfile(src, dst)
        for path, text in written.items():
            path.write_text(text, encoding="utf-8", newline="\n")
        _fill_units(target, plan_file)
    except OSError as exc:
        raise OutputError(f"无法在 {target} 新建工作区（{os_reason(exc, target)}）") from None
    return Workspace(target)


def _fill_units(target: Path, plan_file: Path) -> None:
    """units: in the new kjplan.yaml lists the plan notice's recipients (kjplan.assign.units_yaml)."""
    from kjplan.assign import fill_units
    from kjplan.plan import load_plan

    settings = target / SETTINGS_FILE
    text = settings.read_text(encoding="utf-8")
    settings.write_text(fill_units(text, load_plan(plan_file)), encoding="utf-8")
