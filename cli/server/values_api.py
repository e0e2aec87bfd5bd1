"""What a job's code reads of the workspace, by the routes Windmill's SDKs call: a variable's value
(`variables/get_value`, for `get_variable`), a resource's value as stored (`resources/get_value`) or with its
`$var:`/`$res:` references filled in (`resources/get_value_interpolated`, for `get_resource`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..kinds.resource import interpolated
from .errors import bad_request, not_found
from .http import in_workspace, json_answer, state_of


def _variable(request: Request, workspace: str, path: str) -> Any:
    item = state_of(request).db.item(workspace, "variable", path)
    if item is None:
        raise not_found(f"Variable {path} not found")
    if item.get("is_secret"):
        raise bad_request(f"variable {path} is a secret: wac server keeps secret values encrypted with the "
                          "workspace's key and does not read them (run the job on the workspace)")
    return item.get("value")


def _resource(request: Request, workspace: str, path: str) -> Any:
    item = state_of(request).db.item(workspace, "resource", path)
    if item is None:
        raise not_found(f"Resource {path} not found")
    return item.get("value")


def variable_value(request: Request) -> Response:
    who = in_workspace(request)
    return json_answer(_variable(request, who.workspace, request.path_params["path"]))


def resource_value(request: Request) -> Response:
    who = in_workspace(request)
    return json_answer(_resource(request, who.workspace, request.path_params["path"]))


def resource_value_interpolated(request: Request) -> Response:
    who = in_workspace(request)

    def stored(kind: str, path: str) -> Any:
        item = state_of(request).db.item(who.workspace, kind, path)
        return None if item is None or item.get("is_secret") else item.get("value")

    value = _resource(request, who.workspace, request.path_params["path"])
    return json_answer(interpolated(value, lambda path: stored("resource", path), lambda path: stored("variable", path)))


ROUTES = [
    Route("/api/w/{ws}/variables/get_value/{path:path}", variable_value),
    Route("/api/w/{ws}/resources/get_value/{path:path}", resource_value),
    Route("/api/w/{ws}/resources/get_value_interpolated/{path:path}", resource_value_interpolated),
]
