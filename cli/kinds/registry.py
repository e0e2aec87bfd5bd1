"""The kinds a sync pushes and `wac server` stores (scripts apart), and wmill's order of changes."""

from __future__ import annotations

from . import (app, encryption_key, flow, folder, group, native_trigger, raw_app, resource, resource_type, schedule,
               settings, trigger, user, variable, workspace_dependencies)
from .base import ItemKind

KINDS: dict[str, ItemKind] = {kind.name: kind for kind in (
    settings.KIND, encryption_key.KIND, user.KIND, group.KIND, folder.KIND, resource_type.KIND, variable.KIND,
    resource.KIND, workspace_dependencies.KIND, flow.KIND, raw_app.KIND, app.KIND, schedule.KIND, *trigger.KINDS,
    native_trigger.KIND)}
# wmill's getOrderFromPath: settings, key, users, groups, folders, resource types, variables, resources,
# workspace dependencies, scripts, flows, raw apps, apps, schedules, triggers, then the rest.
ORDER = {"settings": 0, "encryption_key": 1, "user": 2, "group": 3, "folder": 4, "resource-type": 5, "variable": 6,
         "resource": 7, "workspace_dependencies": 8, "script": 9, "flow": 10, "raw_app": 11, "app": 12,
         "schedule": 13, **{name: 14 for name in (*(k.name for k in trigger.KINDS), "native_trigger")}}


def order_of(kind: str | None) -> int:
    return ORDER.get(kind or "", 15)


def archived_kind(name: str) -> tuple[ItemKind, str] | None:
    """The kind and Windmill path of a workspace archive entry (`f/x/y.schedule.json`), if wac syncs it."""
    for kind in KINDS.values():
        remote_path = kind.from_archive_name(name)
        if remote_path is not None:
            return kind, remote_path
    return None
