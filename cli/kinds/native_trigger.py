"""Native triggers (Nextcloud, Google, GitHub): `<runnable>.<flow|script>.<external id>.<service>_native_trigger.yaml`.

Each lives under `native_triggers/<service>/...` by the id the service gave it (`external_id`, part
of the file name, never of a create's body: the service names a trigger when it is created). A
push compares and sends `script_path`, `is_flow`, `service_config` and `summary`, as wmill does.
"""

from __future__ import annotations

import re
from typing import Any

from .base import (CREATED, DELETED, UP_TO_DATE, UPDATED, ItemError, ItemKind, PushContext, Route, archive_json,
                   is_superset)

SUFFIX = "_native_trigger"
SERVICES = ("nextcloud", "google", "github")
# `<runnable>.<flow|script>.<external id>.<service>`: what the file name says (the kind's "remote path")
_NAMED = re.compile(r"^(.+)\.(flow|script)\.([^./]+)\.(\w+)$")
SENT = ("script_path", "is_flow", "service_config", "summary")


class NativeTriggerKind(ItemKind):
    name = "native_trigger"
    order = 14

    def archive_name(self, remote_path: str) -> str:
        return f"{remote_path}{SUFFIX}.json"

    def local_file(self, remote_path: str) -> str:
        return f"{remote_path}{SUFFIX}.yaml"

    def from_archive_name(self, name: str) -> str | None:
        stem = name[: -len(f"{SUFFIX}.json")] if name.endswith(f"{SUFFIX}.json") else None
        return stem if stem is not None and _NAMED.match(stem) else None

    def remote_path(self, item: str) -> str:
        return item[: -len(SUFFIX)] if item.endswith(SUFFIX) else item

    def fetch(self, ctx: PushContext, remote_path: str) -> dict[str, Any] | None:
        service, external_id = _service_and_id(remote_path)
        return ctx.client.get_item(Route(f"native_triggers/{service}"), external_id)

    def push(self, ctx: PushContext, remote_path: str, files: dict[str, str], remote: dict[str, Any] | None) -> str:
        service, external_id = _service_and_id(remote_path)
        local = self.local_value(files, self.local_file(remote_path), ctx)
        data = {key: local.get(key) for key in SENT}
        route = Route(f"native_triggers/{service}")
        if remote is not None:
            if is_superset(data, {key: remote.get(key) for key in SENT}):
                return UP_TO_DATE
            ctx.client.update_item(route, external_id, data)
            return UPDATED
        ctx.client.create_item(route, data)
        return CREATED

    def delete(self, ctx: PushContext, remote_path: str) -> str:
        service, external_id = _service_and_id(remote_path)
        ctx.client.delete_item(Route(f"native_triggers/{service}"), external_id)
        return DELETED

    def local_perms(self, ctx: PushContext, remote_path: str, files: dict[str, str]) -> Any:
        return None  # native triggers have no sharing of their own

    # -- the server's side: kept by `<service>/<external id>`, archived under the name its runnable gives
    def archive_entry(self, remote_path: str, value: dict[str, Any]) -> tuple[str, str]:
        runnable = "flow" if value.get("is_flow") else "script"
        name = f"{value.get('script_path')}.{runnable}.{value.get('external_id')}.{value.get('service_name')}"
        return self.archive_name(name), archive_json(value)


def name_problem(remote_path: str) -> str | None:
    """Why Windmill would refuse the trigger this file name describes (None: it would not)."""
    from .windmill_path import path_problem

    named = _NAMED.match(remote_path)
    if named is None:
        return "a native trigger's file is named <path>.<flow|script>.<external id>.<service>_native_trigger.yaml"
    if named.group(4) not in SERVICES:
        return f"Windmill has no native trigger service {named.group(4)!r} ({', '.join(SERVICES)})"
    problem = path_problem(named.group(1))
    return f"its script or flow path {named.group(1)!r}: {problem}" if problem else None


def _service_and_id(remote_path: str) -> tuple[str, str]:
    problem = name_problem(remote_path)
    if problem:
        raise ItemError(f"{remote_path}{SUFFIX}.yaml: {problem}")
    named = _NAMED.match(remote_path)
    return named.group(4), named.group(3)


def archived(external_id: str, service: str, body: dict[str, Any]) -> dict[str, Any]:
    """A native trigger as Windmill's archive holds it (its record less the server's own fields)."""
    return {"external_id": external_id, "service_name": service, "script_path": body.get("script_path"),
            "is_flow": bool(body.get("is_flow")), "service_config": body.get("service_config"),
            "summary": body.get("summary")}


KIND = NativeTriggerKind()
