"""The repo's files that a sync compares, as `wmill sync` selects them (wmill.yaml's globs and switches)."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import SyncConfig
from ..errors import InvalidInput
from ..files import UnreadableFile, read_text
from ..json_cache import JsonCache
from ..kinds.scope import file_synced, never_walked
from ..kinds.walk import walk
from ..project import state_dir
from .changes import comparable

# Parsed YAML by file content: parsing 500 metadata files is most of a no-op push.
VALUES_CACHE = ("sync-values.json", "1", 20000)
from .layout import MOD, is_content, item_of, kind_of, synced


@dataclass
class LocalTree:
    files: dict[str, str] = field(default_factory=dict)  # path -> text
    values: dict[str, Any] = field(default_factory=dict)  # path -> what the diff compares
    other_kinds: Counter = field(default_factory=Counter)
    cache: JsonCache | None = None

    def text(self, path: str) -> str:
        return self.files[path]

    def save_cache(self) -> None:
        """Keep the parsed values for the next sync (once wac's state folder exists)."""
        if self.cache is not None:
            self.cache.save()

    def flat_module_scripts(self) -> set[str]:
        """Scripts kept in flat layout (`x.py` beside `x__mod/`)."""
        with_modules = {path.split(MOD, 1)[0] for path in self.files if MOD in path}
        return {item_of(p) for p in self.files if MOD not in p and is_content(p) and item_of(p) in with_modules}


def read_tree(root: Path, config: SyncConfig) -> LocalTree:
    """Read every selected file once; a file that is not UTF-8 text stops the sync with its name."""
    _refuse_other_folder_naming(root, config)
    tree = LocalTree(cache=JsonCache(state_dir(root) / "cache" / VALUES_CACHE[0], *VALUES_CACHE[1:]))
    suffixes = config.suffixes
    for path in walk(root, config):  # the walk leaves ignored files out
        if not file_synced(path, config):
            continue
        kind = kind_of(path, suffixes)
        if not synced(kind):
            tree.other_kinds[kind or "other"] += 1
            continue
        try:
            text = read_text(root / path)
        except UnreadableFile as exc:
            raise InvalidInput(f"{path}: {exc}", "save it as UTF-8 text, or exclude it in wmill.yaml") from None
        value = _cached_comparable(tree.cache, path, text)
        if config.skip_secrets and kind == "variable" and isinstance(value, dict) and value.get("is_secret"):
            continue
        tree.files[path] = text
        tree.values[path] = value
    return tree


def _cached_comparable(cache: JsonCache, path: str, text: str):
    if not path.endswith(".yaml"):
        return text
    key = f"{path}\0{hashlib.blake2b(text.encode(), digest_size=16).hexdigest()}"
    found = cache.get(key)
    if found is not None:
        return found[0]
    value = comparable(path, text)
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return value  # not JSON (a binary scalar, NaN): not cached
    cache.put(key, [value], owner=path)
    return value


def _refuse_other_folder_naming(root: Path, config: SyncConfig) -> None:
    """As wmill: flow/app folders named the other way (`.flow` vs `__flow`) stop the sync."""
    other = config.suffixes.other
    wrong = []
    for top in ("f", "u", "g"):
        for folder, dirs, _ in os.walk(root / top):
            dirs[:] = [d for d in dirs if not never_walked(d)]
            wrong += [Path(folder, d).relative_to(root).as_posix() for d in dirs
                      if d.endswith((other.flow, other.app, other.raw_app))]
    if wrong:
        expected = "__flow/__app/__raw_app" if config.non_dotted_paths else ".flow/.app/.raw_app"
        fix = ("remove `nonDottedPaths: true` from wmill.yaml" if config.non_dotted_paths
               else "add `nonDottedPaths: true` to wmill.yaml")
        raise InvalidInput(f"{len(wrong)} folder(s) are not named as wmill.yaml expects ({expected}): "
                           f"{', '.join(sorted(wrong)[:5])}{' ...' if len(wrong) > 5 else ''}",
                           f"{fix}, or rename them")
