"""The WAC primitives: inside a running workflow they go through the replay
context; outside one (or inside a task body) they run in place, as Windmill's
SDK does for a plain run.

`asyncio` is imported where it is used: it is most of this package's import
time, and a task process that never sleeps or fans out does not need it.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Awaitable, Callable, Iterable, TypeVar

from . import _context as ctxmod
from ._context import checked_retry, json_round_trip

T = TypeVar("T")
TASK_OPTION_NAMES = ("path", "tag", "timeout", "cache_ttl", "priority", "concurrency_limit",
                     "concurrency_key", "concurrency_time_window_s", "retry")


def _active() -> ctxmod.WorkflowContext | None:
    """The replay context SDK calls go through, or None where they run in place."""
    if ctxmod.in_task_body.get():
        return None
    return ctxmod.current.get()


def _dispatch_options(options: dict[str, Any]) -> dict[str, Any]:
    """Decorator options as a dispatch carries them (`concurrency_limit` is sent as `concurrent_limit`)."""
    out = {("concurrent_limit" if k == "concurrency_limit" else k): v for k, v in options.items()
           if v is not None and k != "path"}
    if "retry" in out:
        out["retry"] = checked_retry(out["retry"])
    return out


def workflow(func: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """Mark the workflow entry point; the executor drives its replay."""
    func._is_workflow = True  # type: ignore[attr-defined]
    return func


def task(_func: Callable[..., Any] | None = None, **options: Any) -> Any:
    """Declare a task, bare (`@task`) or with options (`@task(timeout=60)`)."""
    unknown = sorted(set(options) - set(TASK_OPTION_NAMES))
    if unknown:
        raise TypeError(f"task() got unknown option(s): {', '.join(unknown)}")
    dispatch = _dispatch_options(options)

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        params = list(inspect.signature(func).parameters)
        name = func.__name__
        script = options.get("path") or name
        in_task, current = ctxmod.in_task_body, ctxmod.current

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            ctx = None if in_task.get() else current.get()
            if ctx is not None:
                merged = dict(kwargs)
                for i, arg in enumerate(args):
                    merged.setdefault(params[i] if i < len(params) else f"arg{i}", arg)
                return ctx.next_step(name, script, "inline", dispatch, merged)
            return run_in_place(func, args, kwargs)

        wrapper._is_task = True  # type: ignore[attr-defined]
        wrapper._task_path = options.get("path")  # type: ignore[attr-defined]
        wrapper._task_options = options  # type: ignore[attr-defined]
        return wrapper

    return decorate(_func) if _func is not None else decorate


def run_in_place(func: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> Any:
    """Run a task body directly, marking the scope so nested SDK calls run in place too."""
    token = ctxmod.in_task_body.set(True)
    try:
        result = func(*args, **kwargs)
    finally:
        ctxmod.in_task_body.reset(token)
    if hasattr(result, "__await__"):
        return _round_tripped(result)
    return json_round_trip(result)


async def _round_tripped(awaitable: Awaitable[Any]) -> Any:
    token = ctxmod.in_task_body.set(True)
    try:
        return json_round_trip(await awaitable)
    finally:
        ctxmod.in_task_body.reset(token)


def _reference(kind: str, path: str, options: dict[str, Any]) -> Callable[..., Awaitable[Any]]:
    name = path.rsplit("/", 1)[-1]
    dispatch = _dispatch_options(options)

    def call(**kwargs: Any) -> Awaitable[Any]:
        if ctxmod.in_task_body.get():
            raise RuntimeError(f'{kind}("{path}") cannot be called from inside a task; '
                               "call it from the @workflow body")
        ctx = ctxmod.current.get()
        if ctx is None:
            raise RuntimeError(f'{kind}("{path}") can only be called inside a running @workflow')
        return ctx.next_step(name, path, "script" if kind == "task_script" else "flow", dispatch, kwargs)

    call.__name__ = name
    call._is_task = True  # type: ignore[attr-defined]
    call._task_path = path  # type: ignore[attr-defined]
    return call


def task_script(path: str, **options: Any) -> Callable[..., Awaitable[Any]]:
    """A workspace script (`f/...`) or a `__mod` module (`./x.py`) as a task."""
    return _reference("task_script", path, options)


def task_flow(path: str, **options: Any) -> Callable[..., Awaitable[Any]]:
    """A workspace flow as a task."""
    return _reference("task_flow", path, options)


async def step(name: str, fn: Callable[[], Any]) -> Any:
    """Run `fn` inline; in a workflow its result is checkpointed and replayed."""
    ctx = _active()
    if ctx is not None:
        return await ctx.run_step(name, fn)
    result = fn()
    if hasattr(result, "__await__"):
        result = await result
    return json_round_trip(result)


async def sleep(seconds: float) -> None:
    """Durable sleep in a workflow (no worker held); `asyncio.sleep` elsewhere."""
    ctx = _active()
    if ctx is not None:
        return await ctx.sleep(seconds)
    import asyncio

    await asyncio.sleep(seconds)


async def wait_for_approval(timeout: int = 1800, form: dict[str, Any] | None = None,
                            self_approval: bool = True, key: str | None = None) -> dict[str, Any]:
    """Suspend until approved or rejected: `{"value", "approver", "approved"}`."""
    if ctxmod.in_task_body.get():
        raise RuntimeError("wait_for_approval() cannot be called from inside a task")
    ctx = ctxmod.current.get()
    if ctx is None:
        raise RuntimeError("wait_for_approval() can only be used inside a running @workflow")
    return await ctx.wait_for_approval(timeout, form, self_approval, key)


def get_resume_urls(approver: str | None = None) -> dict[str, str]:
    """Resume/cancel/approval-page URLs of the running job (wrap it in a step)."""
    from ._urls import resume_urls_for_current_job

    return resume_urls_for_current_job(approver)


async def parallel(items: Iterable[T], fn: Callable[[T], Awaitable[Any]], *,
                   concurrency: int | None = None) -> list[Any]:
    """`fn(item)` for every item, in batches of `concurrency` (default: all at once)."""
    import asyncio

    pending = list(items)
    if not pending:
        return []
    size = concurrency if concurrency and concurrency > 0 else len(pending)
    results: list[Any] = []
    for start in range(0, len(pending), size):
        results.extend(await asyncio.gather(*(fn(item) for item in pending[start : start + size])))
    return results
