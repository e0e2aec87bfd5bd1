"""Where a Windmill repo starts, and which files belong to which script."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from wac.sdk.layout import ENTRY_STEM, MODULE_SUFFIX, module_dir

ITEM_ROOTS = ("f", "u", "g")
WAC_DIR = ".wac"
SKIPPED_DIRS = frozenset({".git", ".wac", ".venv", "venv", "node_modules", "__pycache__", ".tox"})
FLOW_SUFFIXES = (".flow", "__flow")  # a flow's folder: `<path>.flow/`, or `<path>__flow/` (non-dotted layout)


def find_root(start: Path) -> Path:
    """The folder holding `wmill.yaml`, walking up from `start` to the git root; without one, the git root
    (a repo synced without a wmill.yaml still has its paths from there), else `start`."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "wmill.yaml").is_file() or (folder / ".git").exists():
            return folder
    return start


def module_files(script: Path) -> frozenset[str] | None:
    """Files of a script's `__mod` folder, relative to it (None: the file is itself a module)."""
    folder = module_dir(script)
    if not folder.is_dir():
        return frozenset() if not _inside_module_folder(script) else None
    return frozenset(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and path != script and not path.name.endswith(".lock")
    )


def _inside_module_folder(path: Path) -> bool:
    return any(part.endswith(MODULE_SUFFIX) for part in path.parent.parts)


def remote_path(local: str) -> str:
    """Windmill path of a content file: before `__mod/`, else before the first dot."""
    marker = MODULE_SUFFIX + "/"
    if marker in local:
        return local.split(marker, 1)[0]
    return local.split(".", 1)[0]


def script_path_of(script: Path, root: Path) -> str | None:
    """The Windmill path (`f/x/y`) of a script file of the repo, if it is an item."""
    try:
        local = script.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
    return remote_path(local) if local.split("/", 1)[0] in ITEM_ROOTS else None


def source_key(code: str, modules: frozenset[str] | None, flows: frozenset[str] | None = None) -> str:
    """Cache key of what the parser finds in a script: rules version, its `__mod` files, the repo's flows (when
    it calls `task_flow`), its text."""
    import hashlib

    from wac.parser import RULES_VERSION

    around = [sorted(known) if known is not None else None for known in (modules, flows)]
    digest = hashlib.sha256(f"{RULES_VERSION}\0{around[0]}\0{around[1]}\0".encode())
    digest.update(code.encode("utf-8"))
    return digest.hexdigest()


def repo_flows(script: Path, code: str) -> frozenset[str] | None:
    """The Windmill paths of the flows of the repo around a script that calls `task_flow` (None for any other
    script: nothing in it needs them)."""
    return _flows_under(find_root(script.parent)) if "task_flow" in code else None


@functools.lru_cache(maxsize=8)
def _flows_under(root: Path) -> frozenset[str]:
    found = set()
    for folder, subfolders, _ in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED_DIRS]
        for name in subfolders:
            for suffix in FLOW_SUFFIXES:
                if name.endswith(suffix):
                    found.add((Path(folder) / name[: -len(suffix)]).relative_to(root).as_posix())
    return frozenset(found)


def state_dir(root: Path) -> Path:
    """Where wac keeps its state (job store, caches, sync records) for `root`, without creating it:
    `.wac/` beside the repo's `wmill.yaml`; outside a repo, a folder of its own in the user's state
    folder (`$XDG_STATE_HOME/wac/`), never inside the files being worked on."""
    if (root / "wmill.yaml").is_file():
        return root / WAC_DIR
    import hashlib
    import os

    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "wac" / "folders"
    return base / f"{root.name or 'root'}-{hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]}"


def wac_dir(root: Path) -> Path:
    """`state_dir(root)`, created (in a repo with a `.gitignore`, so it never shows as untracked)."""
    from .errors import InvalidInput

    folder = state_dir(root)
    ignore = folder / ".gitignore"
    if ignore.exists() or (folder.is_dir() and folder.name != WAC_DIR):
        return folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if folder.name != WAC_DIR:
            return folder
        ignore.write_text("# wac's local state (job store, caches): not part of the repo\n*\n", encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write {folder}: {exc.strerror}",
                           "make the repo folder writable, or pass --store PATH for the job store") from None
    return folder
