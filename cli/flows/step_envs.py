"""Which of a flow's Python steps run in an environment of their own, as on a worker, and its interpreter.

A worker installs each step's lock: an inline step's (`!inline x.inline_script.lock`, else the lock
generate-metadata would write), a repo script's (`.script.lock`). Steps that need nothing beyond the
standard library and `wmill` run in the flow's own process, as do WAC scripts (they run on the
engine, in the flow's interpreter). Environments are made before the run starts, so a resume finds them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wac.sdk.engine import is_workflow

from ..environments import ensure
from ..files import UnreadableFile, read_text
from ..metadata.items import item_of_remote
from ..project import wac_dir
from ..script_pins import Resolution, inline_pins, script_pins
from .modules import all_steps
from .step_process import inline_key, script_key


def interpreters(values: list[dict[str, Any]], root: Path, resolution: Resolution,
                 view) -> dict[str, dict[str, str]]:
    """Where each Python step of the flow `values` (the flow's and those it calls) that needs packages runs,
    by `inline_key`/`script_key`: `{"python": interpreter}` (and a script's `file`); environments are made
    here when missing."""
    cache = wac_dir(root) / "cache"
    found: dict[str, dict[str, str]] = {}
    checked: set[str] = set()  # a step's code or script is looked at once, however many steps run it
    for module in all_steps(values):
        step = module.get("value") or {}
        if step.get("type") == "rawscript" and step.get("language") == "python3":
            code = step.get("content") or ""
            key, what, where = inline_key(code), f"step {module.get('id')}", {}
            if key in checked:
                continue
            pins = inline_pins(f"{module.get('id')}.inline_script.py", code, step.get("lock"), root, resolution,
                               cache)
        elif step.get("type") == "script" and isinstance(step.get("path"), str):
            key, what = script_key(step["path"]), step["path"]
            if key in checked:
                continue
            local = _plain_script(step["path"], root)
            where = {"file": local} if local else {}
            pins = script_pins(root / local, root, resolution, cache) if local else None
        else:
            continue
        checked.add(key)
        if pins:
            python = ensure(pins, resolution, lambda pins, what=what: view.installing(what, pins))
            found[key] = {"python": str(python), **where}
    return found


def _plain_script(path: str, root: Path) -> str | None:
    """The file of the repo's Python script at `path` (None for a WAC script, or one the repo lacks)."""
    item = item_of_remote(root, path)
    if item is None:
        return None
    try:
        return None if is_workflow(read_text(item.content_path)) else item.local
    except UnreadableFile:
        return None

