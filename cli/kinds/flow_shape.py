"""What a valid `flow.yaml` holds (OpenFlow): the shape `wac lint` checks flows against, as `wmill lint`.

Written from Windmill's OpenFlow spec: required fields, field types, the languages of inline
scripts, and each step type's own fields. Fields the spec leaves free are not checked.
"""

from __future__ import annotations

from .shape import BOOLEAN, INTEGER, NUMBER, OPT_STRING, STRING, Anything, Array, Obj, Scalar, Tagged

LANGUAGES = ("deno", "bun", "bunnative", "python3", "go", "bash", "powershell", "postgresql", "mysql", "bigquery",
             "snowflake", "mssql", "oracledb", "graphql", "nativets", "php", "rust", "ansible", "csharp", "nu", "java",
             "ruby", "rlang", "duckdb")


def _type(name: str) -> Scalar:
    return Scalar("string", (name,))


TRANSFORM = Tagged({
    "static": Obj(("type",), {"value": Anything(), "type": _type("static")}),
    "javascript": Obj(("expr", "type"), {"expr": STRING, "type": _type("javascript")}),
    "ai": Obj(("type",), {"type": _type("ai")}),
})
TRANSFORMS = Obj(each=TRANSFORM)
EXPR = Obj(("expr",), {"expr": STRING})
RETRY = Obj(fields={
    "constant": Obj(fields={"attempts": INTEGER, "seconds": INTEGER}),
    "exponential": Obj(fields={"attempts": INTEGER, "multiplier": INTEGER, "seconds": INTEGER,
                               "random_factor": INTEGER}),
    "retry_if": EXPR,
})
STOP = Obj(("expr",), {"skip_if_stopped": BOOLEAN, "expr": STRING, "error_message": OPT_STRING,
                       "error_include_result": BOOLEAN})
SUSPEND = Obj(fields={"required_events": INTEGER, "timeout": INTEGER, "resume_form": Obj(fields={"schema": Obj()}),
                      "user_auth_required": BOOLEAN, "user_groups_required": TRANSFORM,
                      "self_approval_disabled": BOOLEAN, "hide_cancel": BOOLEAN,
                      "continue_on_disapprove_timeout": BOOLEAN, "skin": Scalar("string", ("detailed", "minimal"))})


def module() -> Obj:
    return MODULE


def _modules() -> Array:
    return Array(module)


RAWSCRIPT = Obj(("type", "content", "language", "input_transforms"), {
    "input_transforms": TRANSFORMS, "content": STRING, "language": Scalar("string", LANGUAGES), "path": STRING,
    "lock": STRING, "type": _type("rawscript"), "tag": STRING, "concurrent_limit": NUMBER,
    "concurrency_time_window_s": NUMBER, "custom_concurrency_key": STRING, "is_trigger": BOOLEAN,
    "assets": Array(Obj())})
VALUE = Tagged({
    "rawscript": RAWSCRIPT,
    "script": Obj(("type", "path", "input_transforms"), {
        "input_transforms": TRANSFORMS, "path": STRING, "hash": STRING, "type": _type("script"),
        "tag_override": STRING, "is_trigger": BOOLEAN}),
    "flow": Obj(("type", "path", "input_transforms"), {
        "input_transforms": TRANSFORMS, "path": STRING, "type": _type("flow")}),
    "forloopflow": Obj(("modules", "iterator", "skip_failures", "type"), {
        "modules": Array(module), "iterator": TRANSFORM, "skip_failures": BOOLEAN, "type": _type("forloopflow"),
        "parallel": BOOLEAN, "parallelism": TRANSFORM, "squash": BOOLEAN}),
    "whileloopflow": Obj(("modules", "skip_failures", "type"), {
        "modules": Array(module), "skip_failures": BOOLEAN, "type": _type("whileloopflow"), "parallel": BOOLEAN,
        "parallelism": TRANSFORM, "squash": BOOLEAN}),
    "branchone": Obj(("branches", "default", "type"), {
        "branches": Array(Obj(("modules", "expr"), {"summary": STRING, "expr": STRING, "modules": Array(module)})),
        "default": Array(module), "type": _type("branchone")}),
    "branchall": Obj(("branches", "type"), {
        "branches": Array(Obj(("modules",), {"summary": STRING, "skip_failure": BOOLEAN,
                                             "modules": Array(module)})),
        "type": _type("branchall"), "parallel": BOOLEAN}),
    "identity": Obj(("type",), {"type": _type("identity"), "flow": BOOLEAN}),
    "aiagent": Obj(("type", "input_transforms"), {
        "input_transforms": Obj(), "tools": Array(Obj(("id", "value"), {"id": STRING, "summary": STRING,
                                                                          "description": STRING, "value": Obj()})),
        "type": _type("aiagent"), "tag": STRING}),
})
MODULE = Obj(("value", "id"), {
    "id": STRING, "value": VALUE, "stop_after_if": STOP, "stop_after_all_iters_if": STOP, "skip_if": EXPR,
    "sleep": TRANSFORM, "cache_ttl": NUMBER, "cache_ignore_s3_path": BOOLEAN, "timeout": TRANSFORM,
    "delete_after_secs": INTEGER, "summary": STRING, "mock": Obj(fields={"enabled": BOOLEAN}), "suspend": SUSPEND,
    "priority": NUMBER, "continue_on_error": BOOLEAN, "retry": RETRY})
FLOW_VALUE = Obj(("modules",), {
    "modules": Array(MODULE), "failure_module": MODULE, "preprocessor_module": MODULE, "same_worker": BOOLEAN,
    "preserve_step_tags": BOOLEAN, "concurrent_limit": NUMBER, "concurrency_key": STRING,
    "concurrency_time_window_s": NUMBER, "debounce_delay_s": INTEGER, "debounce_key": STRING,
    "skip_expr": STRING, "cache_ttl": NUMBER, "cache_ignore_s3_path": BOOLEAN, "delete_after_secs": INTEGER,
    "flow_env": Obj(), "priority": NUMBER, "early_return": STRING, "chat_input_enabled": BOOLEAN,
    "notes": Array(Obj()), "groups": Array(Obj())})
FLOW = Obj(("summary", "value"), {"summary": STRING, "description": STRING, "value": FLOW_VALUE, "schema": Obj(),
                                  "on_behalf_of_email": STRING, "on_behalf_of": STRING})
