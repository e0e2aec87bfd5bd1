"""`generate-metadata`: plan from hashes, regenerate stale items, record hashes once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..config import SyncConfig
from ..files import create_new, write_atomic
from .hashing import item_hashes
from .items import ScriptItem, find_scripts
from .lockfile import WmillLock
from .render import RenderJob, render_all
from .script_metadata import INLINE, default_metadata
from .staleness import ItemState, Plan, default_text, normalize_folder, plan, read_state


@dataclass
class Options:
    """What the user asked for (the command's flags)."""

    folder: str | None = None
    strict_folder_boundaries: bool = False
    schema_only: bool = False
    lock_only: bool = False
    parallel: int = 1


@dataclass
class ItemResult:
    item: ScriptItem
    error: str | None = None
    warning: str | None = None
    lock_changes: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    results: list[ItemResult] = field(default_factory=list)

    @property
    def failed(self) -> list[ItemResult]:
        return [r for r in self.results if r.error]


class MetadataRun:
    """One run over a repo: read everything once, plan, then apply."""

    def __init__(self, root: Path, config: SyncConfig, options: Options) -> None:
        self.root = root
        self.options = options
        self.lock = WmillLock.load(root)
        self.items = find_scripts(root, config)
        self.states = {item.remote: read_state(item) for item in self.items}

    def write_missing_defaults(self) -> None:
        """As wmill's repo walk does: default metadata and an empty lock for each flat script lacking them."""
        for state in self.states.values():
            item = state.item
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
                    rendering)

    def _cache_dir(self) -> Path | None:
        """`.wac/cache`, or None in a repo wac cannot write to (then nothing is cached)."""
        from ..errors import InvalidInput
        from ..project import wac_dir

        try:
            return wac_dir(self.root) / "cache"
        except InvalidInput:
            return None

    def apply(self, stale: Plan, on_item: Callable[[int, ScriptItem], None] | None = None,
              locker=None) -> RunResult:
        """Lock (threads), render metadata (processes), write, then record hashes once."""
        targets = [self.states[s.item.remote] for s in stale.stale]
        results = [ItemResult(state.item, error=state.error) for state in targets]
        lock_refs = self._lock_all(targets, results, on_item, locker)
        jobs = [self._render_job(state, ref, stale.signature_sources) for state, ref in zip(targets, lock_refs)]
        pending = [(i, r, j) for i, (r, j) in enumerate(zip(results, jobs), 1) if r.error is None]
        for (index, result, _), rendered in zip(pending, render_all([j for _, _, j in pending])):
            result.warning = rendered.warning
            if rendered.error:
                result.error = rendered.error
                continue
            state = targets[index - 1]
            if locker is None:
                if on_item:
                    on_item(index, result.item)
                if state.metadata_text is None:  # as wmill: the lock file comes with new metadata only
                    create_new(self.root / result.item.lock_local)
            text = rendered.text or ""
            write_atomic(self.root / result.item.metadata_local, text)
            hashes = item_hashes(state.item.remote, state.script_text or "", text, state.modules)
            self.lock.replace(result.item.remote, hashes)
        if results or not self.lock.existed:
            self.lock.save()
        return RunResult(results)

    def _lock_all(self, targets: list[ItemState], results: list[ItemResult],
                  on_item: Callable[[int, ScriptItem], None] | None, locker) -> list[str]:
        """Each item's `lock:` value; with a locker, resolve and write the lock files first."""
        if locker is None:
            return [INLINE + state.item.lock_local for state in targets]

        def one(index: int, state: ItemState, result: ItemResult) -> str:
            if on_item:
                on_item(index, state.item)
            if result.error:
                return ""
            outcome = locker.lock_item(state.item, state)
            result.error = outcome.error
            result.lock_changes = outcome.changes
            return INLINE + state.item.lock_local if outcome.text else ""

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

    def record_pulled(self, pulled: set[str]) -> int:
        """After a pull, as `wmill sync pull`: hashes of pulled scripts, then any missing entry; the fill count."""
        filled = 0
        for state in self.states.values():
            if state.error is not None:
                continue
            missing = self.lock.get(next(iter(state.hashes))) is None
            if state.item.remote in pulled or missing:
                self.lock.replace(state.item.remote, state.hashes)
                filled += missing and state.item.remote not in pulled
        self.lock.save()
        return filled

    def rehash(self, folder: str | None) -> int:
        """Record hashes from disk for every item (in `folder`), writing nothing else."""
        count = 0
        wanted = normalize_folder(folder) if folder else None
        for state in self.states.values():
            item = state.item
            if wanted and not (item.remote == wanted or item.remote.startswith(wanted + "/")):
                continue
            if state.error is None:
                self.lock.replace(item.remote, state.hashes)
                count += 1
        self.lock.save()
        return count
