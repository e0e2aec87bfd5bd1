"""`workflow`, `task`, `step`, `sleep`, ... outside a running workflow.

`asyncio` is imported where it is used: it is most of this package's import
time, and a task process that never sleeps or fans out does not need it.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Awaitable, Callable, Iterable, TypeVar

T = TypeVar("T")
TASK_OPTION_NAMES = (
    "path", "tag", "timeout", "cache_ttl", "priority", "concurrency_limit",
    "concurrency_key", "concurrency_time_window_s", "retry",
)


def json_round_trip(value: Any) -> Any:
    """What a result looks like after Windmill stores it (`default=str`)."""
    return json.loads(json.dumps(value, default=str))


def workflow(func: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """Mark the workflow entry point; the executor drives its replay."""
    func._is_workflow = True  # type: ignore[attr-defined]
    return func


def task(_func: Callable[..., Any] | None = None, **options: Any) -> Any:
    """Declare a task, bare (`@task`) or with options (`@task(timeout=60)`)."""
    unknown = sorted(set(options) - set(TASK_OPTION_NAMES))
    if unknown:
        raise TypeError(f"task() got unknown option(s): {', '.join(unknown)}")

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = func(*args, **kwargs)
            if _is_awaitable(result):
                return _round_tripped(result)
            return json_round_trip(result)

        wrapper._is_task = True  # type: ignore[attr-defined]
        wrapper._task_path = options.get("path")  # type: ignore[attr-defined]
        wrapper._task_options = options  # type: ignore[attr-defined]
        return wrapper

    return decorate(_func) if _func is not None else decorate


def _is_awaitable(value: Any) -> bool:
    return hasattr(value, "__await__")


async def _round_tripped(awaitable: Awaitable[Any]) -> Any:
    return json_round_trip(await awaitable)


def _needs_workflow(name: str) -> RuntimeError:
    return RuntimeError(f"{name}() can only be used inside a running @workflow")


def task_script(path: str, **options: Any) -> Callable[..., Awaitable[Any]]:
    """Reference a workspace script or `./module.py`; runs only inside a workflow."""

    async def call(**kwargs: Any) -> Any:
        raise _needs_workflow("task_script")

    return call


def task_flow(path: str, **options: Any) -> Callable[..., Awaitable[Any]]:
    """Reference a workspace flow; runs only inside a workflow."""

    async def call(**kwargs: Any) -> Any:
        raise _needs_workflow("task_flow")

    return call


async def step(name: str, fn: Callable[[], Any]) -> Any:
    """Run `fn` inline and return its JSON round-tripped result."""
    result = fn()
    if _is_awaitable(result):
        result = await result
    return json_round_trip(result)


async def sleep(seconds: float) -> None:
    """Outside a workflow a durable sleep is a plain `asyncio.sleep`."""
    import asyncio

    await asyncio.sleep(seconds)


async def wait_for_approval(
    timeout: int = 1800, form: dict[str, Any] | None = None, self_approval: bool = True
) -> dict[str, Any]:
    """Suspend until someone approves; needs a running workflow."""
    raise _needs_workflow("wait_for_approval")


def get_resume_urls(approver: str | None = None) -> dict[str, str]:
    """Resume/cancel URLs for the current job; needs a running workflow."""
    raise _needs_workflow("get_resume_urls")


async def parallel(
    items: Iterable[T], fn: Callable[[T], Awaitable[Any]], *, concurrency: int | None = None
) -> list[Any]:
    """Await `fn(item)` for every item, `concurrency` at a time (all by default)."""
    import asyncio

    pending = list(items)
    size = concurrency or len(pending) or 1
    results: list[Any] = []
    for start in range(0, len(pending), size):
        results.extend(await asyncio.gather(*(fn(item) for item in pending[start : start + size])))
    return results
