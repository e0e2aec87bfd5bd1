"""Applying a push plan item by item: kind by kind in wmill's order (folders, resource types,
variables, resources, scripts, flows, schedules, triggers), N items of a kind at a time.

Each item is read back right before it is written: if it moved since the
archive was read, it is skipped (unless --force); if it already matches,
nothing is written. A failed item does not stop the others; an unreachable
server stops the rest, and a re-run finishes.
"""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..config import SyncConfig
from ..files import UnreadableFile, read_text
from ..kinds import KINDS, ItemError, PushContext, order_of, same_json
from .acls import sync_acls
from .changes import Change, items_of
from .client import RemoteError, WindmillClient
from .layout import item_of
from .local_tree import LocalTree
from .remote_tree import RemoteTree
from .script_payload import PayloadError, build, local_perms, up_to_date

CREATED, UPDATED, UP_TO_DATE, ARCHIVED = "created", "updated", "up to date", "archived"
SKIPPED, FAILED, NOT_ATTEMPTED = "skipped", "failed", "not attempted"


@dataclass
class ItemResult:
    item: str
    kind: str
    outcome: str
    detail: str = ""
    millis: float = 0.0
    without_metadata: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome not in (SKIPPED, FAILED, NOT_ATTEMPTED)


class Pusher:
    """Writes the plan's items to one workspace."""

    def __init__(self, client: WindmillClient, root: Path, local: LocalTree, remote: RemoteTree, *,
                 config: SyncConfig, message: str | None, force: bool) -> None:
        self.client = client
        self.root = root
        self.local = local
        self.remote = remote
        self.config = config
        self.default_ts = config.default_ts
        self.message = message
        self.force = force
        self.context = PushContext(client, config, self._read, message, root)
        self._files_of: dict[str, dict[str, str]] = {}
        for path, text in local.files.items():
            self._files_of.setdefault(item_of(path, config.suffixes), {})[path] = text
        self._local_items = set(self._files_of)
        self.done: list[ItemResult] = []
        self._unreachable: RemoteError | None = None
        self._lock = threading.Lock()

    def apply(self, changes: list[Change], parallel: int, on_result: Callable[[ItemResult], None]) -> None:
        """Push every item; results land in `done` as they come (also when interrupted)."""
        groups = list(items_of(changes).items())
        for order, batch in itertools.groupby(groups, key=lambda pair: order_of(pair[1][0].kind)):
            width = 1 if order == order_of("folder") else max(1, parallel)
            with ThreadPoolExecutor(max_workers=width) as pool:
                list(pool.map(lambda pair: self._one(*pair, on_result), list(batch)))

    def _one(self, item: str, changes: list[Change], on_result: Callable[[ItemResult], None]) -> None:
        kind = changes[0].kind
        started = time.perf_counter()
        if self._unreachable is not None:
            result = ItemResult(item, kind, NOT_ATTEMPTED, self._unreachable.message)
        else:
            try:
                result = self._script(item, changes) if kind == "script" else self._item(item, kind)
            except RemoteError as exc:
                if exc.status is None:
                    self._unreachable = exc
                result = ItemResult(item, kind, FAILED, exc.message)
            except (PayloadError, ItemError) as exc:
                result = ItemResult(item, kind, FAILED, str(exc))
        result.millis = (time.perf_counter() - started) * 1000
        with self._lock:
            self.done.append(result)
            on_result(result)

    def _item(self, item: str, kind_name: str) -> ItemResult:
        """Any kind but scripts: delete it, or create/update it from its files."""
        kind = KINDS[kind_name]
        remote_path = kind.remote_path(item)
        if item not in self._local_items:
            if item not in self.remote.archived:
                return ItemResult(item, kind_name, UP_TO_DATE, "not in the workspace")
            if kind.delete(self.context, remote_path) == UP_TO_DATE:
                return ItemResult(item, kind_name, UP_TO_DATE, f"kept: a workspace's {kind_name} is never deleted")
            return ItemResult(item, kind_name, ARCHIVED, "deleted")
        live = kind.fetch(self.context, remote_path)
        moved = self._moved(self.remote.archived.get(item), live)
        if moved and not self.force:
            return ItemResult(item, kind_name, SKIPPED, moved)
        files = self._files_of.get(item, {})
        outcome = kind.push(self.context, remote_path, files, live)
        if kind.acl_kind:
            sync_acls(self.client, kind.acl_kind, remote_path, kind.local_perms(self.context, remote_path, files),
                      (live or {}).get("extra_perms"))
        return ItemResult(item, kind_name, {"created": CREATED, "updated": UPDATED}.get(outcome, UP_TO_DATE))

    def _script(self, item: str, changes: list[Change]) -> ItemResult:
        if item not in self._local_items:
            if item not in self.remote.scripts:
                return ItemResult(item, "script", UP_TO_DATE, "not on the remote")
            self.client.archive_script(item)
            return ItemResult(item, "script", ARCHIVED)
        body, has_metadata = build(item, self.local.files, self._read, self.default_ts, self.message)
        deployed = self.client.get_script(item)
        seen = self.remote.scripts.get(item)
        moved = self._moved(None if seen is None else {"content": seen.content, **seen.metadata},
                            deployed if deployed is not None and not deployed.get("archived") else None)
        if moved and not self.force:
            return ItemResult(item, "script", SKIPPED, moved)
        if deployed is not None and up_to_date(body, deployed):
            outcome = UP_TO_DATE
        else:
            if deployed is not None:
                body.update(parent_hash=deployed.get("hash"), auto_parent=True)
            body["skip_draft_deletion"] = True
            self.client.create_script(body)
            outcome = UPDATED if deployed is not None else CREATED
        # the script's sharing, from its metadata, as wmill grants and revokes it after either
        sync_acls(self.client, "script", item, local_perms(item, self.local.files), (deployed or {}).get("extra_perms"))
        return ItemResult(item, "script", outcome, without_metadata=not has_metadata)

    @staticmethod
    def _moved(seen: dict[str, Any] | None, live: dict[str, Any] | None) -> str:
        """Why the workspace's item is not the one the plan was made from ('' when it is):
        what the archive held must still be there (the workspace's answer may hold more)."""
        if seen is None:
            return "created in the workspace during this push" if live is not None else ""
        if live is None:
            return "deleted or archived in the workspace during this push"
        if not isinstance(seen, dict) or not isinstance(live, dict):
            return "" if same_json(seen, live) else "changed in the workspace during this push"
        same = all(key in live and same_json(live[key], value) for key, value in seen.items() if value is not None)
        return "" if same else "changed in the workspace during this push"

    def _read(self, relative: str) -> str | None:
        if relative in self.local.files:
            return self.local.files[relative]
        try:
            return read_text(self.root / relative)
        except UnreadableFile:
            return None
