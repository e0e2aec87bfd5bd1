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
OUTLINE_CACHE = ("outlines.json", "outlines-1", 50_000)  # file name, format, entries kept
PARALLEL_PARSES = 64  # misses worth spreading over all cores


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
    signature_sources: dict[str, str] = field(default_factory=dict)  # from planning's parse, for rendering


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


def outlines(states: dict[str, ItemState], cache_dir: Path | None = None,
             rendering: frozenset[str] | None = None) -> dict[str, dict]:
    """remote path -> `{"imports": [...]}` for every script that may import from the workspace.

    With `rendering` (the items about to be rendered), entries also hold `"signature"`, the text
    main's signature is read from, and those items are parsed too: each file is parsed once a run.
    Cached by path and content in `cache_dir`; the files not in the cache are parsed on all cores.
    """
    from wac.parser import may_import_workspace

    cache = JsonCache(cache_dir / OUTLINE_CACHE[0], *OUTLINE_CACHE[1:]) if cache_dir else None
    found: dict[str, dict] = {}
    misses: list[tuple[str, str, str, bool]] = []
    for remote, state in states.items():
        text = state.script_text
        if not text or not ((rendering is not None and remote in rendering) or may_import_workspace(text)):
            continue
        key = hashlib.blake2b(f"{remote}\0{text}".encode(), digest_size=16).hexdigest()
        hit = cache.get(key) if cache else None
        if hit is None or (rendering is not None and "signature" not in hit):
            misses.append((key, remote, text, rendering is not None))
        else:
            found[remote] = hit
    for (key, remote, *_), entry in zip(misses, map_on_cores(_outline_of, misses, PARALLEL_PARSES)):
        found[remote] = entry
        if cache:
            cache.put(key, entry)
    if cache:
        cache.save()
    return found


def _outline_of(miss: tuple[str, str, str, bool]) -> dict:
    from wac.parser import outline, workspace_imports

    _, remote, text, with_signature = miss
    if not with_signature:
        return {"imports": workspace_imports(text, remote)}
    result = outline(text, remote)
    return {"imports": result.imports, "signature": result.signature_source}


def walk_order(states: dict[str, ItemState]) -> list[str]:
    """Scripts in the order wmill's repo walk meets them: depth first, each folder's names in reverse order."""
    return sorted(states, key=lambda remote: states[remote].item.local.split("/"), reverse=True)


def plan(states: dict[str, ItemState], lock: WmillLock, folder: str | None = None,
         strict: bool = False, cache_dir: Path | None = None, rendering: bool = False) -> Plan:
    """Stale items with reasons, as wmill's dependency tree finds and lists them.

    The tree's nodes are made in walk order, an imported path when its first importer is
    walked; staleness spreads breadth-first from the edited items (in node order) to their
    importers, each reason naming the node it came from; items are listed in node order.
    `rendering`: the stale items will be rendered next, so planning parses each of them once for both.
    """
    result = Plan(states=states)
    direct = {remote for remote, state in states.items() if is_stale(state, lock)}
    if not direct:
        return result
    outlined = outlines(states, cache_dir, frozenset(direct) if rendering else None)
    imports = {remote: entry["imports"] for remote, entry in outlined.items() if entry["imports"]}
    result.signature_sources = {remote: entry["signature"] for remote, entry in outlined.items()
                                if "signature" in entry}
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
