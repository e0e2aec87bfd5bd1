"""Regenerating a stale flow's metadata: locks of its Python inline scripts, resolved here.

What `wmill generate-metadata` does with the server's flow dependency job, done offline: the
steps whose file changed (or that import a changed workspace script, or have no lock) get a
new lock from pip-tools; the flow's inline scripts go back to their files (the lock beside
each, `lock: '!inline ...'` in `flow.yaml`), `flow.yaml` is written as wmill writes it, and
the hashes are recorded. A changed step in a language wac cannot lock (TypeScript, Go, ...)
leaves the whole flow untouched and says so.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..files import read_or_none, write_if_changed
from ..kinds.flow_modules import (CorruptInlineScript, PathAssigner, current_mapping, extract, legacy_lock_path,
                                  replace, steps, top_modules)
from ..kinds.languages import LOCKED_LANGUAGES, display_name
from .folder_items import FolderState, changed_files, folder_hashes, hashed_files
from .lockfile import WmillLock
from .locks import version_changes
from .yaml_emit import dump

if TYPE_CHECKING:
    from ..config import SyncConfig
    from .tree import DependencyTree

PYTHON = "python3"


@dataclass
class FlowOutcome:
    hashes: dict[str, str] = field(default_factory=dict)
    updated: list[str] = field(default_factory=list)  # relocked inline scripts (file names without extension)
    changes: list[str] = field(default_factory=list)  # version changes of their locks
    error: str | None = None
    unsupported: str | None = None


def regenerate(state: FolderState, lock: WmillLock, tree: "DependencyTree | None", locker,
               config: "SyncConfig") -> FlowOutcome:
    """Relock and rewrite one stale flow (`locker` None: `--schema-only`, nothing to lock)."""
    item = state.item
    flow = copy.deepcopy(state.definition or {})
    value = flow.get("value")
    if not isinstance(value, dict) or not isinstance(value.get("modules"), list):
        return FlowOutcome(error=f"{item.folder}/flow.yaml: `value.modules` must be a list of steps")
    folder = item.root / item.folder
    mapping = current_mapping(value)
    relock = _to_relock(state, lock, tree, mapping)
    missing = replace(value, lambda path: read_or_none(folder / path))
    if missing:
        return FlowOutcome(error=f"cannot regenerate the locks of flow {item.remote}: missing inline script "
                                 f"file(s): {', '.join(missing)}")
    outcome = FlowOutcome()
    blocked = set()
    for modules in top_modules(value):
        for module, step in steps(modules):
            file = mapping.get(module.get("id", ""))
            language = step.get("language", "")
            needs = (file in relock) or not step.get("lock")
            if not needs or language not in LOCKED_LANGUAGES:
                continue
            if language != PYTHON:
                blocked.add(display_name(language))
                continue
            if locker is None:
                continue
            try:
                text = locker.render_for(f"{item.folder}/{module.get('id', '')}", step.get("content") or "")
            except ValueError as exc:
                return FlowOutcome(error=f"lock failed for step {module.get('id', '')}: {exc}")
            outcome.changes += version_changes(step.get("lock") or "", text)
            step["lock"] = text
            outcome.updated.append(_stem(file or module.get("id", "")))
    if blocked:
        return FlowOutcome(unsupported=f"changed {', '.join(sorted(blocked))} steps need the server to lock them")
    assigner = PathAssigner(config.default_ts, non_dotted=config.non_dotted_paths)
    try:
        files = [f for modules in top_modules(value) for f in extract(modules, assigner, mapping,
                                                                          fail_on_directive=True)]
    except CorruptInlineScript as exc:
        return FlowOutcome(error=f"{item.folder}/flow.yaml: {exc}")
    for file in files:
        write_if_changed(folder / file.path, file.content)
    write_if_changed(folder / "flow.yaml", dump(flow))
    for file in files:
        legacy = None if file.is_lock else legacy_lock_path(file.path, file.language)
        if legacy and not any(other.path == legacy for other in files):
            (folder / legacy).unlink(missing_ok=True)
    outcome.hashes = folder_hashes(item.folder, item.top_key, hashed_files(item))
    return outcome


def _to_relock(state: FolderState, lock: WmillLock, tree: "DependencyTree | None",
               mapping: dict[str, str]) -> set[str]:
    """The `!inline` files whose step gets a new lock: changed ones, and those importing stale scripts."""
    relock = set(changed_files(state, lock))
    if tree is not None:
        by_tree_path = {path: file for file in mapping.values()
                        for path in [f"{state.item.folder}/{_stem(file)}"]}
        relock |= {file for path, file in by_tree_path.items()
                   if path in tree.nodes and tree.nodes[path].reason is not None}
    return relock


def _stem(file: str) -> str:
    name = file.rsplit("/", 1)[-1]
    return name[: name.rfind(".")] if "." in name else name
