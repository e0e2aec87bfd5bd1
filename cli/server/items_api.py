"""Routes of every kind but scripts (folders, resources, resource types, variables, flows, schedules,
triggers), made from each kind's routes: get, exists, list, create, update, delete.

The server keeps an item as the workspace archive holds it (what was sent, less the request's own
keys), so `wmill sync pull` gives back the files a push sent and a second push finds nothing to do.
Bad bodies are refused as Windmill refuses them: 422 for a missing field, 400 for the rest.
"""

from __future__ import annotations

import functools
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..kinds import KINDS, ItemKind
from ..kinds.cron import cron_problem
from ..kinds.windmill_path import item_path_problem
from .apps_api import BUNDLES
from .errors import ApiError, bad_request, not_found
from .http import in_workspace, json_answer, state_of, text, with_body
from .resource_types import known_resource_types
from .scripts import check_path

# Fields a create must carry (Windmill's request types), by kind.
REQUIRED = {"resource": ("path", "value", "resource_type"), "variable": ("path", "value", "is_secret", "description"),
            "schedule": ("path", "schedule", "timezone", "script_path", "is_flow"), "flow": ("path", "summary", "value"),
            "resource-type": ("name",), "folder": ("name",), "app": ("path", "summary", "value", "policy"),
            "group": ("name",)}
TRIGGER_REQUIRED = ("path", "script_path", "is_flow")
# Keys an update may leave out that the item keeps (a variable's update names `is_secret` only to change it).
KEPT_ON_UPDATE = {"variable": ("is_secret",)}
FOLDER_DEFAULTS = {"display_name": None, "owners": [], "extra_perms": {}, "summary": None}


def item_json(kind: ItemKind, workspace: str, item_id: str, value: dict[str, Any]) -> dict[str, Any]:
    """An item as its `get` route answers it (with its sharing, as Windmill's answers always have)."""
    return {"workspace_id": workspace, kind.route.id_field: item_id, "extra_perms": {}, **value}


def _get(kind: ItemKind, request: Request) -> Response:
    who = in_workspace(request)
    item_id = request.path_params["path"]
    value = state_of(request).db.item(who.workspace, kind.name, item_id)
    if value is None:
        raise not_found(f"{_label(kind)} {item_id} not found")
    return json_answer(item_json(kind, who.workspace, item_id, value))


def _exists(kind: ItemKind, request: Request) -> Response:
    who = in_workspace(request)
    return json_answer(state_of(request).db.item(who.workspace, kind.name, request.path_params["path"]) is not None)


def _list(kind: ItemKind, request: Request) -> Response:
    who = in_workspace(request)
    found = [item_json(kind, who.workspace, path, value)
             for _, path, value in state_of(request).db.items(who.workspace, kind.name)]
    if kind.name == "resource-type":
        found += [{"workspace_id": "admins", "name": name} for name in sorted(known_resource_types())
                  if all(item["name"] != name for item in found)]
    return json_answer(found)


def _create(kind: ItemKind, request: Request, body: Any) -> Response:
    who = in_workspace(request)
    body = _checked(kind, body, TRIGGER_REQUIRED if kind.name.endswith("_trigger") else REQUIRED.get(kind.name, ()))
    item_id = _checked_id(kind, body[kind.route.id_field])
    db = state_of(request).db
    _validate(kind, body)
    value = _stored(kind, body)
    if not db.put_item(who.workspace, kind.name, item_id, value, create=True):
        raise bad_request(f"{_label(kind)} {item_id} already exists")
    if kind.name == "folder":
        return text(f"Created folder {item_id}")  # Windmill answers a new folder with 200
    return text(item_id, 201)


def _update(kind: ItemKind, request: Request, body: Any) -> Response:
    who = in_workspace(request)
    item_id = request.path_params["path"]
    db = state_of(request).db
    current = db.item(who.workspace, kind.name, item_id)
    if current is None:
        raise not_found(f"{_label(kind)} {item_id} not found")
    body = _checked(kind, body, ())
    _validate(kind, body)
    value = _stored(kind, body, current)
    value.update({key: current[key] for key in KEPT_ON_UPDATE.get(kind.name, ()) if key in current and key not in body})
    db.put_item(who.workspace, kind.name, item_id, value, create=False)
    return text(item_id)


def _delete(kind: ItemKind, request: Request) -> Response:
    who = in_workspace(request)
    item_id = request.path_params["path"]
    db = state_of(request).db
    deleted = db.delete_item(who.workspace, kind.name, item_id)
    if kind.name == "app":  # as Windmill: deleting an app that is not there succeeds
        db.delete_item(who.workspace, BUNDLES, item_id)
        return text(f"app {item_id} deleted")
    if not deleted:
        raise not_found(f"{_label(kind)} {item_id} not found")
    return text(item_id)


@with_body
def set_enabled(request: Request, body: Any) -> Response:
    """`POST schedules/setenabled/<path>` `{enabled}`."""
    who = in_workspace(request)
    path = request.path_params["path"]
    db = state_of(request).db
    current = db.item(who.workspace, "schedule", path)
    if current is None:
        raise not_found(f"Schedule {path} not found")
    if not isinstance(body, dict) or not isinstance(body.get("enabled"), bool):
        raise ApiError(422, "Failed to deserialize the JSON body into the target type: missing field `enabled`")
    db.put_item(who.workspace, "schedule", path, {**current, "enabled": body["enabled"]}, create=False)
    return text(f"succesfully updated schedule at path {path} to status {body['enabled']}")


def _checked(kind: ItemKind, body: Any, required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(422, "Failed to deserialize the JSON body into the target type: expected a JSON object")
    for key in required:
        if key not in body:
            raise ApiError(422, f"Failed to deserialize the JSON body into the target type: missing field `{key}`")
    return body


def _checked_id(kind: ItemKind, item_id: Any) -> str:
    if not isinstance(item_id, str) or not item_id:
        raise bad_request(f"a {_label(kind).lower()} needs a `{kind.route.id_field}`")
    if kind.route.id_field == "path":
        return check_path(item_id)
    problem = item_path_problem(kind.name, item_id)
    if problem:
        raise bad_request(f"Invalid name {item_id!r}: {problem}")
    return item_id


def _validate(kind: ItemKind, body: dict[str, Any]) -> None:
    """What Windmill checks beyond the body's shape: a schedule's cron, a flow's steps."""
    if kind.name == "schedule" and "schedule" in body:
        problem = cron_problem(body["schedule"], body.get("cron_version"))
        if problem:
            raise bad_request(f"invalid cron expression {body['schedule']!r}: {problem}")
    if kind.name == "flow" and "value" in body:
        value = body["value"]
        if not isinstance(value, dict) or not isinstance(value.get("modules"), list):
            raise ApiError(422, "Failed to deserialize the JSON body into the target type: value: missing field "
                                "`modules`")


def _stored(kind: ItemKind, body: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    value = kind.stored(body)
    if kind.name == "group":  # members and owners change through their own routes
        return {**(current or {"members": [], "extra_perms": {}}), "summary": value.get("summary")}
    if kind.name == "folder":
        base = current or {**FOLDER_DEFAULTS, "display_name": body.get("name")}
        return {key: value.get(key, base.get(key)) for key in FOLDER_DEFAULTS}
    return value


def _label(kind: ItemKind) -> str:
    return kind.name.replace("_", " ").replace("-", " ").capitalize()


def _routes() -> list[Route]:
    routes = []
    for kind in KINDS.values():
        if kind.route is None:
            continue  # settings, the key, users and native triggers have routes of their own
        base = f"/api/w/{{ws}}/{kind.route.base}"
        routes += [
            Route(f"{base}/{kind.route.get}/{{path:path}}", functools.partial(_get, kind)),
            Route(f"{base}/exists/{{path:path}}", functools.partial(_exists, kind)),
            Route(f"{base}/list", functools.partial(_list, kind)),
            Route(f"{base}/create", with_body(functools.partial(_create, kind)), methods=["POST"]),
            Route(f"{base}/update/{{path:path}}", with_body(functools.partial(_update, kind)), methods=["POST"]),
            Route(f"{base}/delete/{{path:path}}", functools.partial(_delete, kind), methods=["DELETE"]),
        ]
    routes.append(Route("/api/w/{ws}/schedules/setenabled/{path:path}", set_enabled, methods=["POST"]))
    return routes


ROUTES = _routes()
