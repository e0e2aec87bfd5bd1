"""Which files of a repo (or of a workspace archive) a sync compares, as `wmill sync` selects them.

wmill's ignore function (top-level folders, includes/excludes, the kinds that bypass the
globs) and its file filter (extensions, raw app files, `--skip-*`/`--include-*` switches).
Secret variables are dropped with `skipSecrets` by the tree readers, which see contents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .paths import (ROOT_FOLDERS, SYNCED_EXTENSIONS, TRIGGER_KINDS, folder_item, is_file_resource,
                    is_fileset_resource, is_migration, is_module_path, is_workspace_dependencies, kind_of)

if TYPE_CHECKING:
    from ..config import SyncConfig

_TRIGGER_FILES = tuple(f".{kind}.yaml" for kind in TRIGGER_KINDS) + ("_native_trigger.yaml",)
_ALWAYS_WALKED = frozenset(("", "u", "f", "g", "ui", "users", "groups", "dependencies", "locks", "migrations"))
RAW_APP_BACKEND = "backend"
_NEVER_DEPLOYED_FILES = frozenset(("package-lock.json", "DATATABLES.md", "AGENTS.md", "wmill.d.ts"))
_NEVER_DEPLOYED_DIRS = frozenset(("node_modules", "dist", ".claude", "sql_to_apply"))


def never_walked(name: str) -> bool:
    """Folders no wmill walk enters: hidden ones and node_modules."""
    return name == "node_modules" or name.startswith(".")


def folder_ignored(path: str) -> bool:
    """A folder outside wmill's top-level folders (its whole subtree is ignored)."""
    if path in _ALWAYS_WALKED:
        return False
    return not path.startswith(tuple(f"{top}/" for top in ROOT_FOLDERS)) and path not in ROOT_FOLDERS


def file_ignored(path: str, config: "SyncConfig") -> bool:
    """wmill's ignore verdict on a file: not a Windmill file, or refused by the globs."""
    suffixes = config.suffixes
    kind = kind_of(path, suffixes)
    if path.endswith(".resource-type.yaml") or path.endswith(".resource-type.json"):
        return config.skip_resource_types
    opened = {"user": config.include_users, "group": config.include_groups, "settings": config.include_settings,
              "encryption_key": config.include_key, "workspace_dependencies": not config.skip_workspace_dependencies,
              "shared_lock": True, "datatable_migration": True}
    if opened.get(kind or ""):
        return False
    if path.startswith("locks/"):
        return True  # shared lockfiles: only with dedupeLockfiles, which wac does not do
    return _not_a_windmill_file(path, kind) or not config.selects(path)


def _not_a_windmill_file(path: str, kind: str | None) -> bool:
    if path.startswith("ui/"):
        return True
    if is_module_path(path):
        return False
    if kind is None:
        return True
    if kind in ("resource-type", "settings", "encryption_key"):
        return "/" in path
    return not path.startswith(("u/", "f/", "g/", "users/", "groups/", "dependencies/"))


def file_synced(path: str, config: "SyncConfig") -> bool:
    """Whether a file that is not ignored is part of the sync (wmill's elementsToMap filter)."""
    suffixes = config.suffixes
    if is_module_path(path):
        return not config.skip_scripts
    in_folder = folder_item(path, suffixes)
    raw_app_file = in_folder is not None and in_folder[0] == "raw_app"
    special = is_file_resource(path) or is_fileset_resource(path) or raw_app_file or is_workspace_dependencies(path)
    if not special:
        if path.endswith(".json") or path.rsplit(".", 1)[-1] not in SYNCED_EXTENSIONS:
            return False
    if raw_app_file and not raw_app_file_deploys(path[len(in_folder[1]) + 1:]):
        return False
    if config.skip_resources and (is_file_resource(path) or is_fileset_resource(path)):
        return False
    name = path.rsplit("/", 1)[-1]
    if not config.include_schedules and name.endswith(".schedule.yaml"):
        return False
    if not config.include_triggers and name.endswith(_TRIGGER_FILES):
        return False
    if not config.include_users and name.endswith(".user.yaml"):
        return False
    if not config.include_groups and name.endswith(".group.yaml"):
        return False
    if not config.include_settings and path == "settings.yaml":
        return False
    if config.skip_resources and name.endswith(".resource.yaml"):
        return False
    if config.skip_resource_types and name.endswith(".resource-type.yaml"):
        return False
    kind = kind_of(path, suffixes)
    skipped = {"variable": config.skip_variables, "script": config.skip_scripts, "shared_lock": config.skip_scripts,
               "flow": config.skip_flows, "app": config.skip_apps, "folder": config.skip_folders,
               "workspace_dependencies": config.skip_workspace_dependencies, "datatable_migration": True}
    return not skipped.get(kind or "", False) and not is_migration(path)


def raw_app_file_deploys(relative: str) -> bool:
    """A file of a raw app folder that is part of the app (not build output or tooling)."""
    parts = [p for p in relative.split("/") if p]
    if not parts:
        return False
    name, folders = parts[-1], parts[:-1]
    if folders and folders[0] == RAW_APP_BACKEND:
        return len(folders) == 1
    if name in _NEVER_DEPLOYED_FILES or any(d in _NEVER_DEPLOYED_DIRS for d in folders):
        return False
    return not (folders and folders[0] == "recordings")


def in_sync(path: str, config: "SyncConfig") -> bool:
    """A file of the tree that a sync compares (ignore verdict and filter together)."""
    return not file_ignored(path, config) and file_synced(path, config)
