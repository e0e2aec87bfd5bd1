"""What a file of a Windmill repo is: its item kind and the item it belongs to, as `wmill` decides.

One classification (wmill's `getTypeStrFromPath`) for every layer: sync, generate-metadata,
lint and the server's archive all ask it, so none of them hard-wires a kind's file names.
Paths are relative to the repo root, with `/` separators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from wac.sdk.layout import MODULE_SUFFIX

DBT_SUFFIX = "__dbt"
TRIGGER_TYPES = ("http", "websocket", "kafka", "nats", "postgres", "mqtt", "amqp", "sqs", "gcp", "azure", "email")
TRIGGER_KINDS = tuple(f"{t}_trigger" for t in TRIGGER_TYPES)
# Kinds whose item is one `<path>.<kind>.yaml` file (the type ending of the file name).
YAML_KINDS = ("variable", "resource", "resource-type", "schedule", *TRIGGER_KINDS, "user", "group")
# Script content extensions as the type check sees them (the last extension only).
_SCRIPT_EXTS = frozenset((".go", ".ts", ".sh", ".py", ".sql", ".gql", ".ps1", ".js", ".php", ".rs", ".cs", ".nu",
                          ".java", ".rb", ".r"))
# The file extensions a sync considers at all (elementsToMap).
SYNCED_EXTENSIONS = frozenset(("json", "yaml", "go", "sh", "ts", "py", "sql", "gql", "ps1", "php", "js", "lock",
                               "rs", "cs", "yml", "nu", "java", "rb", "r"))
# Longest first: what generate-metadata and flows count as a script file (`exts`).
CONTENT_EXTENSIONS = (".fetch.ts", ".deno.ts", ".bun.ts", ".ts", ".py", ".go", ".sh", ".pg.sql", ".my.sql", ".bq.sql",
                      ".odb.sql", ".sf.sql", ".ms.sql", ".duckdb.sql", ".sql", ".gql", ".ps1", ".php", ".rs", ".cs",
                      ".nu", ".playbook.yml", ".java", ".rb", ".r")
# Top-level folders wmill walks; everything else in the repo is not a Windmill file.
ROOT_FOLDERS = ("u", "f", "g", "users", "groups", "dependencies", "locks", "migrations")
_MIGRATION = re.compile(r"^migrations/datatable/[^/]+/\d+_.*\.(up|down)\.sql$")
_FOLDER_META = re.compile(r"folder\.[^.]+\.meta")
_SETTINGS = re.compile(r"settings\.[^.]+")
_KEY = re.compile(r"encryption_key\.[^.]+")


@dataclass(frozen=True)
class FolderSuffixes:
    """How flow, app and raw app folders are named: `.flow` (default) or `__flow` (`nonDottedPaths`)."""

    flow: str
    app: str
    raw_app: str

    @classmethod
    def of(cls, non_dotted: bool) -> "FolderSuffixes":
        return NON_DOTTED if non_dotted else DOTTED

    def of_kind(self, kind: str) -> str:
        return getattr(self, kind)

    @property
    def other(self) -> "FolderSuffixes":
        return DOTTED if self is NON_DOTTED else NON_DOTTED


DOTTED = FolderSuffixes(".flow", ".app", ".raw_app")
NON_DOTTED = FolderSuffixes("__flow", "__app", "__raw_app")
FOLDER_KINDS = ("flow", "app", "raw_app")


def is_module_path(path: str) -> bool:
    """Inside a script's `__mod/` (or dbt `__dbt/`) folder."""
    return f"{MODULE_SUFFIX}/" in path or f"{DBT_SUFFIX}/" in path


def module_base(path: str) -> str | None:
    """The script a `__mod/` file belongs to (the part before the outermost module folder)."""
    found = [i for i in (path.find(MODULE_SUFFIX + "/"), path.find(DBT_SUFFIX + "/")) if i != -1]
    return path[: min(found)] if found else None


def is_module_entry(path: str) -> bool:
    """`script.<ext>` directly under the outermost `__mod/`: the script's own content file."""
    base = module_base(path)
    if base is None or not path.startswith(base + MODULE_SUFFIX + "/"):
        return False
    rest = path[len(base) + len(MODULE_SUFFIX) + 1:]
    return rest.startswith("script.") and "/" not in rest


def folder_item(path: str, suffixes: FolderSuffixes) -> tuple[str, str] | None:
    """(kind, folder) when `path` lies in a flow, app or raw app folder, e.g. ('flow', 'f/x/y.flow')."""
    for kind in FOLDER_KINDS:
        marker = suffixes.of_kind(kind) + "/"
        index = path.find(marker)
        if index != -1:
            return kind, path[: index + len(marker) - 1]
    return None


def in_any_folder_item(path: str) -> bool:
    """In a flow/app/raw app folder of either naming (generate-metadata never takes those for scripts)."""
    return folder_item(path, DOTTED) is not None or folder_item(path, NON_DOTTED) is not None


def is_file_resource(path: str) -> bool:
    parts = path.split(".")
    return len(parts) >= 4 and parts[-3] == "resource" and parts[-2] == "file"


def is_fileset_resource(path: str) -> bool:
    return ".fileset/" in path


def is_workspace_dependencies(path: str) -> bool:
    return path.startswith("dependencies/")


def is_migration(path: str) -> bool:
    return _MIGRATION.match(path) is not None


def has_content_extension(path: str) -> bool:
    return path.endswith(CONTENT_EXTENSIONS)


@lru_cache(maxsize=65536)
def kind_of(path: str, suffixes: FolderSuffixes = DOTTED) -> str | None:
    """wmill's type of a file (`script`, `flow`, `resource`, `http_trigger`, ...); None when it has none."""
    if is_migration(path):
        return "datatable_migration"
    if is_module_path(path):
        return "script"
    located = folder_item(path, suffixes)
    if located:
        return located[0]
    if path.startswith("locks/") and path.count("/") == 1 and path.endswith(".lock"):
        return "shared_lock"
    if is_workspace_dependencies(path):
        return "workspace_dependencies"
    if is_file_resource(path) or is_fileset_resource(path):
        return "resource"
    name = path.rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = "." + ext if dot else ""
    if ext in _SCRIPT_EXTS or (ext == ".yml" and stem.rsplit(".", 1)[-1] == "playbook" and "." in stem):
        return "script"
    if stem == "folder.meta" or _FOLDER_META.fullmatch(stem):
        return "folder"
    if stem == "settings" or _SETTINGS.fullmatch(stem):
        return "settings"
    if stem == "encryption_key" or _KEY.fullmatch(stem):
        return "encryption_key"
    ending = stem.rsplit(".", 1)[-1]
    if ending.endswith("_native_trigger"):
        return "native_trigger"
    if ending in ("script", "app", "settings", "encryption_key") or ending in YAML_KINDS:
        return ending
    return None


@lru_cache(maxsize=65536)
def item_of(path: str, suffixes: FolderSuffixes = DOTTED) -> str:
    """The item a file belongs to, one key per item whatever its layout.

    Scripts: their Windmill path (`f/x/y`, also for `__mod/` files); folders `f/x/folder`;
    flow/app folders the folder (`f/x/y.flow`); file resources `f/x/y.resource`; every
    other kind its file name without the extension (`f/x/y.schedule`).
    """
    base = module_base(path)
    if base is not None:
        return base
    located = folder_item(path, suffixes)
    if located:
        return located[1]
    if is_fileset_resource(path):
        return path.split(".fileset/", 1)[0] + ".resource"
    if is_file_resource(path):
        return ".".join(path.split(".")[:-3]) + ".resource"
    kind = kind_of(path, suffixes)
    if kind in ("script", None):
        return path.split(".", 1)[0]
    if kind == "folder":
        return path.rsplit("/", 1)[0] + "/folder"
    if kind == "workspace_dependencies":
        return path
    return path.rsplit(".", 1)[0]
