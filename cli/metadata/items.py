"""The scripts of a repo (every language) and the files that belong to each (flat and folder layouts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..kinds.languages import language_of
from ..kinds.paths import (has_content_extension, in_any_folder_item, is_file_resource, is_fileset_resource,
                           is_migration, is_module_entry, is_module_path)
from ..kinds.walk import walk
from ..project import ENTRY_STEM, MODULE_SUFFIX, remote_path

if TYPE_CHECKING:
    from ..config import SyncConfig

PYTHON = "python3"


@dataclass
class ScriptItem:
    """One script: its content file, Windmill path, language and companion files."""

    root: Path
    local: str  # content file relative to the root, e.g. f/x/y.py or f/x/y__mod/script.py
    remote: str  # Windmill path, e.g. f/x/y
    folder_layout: bool
    language: str = PYTHON
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

    @property
    def is_python(self) -> bool:
        return self.language == PYTHON


def is_script_file(local: str) -> bool:
    """A script's content file, as generate-metadata's walk takes it (not inside flows, apps, modules)."""
    return (has_content_extension(local) and not in_any_folder_item(local) and not is_migration(local)
            and not is_file_resource(local) and not is_fileset_resource(local)
            and not (is_module_path(local) and not is_module_entry(local)))


def find_scripts(root: Path, config: SyncConfig, files: list[str] | None = None) -> list[ScriptItem]:
    """Every script the config selects, in wmill's walk order (`files`: that walk, when already made)."""
    return [script_item(root, local, config.default_ts)
            for local in (walk(root, config) if files is None else files) if is_script_file(local)]


def script_item(root: Path, local: str, default_ts: str = "bun") -> ScriptItem:
    """The item whose content file is `local` (relative to `root`), with its `__mod` modules."""
    item = ScriptItem(root, local, remote_path(local), folder_layout=f"{MODULE_SUFFIX}/" in local,
                      language=language_of(local, default_ts) or PYTHON)
    folder = item.module_dir
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if not path.is_file() or rel.endswith(".lock") or language_of(rel, default_ts) is None:
                continue
            if item.folder_layout and "/" not in rel and path.name.startswith(ENTRY_STEM + "."):
                continue
            item.modules[rel] = path
    return item


def item_of_remote(root: Path, remote: str) -> ScriptItem | None:
    """The Python script at Windmill path `remote` (flat or folder layout), if the repo has one."""
    for local in (f"{remote}.py", f"{remote}{MODULE_SUFFIX}/{ENTRY_STEM}.py"):
        if (root / local).is_file():
            return script_item(root, local)
    return None
