"""What each item looked like on both sides after the last pull or push from this clone.

Kept in `.wac/sync/<remote>/<workspace>.json` as item -> {local, remote} digests (see
`changes.item_digests`); the two differ when the workspace keeps an item otherwise than it
was pushed (defaults filled in, locks computed). A push skips items whose workspace digest
moved since (someone edited them there), a pull skips items edited locally since; with no
record (a fresh clone) both behave as `wmill` does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..files import write_atomic
from ..project import state_dir, wac_dir
from .target import Target

VERSION = 2  # 2: both sides' digests, leaving locks and inline file names out
SIDES = ("local", "remote")


class SyncRecord:
    def __init__(self, root: Path, path: Path, items: dict[str, dict[str, str]] | None) -> None:
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

    def moved(self, item: str, side: str, digest_now: str | None) -> bool:
        """Whether the item changed on `side` since the last sync (never, without a record)."""
        if self.items is None:
            return False
        entry = self.items.get(item)
        return (entry.get(side) if isinstance(entry, dict) else None) != digest_now

    def save(self, local: dict[str, str], remote: dict[str, str],
             applied: dict[str, tuple[str | None, str | None]]) -> None:
        """Record items equal on both sides, and `applied` items' (local, remote) digests; keep the rest.

        An applied item with a side unknown (gone, or not read back) is forgotten."""
        items = dict(self.items or {})
        for item in set(local) | set(remote) | set(items):
            if local.get(item) == remote.get(item):
                _set(items, item, (local.get(item), remote.get(item)))
        for item, digests in applied.items():
            _set(items, item, digests)
        wac_dir(self.root)
        write_atomic(self.path, json.dumps({"version": VERSION, "items": dict(sorted(items.items()))}, indent=1))
        self.items = items


def _set(items: dict[str, dict[str, str]], item: str, digests: tuple[str | None, str | None]) -> None:
    if None in digests:
        items.pop(item, None)
    else:
        items[item] = dict(zip(SIDES, digests))
