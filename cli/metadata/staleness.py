"""Which items need new metadata, and why: hash drift, then importers, transitively."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from ..files import UnreadableFile, read_text
from .hashing import item_hashes
from .items import ScriptItem
from .lockfile import WmillLock

CONTENT_CHANGED = "content changed"
# Only scripts that mention a workspace import need parsing for the graph.
_MAY_IMPORT_WORKSPACE = re.compile(r"^\s*(?:from\s+(?:\.|[fu]\.)|import\s+[fu]\.)", re.M)


@dataclass
class ItemState:
    """An item's current files and hashes, read once per run."""

    item: ScriptItem
    script_text: str | None
    metadata_text: str | None
    modules: dict[str, str]
    hashes: dict[str, str]
    error: str | None = None


@dataclass
class StaleItem:
    item: ScriptItem
    reason: str


@dataclass
class Plan:
    stale: list[StaleItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    states: dict[str, ItemState] = field(default_factory=dict)


def read_state(item: ScriptItem) -> ItemState:
    """Read an item's script, metadata and module files and hash them."""
    try:
        script = read_text(item.content_path)
        meta_path = item.root / item.metadata_local
        metadata = read_text(meta_path) if meta_path.exists() else None
        modules = {rel: read_text(path) for rel, path in item.modules.items()}
    except UnreadableFile as exc:
        return ItemState(item, None, None, {}, {}, error=f"{item.local}: {exc}")
    hashes = item_hashes(item.remote, script, metadata or "", modules)
    return ItemState(item, script, metadata, modules, hashes)


def is_stale(state: ItemState, lock: WmillLock) -> bool:
    if state.error or state.metadata_text is None:
        return True
    main_key = next(iter(state.hashes))
    return lock.get(main_key) != state.hashes[main_key]


def import_graph(states: dict[str, ItemState]) -> dict[str, list[str]]:
    """remote path -> remote paths of the items that import it."""
    from wac.parser import SourceSyntaxError, Source, workspace_imports

    imported_by: dict[str, list[str]] = {}
    for remote, state in states.items():
        text = state.script_text
        if not text or not _MAY_IMPORT_WORKSPACE.search(text):
            continue
        try:
            targets = workspace_imports(Source(text).module, remote)
        except SourceSyntaxError:
            continue
        for target in targets:
            if target in states and target != remote:
                imported_by.setdefault(target, []).append(remote)
    return imported_by


def plan(states: dict[str, ItemState], lock: WmillLock, folder: str | None = None,
         strict: bool = False) -> Plan:
    """Stale items with reasons, in the order the wmill CLI lists them."""
    result = Plan(states=states)
    direct = sorted((r for r, s in states.items() if is_stale(s, lock)),
                    key=lambda r: states[r].item.local, reverse=True)
    reasons: dict[str, str] = {r: CONTENT_CHANGED for r in direct}
    order = list(direct)
    if direct:
        imported_by = import_graph(states)
        queue = deque(direct)
        while queue:
            current = queue.popleft()
            for importer in sorted(imported_by.get(current, []),
                                   key=lambda r: states[r].item.local, reverse=True):
                if importer not in reasons:
                    reasons[importer] = f"depends on {current}"
                    order.append(importer)
                    queue.append(importer)
    touched = _touching_folder(order, reasons, folder, states) if folder else set(order)
    for remote in order:
        item = states[remote].item
        inside = folder is None or _inside(item, folder)
        if inside or (not strict and remote in touched):
            result.stale.append(StaleItem(item, reasons[remote]))
        elif strict and remote in touched:
            result.warnings.append(
                f'Warning: {item.local} depends on something inside "{folder}" but is outside it'
                " — skipped due to --strict-folder-boundaries. Next generate-metadata will not"
                " detect it as stale."
            )
    return result


def normalize_folder(folder: str) -> str:
    folder = folder.replace("\\", "/").rstrip("/")
    return folder[2:] if folder.startswith("./") else folder


def _inside(item: ScriptItem, folder: str) -> bool:
    return (item.remote == folder or item.remote.startswith(folder + "/")
            or item.local == folder)


def _touching_folder(order: list[str], reasons: dict[str, str], folder: str,
                     states: dict[str, ItemState]) -> set[str]:
    """Stale items inside the folder, or whose chain of reasons leads into it."""
    touched = set()
    for remote in order:
        current = remote
        while True:
            if _inside(states[current].item, folder):
                touched.add(remote)
                break
            reason = reasons[current]
            if not reason.startswith("depends on "):
                break
            current = reason[len("depends on "):]
    return touched
