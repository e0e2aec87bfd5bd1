"""Workspace groups: `groups/<name>.group.yaml` (with `includeGroups: true`): `{summary, admins, members}`,
owners as `u/<username>`. A push creates or updates the group, then adds and removes members and
makes admins (write access to the group) as the file says."""

from __future__ import annotations

from typing import Any

from .base import CREATED, UP_TO_DATE, UPDATED, ItemError, ItemKind, PushContext, Route, archive_json, is_superset


class GroupKind(ItemKind):
    name = "group"
    order = 3
    route = Route("groups", id_field="name")

    def archive_name(self, remote_path: str) -> str:
        return f"groups/{remote_path}.group.json"

    def local_file(self, remote_path: str) -> str:
        return f"groups/{remote_path}.group.yaml"

    def remote_path(self, item: str) -> str:
        return item.removeprefix("groups/").removesuffix(".group")

    def from_archive_name(self, name: str) -> str | None:
        if name.startswith("groups/") and name.endswith(".group.json"):
            return name[len("groups/"):-len(".group.json")]
        return None

    def archive_entry(self, remote_path: str, value: dict[str, Any]) -> tuple[str, str]:
        return self.archive_name(remote_path), archive_json(simplified(value))

    def fetch(self, ctx: PushContext, remote_path: str) -> dict[str, Any] | None:
        found = ctx.client.get_item(self.route, remote_path)
        return None if found is None else simplified(found)

    def push(self, ctx: PushContext, remote_path: str, files: dict[str, str], remote: dict[str, Any] | None) -> str:
        local = self.local_value(files, self.local_file(remote_path), ctx)
        if not isinstance(local.get("members"), list) or not isinstance(local.get("admins"), list):
            raise ItemError(f"{self.local_file(remote_path)}: `members` and `admins` must be lists of u/<username>")
        base = f"{ctx.client.ws}/groups"
        if remote is None:
            ctx.client.create_item(self.route, {"name": remote_path, "summary": local.get("summary")})
            for owner in [*local["members"], *local["admins"]]:
                ctx.client.call("POST", f"{base}/adduser/{remote_path}", json={"username": owner[2:]})
                if owner in local["admins"]:
                    ctx.client.grant("group_", remote_path, owner, True)
            return CREATED
        if is_superset(local, remote):
            return UP_TO_DATE
        ctx.client.update_item(self.route, remote_path, {"summary": local.get("summary")})
        theirs = [*remote["members"], *remote["admins"]]
        for owner in [*local["members"], *local["admins"]]:
            if owner not in theirs:
                ctx.client.call("POST", f"{base}/adduser/{remote_path}", json={"username": owner[2:]}, safe=True)
            if owner in local["admins"] and owner not in remote["admins"]:
                ctx.client.grant("group_", remote_path, owner, True)
            if owner in local["members"] and owner not in remote["members"]:
                ctx.client.grant("group_", remote_path, owner, False)
        for owner in theirs:
            if owner not in (*local["members"], *local["admins"]):
                ctx.client.call("POST", f"{base}/removeuser/{remote_path}", json={"username": owner[2:]}, safe=True)
                ctx.client.revoke("group_", remote_path, owner)
        return UPDATED


def simplified(group: dict[str, Any]) -> dict[str, Any]:
    """A group as the archive and the file hold it: admins (members with write access, sorted), then members."""
    members = [m for m in group.get("members") or [] if isinstance(m, str)]
    perms = group.get("extra_perms") or {}
    admins = sorted(owner for owner, write in perms.items() if write and owner[2:] in members)
    found = {"summary": group["summary"]} if group.get("summary") is not None else {}
    return {**found, "members": [f"u/{m}" for m in members if f"u/{m}" not in admins], "admins": admins}


KIND = GroupKind()
