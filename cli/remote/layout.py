"""A sync tree's files as the sync sees them: which item each belongs to, its kind, its role.

The classification itself is the kinds layer's (`wac.cli.kinds.paths`); this adds what only
a sync needs: which kinds wac pushes and pulls, and what a file is to a script whatever its layout.
"""

from __future__ import annotations

from ..kinds import KINDS
from ..kinds.languages import language_of as _language_of
from ..kinds.paths import DOTTED, FolderSuffixes, item_of as _item_of, kind_of as _kind_of
from ..project import MODULE_SUFFIX

MOD = MODULE_SUFFIX + "/"
SCRIPT_EXTENSIONS = (".go", ".ts", ".sh", ".py", ".sql", ".gql", ".ps1", ".js", ".php", ".rs", ".cs", ".nu",
                     ".java", ".rb", ".r")
SYNCED_KINDS = frozenset(("script", *KINDS))


def kind_of(path: str, suffixes: FolderSuffixes = DOTTED) -> str | None:
    """wmill's type of a file (`script`, `flow`, `schedule`, ...)."""
    return _kind_of(path, suffixes)


def item_of(path: str, suffixes: FolderSuffixes = DOTTED) -> str:
    """The item a file belongs to (`f/x/y` for a script's files, `f/x/y.flow` for a flow's...)."""
    return _item_of(path, suffixes)


def synced(kind: str | None) -> bool:
    """Whether wac pushes and pulls items of this kind (the others are counted and left to wmill)."""
    return kind in SYNCED_KINDS


def is_content(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name.endswith(SCRIPT_EXTENSIONS) and not name.endswith((".script.yaml", ".script.lock"))


def language_of(path: str, default_ts: str) -> str | None:
    return _language_of(path, default_ts)


def role_of(path: str, item: str) -> str:
    """What a file is to its item, whatever the layout: content, metadata, lock, module:<rel>, or its
    path inside the item (a flow's `flow.yaml`, a schedule's own file)."""
    rest = path[len(item):]
    if rest.startswith(MOD):
        rel = rest[len(MOD):]
        if rel == "script.yaml":
            return "metadata"
        if rel == "script.lock":
            return "lock"
        if "/" not in rel and rel.startswith("script.") and is_content(rel):
            return "content"
        return f"module:{rel}"
    if rest == ".script.yaml":
        return "metadata"
    if rest == ".script.lock":
        return "lock"
    if rest == ".meta.yaml":
        return "folder"
    if is_content(path) and rest.startswith(".") and "/" not in rest:
        return "content"
    return rest or "item"
