"""A raw app's frontend bundle (`bundle.js`, `bundle.css`), made by the `wmill` CLI's own bundler.

wmill bundles a raw app with its JavaScript toolchain (npm install in the app's folder, esbuild with its
framework plugins and the `wmill` client it embeds); no Python package makes the same bundle, so wac runs
`wmill app bundle` (offline, no workspace) and sends the rest of the push itself, as `wmill sync push` does.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .base import ItemError

INSTALL_HINT = "install the wmill CLI (`npm install -g windmill-cli`), which bundles raw apps"


def bundler() -> str | None:
    """The `wmill` command on the PATH, if any."""
    return shutil.which("wmill")


def bundle(folder: Path, root: Path, remote_path: str) -> tuple[str, str]:
    """(js, css) of the raw app in `folder`, bundled from the repo `root` (its `ui/` folder is shared)."""
    command = bundler()
    if command is None:
        raise ItemError(f"cannot push raw app {remote_path}: its frontend needs bundling: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="wac-bundle-") as out:
        done = subprocess.run([command, "app", "bundle", str(folder), "--out", out], cwd=root, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL)
        js, css = Path(out) / "bundle.js", Path(out) / "bundle.css"
        if done.returncode != 0 or not js.is_file():
            said = [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip()]
            raise ItemError(f"cannot bundle raw app {remote_path}: {said[-1] if said else 'wmill app bundle failed'}")
        return js.read_text(encoding="utf-8"), css.read_text(encoding="utf-8") if css.is_file() else ""
