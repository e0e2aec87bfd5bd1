"""The scripts of a repo and the files that belong to each (flat and folder layouts)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..project import ENTRY_STEM, ITEM_ROOTS, MODULE_SUFFIX, SKIPPED_DIRS, remote_path

if TYPE_CHECKING:
    from ..config import SyncConfig

SCRIPT_SUFFIX = ".py"


@dataclass
class ScriptItem:
    """One Python script: its content file, Windmill path and companion files."""

    root: Path
    local: str  # content file relative to the root, e.g. f/x/y.py or f/x/y__mod/script.py
    remote: str  # Windmill path, e.g. f/x/y
    folder_layout: bool
    modules: dict[str, Path] = field(default_factory=dict)

    @property
    def content_path(self) -> Path:
        return self.root / self.local

    @property
    def metadata_local(self) -> str:
        return f"{self.remote}{MODULE_SUFFIX}/script.yaml" if self.folder_layout else f"{self.remote}.script.yaml"

    @property
    def lock_local(self) -> str:
        return f"{self.remote}{MODULE_SUFFIX}/script.lock" if self.folder_layout else f"{self.remote}.script.lock"

    @property
    def module_dir(self) -> Path:
        return self.root / f"{self.remote}{MODULE_SUFFIX}"


def find_scripts(root: Path, config: SyncConfig) -> list[ScriptItem]:
    """Every Python script under f/, u/, g/ selected by the config, sorted by path."""
    items = []
    for top in ITEM_ROOTS:
        base = root / top
        if not base.is_dir():
            continue
        for folder, dirs, files in os.walk(base):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
            rel_folder = Path(folder).relative_to(root).as_posix()
            for name in sorted(files):
                local = f"{rel_folder}/{name}"
                if name.endswith(SCRIPT_SUFFIX) and _is_entry(local) and config.selects(local):
                    items.append(script_item(root, local))
    return sorted(items, key=lambda item: item.local)


def _is_entry(local: str) -> bool:
    """Scripts outside `__mod/`, or `script.py` directly under the outermost `__mod/`."""
    parts = local.split("/")
    mods = [i for i, part in enumerate(parts[:-1]) if part.endswith(MODULE_SUFFIX)]
    if not mods:
        return True
    return mods[0] == len(parts) - 2 and parts[-1] == f"{ENTRY_STEM}{SCRIPT_SUFFIX}"


def script_item(root: Path, local: str) -> ScriptItem:
    """The item whose content file is `local` (relative to `root`), with its `__mod` modules."""
    remote = remote_path(local)
    item = ScriptItem(root, local, remote, folder_layout=f"{MODULE_SUFFIX}/" in local)
    folder = item.module_dir
    if folder.is_dir():
        for path in sorted(folder.rglob("*" + SCRIPT_SUFFIX)):
            rel = path.relative_to(folder).as_posix()
            if item.folder_layout and "/" not in rel and path.stem == ENTRY_STEM:
                continue
            item.modules[rel] = path
    return item


def item_of_remote(root: Path, remote: str) -> ScriptItem | None:
    """The Python script at Windmill path `remote` (flat or folder layout), if the repo has one."""
    for local in (f"{remote}{SCRIPT_SUFFIX}", f"{remote}{MODULE_SUFFIX}/{ENTRY_STEM}{SCRIPT_SUFFIX}"):
        if (root / local).is_file():
            return script_item(root, local)
    return None
