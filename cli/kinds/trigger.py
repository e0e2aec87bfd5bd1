"""Triggers: `<path>.<kind>_trigger.yaml` for every trigger kind wmill syncs (http, websocket, kafka,
nats, postgres, mqtt, amqp, sqs, gcp, azure, email); each under its own `<kind>_triggers` routes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import ItemKind, Route
from .paths import TRIGGER_TYPES
from .schedule import strip_owner

if TYPE_CHECKING:
    from ..config import SyncConfig


class TriggerKind(ItemKind):
    order = 14
    local_only = ("has_permissioned_as",)

    def __init__(self, trigger_type: str) -> None:
        self.name = f"{trigger_type}_trigger"
        self.route = Route(f"{trigger_type}_triggers")

    def create_body(self, remote_path: str, local: dict[str, Any]) -> dict[str, Any]:
        return {**local, "path": remote_path}

    def update_body(self, remote_path: str, local: dict[str, Any], remote: dict[str, Any]) -> dict[str, Any]:
        return {**local, "path": remote_path}

    def pulled(self, archived: dict[str, Any], config: "SyncConfig") -> dict[str, Any]:
        return strip_owner(archived, ("edited_by",)) if config.sync_behavior >= 1 else archived


KINDS = [TriggerKind(t) for t in TRIGGER_TYPES]
