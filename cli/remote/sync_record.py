"""What each item looked like on a workspace after the last pull or push from this clone.

Kept in `.wac/sync/<remote>/<workspace>.json` as item -> digest (see
`changes.item_digests`). A push skips items whose remote digest moved since
(someone edited them in the workspace), a pull skips items edited locally
since; with no record (a fresh clone) both behave as `wmill` does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..files import write_atomic
from ..project import state_dir, wac_dir
from .target import Target

VERSION = 1


class SyncRecord:
    def __init__(self, root: Path, path: Path, items: dict[str, str] | None) -> None:
        self.root = root
        self.path = path
        self.items = items  # None: no record yet

    @classmethod
    def load(cls, root: Path, target: Target) -> "SyncRecord":
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", target.remote.split("://", 1)[-1]).strip("_")
        path = state_dir(root) / "sync" / slug / f"{target.workspace}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            items = data["items"] if data.get("version") == VERSION and isinstance(data.get("items"), dict) else None
        except (OSError, ValueError, AttributeError):
            items = None
        return cls(root, path, items)

    @property
    def exists(self) -> bool:
        return self.items is not None

    def moved(self, item: str, digest_now: str | None) -> bool:
        """Whether the item changed since the last sync (never, without a record)."""
        return self.items is not None and self.items.get(item) != digest_now

    def save(self, local: dict[str, str], remote: dict[str, str], applied: dict[str, str | None]) -> None:
        """Record items equal on both sides, and `applied` items as now synced; keep the rest."""
        items = dict(self.items or {})
        for item in set(local) | set(remote) | set(items):
            if local.get(item) == remote.get(item):
                _set(items, item, local.get(item))
        for item, digest in applied.items():
            _set(items, item, digest)
        wac_dir(self.root)
        write_atomic(self.path, json.dumps({"version": VERSION, "items": dict(sorted(items.items()))}, indent=1))
        self.items = items


def _set(items: dict[str, str], item: str, digest: str | None) -> None:
    if digest is None:
        items.pop(item, None)
    else:
        items[item] = digest
