"""A small on-disk JSON cache: entries by key, capped, saved atomically, losable.

Entries describe the content of a file (a script, a metadata file): a file edited again and again, as under
`wac dev`, would fill the cache with its past versions, and every command that reads the cache would load
them all. So an entry can name its `owner` (the file's path), and an owner keeps only its newest few.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .files import CannotWrite, write_atomic

KEPT_PER_OWNER = 4  # an edit, and the versions it may be undone back to


class JsonCache:
    """`{key: entry}` in one JSON file tagged with a version; a mismatch starts empty."""

    def __init__(self, path: Path, version: str, max_entries: int) -> None:
        self.path = path
        self.version = version
        self.max_entries = max_entries
        self._dirty = False
        self._entries: dict[str, Any] = {}
        self._owners: dict[str, list[str]] = {}  # owner -> its keys, oldest first
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("version") == version and isinstance(data.get("entries"), dict):
            self._entries = data["entries"]
            owners = data.get("owners")
            if isinstance(owners, dict):  # a hand-edited or half-understood file only costs speed
                self._owners = {o: keys for o, keys in owners.items()
                                if isinstance(keys, list) and all(isinstance(k, str) for k in keys)}

    def get(self, key: str) -> Any:
        return self._entries.get(key)

    def put(self, key: str, entry: Any, owner: str | None = None) -> None:
        """Keep `entry` under `key` as the newest; with `owner`, drop what that owner holds beyond its newest few
        (another file with the same content then misses once, and puts it back)."""
        self._entries.pop(key, None)
        self._entries[key] = entry
        self._dirty = True
        if owner is None:
            return
        keys = [k for k in self._owners.get(owner, []) if k != key] + [key]
        self._owners[owner] = keys[-KEPT_PER_OWNER:]
        for old in keys[:-KEPT_PER_OWNER]:
            self._entries.pop(old, None)

    def save(self) -> None:
        if not self._dirty:
            return
        entries = dict(list(self._entries.items())[-self.max_entries:])
        owners = {owner: kept for owner, keys in self._owners.items() if (kept := [k for k in keys if k in entries])}
        try:
            write_atomic(self.path, json.dumps({"version": self.version, "entries": entries, "owners": owners},
                                               separators=(",", ":")))
        except (OSError, CannotWrite):
            pass  # a cache that cannot be written only costs speed next time
        self._dirty = False
