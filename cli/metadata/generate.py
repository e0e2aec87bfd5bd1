"""`generate-metadata`: plan from hashes, regenerate stale items, record hashes once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..config import SyncConfig
from ..files import check_writable, create_new, write_atomic
from ..kinds.languages import display_name
from ..kinds.walk import walk
from .folder_items import FolderItem, folder_hashes, folder_items, read_folder_state
from .hashing import item_hashes
from .items import ScriptItem, find_scripts
from .lockfile import WmillLock
from .render import RenderJob, render_all
from .script_metadata import INLINE, default_metadata
from .staleness import ItemState, Plan, StaleItem, default_text, normalize_folder, plan, read_state
from .workspace_deps import applying, as_json, read_raw


@dataclass
class Options:
    """What the user asked for (the command's flags)."""

    folder: str | None = None
    strict_folder_boundaries: bool = False
    schema_only: bool = False
    lock_only: bool = False
    parallel: int = 1
    skip_scripts: bool = False
    skip_flows: bool = False
    skip_apps: bool = False

    @property
    def kinds(self) -> list[str]:
        """What the run checks (wmill: --schema-only leaves flows and apps alone)."""
        return [kind for kind, skipped in (("scripts", self.skip_scripts),
                                           ("flows", self.skip_flows or self.schema_only),
                                           ("apps", self.skip_apps or self.schema_only)) if not skipped]


@dataclass
class ItemResult:
    item: ScriptItem | FolderItem
    error: str | None = None
    warning: str | None = None
    lock_changes: list[str] = field(default_factory=list)
    unsupported: str | None = None  # why wac cannot regenerate it (then `wmill generate-metadata` must)
    updated_scripts: list[str] = field(default_factory=list)  # a flow's relocked inline scripts

    @property
    def kind(self) -> str:
        return "script" if isinstance(self.item, ScriptItem) else self.item.listed_kind


@dataclass
class RunResult:
    results: list[ItemResult] = field(default_factory=list)

    @property
    def failed(self) -> list[ItemResult]:
        return [r for r in self.results if r.error]

    @property
    def unsupported(self) -> list[ItemResult]:
        return [r for r in self.results if r.unsupported and not r.error]


class MetadataRun:
    """One run over a repo: read everything once, plan, then apply."""

    def __init__(self, root: Path, config: SyncConfig, options: Options) -> None:
        self.root = root
        self.config = config
        self.options = options
        self.lock = WmillLock.load(root)
        files = walk(root, config)
        kinds = options.kinds
        self.items = find_scripts(root, config, files) if "scripts" in kinds else []
        self.states = {item.remote: read_state(item) for item in self.items}
        self.folders = [read_folder_state(item, config.default_ts) for item in folder_items(root, files)
                        if (item.kind == "flow" and "flows" in kinds) or (item.kind != "flow" and "apps" in kinds)]

    def write_missing_defaults(self, only: set[str] | None = None) -> None:
        """As wmill's repo walk does: default metadata and an empty lock for each flat script lacking them
        (of the scripts `only` names, when given)."""
        for key, state in self.states.items():
            item = state.item
            if only is not None and key not in only:
                continue
            if state.error is None and not item.folder_layout and not (self.root / item.metadata_local).exists():
                create_new(self.root / item.metadata_local, default_text(item))
                create_new(self.root / item.lock_local)

    def locker(self, **resolution):
        """A pip-tools locker over this repo's scripts (`resolution`: index_url, find_links, no_index, refresh)."""
        from .locks import Locker

        texts = {remote: state.script_text for remote, state in self.states.items() if state.script_text}
        return Locker(self.root, texts, **resolution)

    def plan(self, rendering: bool = True) -> Plan:
        """Stale items with reasons (`rendering`: they will be applied next, so parse them now, once)."""
        folder = normalize_folder(self.options.folder) if self.options.folder else None
        return plan(self.states, self.lock, folder, self.options.strict_folder_boundaries, self._cache_dir(),
                    rendering, self.folders)

    def _cache_dir(self) -> Path | None:
        """`.wac/cache`, or None in a repo wac cannot write to (then nothing is cached)."""
        from ..errors import InvalidInput
        from ..project import wac_dir

        try:
            return wac_dir(self.root) / "cache"
        except InvalidInput:
            return None

    def apply(self, stale: Plan, on_item: Callable[[int, ItemResult], None] | None = None,
              locker=None) -> RunResult:
        """Scripts (lock in threads, render in processes, write), then flows and apps; record hashes once."""
        check_writable([self.lock.path, *(self.root / s.item.local for s in stale.stale)])
        scripts = [s for s in stale.stale if s.kind == "script"]
        run = RunResult(self._apply_scripts(scripts, stale, on_item, locker))
        for index, entry in enumerate((s for s in stale.stale if s.kind != "script"), len(scripts) + 1):
            result = self._apply_folder(entry, stale, locker)
            if on_item:
                on_item(index, result)
            run.results.append(result)
        if run.results or not self.lock.existed:
            self.lock.save()
        return run

    def _apply_scripts(self, stale: list[StaleItem], plan_: Plan, on_item, locker) -> list[ItemResult]:
        targets = [self.states[s.item.remote] for s in stale]
        results = [ItemResult(state.item, error=state.error,
                              unsupported=None if state.item.is_python else _unsupported(state.item.language))
                   for state in targets]
        lock_refs = self._lock_all(targets, results, on_item, locker)
        jobs = [self._render_job(state, ref, plan_.signature_sources) for state, ref in zip(targets, lock_refs)]
        pending = [(i, r, j) for i, (r, j) in enumerate(zip(results, jobs), 1) if r.error is None and not r.unsupported]
        for (index, result, _), rendered in zip(pending, render_all([j for _, _, j in pending])):
            result.warning = rendered.warning
            if rendered.error:
                result.error = rendered.error
                continue
            state = targets[index - 1]
            if locker is None:
                if on_item:
                    on_item(index, result)
                if state.metadata_text is None:  # as wmill: the lock file comes with new metadata only
                    create_new(self.root / result.item.lock_local)
            text = rendered.text or ""
            write_atomic(self.root / result.item.metadata_local, text)
            hashes = item_hashes(state.item.remote, state.script_text or "", text, state.modules)
            self.lock.replace(result.item.remote, hashes)
        if locker is None and on_item:
            for index, result in enumerate(results, 1):
                if result.unsupported or result.error:
                    on_item(index, result)
        return results

    def _apply_folder(self, entry: StaleItem, plan_: Plan, locker) -> ItemResult:
        state = plan_.folders[entry.item.folder]
        if state.error:
            return ItemResult(entry.item, error=state.error)
        if entry.item.kind == "flow":
            from .flow_locks import regenerate

            outcome = regenerate(state, self.lock, plan_.tree, locker, self.config)
        else:
            from .app_locks import regenerate as regenerate_app

            outcome = regenerate_app(state, locker, self.config)
        if outcome.error is None and outcome.unsupported is None:
            self.lock.replace(entry.item.folder, outcome.hashes)
        return ItemResult(entry.item, error=outcome.error, unsupported=outcome.unsupported,
                          updated_scripts=outcome.updated, lock_changes=outcome.changes)

    def _lock_all(self, targets: list[ItemState], results: list[ItemResult],
                  on_item: Callable[[int, ItemResult], None] | None, locker) -> list[str]:
        """Each item's `lock:` value; with a locker, resolve and write the lock files first."""
        if locker is None:
            return [INLINE + state.item.lock_local for state in targets]

        def one(index: int, state: ItemState, result: ItemResult) -> str:
            if on_item:
                on_item(index, result)
            if result.error or result.unsupported:
                return ""
            outcome = locker.lock_item(state.item, state)
            result.error = outcome.error
            result.lock_changes = outcome.changes
            return INLINE + state.item.lock_local if outcome.text else ""

        from concurrent.futures import ThreadPoolExecutor  # only a run that writes needs it

        with ThreadPoolExecutor(max_workers=max(1, self.options.parallel)) as pool:
            return list(pool.map(one, range(1, len(targets) + 1), targets, results))

    def _render_job(self, state: ItemState, lock_ref: str, signature_sources: dict[str, str]) -> RenderJob:
        return RenderJob(
            metadata_local=state.item.metadata_local,
            lock_ref=lock_ref,
            signature_text=signature_sources.get(state.item.remote, state.script_text or ""),
            metadata_text=state.metadata_text,
            default=default_metadata(state.item),
            update_schema=not self.options.lock_only,
        )

    def record_pulled(self, pulled: set[str], *, fill_missing: bool) -> int:
        """After a pull, as `wmill sync pull`: hashes of pulled scripts and flows, then (`fill_missing`)
        any missing entry (scripts, flows, apps); the number of entries filled. A pulled script whose
        metadata the pull left out (wmill.yaml's includes) gets the default files, as wmill writes them."""
        self.write_missing_defaults(pulled)
        raw_deps = read_raw(self.root, self.lock)
        filled = 0
        for key, hashes, error in self._recordables():
            if error is not None:
                continue
            missing = self.lock.get(next(iter(hashes)) if key in self.states else _top(hashes)) is None
            if key in pulled and raw_deps:
                hashes = self._hashed_with(key, raw_deps) or hashes
            if key in pulled or (missing and fill_missing):
                self.lock.replace(key, hashes)
                filled += missing and key not in pulled
        self.lock.save()
        return filled

    def _hashed_with(self, key: str, raw_deps: dict[str, str]) -> dict[str, str] | None:
        """A pulled script's or flow's hashes taking the workspace dependencies that apply to it."""
        if key in self.states:
            state = self.states[key]
            deps = applying(raw_deps, state.script_text or "", state.item.language)
            metadata = state.metadata_text if state.metadata_text is not None else default_text(state.item)
            return item_hashes(key, state.script_text or "", metadata, state.modules, as_json(deps)) if deps else None
        folder = next((f for f in self.folders if f.item.folder == key and f.item.kind == "flow"), None)
        if folder is None:
            return None
        deps = {}
        for _, language, text in folder.inline:
            deps.update(applying(raw_deps, text, language))
        return folder_hashes(folder.item.folder, folder.item.top_key, folder.files, as_json(deps)) if deps else None

    def rehash(self, folder: str | None) -> dict[str, int]:
        """Record hashes from disk for every item (in `folder`), writing nothing else; counts per kind."""
        counts = {"script": 0, "flow": 0, "app": 0}
        wanted = normalize_folder(folder) if folder else None
        for key, hashes, error in self._recordables():
            if wanted and not (key == wanted or key.startswith(wanted + "/")):
                continue
            if error is None:
                self.lock.replace(key, hashes)
                counts[self._kind_of(key)] += 1
        self.lock.save()
        return counts

    def _recordables(self):
        """(lock key, hashes, error) of every script, then every flow and app."""
        for state in self.states.values():
            yield state.item.remote, state.hashes, state.error
        for folder in self.folders:
            yield folder.item.folder, folder.hashes, None

    def _kind_of(self, key: str) -> str:
        if key in self.states:
            return "script"
        return next(f.item.listed_kind for f in self.folders if f.item.folder == key)


def _top(hashes: dict[str, str]) -> str:
    """The flow/app top-hash key among an item's entries (it is written last)."""
    return list(hashes)[-1]


def _unsupported(language: str) -> str:
    return f"wac generates metadata for Python only, not {display_name(language)}"
