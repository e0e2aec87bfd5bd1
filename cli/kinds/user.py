"""Workspace users: `users/<email>.user.yaml` (with `includeUsers: true`): `{username, role, disabled}`,
role one of operator, developer, admin. A push updates a user's role or adds the user; with
`--delete`, a user without a file is removed from the workspace."""

from __future__ import annotations

from typing import Any

from .base import CREATED, DELETED, UP_TO_DATE, UPDATED, ItemError, ItemKind, PushContext, archive_json, is_superset

ROLES = ("operator", "developer", "admin")


class UserKind(ItemKind):
    name = "user"
    order = 2

    def archive_name(self, remote_path: str) -> str:
        return f"users/{remote_path}.user.json"

    def local_file(self, remote_path: str) -> str:
        return f"users/{remote_path}.user.yaml"

    def remote_path(self, item: str) -> str:
        return item.removeprefix("users/").removesuffix(".user")

    def from_archive_name(self, name: str) -> str | None:
        if name.startswith("users/") and name.endswith(".user.json"):
            return name[len("users/"):-len(".user.json")]
        return None

    def archive_entry(self, remote_path: str, value: dict[str, Any]) -> tuple[str, str]:
        return self.archive_name(value.get("email") or remote_path), archive_json(_simplified(value))

    def fetch(self, ctx: PushContext, remote_path: str) -> dict[str, Any] | None:
        user = next((u for u in _users(ctx) if u.get("email") == remote_path), None)
        return None if user is None else _simplified(user)

    def push(self, ctx: PushContext, remote_path: str, files: dict[str, str], remote: dict[str, Any] | None) -> str:
        local = self.local_value(files, self.local_file(remote_path), ctx)
        if local.get("role") not in ROLES:
            raise ItemError(f"{self.local_file(remote_path)}: role must be one of {', '.join(ROLES)}, "
                            f"not {local.get('role')!r}")
        username = local.get("username")
        live = ctx.client.fetch_json(f"{ctx.client.ws}/users/get/{username}")
        flags = {"is_admin": local["role"] == "admin", "operator": local["role"] == "operator"}
        if live is not None:
            if is_superset(local, _simplified(live)):
                return UP_TO_DATE
            body = {**flags, **({"disabled": local["disabled"]} if "disabled" in local else {})}
            ctx.client.call("POST", f"{ctx.client.ws}/users/update/{username}", json=body, safe=True)
            return UPDATED
        automated = ctx.client.fetch_json("/settings/global/automate_username_creation")
        body = {"email": remote_path, **flags, **({} if automated else {"username": username})}
        ctx.client.call("POST", f"{ctx.client.ws}/workspaces/add_user", json=body)
        return CREATED

    def delete(self, ctx: PushContext, remote_path: str) -> str:
        user = next((u for u in _users(ctx) if u.get("email") == remote_path), None)
        if user is None:
            raise ItemError(f"user {remote_path} is not in the workspace")
        ctx.client.call("DELETE", f"{ctx.client.ws}/users/delete/{user['username']}", safe=True)
        return DELETED


def _users(ctx: PushContext) -> list[dict[str, Any]]:
    found = ctx.client.fetch_json(f"{ctx.client.ws}/users/list")
    return [u for u in found or [] if isinstance(u, dict)]


def _simplified(user: dict[str, Any]) -> dict[str, Any]:
    """A user as the archive and the file hold it."""
    role = "admin" if user.get("is_admin") else "operator" if user.get("operator") else "developer"
    return {"username": user.get("username"), "role": role, "disabled": user.get("disabled", False)}


KIND = UserKind()
