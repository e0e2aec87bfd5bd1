"""`generate-metadata`: plan from hashes, regenerate stale items, record hashes once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..config import SyncConfig
from ..files import write_atomic
from .items import ScriptItem, find_scripts
from .lockfile import WmillLock
from .script_metadata import INLINE, MetadataError, parse_metadata, with_new_schema
from .staleness import ItemState, Plan, normalize_folder, plan, read_state
from .yaml_emit import dump


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

    def plan(self) -> Plan:
        folder = normalize_folder(self.options.folder) if self.options.folder else None
        return plan(self.states, self.lock, folder, self.options.strict_folder_boundaries)

    def apply(self, stale: Plan, on_item: Callable[[int, ScriptItem], None] | None = None,
              locker=None) -> RunResult:
        """Regenerate each stale item, then write wmill-lock.yaml once."""
        run = RunResult()

        def one(index: int, state: ItemState) -> ItemResult:
            if on_item:
                on_item(index, state.item)
            return self._regenerate(state, locker)

        targets = [self.states[s.item.remote] for s in stale.stale]
        with ThreadPoolExecutor(max_workers=max(1, self.options.parallel)) as pool:
            run.results = list(pool.map(one, range(1, len(targets) + 1), targets))
        for result in run.results:
            if result.error is None:
                fresh = read_state(result.item)
                self.lock.replace(result.item.remote, fresh.hashes)
        if run.results or not self.lock.existed:
            self.lock.save()
        return run

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

    def _regenerate(self, state: ItemState, locker) -> ItemResult:
        item = state.item
        result = ItemResult(item)
        if state.error:
            result.error = state.error
            return result
        try:
            metadata = parse_metadata(item, state.metadata_text)
        except MetadataError as exc:
            result.error = str(exc)
            return result
        if not self.options.lock_only:
            metadata, result.warning = with_new_schema(metadata, state.script_text or "")
        lock_path = self.root / item.lock_local
        if self.options.schema_only or locker is None:
            metadata["lock"] = INLINE + item.lock_local
            if not lock_path.exists():
                write_atomic(lock_path, "")
        else:
            outcome = locker.lock_item(item, state)
            if outcome.error:
                result.error = outcome.error
                return result
            result.lock_changes = outcome.changes
            metadata["lock"] = INLINE + item.lock_local if outcome.text else ""
        write_atomic(self.root / item.metadata_local, dump(metadata))
        return result
