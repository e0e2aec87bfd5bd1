"""A small on-disk JSON cache: entries by key, capped, saved atomically, losable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .files import CannotWrite, write_atomic


class JsonCache:
    """`{key: entry}` in one JSON file tagged with a version; a mismatch starts empty."""

    def __init__(self, path: Path, version: str, max_entries: int) -> None:
        self.path = path
        self.version = version
        self.max_entries = max_entries
        self._dirty = False
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            valid = isinstance(data, dict) and data.get("version") == version and isinstance(data.get("entries"), dict)
            self._entries: dict[str, Any] = data["entries"] if valid else {}
        except (OSError, ValueError):
            self._entries = {}

    def get(self, key: str) -> Any:
        return self._entries.get(key)

    def put(self, key: str, entry: Any) -> None:
        self._entries[key] = entry
        self._dirty = True

    def save(self) -> None:
        if not self._dirty:
            return
        entries = dict(list(self._entries.items())[-self.max_entries:])
        try:
            write_atomic(self.path, json.dumps({"version": self.version, "entries": entries}, separators=(",", ":")))
        except (OSError, CannotWrite):
            pass  # a cache that cannot be written only costs speed next time
        self._dirty = False
