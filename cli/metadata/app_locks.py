"""Regenerating a stale app's metadata: locks of its Python inline scripts, resolved here.

What `wmill generate-metadata` does with one server dependency job per inline script, done offline:
every inline script but frontend ones is relocked (Python by pip-tools; languages that take no lock,
such as Bash or SQL, keep theirs), each goes back to its file named from the runnable's current name
(`<name>.inline_script.<ext>`, its lock beside it), `app.yaml` is written as wmill writes it, and the
hashes are recorded. A script in a language wac cannot lock (TypeScript, Go, ...) leaves the whole app
untouched and says so.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ..files import read_or_none, write_if_changed
from ..kinds.flow_modules import INLINE, PathAssigner
from ..kinds.languages import LOCKED_LANGUAGES, display_name
from .flow_locks import FlowOutcome
from .folder_items import FolderState, app_inline_scripts, folder_hashes, hashed_files
from .locks import version_changes
from .yaml_emit import dump

if TYPE_CHECKING:
    from ..config import SyncConfig

FRONTEND, PYTHON = "frontend", "python3"


def regenerate(state: FolderState, locker, config: "SyncConfig") -> FlowOutcome:
    """Relock and rewrite one stale classic app (`locker` None: `--schema-only`, nothing to lock)."""
    item = state.item
    if item.kind != "app":
        return FlowOutcome(unsupported="raw apps are locked by `wmill generate-metadata`")
    app = copy.deepcopy(state.definition or {})
    value = app.get("value")
    if not isinstance(value, dict):
        return FlowOutcome(error=f"{item.folder}/app.yaml: `value` must be a mapping (the app's components)")
    folder = item.root / item.folder
    scripts = [(where, script) for where, script in app_inline_scripts(value)
               if isinstance(script.get("content"), str) and script.get("content") and script.get("language")]
    for _, script in scripts:
        for field in ("content", "lock"):
            text = script.get(field)
            if isinstance(text, str) and text.startswith(INLINE):
                script[field] = read_or_none(folder / text[len(INLINE):].strip()) or ""
    blocked = sorted({display_name(s["language"]) for _, s in scripts
                      if s["language"] in LOCKED_LANGUAGES and s["language"] != PYTHON})
    if blocked:
        return FlowOutcome(unsupported=f"its {', '.join(blocked)} scripts need the server to lock them")
    outcome = FlowOutcome()
    assigner = PathAssigner(config.default_ts, non_dotted=config.non_dotted_paths)
    for where, script in scripts:
        name = _runnable_name(value, where)
        lock = None
        if script["language"] == PYTHON and locker is not None:
            try:
                lock = locker.render_for(f"{item.folder}/{'/'.join(where)}", script["content"])
            except ValueError as exc:
                return FlowOutcome(error=f"lock failed for {name!r}: {exc}")
            outcome.changes += version_changes(script.get("lock") or "", lock)
            outcome.updated.append(name)
        base, ext = assigner.assign(name, script["language"])
        write_if_changed(folder / (base + ext), script["content"])
        script["content"] = INLINE + base + ext
        if lock:
            write_if_changed(folder / (base + "lock"), lock)
            script["lock"] = INLINE + base + "lock"
    write_if_changed(folder / "app.yaml", dump(app))
    outcome.hashes = folder_hashes(item.folder, item.top_key, hashed_files(item))
    return outcome


def _runnable_name(value: Any, where: tuple[str, ...]) -> str:
    """The `name` beside the inline script at `where` (wmill's "unnamed" when it has none)."""
    node = value
    for step in where:
        node = node[int(step[1:-1])] if step.startswith("[") else node[step]
    name = node.get("name") if isinstance(node, dict) else None
    return name if isinstance(name, str) and name else "unnamed"
