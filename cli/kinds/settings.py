"""Workspace settings: `settings.yaml` (with `includeSettings: true`), the workspace's grouped settings
(`settings_version=v2`). A push reads the live settings and sends one `workspaces/<edit>` call per
group that differs, in wmill's order; the workspace's `name` is never pushed, and a deleted
`settings.yaml` deletes nothing."""

from __future__ import annotations

from typing import Any

from .base import UP_TO_DATE, UPDATED, ItemKind, PushContext, same_json

FILE = "settings.yaml"
# What a push may change (wmill's migrateToGroupedFormat keeps these, in this order).
GROUPS = ("name", "webhook", "auto_invite", "error_handler", "success_handler", "ai_config", "large_file_storage",
          "git_sync", "default_app", "default_scripts", "mute_critical_alerts", "color", "operator_settings",
          "datatable", "slack_team_id", "slack_name", "slack_command_script", "slack_oauth_client_id",
          "slack_oauth_client_secret")
_NOT_PUSHED = ("slack_team_id", "slack_name", "name")
# What the archive's settings.json lists even when unset (null).
ALWAYS_ARCHIVED = ("error_handler", "success_handler", "name", "slack_oauth_client_id", "slack_oauth_client_secret")


class SettingsKind(ItemKind):
    name = "settings"
    order = 0

    def archive_name(self, remote_path: str) -> str:
        return "settings.json"

    def local_file(self, remote_path: str) -> str:
        return FILE

    def remote_path(self, item: str) -> str:
        return "settings"

    def from_archive_name(self, name: str) -> str | None:
        return "settings" if name == "settings.json" else None

    def fetch(self, ctx: PushContext, remote_path: str) -> dict[str, Any] | None:
        """The settings as the archive holds them (the workspace's name, and the groups it always lists)."""
        live = ctx.client.fetch_json(f"{ctx.client.ws}/workspaces/get_settings") or {}
        name = ctx.client.call("GET", f"{ctx.client.ws}/workspaces/get_workspace_name").text
        return {**dict.fromkeys(ALWAYS_ARCHIVED), **{k: v for k, v in live.items() if k in GROUPS}, "name": name}

    def push(self, ctx: PushContext, remote_path: str, files: dict[str, str], remote: dict[str, Any] | None) -> str:
        local = grouped(self.local_value(files, FILE, ctx))
        live = ctx.client.fetch_json(f"{ctx.client.ws}/workspaces/get_settings") or {}
        ctx.client.call("GET", f"{ctx.client.ws}/workspaces/get_workspace_name")
        ours = {k: v for k, v in local.items() if k not in _NOT_PUSHED}
        theirs = {k: live.get(k) for k in GROUPS if k not in _NOT_PUSHED and k in live}
        if local.get("color") is None:
            ours.pop("color", None)
            theirs.pop("color", None)
        if all(k in theirs and same_json(v, theirs[k]) for k, v in ours.items()):
            return UP_TO_DATE
        for route, body in edits(local, live):
            ctx.client.call("DELETE" if route.startswith("DELETE ") else "POST",
                            f"{ctx.client.ws}/workspaces/{route.removeprefix('DELETE ')}", json=body, safe=True)
        return UPDATED

    def delete(self, ctx: PushContext, remote_path: str) -> str:
        return UP_TO_DATE  # as wmill: a workspace's settings are never deleted


def grouped(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings a push compares and sends (legacy flat keys folded into their groups)."""
    local = {k: settings[k] for k in GROUPS if k in settings and k not in ("auto_invite", "error_handler",
                                                                           "success_handler")}
    local.setdefault("name", "")
    if isinstance(settings.get("auto_invite"), dict):
        local["auto_invite"] = settings["auto_invite"]
    elif "auto_invite_enabled" in settings:
        local["auto_invite"] = {"enabled": settings["auto_invite_enabled"],
                                "operator": settings.get("auto_invite_as") == "operator",
                                "mode": settings.get("auto_invite_mode") or "invite"}
    for handler, extras in (("error_handler", ("extra_args", "muted_on_cancel")), ("success_handler", ("extra_args",))):
        value = settings.get(handler, ...)
        if value is None or isinstance(value, dict):
            local[handler] = value
        elif isinstance(value, str):
            local[handler] = {"path": value, **{k: settings.get(f"{handler}_{k}") for k in extras}}
            if handler == "error_handler":
                local[handler]["muted_on_cancel"] = local[handler]["muted_on_cancel"] or False
    return local


def strip_unapplied(local: Any, remote: Any) -> tuple[Any, Any]:
    """Both sides of a settings diff without what a push never changes (wmill's stripUnappliedSettingsFields)."""
    if not isinstance(local, dict) or not isinstance(remote, dict):
        return local, remote
    local, remote = dict(local), dict(remote)
    for side in (local, remote):
        side.pop("name", None)
    if local.get("color") is None:
        local.pop("color", None)
        remote.pop("color", None)
    for side in (local, remote):
        side["auto_invite"] = dict(side.get("auto_invite") or {})
    if local["auto_invite"].get("instance_groups") is None:
        for side in (local, remote):
            side["auto_invite"].pop("instance_groups", None)
            side["auto_invite"].pop("instance_groups_roles", None)
    else:
        for side in (local, remote):
            side["auto_invite"].setdefault("instance_groups_roles", {})
    return local, remote


def edits(local: dict[str, Any], live: dict[str, Any]) -> list[tuple[str, Any]]:
    """The `workspaces/<route>` calls (and bodies) that make `live` the settings of `local`, in wmill's order.

    As in JavaScript, a key that is absent differs from one that is null where wmill compares
    strictly, and equals it where wmill compares loosely (`!=`)."""
    mine = lambda key: local.get(key, ABSENT)  # noqa: E731
    theirs = lambda key: live.get(key, ABSENT)  # noqa: E731
    differs = lambda key: not same_json(mine(key), theirs(key))  # noqa: E731
    loosely_differs = lambda key: _loose(mine(key)) != _loose(theirs(key))  # noqa: E731
    calls: list[tuple[str, Any]] = []
    if differs("webhook"):
        calls.append(("edit_webhook", _defined({"webhook": mine("webhook")})))
    invite, live_invite = dict(local.get("auto_invite") or {}), dict(live.get("auto_invite") or {})
    groups, roles = invite.pop("instance_groups", None), invite.pop("instance_groups_roles", None)
    compared = {k: v for k, v in live_invite.items() if k not in ("instance_groups", "instance_groups_roles")}
    if not same_json(invite, compared):
        calls.append(("edit_auto_invite", {"operator": invite.get("operator", False), "invite_all": True,
                                           "auto_add": invite.get("mode") == "add"} if invite.get("enabled") else {}))
    if groups is not None and (not same_json(groups, live_invite.get("instance_groups", ABSENT))
                               or not same_json(roles or {}, live_invite.get("instance_groups_roles") or {})):
        calls.append(("edit_instance_groups", {"groups": groups, "roles": roles or {}}))
    if differs("ai_config"):
        calls.append(("edit_copilot_config", local.get("ai_config") or {}))
    if differs("error_handler"):
        handler = local.get("error_handler") or {}
        calls.append(("edit_error_handler", {**_defined({"path": handler.get("path", ABSENT),
                                                         "extra_args": handler.get("extra_args", ABSENT)}),
                                             "muted_on_cancel": handler.get("muted_on_cancel") or False,
                                             "muted_on_user_path": handler.get("muted_on_user_path") or False}))
    if differs("success_handler"):
        handler = local.get("success_handler") or {}
        calls.append(("edit_success_handler", _defined({"path": handler.get("path", ABSENT),
                                                        "extra_args": handler.get("extra_args", ABSENT)})))
    if differs("large_file_storage"):
        calls.append(("edit_large_file_storage_config", _defined({"large_file_storage": mine("large_file_storage")})))
    if differs("git_sync"):
        calls.append(("edit_git_sync_config", _defined({"git_sync_settings": mine("git_sync")})))
    if differs("default_scripts"):
        calls.append(("default_scripts", local.get("default_scripts")))
    if loosely_differs("default_app"):
        calls.append(("edit_default_app", _defined({"default_app_path": mine("default_app")})))
    if loosely_differs("mute_critical_alerts"):
        calls.append(("critical_alerts/mute", _defined({"mute_critical_alerts": mine("mute_critical_alerts")})))
    if local.get("color") is not None and loosely_differs("color"):
        calls.append(("change_workspace_color", {"color": local["color"]}))
    if isinstance(local.get("operator_settings"), dict):
        filled, current = dict(local["operator_settings"]), live.get("operator_settings") or {}
        for key in ("manage_schedules", "manage_triggers"):
            if key not in filled and key in current:
                filled[key] = current[key]
        if not same_json(filled, theirs("operator_settings")):
            calls.append(("operator_settings", local["operator_settings"]))
    if differs("datatable"):
        calls.append(("edit_datatable_config", {"settings": local.get("datatable") or {"datatables": {}}}))
    if loosely_differs("slack_command_script"):
        calls.append(("edit_slack_command", _defined({"slack_command_script": mine("slack_command_script")})))
    if loosely_differs("slack_oauth_client_id") or loosely_differs("slack_oauth_client_secret"):
        client_id, secret = local.get("slack_oauth_client_id"), local.get("slack_oauth_client_secret")
        calls.append(("slack_oauth_config", {"slack_oauth_client_id": client_id, "slack_oauth_client_secret": secret})
                     if client_id and secret else ("DELETE slack_oauth_config", None))
    return calls


class _Absent:
    """A key the settings do not have (JavaScript's undefined: not null, and dropped from JSON)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


def _loose(value: Any) -> Any:
    return None if value is ABSENT else value


def _defined(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not ABSENT}


KIND = SettingsKind()
