"""Where a script's `__mod` modules live, for every layer of wac (one definition).

Flat layout: `name.py` beside `name__mod/`; folder layout: `name__mod/script.py`.
"""

from __future__ import annotations

from pathlib import Path

MODULE_SUFFIX = "__mod"
ENTRY_STEM = "script"


def module_dir(script: Path) -> Path:
    """The `__mod` folder of a script, in flat or folder layout (it may not exist)."""
    if script.parent.name.endswith(MODULE_SUFFIX) and script.stem == ENTRY_STEM:
        return script.parent
    return script.with_name(script.stem + MODULE_SUFFIX)
