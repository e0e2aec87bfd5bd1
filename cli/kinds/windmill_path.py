"""What Windmill accepts as an item path and a folder name: one rule for lint, sync and the server.

Windmill's check (`check_proper_path`, and the `proper_id` constraint before it): `u/`, `f/` or
`g/`, then at least two segments of letters, digits (any script), `_` and `-`, at most 255
characters in all. A folder's name (the segment after `f/`) is stricter: ASCII letters, digits
and `_` only; a resource type's name (`proper_name`) is 1 to 50 letters, digits, `_` and `-`.
Problems name the characters, not just the shape.
"""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 255
MAX_TYPE_NAME = 50
ROOTS = ("u", "f", "g")


def _path_char(ch: str) -> bool:
    return ch in "_-" or ch.isalpha() or unicodedata.category(ch) == "Nd"


def _folder_char(ch: str) -> bool:
    return ch == "_" or (ch.isascii() and ch.isalnum())


def item_path_problem(kind: str, path: str, item: str = "") -> str | None:
    """Why Windmill would refuse an item of `kind` at `path` (a folder or resource type: its name;
    `item`: the sync key, which tells a folder's own meta from one further down)."""
    if kind == "folder":
        if item.count("/") > 2:
            top = "/".join(item.split("/")[:2])
            return (f"folders do not nest: this meta would overwrite {top}'s "
                    f"(a folder's meta is {top}/folder.meta.yaml)")
        return folder_problem(path)
    if kind in ("resource-type", "group"):
        return type_name_problem(path)
    if kind in ("settings", "encryption_key", "user", "workspace_dependencies"):
        return None  # the workspace's own, or a user by email: no item path
    if kind == "native_trigger":
        from .native_trigger import name_problem

        return name_problem(path)
    return path_problem(path)


def path_problem(path: str) -> str | None:
    """Why Windmill would refuse `path` (e.g. `f/team/etl`), or None when it accepts it."""
    parts = path.split("/")
    if parts[0] not in ROOTS:
        return f"it must start with u/, f/ or g/, not {parts[0] + '/' if len(parts) > 1 else parts[0]!r}"
    if len(parts) < 3 or not all(parts[1:]):
        return "it needs a folder (or user, group) and a name, e.g. f/team/etl, without empty segments"
    if len(path) > MAX_LENGTH:
        return f"it is {len(path)} characters long; Windmill takes at most {MAX_LENGTH}"
    bad = _named(ch for part in parts[1:] for ch in part if not _path_char(ch))
    if bad:
        return f"it contains {bad}: paths take letters, digits, _ and - only"
    if parts[0] == "f":
        return folder_problem(parts[1])
    return None


def folder_problem(name: str) -> str | None:
    """Why Windmill would refuse a folder named `name`, or None."""
    bad = _named(ch for ch in name if not _folder_char(ch))
    if bad:
        return f"folder name {name!r} contains {bad}: folder names take a-z, A-Z, 0-9 and _ only"
    return None


def type_name_problem(name: str) -> str | None:
    """Why Windmill would refuse a resource type (or group) named `name`, or None."""
    if not 0 < len(name) <= MAX_TYPE_NAME:
        return f"names are 1 to {MAX_TYPE_NAME} characters, not {len(name)}"
    bad = _named(ch for ch in name if not (ch in "_-" or ch.isalnum()))
    if bad:
        return f"name {name!r} contains {bad}: names take letters, digits, _ and - only"
    return None


def _named(chars) -> str:
    seen = list(dict.fromkeys(chars))
    return ", ".join(repr(ch) if ch.isprintable() and ch != " " else f"U+{ord(ch):04X}" for ch in seen)
