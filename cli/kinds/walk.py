"""The files of a repo that wmill's walk meets and does not ignore, in the order it meets them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .scope import file_ignored, folder_ignored, never_walked

if TYPE_CHECKING:
    from ..config import SyncConfig


def walk(root: Path, config: "SyncConfig") -> list[str]:
    """Paths relative to `root`, depth first with each folder's entries in reverse name order.

    That is the order of wmill's stack-based walk over sorted directory listings, which decides
    the order generate-metadata meets (and lists) items.
    """
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        relative = Path(folder).relative_to(root).as_posix()
        prefix = "" if relative == "." else relative + "/"
        dirs[:] = [d for d in dirs if not never_walked(d) and not folder_ignored(prefix + d)]
        found += [prefix + name for name in files if not file_ignored(prefix + name, config)]
    return sorted(found, key=lambda path: path.split("/"), reverse=True)
