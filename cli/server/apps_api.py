"""Raw apps (`apps/create_raw`, `apps/update_raw/<path>`: multipart `app` JSON, `js` and `css` bundles)
and item sharing (`acls/add|remove/<kind>/<path>` `{owner, write}`), as the `wmill` CLI calls them.

A raw app is kept with the classic ones (one `get/p` answers both) and marked raw, so the archive
names it `<path>.raw_app.json`; its bundles are kept beside it and never travel in the archive.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..kinds import KINDS
from .errors import ApiError, bad_request, not_found
from .http import in_workspace, state_of, text, with_body
from .scripts import SCRIPT_PERMS, check_path

BUNDLES = "raw_app_bundle"
# `acls/<op>/<kind>/...` kinds whose items the server keeps in its item table, by the table's kind.
ACL_KINDS = {"flow": "flow", "variable": "variable", "resource": "resource", "app": "app", "raw_app": "app",
             "schedule": "schedule", "folder": "folder", "group_": "group", "script": SCRIPT_PERMS}


async def create_raw(request: Request) -> Response:
    return await run_in_threadpool(_save_raw, request, await _parts(request), None)


async def update_raw(request: Request) -> Response:
    return await run_in_threadpool(_save_raw, request, await _parts(request), request.path_params["path"])


def _save_raw(request: Request, parts: dict[str, str], path: str | None) -> Response:
    who = in_workspace(request)
    if "app" not in parts or "js" not in parts:
        raise bad_request("a raw app needs the `app` part first, then `js` (and `css`)")
    try:
        app = json.loads(parts["app"])
    except ValueError:
        raise bad_request("the `app` part is not valid JSON") from None
    if not isinstance(app, dict) or not isinstance(app.get("value"), dict):
        raise ApiError(422, "Failed to deserialize the JSON body into the target type: missing field `value`")
    db = state_of(request).db
    kind = KINDS["app"]
    if path is None:
        path = check_path(str(app.get("path") or ""))
        created = db.put_item(who.workspace, "app", path, {**kind.stored(app), "raw_app": True}, create=True)
        if not created:
            raise bad_request(f"App {path} already exists")
    else:
        current = db.item(who.workspace, "app", path)
        if current is None:
            raise not_found(f"App {path} not found")
        db.put_item(who.workspace, "app", path, {**current, **kind.stored(app), "raw_app": True}, create=False)
    db.put_item(who.workspace, BUNDLES, path, {"js": parts["js"], "css": parts.get("css", "")}, create=None)
    return text(path, 201 if request.url.path.endswith("create_raw") else 200)


async def _parts(request: Request) -> dict[str, str]:
    """The text parts of a multipart/form-data body, by name."""
    kind = request.headers.get("content-type", "")
    if not kind.startswith("multipart/form-data"):
        raise bad_request("expected a multipart/form-data body")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {kind}\r\n\r\n".encode() + await request.body())
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            payload = part.get_payload(decode=True) or b""
            parts[str(name)] = payload.decode("utf-8", errors="replace")
    return parts


@with_body
def change_acl(request: Request, body: Any) -> Response:
    """Give (`add`, `{owner, write}`) or take back (`remove`, `{owner}`) access to one item."""
    who = in_workspace(request)
    operation, acl_kind, path = (request.path_params[k] for k in ("op", "kind", "path"))
    if operation not in ("add", "remove"):
        raise not_found(f"Not found: acls/{operation}")
    table_kind = ACL_KINDS.get(acl_kind)
    if table_kind is None:
        raise bad_request(f"wac server keeps no sharing for {acl_kind} items")
    if not isinstance(body, dict) or not isinstance(body.get("owner"), str):
        raise ApiError(422, "Failed to deserialize the JSON body into the target type: missing field `owner`")
    owner = body["owner"]
    if not owner.startswith(("u/", "g/")):
        raise bad_request(f"owner {owner!r} must be a user (u/name) or a group (g/name)")
    db = state_of(request).db
    if table_kind == SCRIPT_PERMS:  # a script's versions share one sharing, kept by path
        if db.head(who.workspace, path) is None:
            raise not_found(f"script {path} not found")
        current = db.item(who.workspace, table_kind, path) or {}
    else:
        current = db.item(who.workspace, table_kind, path)
    if current is None:
        raise not_found(f"{acl_kind} {path} not found")
    perms = dict(current.get("extra_perms") or {})
    if operation == "add":
        perms[owner] = bool(body.get("write", False))
    else:
        perms.pop(owner, None)
    updated = {**current, "extra_perms": perms}
    if not perms and table_kind not in ("folder", "group"):
        del updated["extra_perms"]
    db.put_item(who.workspace, table_kind, path, updated, create=None if table_kind == SCRIPT_PERMS else False)
    return text(f"Successfully modified acl for {acl_kind} {path}")


ROUTES = [
    Route("/api/w/{ws}/apps/create_raw", create_raw, methods=["POST"]),
    Route("/api/w/{ws}/apps/update_raw/{path:path}", update_raw, methods=["POST"]),
    Route("/api/w/{ws}/acls/{op:str}/{kind:str}/{path:path}", change_acl, methods=["POST"]),
]
