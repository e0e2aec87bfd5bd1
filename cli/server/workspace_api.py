"""Workspace-level routes: version, workspaces, users, folders, the archive, sync helpers."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .archive import archive, workspace_files
from .errors import ApiError, bad_request, not_found
from .http import ADMIN, caller, in_workspace, json_answer, state_of, text, with_body

WINDMILL_VERSION = "CE v1.850.0"
FOLDER_FIELDS = ("display_name", "owners", "extra_perms", "summary")


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
    data = archive(workspace_files(state_of(request).db, who.workspace), kind)
    return Response(data, media_type="application/x-tar" if kind == "tar" else "application/zip")


def get_folder(request: Request) -> Response:
    who = in_workspace(request)
    name = request.path_params["name"]
    fields = state_of(request).db.folder(who.workspace, name)
    if fields is None:
        raise not_found(f"Folder {name} not found")
    return json_answer({"workspace_id": who.workspace, "name": name, **fields})


@with_body
def create_folder(request: Request, body: Any) -> Response:
    who = in_workspace(request)
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
        raise bad_request("a folder needs a `name`")
    db = state_of(request).db
    if db.folder(who.workspace, body["name"]) is not None:
        raise bad_request(f"Folder {body['name']} already exists")
    db.put_folder(who.workspace, body["name"], _folder_fields(body, body["name"]))
    return text(f"Created folder {body['name']}", 200)


@with_body
def update_folder(request: Request, body: Any) -> Response:
    who = in_workspace(request)
    name = request.path_params["name"]
    db = state_of(request).db
    current = db.folder(who.workspace, name)
    if current is None:
        raise not_found(f"Folder {name} not found")
    db.put_folder(who.workspace, name, {**current, **_folder_fields(body if isinstance(body, dict) else {}, name,
                                                                  current)})
    return text(f"Updated folder {name}")


def delete_folder(request: Request) -> Response:
    who = in_workspace(request)
    name = request.path_params["name"]
    if not state_of(request).db.delete_folder(who.workspace, name):
        raise not_found(f"Folder {name} not found")
    return text(f"Deleted folder {name}")


def _folder_fields(body: dict, name: str, current: dict | None = None) -> dict:
    base = current or {"display_name": name, "owners": [], "extra_perms": {}, "summary": None}
    return {key: body.get(key, base.get(key)) for key in FOLDER_FIELDS}


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
    Route("/api/w/{ws}/folders/get/{name}", get_folder),
    Route("/api/w/{ws}/folders/create", create_folder, methods=["POST"]),
    Route("/api/w/{ws}/folders/update/{name}", update_folder, methods=["POST"]),
    Route("/api/w/{ws}/folders/delete/{name}", delete_folder, methods=["DELETE"]),
    Route("/api/w/{ws}/jobs/queue/position/{ms}", queue_position),
]
