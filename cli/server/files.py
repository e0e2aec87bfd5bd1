"""The files jobs import: each deployed version on disk once, and each workspace's tree.

A run executes its own version (`versions/<ws>/<hash>/f/x/y.py`, never
changed once written, as a Windmill job keeps its runnable hash), while
`from f.lib.helper import x` and `task_script("f/...")` resolve in the
workspace's tree of latest live versions (`workspaces/<ws>/tree`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from wac.sdk.layout import MODULE_SUFFIX

from ..files import write_atomic
from .scripts import extension



class JobFiles:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._lock = threading.Lock()

    def tree(self, workspace: str) -> Path:
        return self.data_dir / "workspaces" / workspace / "tree"

    def version(self, workspace: str, row) -> tuple[Path, str]:
        """The script file of a deployed version, and the import roots of its jobs."""
        root = self.data_dir / "versions" / workspace / row["hash"]
        script = self._write(root, row["path"], row["language"], row["content"], _modules(row))
        return script, os.pathsep.join([str(root), str(self.tree(workspace))])

    def preview(self, workspace: str, path: str, language: str, content: str,
                modules: dict[str, Any] | None) -> tuple[Path, str]:
        """The script file of a preview job (content-addressed), and its import roots."""
        digest = hashlib.sha256(json.dumps([path, language, content, modules], sort_keys=True).encode()).hexdigest()
        root = self.data_dir / "previews" / workspace / digest[:24]
        script = self._write(root, path, language, content, modules)
        return script, os.pathsep.join([str(root), str(self.tree(workspace))])

    def publish(self, workspace: str, row) -> None:
        """Make a version the one the workspace tree holds for its path."""
        self._clear(self.tree(workspace), row["path"])
        self._write(self.tree(workspace), row["path"], row["language"], row["content"], _modules(row))

    def withdraw(self, workspace: str, path: str) -> None:
        self._clear(self.tree(workspace), path)

    def _write(self, root: Path, path: str, language: str, content: str, modules: dict[str, Any] | None) -> Path:
        script = root / f"{path}.{extension(language)}"
        with self._lock:
            if not script.exists():
                for rel, module in (modules or {}).items():
                    write_atomic(root / f"{path}{MODULE_SUFFIX}" / rel, module.get("content", ""))
                write_atomic(script, content)  # last: its presence means the version is complete
        return script

    def _clear(self, root: Path, path: str) -> None:
        with self._lock:
            for candidate in root.glob(f"{path}.*"):
                candidate.unlink(missing_ok=True)
            shutil.rmtree(root / f"{path}{MODULE_SUFFIX}", ignore_errors=True)


def _modules(row) -> dict[str, Any] | None:
    return json.loads(row["modules"]) if row["modules"] else None
