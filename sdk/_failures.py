"""Results and failures as Windmill stores them.

`encode` is how every result is written (JSON, `default=str`, NaN and
Infinity as null, so stored and printed results are always valid JSON).
`raw_error` is what a failing job or step reports; `failure_record` is the
backend's normalisation of it into the `__wmill_error` record a workflow
reads back (one shape for tasks and steps, bounded stack and `extra`).
"""

from __future__ import annotations

import json
import math
import traceback
from typing import Any

MAX_FIELD_BYTES = 8 * 1024
TRUNCATED = "\n... (truncated)"
ERROR_MARKER = "__wmill_error"


def encode(value: Any) -> str:
    """Compact JSON of a result; non-finite floats become null."""
    try:
        return json.dumps(value, default=str, allow_nan=False, separators=(",", ":"))
    except ValueError as exc:
        if "out of range float" not in str(exc).lower():
            raise
        return json.dumps(_finite(value), default=str, separators=(",", ":"))


def round_trip(value: Any) -> Any:
    """The value a later reader gets back: what `encode` stores, decoded."""
    return json.loads(encode(value))


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def safe_str(value: Any) -> str:
    """`str(value)`, which can itself raise on the failing side's objects."""
    try:
        return str(value)
    except Exception:
        return f"<unrepresentable {type(value).__name__}>"


def raw_error(exc: BaseException, stack: str = "") -> dict[str, Any]:
    """`{"name", "message", "stack"?, "extra"?}` for a failure, never raising itself."""
    error: dict[str, Any] = {"name": type(exc).__name__, "message": safe_str(exc)}
    if stack:
        error["stack"] = stack
    extra = _extra(exc)
    if extra:
        error["extra"] = extra
    return error


def _extra(exc: BaseException) -> dict[str, Any]:
    """The exception's own attributes, each coerced on its own so one bad value cannot take the rest."""
    try:
        attributes = getattr(exc, "__dict__", None)
    except Exception:
        return {}
    if type(attributes) is not dict:
        return {}
    extra: dict[str, Any] = {}
    for key, value in attributes.items():
        if type(key) not in (str, int, float, bool, type(None)):
            continue
        try:
            extra.update(json.loads(json.dumps({key: value}, default=safe_str), parse_constant=lambda c: c))
        except (TypeError, ValueError, RecursionError):
            continue
    return extra


def user_stack(exc: BaseException, internal: tuple[str, ...] = ()) -> str:
    """The traceback's frames outside `internal` folders, formatted as Python does."""
    try:  # a hostile exception can make even reading `__traceback__` raise
        frames = traceback.extract_tb(exc.__traceback__)
    except Exception:
        return ""
    kept = [f for f in frames if not f.filename.startswith(internal)] if internal else frames
    return "".join(traceback.format_list(kept)).strip()


def is_failure(value: Any) -> bool:
    return isinstance(value, dict) and bool(value.get(ERROR_MARKER))


def failure_record(step_key: str, child_job_id: str | None, raw_result: Any) -> dict[str, Any]:
    """The `__wmill_error` record for a failed task or step (the backend's `wac_failure_record`)."""
    inner = raw_result.get("error") if isinstance(raw_result, dict) else None
    if isinstance(inner, dict):
        error = dict(inner)
    elif isinstance(raw_result, dict) and "error" in raw_result:
        error = _message_only(inner)
    else:
        error = _message_only(raw_result)
    name = error.get("name")
    error["name"] = name if isinstance(name, str) and name else "Error"
    message = error.get("message")
    message = message if isinstance(message, str) and message else f"WAC step '{step_key}' failed"
    error["message"] = message
    stack = error.get("stack")
    if isinstance(stack, str):
        error["stack"] = _truncate(stack)
    else:
        error.pop("stack", None)
    if "extra" in error and _too_big(error["extra"]):
        del error["extra"]
        error["extra_omitted"] = True
    record: dict[str, Any] = {ERROR_MARKER: True, "message": message, "step_key": step_key}
    if child_job_id:
        record["child_job_id"] = child_job_id
    record["result"] = {"error": error}
    return record


def _message_only(value: Any) -> dict[str, Any]:
    if value is None or value == "" or value == {} or value == []:
        return {}
    return {"message": value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))}


def _truncate(stack: str) -> str:
    data = stack.encode("utf-8")
    if len(data) <= MAX_FIELD_BYTES:
        return stack
    return data[:MAX_FIELD_BYTES].decode("utf-8", "ignore") + TRUNCATED


def _too_big(extra: Any) -> bool:
    try:
        return len(encode(extra).encode("utf-8")) > MAX_FIELD_BYTES
    except (TypeError, ValueError, RecursionError):
        return True
