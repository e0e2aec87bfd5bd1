"""The repo's files that a sync compares: scripts and folders under f/, u/, g/ that wmill.yaml selects."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import SyncConfig
from ..errors import InvalidInput
from ..files import UnreadableFile, read_text
from .changes import comparable
from .layout import MOD, ROOTS, is_content, item_of, kind_of, other_kind


@dataclass
class LocalTree:
    files: dict[str, str] = field(default_factory=dict)  # path -> text
    values: dict[str, Any] = field(default_factory=dict)  # path -> what the diff compares
    other_kinds: Counter = field(default_factory=Counter)

    def text(self, path: str) -> str:
        return self.files[path]

    def flat_module_scripts(self) -> set[str]:
        """Scripts kept in flat layout (`x.py` beside `x__mod/`)."""
        with_modules = {path.split(MOD, 1)[0] for path in self.files if MOD in path}
        return {item_of(p) for p in self.files if MOD not in p and is_content(p) and item_of(p) in with_modules}


def read_tree(root: Path, config: SyncConfig) -> LocalTree:
    """Read every selected file once; a file that is not UTF-8 text stops the sync with its name."""
    tree = LocalTree()
    for top in ROOTS:
        base = root / top
        if not base.is_dir():
            continue
        for folder, dirs, names in os.walk(base):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
            relative = Path(folder).relative_to(root).as_posix()
            for name in names:
                path = f"{relative}/{name}"
                if not config.selects(path):
                    continue
                if kind_of(path) is None:
                    if other_kind(path):
                        tree.other_kinds[other_kind(path)] += 1
                    continue
                try:
                    text = tree.files[path] = read_text(root / path)
                except UnreadableFile as exc:
                    raise InvalidInput(f"{path}: {exc}", "save it as UTF-8 text, or exclude it in wmill.yaml") from None
                tree.values[path] = comparable(path, text)
    return tree
