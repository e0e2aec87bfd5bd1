"""Windmill's worker rules a flow run follows, and its wording: retry delays, a loop iteration's input, a
step's job options, errors handed on (`worker_flow.rs`)."""

from __future__ import annotations

import json
from typing import Any

from wac.sdk import TaskError

MAX_RETRY_SECONDS = 6 * 3600


def retry_delay(retry: dict[str, Any], failures: int) -> int | None:
    """Seconds before the next attempt after `failures` failures (Windmill's Retry::interval), or None."""
    constant = retry.get("constant") or {}
    exponential = retry.get("exponential") or {}
    if failures < int(constant.get("attempts") or 0):
        return min(int(constant.get("seconds") or 0), MAX_RETRY_SECONDS)
    if failures - int(constant.get("attempts") or 0) < int(exponential.get("attempts") or 0):
        seconds = (exponential.get("multiplier") or 1) * (exponential.get("seconds") or 0) ** (failures + 1)
        return min(int(seconds), MAX_RETRY_SECONDS)
    return None


def with_iter(args: dict[str, Any], index: int, item: Any) -> dict[str, Any]:
    """A loop iteration's input: the flow's, with `iter` (outer loops' move to `iter_parent`, `..._parent`)."""
    renamed = dict(args)
    chain = []
    key = "iter"
    while key in renamed:
        chain.append(key)
        key += "_parent"
    for key in reversed(chain):
        renamed[key + "_parent"] = renamed.pop(key)
    return {**renamed, "iter": {"index": index, "value": item}}


def serde_message(value: Any) -> str:
    """How Windmill's Rust side words a value that is not a list (serde_json's message)."""
    text = json.dumps(value)
    if isinstance(value, dict):
        return "invalid type: map, expected a sequence at line 1 column 0"
    what = ("null" if value is None else f"boolean `{text}`" if isinstance(value, bool)
            else f"integer `{text}`" if isinstance(value, int) else f"floating point `{text}`"
            if isinstance(value, float) else f"string {text}")
    return f"invalid type: {what}, expected a sequence at line 1 column {len(text)}"


def early_stop(stop: dict[str, Any]) -> dict[str, Any]:
    message = stop.get("error_message") or f"stop after if: {stop.get('expr')}"
    return {"error": {"name": "EarlyStopError", "message": message}}


def failure_message(result: Any) -> str:
    error = result.get("error") if isinstance(result, dict) else None
    return str(error.get("message")) if isinstance(error, dict) else "the flow failed"


def job_options(module: dict[str, Any]) -> dict[str, Any]:
    """A step's job options as the engine takes them (retries are the flow's own)."""
    options: dict[str, Any] = {}
    for key in ("cache_ttl", "priority"):
        if module.get(key) is not None:
            options[key] = module[key]
    timeout = module.get("timeout")
    if isinstance(timeout, dict) and timeout.get("type") == "static" and timeout.get("value"):
        options["timeout"] = int(timeout["value"])
    elif isinstance(timeout, (int, float)) and timeout:
        options["timeout"] = int(timeout)
    return options


def concurrency_options(value: dict[str, Any], default_key: str) -> dict[str, Any]:
    """An inline step's concurrency limit as task options: at most `concurrent_limit` of its jobs at once
    (in `concurrency_time_window_s`), counted by `custom_concurrency_key`, else by the step's own key."""
    limit = value.get("concurrent_limit")
    if not limit:
        return {}
    options = {"concurrency_limit": int(limit), "concurrency_key": value.get("custom_concurrency_key") or default_key}
    if value.get("concurrency_time_window_s"):
        options["concurrency_time_window_s"] = int(value["concurrency_time_window_s"])
    return options


def error_of(exc: TaskError) -> dict[str, Any]:
    """A failed job's error as Windmill hands it on: `{name, message, stack?}`."""
    result = exc.result if isinstance(exc.result, dict) else {}
    error = result.get("error") if isinstance(result.get("error"), dict) else None
    if error is None and isinstance(result, dict) and result.get("__wmill_error"):
        error = {k: v for k, v in result.items() if k in ("name", "message", "stack", "extra")}
    return dict(error) if error else {"name": "Error", "message": str(exc)}
