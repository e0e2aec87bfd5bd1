"""Schedules: `<path>.schedule.yaml`. An update that changes `enabled` also sets it (its own route)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import ItemKind, PushContext, Route
from .shape import BOOLEAN, OPT_STRING, STRING, Array, Obj, Scalar

RETRY = Obj(fields={"constant": Obj(), "exponential": Obj(), "retry_if": Obj(("expr",), {"expr": STRING})})
OPT_OBJECT = Obj(nullable=True)
OPT_NUMBER = Scalar("number", nullable=True)
# What a valid `.schedule.yaml` holds (Windmill's schedule spec), checked by `wac lint`.
SHAPE = Obj(("schedule", "script_path", "timezone", "is_flow", "enabled"), {
    "schedule": STRING, "timezone": STRING, "enabled": BOOLEAN, "script_path": STRING, "is_flow": BOOLEAN,
    "args": OPT_OBJECT, "on_failure": OPT_STRING, "on_failure_times": OPT_NUMBER,
    "on_failure_exact": Scalar("boolean", nullable=True), "on_failure_extra_args": OPT_OBJECT,
    "on_recovery": OPT_STRING, "on_recovery_times": OPT_NUMBER, "on_recovery_extra_args": OPT_OBJECT,
    "on_success": OPT_STRING, "on_success_extra_args": OPT_OBJECT, "ws_error_handler_muted": BOOLEAN,
    "retry": Obj(fields=RETRY.fields, nullable=True), "summary": OPT_STRING, "description": OPT_STRING,
    "no_flow_overlap": BOOLEAN, "tag": OPT_STRING, "paused_until": OPT_STRING, "cron_version": OPT_STRING,
    "dynamic_skip": OPT_STRING, "labels": Array(STRING), "draft_only": BOOLEAN, "is_draft": BOOLEAN})

if TYPE_CHECKING:
    from ..config import SyncConfig


class ScheduleKind(ItemKind):
    name = "schedule"
    order = 13
    route = Route("schedules")
    local_only = ("has_permissioned_as",)
    shape = SHAPE

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
