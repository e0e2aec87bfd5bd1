"""What a workspace is beyond its items: settings, encryption key, users, groups and dependencies, behind
the routes `wmill sync push` calls for them (`workspaces/get_settings` and its `edit_*` routes,
`workspaces/encryption_key`, `users/*`, `workspaces/add_user`, `groups/*`, `workspace_dependencies/*`).

Each is kept in the item table (kinds `settings`, `encryption_key`, `user`, `group`) exactly as the
requests set it, so the archive gives back what a push sent. A new workspace starts as Windmill's
does: its admin user, the `all` and `wm_deployers` groups, default operator settings, a random key.
"""

from __future__ import annotations

import secrets
import string
from typing import Any, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..kinds.encryption_key import KEY
from .errors import ApiError, bad_request, not_found
from .http import ADMIN, in_workspace, json_answer, state_of, text, with_body
from .workspace_db import WorkspaceDB

OPERATOR_DEFAULTS = {name: True for name in ("runs", "groups", "folders", "workers", "triggers", "resources",
                                             "schedules", "variables", "audit_logs")}
DEPLOYERS = "Members can preserve the original author when deploying to this workspace"


def seed(db: WorkspaceDB, workspace: str) -> None:
    """Give the workspace what a new Windmill workspace has, where it lacks it."""
    defaults: list[tuple[str, str, dict[str, Any]]] = [
        ("settings", "", {"operator_settings": dict(OPERATOR_DEFAULTS)}),
        ("encryption_key", "", {"key": "".join(secrets.choice(string.ascii_letters + string.digits)
                                               for _ in range(64))}),
        ("user", ADMIN["username"], {"email": ADMIN["email"], "username": ADMIN["username"], "is_admin": True,
                                     "operator": False, "disabled": False}),
        ("group", "all", {"summary": "The group that always contains all users of this workspace",
                          "members": [ADMIN["username"]], "extra_perms": {}}),
        ("group", "wm_deployers", {"summary": DEPLOYERS, "members": [], "extra_perms": {}}),
    ]
    for kind, path, value in defaults:
        if db.item(workspace, kind, path) is None:
            db.put_item(workspace, kind, path, value, create=True)


def _existing(db: WorkspaceDB, workspace: str, kind: str, name: str) -> dict[str, Any]:
    found = db.item(workspace, kind, name)
    if found is None:
        raise not_found(f"{kind} {name} not found")
    return found


def _workspace_name(db: WorkspaceDB, workspace: str) -> str:
    row = db.db.execute("SELECT name FROM workspaces WHERE id=?", (workspace,)).fetchone()
    return row[0] if row else workspace


# -- settings -----------------------------------------------------------------------------------------

def archived_settings(db: WorkspaceDB, workspace: str) -> dict[str, Any]:
    """settings.json of the archive: Windmill's struct order, its always-listed groups null when unset."""
    stored = db.item(workspace, "settings", "") or {}
    order = ("auto_invite", "webhook", "error_handler", "success_handler", "ai_config", "large_file_storage", "git_sync",
             "default_app", "default_scripts", "name", "mute_critical_alerts", "color", "operator_settings",
             "datatable", "slack_team_id", "slack_name", "slack_command_script", "slack_oauth_client_id",
             "slack_oauth_client_secret")
    always = ("error_handler", "success_handler", "name", "slack_oauth_client_id", "slack_oauth_client_secret")
    values = {**stored, "name": _workspace_name(db, workspace)}
    return {k: values.get(k) for k in order if values.get(k) is not None or k in always}


def get_settings(request: Request) -> Response:
    who = in_workspace(request)
    stored = state_of(request).db.item(who.workspace, "settings", "") or {}
    return json_answer({"workspace_id": who.workspace, **{k: v for k, v in stored.items() if v is not None}})


def get_workspace_name(request: Request) -> Response:
    who = in_workspace(request)
    return text(_workspace_name(state_of(request).db, who.workspace))


def _handler(body: dict[str, Any], with_muted: bool) -> dict[str, Any] | None:
    if not body.get("path"):
        return None
    handler = {"path": body["path"], **({"extra_args": body["extra_args"]} if "extra_args" in body else {})}
    if with_muted:
        handler.update({k: True for k in ("muted_on_cancel", "muted_on_user_path") if body.get(k) is True})
    return handler


def _invite(body: dict[str, Any]) -> dict[str, Any]:
    if not body:
        return {"enabled": False, "operator": False, "mode": "invite"}
    return {"enabled": True, "operator": bool(body.get("operator")), "mode": "add" if body.get("auto_add") else "invite"}


# `workspaces/<route>` -> (the setting it sets, its value from the request body)
EDITS: dict[str, tuple[str, Callable[[Any, dict[str, Any]], Any]]] = {
    "edit_webhook": ("webhook", lambda b, _: b.get("webhook")),
    "edit_copilot_config": ("ai_config", lambda b, _: b or None),
    "edit_error_handler": ("error_handler", lambda b, _: _handler(b, True)),
    "edit_success_handler": ("success_handler", lambda b, _: _handler(b, False)),
    "edit_large_file_storage_config": ("large_file_storage", lambda b, _: b.get("large_file_storage")),
    "edit_git_sync_config": ("git_sync", lambda b, _: b.get("git_sync_settings")),
    "default_scripts": ("default_scripts", lambda b, _: b or None),
    "edit_default_app": ("default_app", lambda b, _: b.get("default_app_path")),
    "critical_alerts/mute": ("mute_critical_alerts", lambda b, _: bool(b.get("mute_critical_alerts"))),
    "change_workspace_color": ("color", lambda b, _: b.get("color")),
    "operator_settings": ("operator_settings", lambda b, _: b),
    "edit_datatable_config": ("datatable", lambda b, _: b.get("settings")),
    "edit_slack_command": ("slack_command_script", lambda b, _: b.get("slack_command_script")),
    "edit_auto_invite": ("auto_invite", lambda b, current: {**_invite(b), **{
        k: v for k, v in (current.get("auto_invite") or {}).items() if k.startswith("instance_groups")}}),
    "edit_instance_groups": ("auto_invite", lambda b, current: {**(current.get("auto_invite") or _invite({})),
                                                                "instance_groups": b.get("groups"),
                                                                "instance_groups_roles": b.get("roles") or {}}),
}


def edit_setting(route: str) -> Callable:
    key, value_of = EDITS[route]

    def handler(request: Request, body: Any) -> Response:
        who = in_workspace(request)
        body = body if isinstance(body, dict) else {}
        db = state_of(request).db
        current = db.item(who.workspace, "settings", "") or {}
        db.put_item(who.workspace, "settings", "", {**current, key: value_of(body, current)}, create=None)
        if route == "edit_datatable_config":
            return json_answer({"stranded_references": []})
        return text(f"Edit {key} for workspace {who.workspace}")

    return with_body(handler)


def _slack_oauth(request: Request, body: Any) -> Response:
    who = in_workspace(request)
    db = state_of(request).db
    current = db.item(who.workspace, "settings", "") or {}
    given = body if request.method == "POST" and isinstance(body, dict) else {}
    updated = {**current, "slack_oauth_client_id": given.get("slack_oauth_client_id"),
               "slack_oauth_client_secret": given.get("slack_oauth_client_secret")}
    db.put_item(who.workspace, "settings", "", updated, create=None)
    return text("slack oauth config updated")


# -- encryption key -----------------------------------------------------------------------------------

def get_key(request: Request) -> Response:
    who = in_workspace(request)
    return json_answer({"key": (state_of(request).db.item(who.workspace, "encryption_key", "") or {}).get("key")})


@with_body
def set_key(request: Request, body: Any) -> Response:
    who = in_workspace(request)
    key = body.get("new_key") if isinstance(body, dict) else None
    if not isinstance(key, str) or not KEY.match(key):
        raise bad_request("the key must be 64 letters and digits")
    state_of(request).db.put_item(who.workspace, "encryption_key", "", {"key": key}, create=None)
    return text("")


# -- users ----------------------------------------------------------------------------------------------

def _user_json(workspace: str, user: dict[str, Any]) -> dict[str, Any]:
    role = "admin" if user.get("is_admin") else "operator" if user.get("operator") else "developer"
    return {"workspace_id": workspace, **user, "role": role, "created_at": "2026-01-01T00:00:00Z"}


def automate_username_creation(request: Request) -> Response:
    """Usernames are the ones pushed (a new Windmill instance derives them instead)."""
    return json_answer(False)


def get_user(request: Request) -> Response:
    who = in_workspace(request)
    user = _existing(state_of(request).db, who.workspace, "user", request.path_params["username"])
    return json_answer(_user_json(who.workspace, user))


def list_users(request: Request) -> Response:
    who = in_workspace(request)
    return json_answer([_user_json(who.workspace, user) for _, _, user in state_of(request).db.items(who.workspace, "user")])


@with_body
def update_user(request: Request, body: Any) -> Response:
    who = in_workspace(request)
    username, db = request.path_params["username"], state_of(request).db
    user = _existing(db, who.workspace, "user", username)
    changes = {k: body[k] for k in ("is_admin", "operator", "disabled") if isinstance(body, dict) and k in body}
    db.put_item(who.workspace, "user", username, {**user, **changes}, create=False)
    return text(f"user {username} updated")


@with_body
def add_user(request: Request, body: Any) -> Response:
    who = in_workspace(request)
    if not isinstance(body, dict) or not isinstance(body.get("email"), str):
        raise ApiError(422, "Failed to deserialize the JSON body into the target type: missing field `email`")
    email = body["email"].lower()
    username = body.get("username") or email.split("@")[0]
    user = {"email": email, "username": username, "is_admin": bool(body.get("is_admin")),
            "operator": bool(body.get("operator")), "disabled": False}
    if not state_of(request).db.put_item(who.workspace, "user", username, user, create=True):
        raise bad_request(f"user {username} already exists")
    return text(f"user {email} added", 201)


def delete_user(request: Request) -> Response:
    who = in_workspace(request)
    username = request.path_params["username"]
    if not state_of(request).db.delete_item(who.workspace, "user", username):
        raise not_found(f"user {username} not found")
    return text(f"user {username} removed")


# -- groups (get, create, update and delete are the group kind's generic routes) ---------------------

def _members(adding: bool) -> Callable:
    @with_body
    def handler(request: Request, body: Any) -> Response:
        who = in_workspace(request)
        name, db = request.path_params["name"], state_of(request).db
        group = _existing(db, who.workspace, "group", name)
        username = body.get("username") if isinstance(body, dict) else None
        if not isinstance(username, str) or not username:
            raise ApiError(422, "Failed to deserialize the JSON body into the target type: missing field `username`")
        members = [m for m in group.get("members") or [] if m != username]
        perms = {k: v for k, v in (group.get("extra_perms") or {}).items() if adding or k != f"u/{username}"}
        db.put_item(who.workspace, "group", name, {**group, "members": members + [username] if adding else members,
                                                   "extra_perms": perms}, create=False)
        return text(f"{'added' if adding else 'removed'} {username} {'to' if adding else 'from'} group {name}")

    return handler


# -- workspace dependencies ---------------------------------------------------------------------------

def _dependencies_file(language: str, name: str | None) -> str:
    from ..kinds.workspace_dependencies import LANGUAGES

    filename = next((f for f, lang in LANGUAGES if lang == language), None)
    if filename is None:
        raise bad_request(f"no workspace dependencies for language {language}")
    return f"{name}.{filename}" if name else filename


@with_body
def create_dependencies(request: Request, body: Any) -> Response:
    who = in_workspace(request)
    if not isinstance(body, dict) or not isinstance(body.get("content"), str) or "language" not in body:
        raise ApiError(422, "Failed to deserialize the JSON body into the target type: missing field `content`")
    if body.get("workspace_id", who.workspace) != who.workspace:
        raise bad_request("the body's workspace_id does not match the workspace in the path")
    path = _dependencies_file(str(body["language"]), body.get("name"))
    value = {"content": body["content"], "language": body["language"], "name": body.get("name")}
    state_of(request).db.put_item(who.workspace, "workspace_dependencies", path, value, create=None)
    return text(path, 201)


def latest_dependencies(request: Request) -> Response:
    who = in_workspace(request)
    path = _dependencies_file(request.path_params["language"], request.query_params.get("name"))
    found = state_of(request).db.item(who.workspace, "workspace_dependencies", path)
    if found is None:
        raise not_found(f"workspace dependencies {path} not found")
    return json_answer({"workspace_id": who.workspace, **found})


def delete_dependencies(request: Request) -> Response:
    who = in_workspace(request)
    path = _dependencies_file(request.path_params["language"], request.query_params.get("name"))
    state_of(request).db.delete_item(who.workspace, "workspace_dependencies", path)
    return text(f"workspace dependencies {path} deleted")


ROUTES = [
    Route("/api/w/{ws}/workspace_dependencies/create", create_dependencies, methods=["POST"]),
    Route("/api/w/{ws}/workspace_dependencies/get_latest/{language}", latest_dependencies),
    Route("/api/w/{ws}/workspace_dependencies/delete/{language}", delete_dependencies, methods=["POST"]),
    Route("/api/w/{ws}/workspaces/get_settings", get_settings),
    Route("/api/w/{ws}/workspaces/get_workspace_name", get_workspace_name),
    *[Route(f"/api/w/{{ws}}/workspaces/{route}", edit_setting(route), methods=["POST"]) for route in EDITS],
    Route("/api/w/{ws}/workspaces/slack_oauth_config", with_body(_slack_oauth), methods=["POST", "DELETE"]),
    Route("/api/w/{ws}/workspaces/encryption_key", get_key, methods=["GET"]),
    Route("/api/w/{ws}/workspaces/encryption_key", set_key, methods=["POST"]),
    Route("/api/settings/global/automate_username_creation", automate_username_creation),
    Route("/api/w/{ws}/users/get/{username}", get_user),
    Route("/api/w/{ws}/users/list", list_users),
    Route("/api/w/{ws}/users/update/{username}", update_user, methods=["POST"]),
    Route("/api/w/{ws}/users/delete/{username}", delete_user, methods=["DELETE"]),
    Route("/api/w/{ws}/workspaces/add_user", add_user, methods=["POST"]),
    Route("/api/w/{ws}/groups/adduser/{name}", _members(True), methods=["POST"]),
    Route("/api/w/{ws}/groups/removeuser/{name}", _members(False), methods=["POST"]),
]
