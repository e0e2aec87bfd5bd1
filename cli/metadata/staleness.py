"""Which items need new metadata, and why: hash drift, then importers, transitively."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..files import UnreadableFile, read_text
from ..json_cache import JsonCache
from .cores import map_on_cores
from .folder_items import FolderState, directly_stale
from .hashing import item_hashes
from .items import ScriptItem
from .lockfile import WmillLock
from .tree import DependencyTree

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
    item: Any  # a ScriptItem or a FolderItem (flow, app)
    reason: str

    @property
    def kind(self) -> str:
        return "script" if isinstance(self.item, ScriptItem) else self.item.listed_kind


@dataclass
class Plan:
    stale: list[StaleItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    states: dict[str, ItemState] = field(default_factory=dict)
    folders: dict[str, FolderState] = field(default_factory=dict)
    signature_sources: dict[str, str] = field(default_factory=dict)  # from planning's parse, for rendering
    tree: DependencyTree | None = None


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


def outlines(texts: dict[str, str], cache_dir: Path | None = None,
             rendering: frozenset[str] | None = None) -> dict[str, dict]:
    """tree path -> `{"imports": [...]}` for every Python text (`texts`) that may import from the workspace.

    With `rendering` (the scripts about to be rendered), entries also hold `"signature"`, the text
    main's signature is read from, and those scripts are parsed too: each file is parsed once a run.
    Cached by path and content in `cache_dir`; the files not in the cache are parsed on all cores.
    """
    from wac.parser import may_import_workspace

    cache = JsonCache(cache_dir / OUTLINE_CACHE[0], *OUTLINE_CACHE[1:]) if cache_dir else None
    found: dict[str, dict] = {}
    misses: list[tuple[str, str, str, bool]] = []
    for remote, text in texts.items():
        if not text or not ((rendering is not None and remote in rendering) or may_import_workspace(text)):
            continue
        key = hashlib.blake2b(f"{remote}\0{text}".encode(), digest_size=16).hexdigest()
        hit = cache.get(key) if cache else None
        if hit is None or (rendering is not None and remote in rendering and "signature" not in hit):
            misses.append((key, remote, text, rendering is not None and remote in rendering))
        else:
            found[remote] = hit
    for (key, remote, *_), entry in zip(misses, map_on_cores(_outline_of, misses, PARALLEL_PARSES)):
        found[remote] = entry
        if cache:
            cache.put(key, entry, owner=remote)
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


def plan(states: dict[str, ItemState], lock: WmillLock, folder: str | None = None,
         strict: bool = False, cache_dir: Path | None = None, rendering: bool = False,
         folders: list[FolderState] | None = None) -> Plan:
    """Stale items with reasons, as wmill's dependency tree finds and lists them.

    Scripts are added in walk order, then flows and apps, each after its inline scripts;
    staleness spreads from the edited items to their importers (see `tree`).
    `rendering`: the stale scripts will be rendered next, so planning parses each of them once for both.
    """
    folders = folders or []
    result = Plan(states=states, folders={f.item.folder: f for f in folders})
    direct = {remote for remote, state in states.items() if is_stale(state, lock)}
    direct_folders = {f.item.folder for f in folders if f.error or directly_stale(f, lock)}
    if not direct and not direct_folders:
        return result
    texts = {remote: state.script_text for remote, state in states.items()
             if state.script_text and state.item.is_python}
    texts.update({path: text for f in folders for path, language, text in f.inline if language == "python3"})
    outlined = outlines(texts, cache_dir, frozenset(direct) if rendering else None)
    imports = {path: entry["imports"] for path, entry in outlined.items() if entry["imports"]}
    result.signature_sources = {remote: entry["signature"] for remote, entry in outlined.items()
                                if "signature" in entry}
    tree = DependencyTree()
    for remote, state in states.items():
        tree.add(remote, "script", imports.get(remote, []), remote in direct, state.item)
    for state in folders:
        for path, _, _ in state.inline:
            tree.add(path, "inline_script", imports.get(path, []), False)
        tree.add(state.item.folder, state.item.listed_kind, [p for p, _, _ in state.inline],
                 state.item.folder in direct_folders, state.item)
    tree.propagate()
    result.tree = tree
    stale = [StaleItem(item, reason) for item, reason in tree.stale_items()]
    if folder is None:
        result.stale = stale
        return result
    scope = FolderScope(folder, tree)
    result.stale = [s for s in stale if scope.inside(s.item) or (not strict and scope.relevant(s.item))]
    if strict:
        result.warnings = [
            f'Warning: {s.item.local} depends on something inside "{folder}" but is outside it'
            " — skipped due to --strict-folder-boundaries. Next generate-metadata will not detect it as stale."
            for s in stale if not scope.inside(s.item) and scope.relevant(s.item)]
    return result


class FolderScope:
    """wmill's folder filter: items inside FOLDER, and items any of whose transitive imports is."""

    def __init__(self, folder: str, tree: DependencyTree) -> None:
        self.folder = folder
        self.no_ext = re.sub(r"\.[^/.]+$", "", folder)
        self.tree = tree

    def inside(self, item) -> bool:
        home = item.remote if isinstance(item, ScriptItem) else item.folder
        return (home == self.folder or home.startswith(self.folder + "/")
                or item.local in (self.folder, self.no_ext))

    def _in(self, path: str) -> bool:
        return path.startswith(self.folder + "/") or path in (self.folder, self.no_ext)

    def relevant(self, item) -> bool:
        # wmill starts a script from its file path (not its Windmill path), a flow or app from its folder
        start = re.sub(r"\.[^/.]+$", "", item.local) if isinstance(item, ScriptItem) else item.folder
        return self._in(start) or self.tree.reaches(start, self._in)


def normalize_folder(folder: str) -> str:
    folder = folder.replace("\\", "/").rstrip("/")
    return folder[2:] if folder.startswith("./") else folder
