"""File-level differences between two trees, as `wmill sync` computes and orders them.

A YAML file whose parsed value is unchanged is not a change (script metadata
is normalised first: lock lists joined, `is_template`/`no_main_func`/
`auto_kind` dropped). Changes sort by kind as wmill's do (folders, resource
types, variables, resources, scripts, flows, schedules, triggers); deletions
before additions and edits; then by path (localeCompare).
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable, Protocol

from ..kinds import order_of
from ..kinds.app import lockless as app_lockless
from ..kinds.flow_modules import replace, steps, top_modules
from ..kinds.paths import DOTTED, FolderSuffixes
from ..kinds.settings import FILE as SETTINGS_FILE
from ..kinds.settings import strip_unapplied
from ..metadata.collation import locale_key
from ..metadata.yaml_load import YAMLError
from ..metadata.yaml_load import load as load_yaml
from .layout import item_of, kind_of, role_of

ADDED, EDITED, DELETED = "added", "edited", "deleted"
_SIGN = {ADDED: "+", EDITED: "~", DELETED: "-"}
_DROPPED_META = ("is_template", "no_main_func", "auto_kind")


@dataclass(frozen=True)
class Change:
    name: str  # added, edited or deleted (on the target side)
    path: str
    before: str | None = None  # the target's text
    after: str | None = None  # the source's text
    kind: str = "script"  # wmill's type of the file
    item: str = ""  # the item it belongs to

    def line(self) -> str:
        return f"{_SIGN[self.name]} {self.kind} {self.path}"


def change(name: str, path: str, before: str | None, after: str | None,
           suffixes: FolderSuffixes = DOTTED) -> Change:
    return Change(name, path, before, after, kind_of(path, suffixes) or "script", item_of(path, suffixes))


class Side(Protocol):
    """A tree as the diff sees it: comparable values (YAML parsed and normalised) and exact texts."""

    values: dict[str, Any]

    def text(self, path: str) -> str: ...


def diff(source: Side, target: Side, *, pulling: bool = True, suffixes: FolderSuffixes = DOTTED) -> list[Change]:
    """What applying `source` onto `target` changes, sorted as wmill prints it. A push (`pulling` false)
    never deletes a script's metadata alone, and compares settings as it applies them."""
    changes = []
    for path, value in source.values.items():
        if path not in target.values:
            changes.append(change(ADDED, path, None, source.text(path), suffixes))
        elif not _same(*_compared(path, value, target.values[path], pulling)):
            changes.append(change(EDITED, path, target.text(path), source.text(path), suffixes))
    for path in target.values:
        if path not in source.values and (pulling or not path.endswith(".script.yaml")):
            changes.append(change(DELETED, path, target.text(path), None, suffixes))
    return sorted(changes, key=lambda c: (order_of(c.kind), c.name != DELETED, locale_key(c.path)))


def _compared(path: str, source: Any, target: Any, pulling: bool) -> tuple[Any, Any]:
    """Both sides of one file as the diff compares them: a push leaves out the settings it never applies."""
    if path == SETTINGS_FILE and not pulling:
        return strip_unapplied(source, target)
    return source, target


def comparable(path: str, text: str) -> Any:
    """What the diff compares: a YAML file's parsed value, normalised (unparsable: its text); else the text."""
    if not path.endswith(".yaml"):
        return text
    try:
        return normalized(path, load_yaml(text))
    except YAMLError:
        return text


def normalized(path: str, value: Any) -> Any:
    """Script metadata as wmill compares it: lock lists joined, `is_template`/`no_main_func`/`auto_kind` dropped."""
    if isinstance(value, dict) and path.endswith("script.yaml"):
        value = {k: v for k, v in value.items() if k not in _DROPPED_META}
        if isinstance(value.get("lock"), list):
            value["lock"] = "\n".join(map(str, value["lock"]))
    return _numbers_as_js(value)


def item_digests(values: dict[str, Any], suffixes: FolderSuffixes = DOTTED) -> dict[str, str]:
    """item -> a digest of what the workspace keeps of it, whatever the layout, file names and locks.

    A flow or an app is its value with every `!inline` file read back; a script its content, metadata and
    modules. Locks are left out: the workspace derives them, so a relock is not an edit.
    """
    roles: dict[str, dict[str, Any]] = {}
    for path, value in values.items():
        item = item_of(path, suffixes)
        roles.setdefault(item, {})[role_of(path, item)] = value
    return {item: hashlib.sha256(_json(_lockless(item, parts, suffixes)).encode()).hexdigest()
            for item, parts in roles.items()}


def _lockless(item: str, parts: dict[str, Any], suffixes: FolderSuffixes) -> Any:
    if item.endswith(suffixes.flow) and isinstance(parts.get("/flow.yaml"), dict):
        return _flow_api_value(parts)
    if item.endswith(suffixes.app) and isinstance(parts.get("/app.yaml"), dict):
        return app_lockless(parts["/app.yaml"], lambda name: _as_text(parts.get("/" + name)))
    kept = {role: value for role, value in parts.items() if role != "lock" and not role.endswith(".lock")}
    if isinstance(kept.get("metadata"), dict):
        kept["metadata"] = {k: v for k, v in kept["metadata"].items() if k != "lock"}
    return kept


def _flow_api_value(parts: dict[str, Any]) -> Any:
    """The flow as pushed: `!inline` files read back into their steps, step locks dropped."""
    flow = copy.deepcopy(parts["/flow.yaml"])
    value = flow.get("value")
    if isinstance(value, dict):
        missing = replace(value, lambda name: _as_text(parts.get("/" + name)))
        for modules in top_modules(value):
            for _, step in steps(modules):
                step.pop("lock", None)
        if missing:
            flow["missing"] = missing
    return flow


def _as_text(value: Any) -> str | None:
    """A file's text as the diff holds it (YAML files parsed: back to one text)."""
    return value if value is None or isinstance(value, str) else _json(value)


def items_of(changes: Iterable[Change]) -> dict[str, list[Change]]:
    """Changes grouped by item, in the order of each item's first change (wmill's kind order)."""
    groups: dict[str, list[Change]] = {}
    for each in changes:
        groups.setdefault(each.item, []).append(each)
    return groups


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _same(a: Any, b: Any) -> bool:
    """JSON equality (Python's == takes True for 1)."""
    if isinstance(a, str) or isinstance(b, str):
        return a == b  # file texts, most of a tree: no numbers to tell apart
    return a == b and _json(a) == _json(b)


def _numbers_as_js(value: Any) -> Any:
    """JSON numbers as JavaScript sees them: 1.0 and 1 are the same number, true is not 1."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return {str(k): _numbers_as_js(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_as_js(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
