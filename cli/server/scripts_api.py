"""Script routes: create versions, read them back, archive and delete."""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .errors import bad_request, not_found
from .http import in_workspace, json_answer, state_of, text, with_body
from .scripts import check_path, create_version, script_json, sharing


@with_body
def create(request: Request, body: Any) -> Response:
    who = in_workspace(request)
    server = state_of(request)
    skip_if_noop = request.query_params.get("skip_if_noop") == "true"
    script_hash = create_version(server.db, who.workspace, body, who.username, skip_if_noop)
    server.files.publish(who.workspace, server.db.version(who.workspace, script_hash))
    return text(script_hash, 201)


def get_by_path(request: Request) -> Response:
    who = in_workspace(request)
    row = _head(request, who.workspace)
    return json_answer(script_json(row, who.workspace, sharing(state_of(request).db, who.workspace, row["path"])))


def exists_by_path(request: Request) -> Response:
    who = in_workspace(request)
    path = request.path_params["path"]
    return json_answer(state_of(request).db.head(who.workspace, path) is not None)


def raw_by_path(request: Request) -> Response:
    """A script's content by path; as Windmill, the path may carry the file's extension (`f/x/y.py`)."""
    who = in_workspace(request)
    path = request.path_params["path"]
    db = state_of(request).db
    row = db.head(who.workspace, path)
    if row is None and "." in path.rsplit("/", 1)[-1]:
        row = db.head(who.workspace, path[: path.index(".", path.rfind("/"))])
    if row is None:
        raise not_found(f"Script not found at name {path}")
    return text(row["content"])


def get_by_hash(request: Request) -> Response:
    who = in_workspace(request)
    db = state_of(request).db
    row = db.version(who.workspace, request.path_params["hash"])
    if row is None:
        raise not_found(f"Script not found at hash {request.path_params['hash']}")
    return json_answer(script_json(row, who.workspace, sharing(db, who.workspace, row["path"])))


def list_scripts(request: Request) -> Response:
    who = in_workspace(request)
    start = request.query_params.get("path_start") or ""
    db = state_of(request).db
    rows = [r for r in db.heads(who.workspace) if r["path"].startswith(start)]
    return json_answer([script_json(r, who.workspace, sharing(db, who.workspace, r["path"])) for r in rows])


def list_paths(request: Request) -> Response:
    who = in_workspace(request)
    return json_answer([r["path"] for r in state_of(request).db.heads(who.workspace)])


def history(request: Request) -> Response:
    who = in_workspace(request)
    rows = state_of(request).db.history(who.workspace, request.path_params["path"])
    return json_answer([{"script_hash": r["hash"], **({"deployment_msg": r["deployment_message"]}
                                                      if r["deployment_message"] else {})} for r in rows])


def archive_by_path(request: Request) -> Response:
    return _withdraw(request, lambda db, workspace, path: db.set_archived(workspace, path))


def delete_by_path(request: Request) -> Response:
    return _withdraw(request, lambda db, workspace, path: db.delete_path(workspace, path))


def _withdraw(request: Request, change) -> Response:
    """Archive or delete a script (`change` in the workspace db), then drop its files from the job tree."""
    who = in_workspace(request)
    path = check_path(request.path_params["path"])
    server = state_of(request)
    if not change(server.db, who.workspace, path):
        raise not_found(f"Script not found at name {path}")
    server.files.withdraw(who.workspace, path)
    return text(path)


@with_body
def raw_temp_diff(request: Request, body: Any) -> Response:
    """Which of the given `{path: sha256(content)}` differ from the deployed versions."""
    who = in_workspace(request)
    scripts = body.get("scripts") if isinstance(body, dict) else None
    if not isinstance(scripts, dict):
        raise bad_request("expected {\"scripts\": {path: sha256}}")
    db = state_of(request).db
    differ = []
    for path, digest in scripts.items():
        head = db.head(who.workspace, path)
        if head is None or hashlib.sha256(head["content"].encode()).hexdigest() != digest:
            differ.append(path)
    return json_answer(differ)


def _head(request: Request, workspace: str):
    path = request.path_params["path"]
    row = state_of(request).db.head(workspace, path)
    if row is None:
        raise not_found(f"Script not found at name {path}")
    return row


ROUTES = [
    Route("/api/w/{ws}/scripts/create", create, methods=["POST"]),
    Route("/api/w/{ws}/scripts/get/p/{path:path}", get_by_path),
    Route("/api/w/{ws}/scripts/get/h/{hash}", get_by_hash),
    Route("/api/w/{ws}/scripts/exists/p/{path:path}", exists_by_path),
    Route("/api/w/{ws}/scripts/raw/p/{path:path}", raw_by_path),
    Route("/api/w/{ws}/scripts/list", list_scripts),
    Route("/api/w/{ws}/scripts/list_paths", list_paths),
    Route("/api/w/{ws}/scripts/history/p/{path:path}", history),
    Route("/api/w/{ws}/scripts/archive/p/{path:path}", archive_by_path, methods=["POST"]),
    Route("/api/w/{ws}/scripts/delete/p/{path:path}", delete_by_path, methods=["POST", "DELETE"]),
    Route("/api/w/{ws}/scripts/raw_temp/diff", raw_temp_diff, methods=["POST"]),
]
