"""Applying a push plan item by item: folders first, then scripts, N at a time.

Each script is read back (`GET scripts/get/p`) right before it is written:
if it moved since the archive was read, it is skipped (unless --force);
if it already matches, nothing is written. A failed item does not stop
the others; an unreachable server stops the rest, and a re-run finishes.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..files import UnreadableFile, read_text
from ..metadata.script_metadata import MetadataError, parse_metadata_text
from .changes import DELETED, Change, items_of
from .client import RemoteError, WindmillClient
from .layout import item_of
from .local_tree import LocalTree
from .remote_tree import RemoteTree
from .script_payload import PayloadError, build, up_to_date

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
                 default_ts: str, message: str | None, force: bool) -> None:
        self.client = client
        self.root = root
        self.local = local
        self.remote = remote
        self.default_ts = default_ts
        self.message = message
        self.force = force
        self._local_items = {item_of(path) for path in local.files}
        self.done: list[ItemResult] = []
        self._unreachable: RemoteError | None = None
        self._lock = threading.Lock()

    def apply(self, changes: list[Change], parallel: int, on_result: Callable[[ItemResult], None]) -> None:
        """Push every item; results land in `done` as they come (also when interrupted)."""
        groups = items_of(changes)
        folders = [(item, group) for item, group in groups.items() if group[0].kind == "folder"]
        scripts = [(item, group) for item, group in groups.items() if group[0].kind != "folder"]
        for item, group in folders:
            self._one(item, group, on_result)
        with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
            list(pool.map(lambda pair: self._one(*pair, on_result), scripts))

    def _one(self, item: str, changes: list[Change], on_result: Callable[[ItemResult], None]) -> None:
        kind = changes[0].kind
        started = time.perf_counter()
        if self._unreachable is not None:
            result = ItemResult(item, kind, NOT_ATTEMPTED, self._unreachable.message)
        else:
            try:
                result = self._folder(item, changes) if kind == "folder" else self._script(item, changes)
            except RemoteError as exc:
                if exc.status is None:
                    self._unreachable = exc
                result = ItemResult(item, kind, FAILED, exc.message)
            except PayloadError as exc:
                result = ItemResult(item, kind, FAILED, str(exc))
        result.millis = (time.perf_counter() - started) * 1000
        with self._lock:
            self.done.append(result)
            on_result(result)

    def _folder(self, item: str, changes: list[Change]) -> ItemResult:
        name = item.split("/")[1]
        if all(c.name == DELETED for c in changes):
            self.client.delete_folder(name)
            return ItemResult(item, "folder", ARCHIVED, "deleted")
        path = next(c.path for c in changes if c.name != DELETED)
        try:
            fields = parse_metadata_text(path, self.local.files[path])
        except MetadataError as exc:
            raise PayloadError(str(exc)) from None
        if self.client.get_folder(name) is None:
            self.client.create_folder({"name": name, **fields})
            return ItemResult(item, "folder", CREATED)
        self.client.update_folder(name, fields)
        return ItemResult(item, "folder", UPDATED)

    def _script(self, item: str, changes: list[Change]) -> ItemResult:
        if item not in self._local_items:
            if item not in self.remote.scripts:
                return ItemResult(item, "script", UP_TO_DATE, "not on the remote")
            self.client.archive_script(item)
            return ItemResult(item, "script", ARCHIVED)
        body, has_metadata = build(item, self.local.files, self._read, self.default_ts, self.message)
        deployed = self.client.get_script(item)
        moved = self._moved_since_plan(item, deployed)
        if moved and not self.force:
            return ItemResult(item, "script", SKIPPED, moved)
        if deployed is not None and up_to_date(body, deployed):
            return ItemResult(item, "script", UP_TO_DATE, without_metadata=not has_metadata)
        if deployed is not None:
            body.update(parent_hash=deployed.get("hash"), auto_parent=True)
        body["skip_draft_deletion"] = True
        self.client.create_script(body)
        return ItemResult(item, "script", UPDATED if deployed is not None else CREATED,
                          without_metadata=not has_metadata)

    def _moved_since_plan(self, item: str, deployed: dict[str, Any] | None) -> str:
        """Why the deployed script is not the one the plan was made from ('' when it is)."""
        seen = self.remote.scripts.get(item)
        live = deployed if deployed is not None and not deployed.get("archived") else None
        if seen is None:
            return "created in the workspace during this push" if live is not None else ""
        if live is None:
            return "archived in the workspace during this push"
        same = live.get("content") == seen.content and all(
            live.get(key) == value for key, value in seen.metadata.items() if value is not None)
        return "" if same else "changed in the workspace during this push"

    def _read(self, relative: str) -> str | None:
        if relative in self.local.files:
            return self.local.files[relative]
        try:
            return read_text(self.root / relative)
        except UnreadableFile:
            return None
