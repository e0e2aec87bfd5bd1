"""Fakes: tasks answered in the scheduler's own process instead of a worker (the test harness's `fakes`).

A fake stands for a task by its name (or a `task_script` path): a callable called with the task's
arguments, or a plain value. It runs where the test runs, so it can record calls and raise; its job is
recorded as any task's, a failure goes through the workflow's retries like a real one, and a fake that
outlasts the task's timeout fails as the task would (it is not interrupted: it runs in the caller).
"""

from __future__ import annotations

import inspect
import json
import time
from typing import Any

from . import recording
from .store import JobStore


def run_fake(store: JobStore, row, token: str, fake: Any) -> None:
    """Answer task `row` (started with `token`) with `fake`, and record its end."""
    import asyncio  # here: the engine's own imports stay light for the CLI

    from .child import error_value

    started = time.monotonic()
    try:
        value = fake(**json.loads(row["args"])) if callable(fake) else fake
        if inspect.isawaitable(value):
            value = asyncio.run(_awaited(value))
        ok = True
    except Exception as exc:
        ok, value = False, error_value(exc)
    timeout = json.loads(row["options"]).get("timeout")
    if timeout and time.monotonic() - started >= timeout:  # too late: as the task's own timeout would end it
        ok, value = False, {"error": {"name": "TimeoutError", "message": f"task timed out after {timeout:g}s"}}
    try:
        value = json.loads(json.dumps(value))
    except (TypeError, ValueError) as exc:
        ok, value = False, {"error": {"name": type(exc).__name__,
                                      "message": f"the fake's result cannot be stored as JSON: {exc}"}}
    recording.complete_task(store, row["id"], token, ok, value)


async def _awaited(awaitable: Any) -> Any:
    return await awaitable
