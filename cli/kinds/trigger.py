"""Triggers: `<path>.<kind>_trigger.yaml` for every trigger kind wmill syncs (http, websocket, kafka,
nats, postgres, mqtt, amqp, sqs, gcp, azure, email); each under its own `<kind>_triggers` routes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import ItemKind, Route
from .paths import TRIGGER_TYPES
from .schedule import RETRY, strip_owner
from .shape import BOOLEAN, NUMBER, OPT_STRING, STRING, Anything, Array, Obj, Scalar

_COMMON = {"script_path": STRING, "is_flow": BOOLEAN, "labels": Array(STRING), "draft_only": BOOLEAN,
           "is_draft": BOOLEAN}
_TAIL = {"error_handler_path": STRING, "error_handler_args": Obj(), "retry": RETRY}
_FILTERS = Array(Anything())


def _shape(required: tuple[str, ...], fields: dict) -> Obj:
    return Obj(("script_path", "is_flow", *required), {**_COMMON, **fields, **_TAIL})


# What a valid `<path>.<kind>_trigger.yaml` holds (Windmill's trigger specs), checked by `wac lint`.
SHAPES = {
    "http": _shape(("route_path", "request_type", "authentication_method", "http_method", "is_static_website",
                    "workspaced_route", "wrap_body", "raw_string"), {
        "route_path": STRING, "static_asset_config": Obj(("s3",), {"s3": STRING, "storage": STRING,
                                                                    "filename": STRING}, nullable=True),
        "http_method": Scalar("string", ("get", "post", "put", "delete", "patch")),
        "authentication_resource_path": OPT_STRING, "summary": OPT_STRING, "description": OPT_STRING,
        "request_type": Scalar("string", ("sync", "async", "sync_sse")),
        "authentication_method": Scalar("string", ("none", "windmill", "api_key", "basic_http", "custom_script",
                                                   "signature")),
        "is_static_website": BOOLEAN, "workspaced_route": BOOLEAN, "wrap_body": BOOLEAN, "raw_string": BOOLEAN,
        "allowed_origins": Array(STRING, nullable=True)}),
    "websocket": _shape(("url", "filters", "can_return_message", "can_return_error_result"), {
        "url": STRING, "filters": _FILTERS, "filter_logic": Scalar("string", ("and", "or")),
        "initial_messages": Array(Anything(), nullable=True), "url_runnable_args": Obj(nullable=True),
        "can_return_message": BOOLEAN, "can_return_error_result": BOOLEAN,
        "heartbeat": Obj(("interval_secs", "message"), {"interval_secs": Scalar("integer"), "message": STRING,
                                                        "state_field": STRING}, nullable=True)}),
    "kafka": _shape(("kafka_resource_path", "group_id", "topics", "filters"), {
        "kafka_resource_path": STRING, "group_id": STRING, "topics": Array(STRING), "filters": _FILTERS,
        "filter_logic": Scalar("string", ("and", "or")), "auto_offset_reset": Scalar("string", ("latest", "earliest")),
        "auto_commit": BOOLEAN}),
    "nats": _shape(("nats_resource_path", "use_jetstream", "subjects"), {
        "nats_resource_path": STRING, "use_jetstream": BOOLEAN, "stream_name": OPT_STRING,
        "consumer_name": OPT_STRING, "subjects": Array(STRING)}),
    "postgres": _shape(("postgres_resource_path", "replication_slot_name", "publication_name"), {
        "postgres_resource_path": STRING, "publication_name": STRING, "replication_slot_name": STRING}),
    "mqtt": _shape(("subscribe_topics", "mqtt_resource_path"), {
        "mqtt_resource_path": STRING,
        "subscribe_topics": Array(Obj(("qos", "topic"), {"qos": Scalar("string", ("qos0", "qos1", "qos2")),
                                                         "topic": STRING})),
        "v3_config": Obj(fields={"clean_session": BOOLEAN}, nullable=True),
        "v5_config": Obj(fields={"clean_start": BOOLEAN, "topic_alias_maximum": NUMBER,
                                 "session_expiry_interval": NUMBER}, nullable=True),
        "client_id": OPT_STRING, "client_version": Scalar("string", ("v3", "v5", None), nullable=True)}),
    "sqs": _shape(("queue_url", "aws_resource_path", "aws_auth_resource_type"), {
        "queue_url": STRING, "aws_auth_resource_type": Scalar("string", ("oidc", "credentials")),
        "aws_resource_path": STRING, "message_attributes": Array(STRING, nullable=True)}),
    "gcp": _shape(("topic_id", "subscription_id", "delivery_type", "subscription_mode"), {
        "gcp_resource_path": STRING, "project_id": STRING, "topic_id": STRING, "subscription_id": STRING,
        "delivery_type": Scalar("string", ("push", "pull")),
        "delivery_config": Obj(("authenticate", "base_endpoint"), {"audience": STRING, "authenticate": BOOLEAN},
                               nullable=True),
        "subscription_mode": Scalar("string", ("existing", "create_update"))}),
    "email": _shape(("local_part",), {"local_part": STRING, "workspaced_local_part": BOOLEAN}),
}

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
