"""The WAC primitives, with the signatures of the `wmill` 1.850 SDK.

Inside a running workflow they go through the replay context; outside one,
or inside a task body, they run in place with a JSON round trip of their
result, as Windmill's SDK does for a plain run.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Literal, Optional

from . import _context as ctxmod
from ._context import check_step_key, checked_retry
from ._failures import round_trip


def _dispatch_ctx() -> ctxmod.WorkflowContext | None:
    """The context SDK calls dispatch through, or None where they run in place."""
    if ctxmod.in_task_body.get():
        return None
    return ctxmod.current.get()


def _options(timeout, tag, cache_ttl, priority, concurrency_limit, concurrency_key,
             concurrency_time_window_s, retry) -> dict[str, Any]:
    """Task options as a dispatch carries them (`concurrency_limit` is sent as `concurrent_limit`)."""
    options = {"timeout": timeout, "tag": tag, "cache_ttl": cache_ttl, "priority": priority,
               "concurrent_limit": concurrency_limit, "concurrency_key": concurrency_key,
               "concurrency_time_window_s": concurrency_time_window_s, "retry": checked_retry(retry)}
    return {k: v for k, v in options.items() if v is not None}


def workflow(func):
    """Mark the workflow entry point; the executor drives its replay."""
    func._is_workflow = True
    return func


def task(_func=None, *, path: Optional[str] = None, tag: Optional[str] = None, timeout: Optional[int] = None,
         cache_ttl: Optional[int] = None, priority: Optional[int] = None, concurrency_limit: Optional[int] = None,
         concurrency_key: Optional[str] = None, concurrency_time_window_s: Optional[int] = None,
         retry: Optional[dict] = None):
    """Declare a task, bare (`@task`) or with options (`@task(timeout=60)`)."""
    options = _options(timeout, tag, cache_ttl, priority, concurrency_limit, concurrency_key,
                       concurrency_time_window_s, retry)

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        params = list(inspect.signature(func).parameters)
        name = func.__name__

        def merge(args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
            merged = dict(kwargs)
            for i, arg in enumerate(args):
                if i < len(params):
                    merged.setdefault(params[i], arg)
                else:
                    merged[f"arg{i}"] = arg
            return merged

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            ctx = _dispatch_ctx()
            if ctx is not None:
                return ctx.next_step(name, path or name, func, "inline", options, merge(args, kwargs))
            caller = ctxmod.in_task_body.get()
            if caller is not None:
                return call_in_task_body(func, caller, args, kwargs)
            result = func(*args, **kwargs)
            if inspect.iscoroutine(result):
                return _round_tripped(result)
            return round_trip(result)

        wrapper._is_task = True
        wrapper._task_path = path
        return wrapper

    return decorate(_func) if _func is not None else decorate


def call_in_task_body(func: Callable[..., Any], caller: str, args: tuple, kwargs: dict[str, Any]) -> Any:
    """A task called from inside a task body runs in place; an async caller gets an awaitable."""
    if inspect.iscoroutinefunction(func):
        return _in_body("async", func(*args, **kwargs))
    token = ctxmod.in_task_body.set("sync")
    try:
        result = func(*args, **kwargs)
    finally:
        ctxmod.in_task_body.reset(token)
    if inspect.iscoroutine(result):
        return _in_body("async", result)
    result = round_trip(result)
    return _resolved(result) if caller == "async" else result


async def _in_body(kind: str, awaitable) -> Any:
    token = ctxmod.in_task_body.set(kind)
    try:
        return round_trip(await awaitable)
    finally:
        ctxmod.in_task_body.reset(token)


async def _round_tripped(awaitable) -> Any:
    return round_trip(await awaitable)


async def _resolved(value: Any) -> Any:
    return value


def _not_in_task_body(what: str) -> None:
    if ctxmod.in_task_body.get():
        raise RuntimeError(f"{what} cannot be called from inside a task: a task runs as a single job and "
                           "cannot suspend or dispatch steps. Call it from the @workflow body instead.")


def _reference(kind: str, path: str, options: dict[str, Any]) -> Callable[..., Any]:
    name = path.rsplit("/", 1)[-1]

    def wrapper(**kwargs: Any) -> Any:
        _not_in_task_body(f'{kind}("{path}")')
        ctx = ctxmod.current.get()
        if ctx is not None:
            return ctx.next_step(name, path, None, "script" if kind == "task_script" else "flow", options, kwargs)
        raise RuntimeError(f'{kind}("{path}") can only be called inside a @workflow')

    wrapper.__name__ = name
    wrapper._is_task = True
    wrapper._task_path = path
    return wrapper


def task_script(path: str, *, timeout: Optional[int] = None, tag: Optional[str] = None,
                cache_ttl: Optional[int] = None, priority: Optional[int] = None,
                concurrency_limit: Optional[int] = None, concurrency_key: Optional[str] = None,
                concurrency_time_window_s: Optional[int] = None, retry: Optional[dict] = None):
    """A workspace script (`f/...`) or a `__mod` module (`./x.py`) as a task."""
    return _reference("task_script", path, _options(timeout, tag, cache_ttl, priority, concurrency_limit,
                                                    concurrency_key, concurrency_time_window_s, retry))


def task_flow(path: str, *, timeout: Optional[int] = None, tag: Optional[str] = None,
              cache_ttl: Optional[int] = None, priority: Optional[int] = None,
              concurrency_limit: Optional[int] = None, concurrency_key: Optional[str] = None,
              concurrency_time_window_s: Optional[int] = None, retry: Optional[dict] = None):
    """A workspace flow as a task."""
    return _reference("task_flow", path, _options(timeout, tag, cache_ttl, priority, concurrency_limit,
                                                  concurrency_key, concurrency_time_window_s, retry))


async def step(name: str, fn):
    """Run `fn` inline; in a workflow its result is checkpointed and replayed."""
    ctx = _dispatch_ctx()
    if ctx is not None:
        return await ctx.run_step(name, fn)
    result = fn()
    if inspect.iscoroutine(result):
        result = await result
    return round_trip(result)


async def sleep(seconds: int):
    """Durable sleep in a workflow (no worker held); `asyncio.sleep` elsewhere."""
    ctx = _dispatch_ctx()
    if ctx is not None:
        return await ctx.sleep(seconds)
    import asyncio

    await asyncio.sleep(seconds)


async def wait_for_approval(timeout: int = 1800, form: dict | None = None, self_approval: bool = True,
                            key: str | None = None, skin: Literal["detailed", "minimal"] | None = None,
                            description: str | dict | None = None) -> dict:
    """Suspend until approved or rejected: `{"value", "approver", "approved"}`."""
    _not_in_task_body("wait_for_approval()")
    ctx = ctxmod.current.get()
    if ctx is not None:
        return await ctx.wait_for_approval(timeout, form, self_approval, key, skin, description)
    raise RuntimeError("wait_for_approval can only be called inside a @workflow")


def get_resume_urls(approver: str = None, flow_level: bool = None) -> dict:
    """Resume/cancel/approval-page URLs of the running job (wrap it in a step)."""
    from ._urls import resume_urls_for_job

    return resume_urls_for_job(None, approver)


def get_approval_urls(step_key: str = "approval", approver: str = None) -> dict:
    """The URLs bound to one `wait_for_approval(key=step_key)` of this workflow."""
    from ._urls import resume_urls_for_job

    check_step_key(step_key, "get_approval_urls step_key")
    return resume_urls_for_job(step_key, approver)


async def parallel(items, fn, *, concurrency: Optional[int] = None):
    """`fn(item)` for every item, in batches of `concurrency` (default: all at once)."""
    import asyncio

    if not items:
        return []
    size = concurrency if concurrency and concurrency > 0 else len(items)
    results = []
    for start in range(0, len(items), size):
        calls = [fn(item) for item in items[start : start + size]]
        if all(map(ctxmod.answered, calls)):  # a replayed batch: its values, without scheduling a task each
            results.extend([await call for call in calls])
        else:
            results.extend(await asyncio.gather(*calls))
    return results
