"""File-level differences between two trees, as `wmill sync` computes and orders them.

A YAML file whose parsed value is unchanged is not a change (script metadata
is normalised first: lock lists joined, `is_template`/`no_main_func`/
`auto_kind` dropped). Changes sort folders first, then scripts; deletions
before additions and edits; then by path (localeCompare).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable

from ruamel.yaml import YAML, YAMLError

from ..metadata.collation import locale_key
from .layout import item_of, kind_of, role_of

ADDED, EDITED, DELETED = "added", "edited", "deleted"
_SIGN = {ADDED: "+", EDITED: "~", DELETED: "-"}
_ORDER = {"folder": 4, "script": 9}
_DROPPED_META = ("is_template", "no_main_func", "auto_kind")


@dataclass(frozen=True)
class Change:
    name: str  # added, edited or deleted (on the target side)
    path: str
    before: str | None = None  # the target's text
    after: str | None = None  # the source's text

    @property
    def kind(self) -> str:
        return kind_of(self.path) or "script"

    @property
    def item(self) -> str:
        return item_of(self.path)

    def line(self) -> str:
        return f"{_SIGN[self.name]} {self.kind} {self.path}"


def diff(source: dict[str, str], target: dict[str, str], *, keep_metadata_deletions: bool = True) -> list[Change]:
    """What applying `source` onto `target` changes, sorted as wmill prints it."""
    changes = []
    for path, text in source.items():
        old = target.get(path)
        if old is None:
            changes.append(Change(ADDED, path, None, text))
        elif old != text and not (path.endswith(".yaml") and canonical(path, old) == canonical(path, text)):
            changes.append(Change(EDITED, path, old, text))
    for path, old in target.items():
        if path not in source and (keep_metadata_deletions or not path.endswith(".script.yaml")):
            changes.append(Change(DELETED, path, old, None))
    return sorted(changes, key=lambda c: (_ORDER.get(c.kind, 15), c.name != DELETED, locale_key(c.path)))


def canonical(path: str, text: str) -> str:
    """A YAML file's value as canonical JSON, normalised the way the diff compares it."""
    return _json(_parsed(path, text))


def _parsed(path: str, text: str) -> Any:
    try:
        value = _yaml().load(text)
    except YAMLError:
        return text
    if path.endswith(".script.yaml") or path.endswith("/script.yaml"):
        if isinstance(value, dict):
            if isinstance(value.get("lock"), list):
                value["lock"] = "\n".join(map(str, value["lock"]))
            for key in _DROPPED_META:
                value.pop(key, None)
    return _numbers_as_js(value)


def item_digests(files: dict[str, str]) -> dict[str, str]:
    """item -> a digest of its content that ignores layout (flat or folder) and YAML formatting."""
    roles: dict[str, dict[str, Any]] = {}
    for path, text in files.items():
        item = item_of(path)
        role = role_of(path, item)
        value: Any = text
        if role in ("metadata", "folder"):
            value = _parsed(path, text)
            if isinstance(value, dict) and isinstance(value.get("lock"), str) and value["lock"].startswith("!inline "):
                value = dict(value, lock="!inline")  # the lock file's path depends on the layout
        roles.setdefault(item, {})[role] = value
    return {item: hashlib.sha256(_json(parts).encode()).hexdigest() for item, parts in roles.items()}


def items_of(changes: Iterable[Change]) -> dict[str, list[Change]]:
    """Changes grouped by item, folders first, in the order given."""
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(change.item, []).append(change)
    return dict(sorted(groups.items(), key=lambda kv: kv[1][0].kind != "folder"))


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


@lru_cache(maxsize=1)
def _yaml() -> YAML:
    return YAML(typ="safe", pure=True)


def _numbers_as_js(value: Any) -> Any:
    """JSON numbers as JavaScript sees them: 1.0 and 1 are the same number, true is not 1."""
    if isinstance(value, dict):
        return {str(k): _numbers_as_js(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_as_js(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
