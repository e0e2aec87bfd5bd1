"""Workspace-level routes: version, workspaces, users, the archive, sync helpers."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .archive import archive, workspace_files
from .errors import ApiError, bad_request
from .http import ADMIN, caller, in_workspace, json_answer, state_of, text, with_body

WINDMILL_VERSION = "CE v1.850.0"


def version(request: Request) -> Response:
    return text(WINDMILL_VERSION)


@with_body
def workspace_exists(request: Request, body: Any) -> Response:
    who = caller(request)
    wanted = body.get("id") if isinstance(body, dict) else None
    return json_answer(wanted == who.workspace)


def list_workspaces(request: Request) -> Response:
    who = caller(request)
    return json_answer([{"id": who.workspace, "name": who.workspace}])


def whoami(request: Request) -> Response:
    caller(request)
    return json_answer(ADMIN)


def workspace_whoami(request: Request) -> Response:
    who = in_workspace(request)
    return json_answer({**ADMIN, "workspace_id": who.workspace, "is_admin": True, "operator": False,
                        "groups": [], "folders": []})


def empty_list(request: Request) -> Response:
    in_workspace(request)
    return json_answer([])


def file_extensions(request: Request) -> Response:
    in_workspace(request)
    return json_answer({})


def shared_ui(request: Request) -> Response:
    in_workspace(request)
    return json_answer({"files": {}})


def tarball(request: Request) -> Response:
    who = in_workspace(request)
    kind = request.query_params.get("archive_type", "zip")
    if kind not in ("zip", "tar"):
        raise bad_request(f"Invalid Archive Type {kind}")
    data = archive(workspace_files(state_of(request).db, who.workspace, dict(request.query_params)), kind)
    return Response(data, media_type="application/x-tar" if kind == "tar" else "application/zip")


def queue_position(request: Request) -> Response:
    in_workspace(request)
    return json_answer({"position": 0})


def not_implemented(request: Request) -> Response:
    raise ApiError(501, f"Not implemented: {request.url.path} is not served by wac server")


ROUTES = [
    Route("/api/version", version),
    Route("/api/workspaces/exists", workspace_exists, methods=["POST"]),
    Route("/api/workspaces/list", list_workspaces),
    Route("/api/users/whoami", whoami),
    Route("/api/w/{ws}/users/whoami", workspace_whoami),
    Route("/api/w/{ws}/workspaces/list_ws_specific", empty_list),
    Route("/api/w/{ws}/resources/file_resource_type_to_file_ext_map", file_extensions),
    Route("/api/w/{ws}/workspaces/tarball", tarball),
    Route("/api/w/{ws}/shared_ui/get", shared_ui),
    Route("/api/w/{ws}/jobs/queue/position/{ms}", queue_position),
]
