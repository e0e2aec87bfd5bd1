"""Schedules: `<path>.schedule.yaml`. An update that changes `enabled` also sets it (its own route)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import ItemKind, PushContext, Route

if TYPE_CHECKING:
    from ..config import SyncConfig


class ScheduleKind(ItemKind):
    name = "schedule"
    order = 13
    route = Route("schedules")
    local_only = ("has_permissioned_as",)

    def after_update(self, ctx: PushContext, remote_path: str, local: dict[str, Any], remote: dict[str, Any]) -> None:
        if "enabled" in local and local["enabled"] != remote.get("enabled"):
            ctx.client.call("POST", f"{ctx.client.ws}/schedules/setenabled/{remote_path}",
                            json={"enabled": local["enabled"]}, safe=True)

    def pulled(self, archived: dict[str, Any], config: "SyncConfig") -> dict[str, Any]:
        return strip_owner(archived, ("email", "edited_by")) if config.sync_behavior >= 1 else archived


def strip_owner(value: dict[str, Any], also: tuple[str, ...]) -> dict[str, Any]:
    """`syncBehavior: v1`: who the item runs as is the workspace's business, not the repo's."""
    out = dict(value)
    if out.get("permissioned_as"):
        out["has_permissioned_as"] = True
    for key in ("permissioned_as", *also):
        out.pop(key, None)
    return out


KIND = ScheduleKind()
