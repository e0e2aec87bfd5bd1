"""Which items need new metadata, and why: hash drift, then importers, transitively."""

from __future__ import annotations

import hashlib
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from ..files import UnreadableFile, read_text
from ..json_cache import JsonCache
from .cores import map_on_cores
from .hashing import item_hashes
from .items import ScriptItem
from .lockfile import WmillLock

CONTENT_CHANGED = "content changed"
IMPORTS_CACHE = ("imports.json", "imports-1", 50_000)  # file name, format, entries kept
PARALLEL_IMPORTS = 64  # misses worth spreading over all cores


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
    """Read an item's script, metadata and module files and hash them.

    Without a `.script.yaml` the hash is taken over the default metadata wmill
    would create for it, so a recorded hash of that default counts as up to date.
    """
    try:
        script = read_text(item.content_path)
        meta_path = item.root / item.metadata_local
        metadata = read_text(meta_path) if meta_path.exists() else None
        modules = {rel: read_text(path) for rel, path in item.modules.items()}
    except UnreadableFile as exc:
        return ItemState(item, None, None, {}, {}, error=f"{item.local}: {exc}")
    hashes = item_hashes(item.remote, script, metadata if metadata is not None else default_text(item), modules)
    return ItemState(item, script, metadata, modules, hashes)


def default_text(item: ScriptItem) -> str:
    """The `.script.yaml` wmill writes for a script without one (always beside `<path>`, even in a `__mod` folder)."""
    from .script_metadata import INLINE, default_metadata
    from .yaml_emit import dump

    return dump(dict(default_metadata(item), lock=f"{INLINE}{item.remote}.script.lock"))


def is_stale(state: ItemState, lock: WmillLock) -> bool:
    if state.error:
        return True
    main_key = next(iter(state.hashes))
    return lock.get(main_key) != state.hashes[main_key]


def import_map(states: dict[str, ItemState], cache_dir: Path | None = None) -> dict[str, list[str]]:
    """remote path -> the workspace paths it imports, sorted as wmill's parser lists them.

    Cached by path and content in `cache_dir`; the files not in the cache are parsed on all cores.
    """
    cache = JsonCache(cache_dir / IMPORTS_CACHE[0], *IMPORTS_CACHE[1:]) if cache_dir else None
    imports: dict[str, list[str]] = {}
    misses: list[tuple[str, str, str]] = []
    for remote, state in states.items():
        if not state.script_text:
            continue
        key = hashlib.blake2b(f"{remote}\0{state.script_text}".encode(), digest_size=16).hexdigest()
        found = cache.get(key) if cache else None
        if found is None:
            misses.append((key, remote, state.script_text))
        else:
            imports[remote] = found
    for (key, remote, _), found in zip(misses, map_on_cores(_imports_of, misses, PARALLEL_IMPORTS)):
        imports[remote] = found
        if cache:
            cache.put(key, found)
    if cache:
        cache.save()
    return {remote: imports[remote] for remote in states if imports.get(remote)}


def _imports_of(miss: tuple[str, str, str]) -> list[str]:
    from wac.parser import workspace_imports

    _, remote, text = miss
    return workspace_imports(text, remote)


def walk_order(states: dict[str, ItemState]) -> list[str]:
    """Scripts in the order wmill's repo walk meets them: depth first, each folder's names in reverse order."""
    return sorted(states, key=lambda remote: states[remote].item.local.split("/"), reverse=True)


def plan(states: dict[str, ItemState], lock: WmillLock, folder: str | None = None,
         strict: bool = False, cache_dir: Path | None = None) -> Plan:
    """Stale items with reasons, as wmill's dependency tree finds and lists them.

    The tree's nodes are made in walk order, an imported path when its first importer is
    walked; staleness spreads breadth-first from the edited items (in node order) to their
    importers, each reason naming the node it came from; items are listed in node order.
    """
    result = Plan(states=states)
    direct = {remote for remote, state in states.items() if is_stale(state, lock)}
    if not direct:
        return result
    imports = import_map(states, cache_dir)
    nodes: dict[str, None] = {}
    importers: dict[str, dict[str, None]] = {}
    for remote in walk_order(states):
        nodes.setdefault(remote)
        for target in imports.get(remote, ()):
            nodes.setdefault(target)
            importers.setdefault(target, {}).setdefault(remote)
    reasons = {remote: CONTENT_CHANGED for remote in nodes if remote in direct}
    queue, visited = deque(reasons), set()
    while queue:
        current = queue.popleft()
        if current in visited:
            continue
        visited.add(current)
        for importer in importers.get(current, {}):
            if importer not in reasons:
                reasons[importer] = f"depends on {current}"
                queue.append(importer)
    stale = [StaleItem(states[r].item, reasons[r]) for r in nodes if r in reasons and r in states]
    if folder is None:
        result.stale = stale
        return result
    scope = FolderScope(folder, imports)
    result.stale = [s for s in stale if scope.inside(s.item) or (not strict and scope.relevant(s.item))]
    if strict:
        result.warnings = [
            f'Warning: {s.item.local} depends on something inside "{folder}" but is outside it'
            " — skipped due to --strict-folder-boundaries. Next generate-metadata will not detect it as stale."
            for s in stale if not scope.inside(s.item) and scope.relevant(s.item)]
    return result


class FolderScope:
    """wmill's folder filter: items inside FOLDER, and items any of whose transitive imports is."""

    def __init__(self, folder: str, imports: dict[str, list[str]]) -> None:
        self.folder = folder
        self.no_ext = re.sub(r"\.[^/.]+$", "", folder)
        self.imports = imports

    def inside(self, item: ScriptItem) -> bool:
        return (item.remote == self.folder or item.remote.startswith(self.folder + "/")
                or item.local in (self.folder, self.no_ext))

    def _in(self, path: str) -> bool:
        return path.startswith(self.folder + "/") or path in (self.folder, self.no_ext)

    def relevant(self, item: ScriptItem) -> bool:
        start = re.sub(r"\.[^/.]+$", "", item.local)  # wmill starts from the file path, not the item's
        if self._in(start):
            return True
        queue, seen = deque([start]), set()
        while queue:
            current = queue.popleft()
            if current in seen:
                continue
            seen.add(current)
            for target in self.imports.get(current, ()):
                if self._in(target):
                    return True
                queue.append(target)
        return False


def normalize_folder(folder: str) -> str:
    folder = folder.replace("\\", "/").rstrip("/")
    return folder[2:] if folder.startswith("./") else folder
