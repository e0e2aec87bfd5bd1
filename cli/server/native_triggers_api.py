"""Native triggers (`native_triggers/<service>/create|update|get|delete|list`), as the `wmill` CLI calls them.

On Windmill the service (Nextcloud, Google, GitHub) names a trigger when it is created; here the
server plays the connected service and names them `1`, `2`, ... per service. A trigger is kept by
`<service>/<external id>` and archived as `<runnable>.<flow|script>.<id>.<service>_native_trigger.json`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..kinds.native_trigger import SERVICES, archived
from .errors import ApiError, bad_request, not_found
from .http import in_workspace, json_answer, state_of, text, with_body

KIND = "native_trigger"


def _service(request: Request) -> str:
    service = request.path_params["service"]
    if service not in SERVICES:
        raise bad_request(f"Unknown service name: {service}")
    return service


def _checked(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(422, "Failed to deserialize the JSON body into the target type: expected a JSON object")
    for key in ("script_path", "is_flow", "service_config"):
        if key not in body:
            raise ApiError(422, f"Failed to deserialize the JSON body into the target type: missing field `{key}`")
    if not isinstance(body["script_path"], str) or not isinstance(body["is_flow"], bool):
        raise ApiError(422, "Failed to deserialize the JSON body into the target type: `script_path` is a string "
                            "and `is_flow` a boolean")
    return body


def _answer(workspace: str, value: dict[str, Any]) -> dict[str, Any]:
    """A trigger as `get` answers it: its record, and what the service says of it (nothing, here)."""
    return {**value, "workspace_id": workspace, "error": None, "external_data": None}


@with_body
def create(request: Request, body: Any) -> Response:
    who, service = in_workspace(request), _service(request)
    body = _checked(body)
    db = state_of(request).db
    taken = {path for _, path, _ in db.items(who.workspace, KIND)}
    number = 1
    while f"{service}/{number}" in taken:
        number += 1
    external_id = str(number)
    db.put_item(who.workspace, KIND, f"{service}/{external_id}", archived(external_id, service, body), create=True)
    return json_answer({"external_id": external_id})


@with_body
def update(request: Request, body: Any) -> Response:
    who, service = in_workspace(request), _service(request)
    external_id = request.path_params["id"]
    db = state_of(request).db
    if db.item(who.workspace, KIND, f"{service}/{external_id}") is None:
        raise not_found(f"Native trigger {service}/{external_id} not found")
    db.put_item(who.workspace, KIND, f"{service}/{external_id}", archived(external_id, service, _checked(body)),
                create=False)
    return text(f"Native trigger {service}/{external_id} updated")


def get(request: Request) -> Response:
    who, service = in_workspace(request), _service(request)
    external_id = request.path_params["id"]
    value = state_of(request).db.item(who.workspace, KIND, f"{service}/{external_id}")
    if value is None:
        raise not_found(f"Native trigger {service}/{external_id} not found")
    return json_answer(_answer(who.workspace, value))


def delete(request: Request) -> Response:
    who, service = in_workspace(request), _service(request)
    external_id = request.path_params["id"]
    if not state_of(request).db.delete_item(who.workspace, KIND, f"{service}/{external_id}"):
        raise not_found(f"Native trigger {service}/{external_id} not found")
    return text(f"Native trigger {service}/{external_id} deleted")


def listed(request: Request) -> Response:
    who, service = in_workspace(request), _service(request)
    triggers = state_of(request).db.items(who.workspace, KIND)
    return json_answer([_answer(who.workspace, value) for _, path, value in triggers if path.startswith(f"{service}/")])


BASE = "/api/w/{ws}/native_triggers/{service}"
ROUTES = [
    Route(f"{BASE}/create", create, methods=["POST"]),
    Route(f"{BASE}/update/{{id}}", update, methods=["POST"]),
    Route(f"{BASE}/get/{{id}}", get),
    Route(f"{BASE}/delete/{{id}}", delete, methods=["DELETE"]),
    Route(f"{BASE}/list", listed),
]
