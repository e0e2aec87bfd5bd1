"""The replay context: what each primitive does on one round of a workflow body.

A round runs the body from the top with the checkpoint (completed steps). A
call whose key is in the checkpoint resolves from it; the first one that is
not suspends the round by raising `Suspend`, a BaseException so user code's
`except Exception` cannot swallow it. The outcome is one of: complete,
dispatch (tasks to run), sleep, approval. `step()` results are persisted
through `persist_step` and the body goes on, as Windmill's inline fast path.

A task runs as its own job by replaying the same body in child mode
(`executing_key`): completed calls resolve from the checkpoint, the call with
that key runs the task body with the replay's live arguments, and every
other call parks forever. This is how Windmill runs `@task` bodies, so
closures, lambdas and bound methods work as tasks.
"""

from __future__ import annotations

import contextvars
import inspect
import json
import sys
import time
import traceback
from typing import Any, Callable

from ._errors import NondeterminismError, TaskError
from ._failures import failure_record, is_failure, raw_error, round_trip, safe_str
from ._workspace_file import resolve_job_arguments

MAX_RETRY_ATTEMPTS = 100
MAX_SLEEP_SECONDS = 2**32 - 1
RETRY_KEYS = ("attempts", "delay", "multiplier", "max_delay")
DISPATCH_OPTIONS = ("timeout", "tag", "cache_ttl", "priority", "concurrent_limit", "concurrency_key",
                    "concurrency_time_window_s")

current: contextvars.ContextVar["WorkflowContext | None"] = contextvars.ContextVar("wac_ctx", default=None)
# Set while a task body runs ("async" or "sync", after the body's kind): SDK
# calls inside it run in place, as a task is one job with no rounds of its own.
in_task_body: contextvars.ContextVar[str | None] = contextvars.ContextVar("wac_in_task", default=None)

_MISSING = object()
# Futures child-mode calls park on forever (the executor's watchdog reads it).
parked: set = set()


class Suspend(BaseException):
    """Ends a round: carries the outcome the round reports."""

    def __init__(self, outcome: dict[str, Any]) -> None:
        super().__init__(outcome.get("type"))
        self.outcome = outcome


class StepFailure(BaseException):
    """A child round's task body raised: that exception is the child job's result.

    A BaseException so a broad `except Exception` in the workflow body cannot
    turn the failing task into a successful one.
    """

    def __init__(self, exc: BaseException) -> None:
        super().__init__(safe_str(exc))
        self.exc = exc


def task_error(record: dict[str, Any], fallback: str) -> TaskError:
    """The TaskError a failure record stands for: the same on every replay."""
    return TaskError(record.get("message") or fallback, step_key=record.get("step_key", ""),
                     child_job_id=record.get("child_job_id"), result=record.get("result"))


def retry_delay(retry: dict[str, Any], attempt: int) -> int:
    """Seconds before retry number `attempt` (0 = first retry)."""
    base = retry.get("delay") or 0
    if base <= 0:
        return 0
    multiplier = 1 if retry.get("multiplier") is None else retry["multiplier"]
    try:
        grown = base * multiplier**attempt
    except OverflowError:
        grown = MAX_SLEEP_SECONDS
    if retry.get("max_delay") is not None:
        grown = min(grown, retry["max_delay"])
    return max(0, int(min(grown, MAX_SLEEP_SECONDS)))


def checked_retry(retry: dict[str, Any] | None) -> dict[str, Any] | None:
    """Reject a retry policy where it is written, not mid-run."""
    if retry is None:
        return None
    unknown = sorted(k for k in retry if k not in RETRY_KEYS)
    if unknown:
        raise ValueError(f"unknown retry option(s): {', '.join(unknown)}. Expected any of: {', '.join(RETRY_KEYS)}")
    attempts = retry.get("attempts")
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 0 <= attempts <= MAX_RETRY_ATTEMPTS:
        raise ValueError(f"retry attempts must be a whole number between 0 and {MAX_RETRY_ATTEMPTS}, got {attempts!r}")
    return retry


def check_step_key(key: str, what: str) -> None:
    """A key travels as one URL path segment: non-empty, no `/` and no dot segments."""
    if not key.strip() or key.strip() in (".", "..") or "/" in key or "\\" in key:
        raise RuntimeError(f"{what} must be a non-empty step name without `/` or dot segments")


PersistStep = Callable[[str, Any, int, str, int], Any]


class WorkflowContext:
    """State of one round: checkpoint in, keys allocated in call order, outcome out."""

    def __init__(self, completed: dict[str, Any], *, order: dict[int, str] | None = None,
                 persist_step: PersistStep | None = None, script_file: str | None = None,
                 executing_key: str | None = None,
                 continue_as_task: Callable[[dict[str, Any]], bool] | None = None) -> None:
        self.completed = completed
        self.order = order or {}  # allocation index -> key, as earlier rounds recorded them
        self.persist_step = persist_step
        self.script_file = script_file
        self.executing_key = executing_key
        self.executed = False  # child mode: the executing key's body started
        # Asked when the body awaits a single dispatched task: True when the
        # executor has started that task in this very process, which then runs
        # its body here (this round has replayed exactly what the task's own
        # job would replay, so it is that job from here on).
        self.continue_as_task = continue_as_task
        self._live: dict[str, tuple[Callable[..., Any] | None, dict[str, Any]]] = {}
        self.allocated = 0
        self._counters: dict[str, int] = {}
        self._used: set[str] = set()
        self.pending: list[dict[str, Any]] = []

    def _next_key(self, name: str) -> tuple[str, int]:
        """The key the next call named `name` gets: `name`, then `name_2`, `name_3`...; never one handed out."""
        n = self._counters.get(name, 0) + 1
        key = name if n == 1 else f"{name}_{n}"
        while key in self._used:
            n += 1
            key = f"{name}_{n}"
        return key, n

    def replays(self, name: str) -> bool:
        """Whether the next call named `name` answers from the checkpoint (so its arguments go unused)."""
        return self._next_key(name)[0] in self.completed

    def alloc_key(self, name: str) -> tuple[str, int]:
        """The next key for `name` (see `_next_key`), checked against the order earlier rounds recorded."""
        key, n = self._next_key(name)
        self._counters[name] = n
        self._used.add(key)
        index = self.allocated
        recorded = self.order.get(index)
        if recorded is not None and recorded != key:
            raise NondeterminismError.mismatch(recorded, key, index, self._user_line())
        self.allocated += 1
        return key, index

    def _user_line(self) -> int | None:
        frame = sys._getframe(1)
        while frame is not None:
            if self.script_file and frame.f_code.co_filename == self.script_file:
                return frame.f_lineno
            frame = frame.f_back
        return None

    def next_step(self, name: str, script: str, func: Callable[..., Any] | None, dispatch_type: str,
                  options: dict[str, Any], args: dict[str, Any]):
        """A task call: resolve from the checkpoint, run it (child mode), or queue a dispatch."""
        step_name = name or script or "step"
        retry = options.get("retry")
        if not retry:  # the common case, replayed once per round for every earlier call: keep it lean
            key, index = self.alloc_key(step_name)
            value = self.completed.get(key, _MISSING)
            if value is _MISSING:
                return self._unresolved(key, index, name, script, func, dispatch_type, options, args)
            if type(value) is dict and value.get("__wmill_error"):
                raise task_error(value, f"Task '{name}' failed")
            return _resolved(value)
        retries = min(max(0, int(retry.get("attempts") or 0)), MAX_RETRY_ATTEMPTS)
        base, index = self.alloc_key(step_name)
        attempts, backoffs = [(base, index)], []
        for i in range(retries):
            backoffs.append(self.alloc_key(f"{base}#retry{i + 2}"))
            attempts.append(self.alloc_key(f"{base}#{i + 2}"))
        attempt = 0
        while True:
            key, index = attempts[attempt]
            if key in self.completed:
                value = self.completed[key]
                if is_failure(value):
                    if attempt < retries:
                        self._backoff(backoffs[attempt], base, retry, attempt)
                        attempt += 1
                        continue
                    raise task_error(value, f"Task '{name}' failed")
                return _resolved(value)
            return self._unresolved(key, index, name, script, func, dispatch_type, options, args)

    def _unresolved(self, key: str, index: int, name: str, script: str, func, dispatch_type: str,
                    options: dict[str, Any], args: dict[str, Any]):
        if self.executing_key is not None:
            return self._execute(func, args) if key == self.executing_key else _never()
        _say(f"\n--- WAC: {key} ---")
        info = {"name": name or key, "script": script or key, "args": args, "key": key,
                "dispatch_type": dispatch_type, "index": index}
        info.update({k: options[k] for k in DISPATCH_OPTIONS if options.get(k) is not None})
        self.pending.append(info)
        self._live[key] = (func, args)
        return self._suspend_pending()

    async def _execute(self, func: Callable[..., Any] | None, args: dict[str, Any]) -> Any:
        """Child mode: run the task body with the replay's live arguments; its end ends the job."""
        self.executed = True
        if func is None:
            raise RuntimeError(f"step '{self.executing_key}' is not a task defined in this script")
        token = in_task_body.set("async" if inspect.iscoroutinefunction(func) else "sync")
        try:
            result = func(**resolve_job_arguments(args))  # `$res:`/`$var:` read as a worker reads them
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:
            raise StepFailure(exc) from exc
        finally:
            in_task_body.reset(token)
        raise Suspend({"type": "complete", "result": result})

    def _backoff(self, backoff: tuple[str, int], base: str, retry: dict[str, Any], attempt: int) -> None:
        key, index = backoff
        seconds = retry_delay(retry, attempt)
        if seconds < 1 or key in self.completed or self.executing_key is not None:
            return
        _say(f"\n--- WAC: sleep({key}, {seconds}s) before retrying {base} ---")
        raise Suspend({"type": "sleep", "key": key, "seconds": seconds, "index": index})

    async def _suspend_pending(self):
        steps, self.pending = list(self.pending), []
        if (len(steps) == 1 and steps[0]["dispatch_type"] == "inline" and self.continue_as_task is not None
                and self.continue_as_task(steps[0])):
            self.executing_key = steps[0]["key"]
            return await self._execute(*self._live[steps[0]["key"]])
        raise Suspend({"type": "dispatch", "mode": "parallel" if len(steps) > 1 else "sequential",
                       "steps": steps})

    async def run_step(self, name: str, fn: Callable[[], Any]) -> Any:
        """`step()`: run inline once, persist the JSON round-tripped result, then go on."""
        key, index = self.alloc_key(name or "step")
        if key in self.completed:
            value = self.completed[key]
            if is_failure(value):
                raise task_error(value, f"Step '{name}' failed")
            return value
        if self.executing_key is not None:
            await _never()
        started_at = _utc_now()  # both lines in one write: a step costs the log's reader one wake-up, not two
        _say(f"\n--- WAC: {key} ---\nWM_WAC_STEP: {json.dumps({'key': key, 'started_at': started_at})}")
        t0 = time.monotonic()
        failed = False
        try:
            result = fn()
            if inspect.isawaitable(result):
                result = await result
            value = round_trip(result)
        except Exception as exc:
            failed = True
            stack = _step_stack(exc)
            value = failure_record(key, None, {"error": raw_error(exc, stack)})
            _say(f"--- WAC: {key} failed ---\n{type(exc).__name__}: {safe_str(exc)}" + (f"\n{stack}" if stack else ""))
        duration_ms = int((time.monotonic() - t0) * 1000)
        if self.persist_step is None:
            raise Suspend({"type": "inline_checkpoint", "key": key, "result": value, "index": index,
                           "started_at": started_at, "duration_ms": duration_ms})
        stored = self.persist_step(key, value, index, started_at, duration_ms)
        self.completed[key] = stored
        if failed:
            raise task_error(stored, f"Step '{name}' failed")
        return stored

    async def sleep(self, seconds: float) -> None:
        key, index = self.alloc_key("sleep")
        if key in self.completed:
            return
        if self.executing_key is not None:
            await _never()
        _say(f"\n--- WAC: sleep({key}, {seconds}s) ---")
        raise Suspend({"type": "sleep", "key": key, "seconds": max(1, int(seconds)), "index": index})

    async def wait_for_approval(self, timeout: int, form: dict[str, Any] | None, self_approval: bool,
                                key: str | None, skin: str | None, description: Any) -> dict[str, Any]:
        if key is not None:
            check_step_key(key, "wait_for_approval key")
        wanted = key
        key, index = self.alloc_key(key or "approval")
        if wanted and key != wanted:
            raise RuntimeError(f'WAC step key "{wanted}" is already used in this workflow. '
                               "Give each wait_for_approval() its own key so get_approval_urls() can address it.")
        if key in self.completed:
            return self.completed[key]
        if self.executing_key is not None:
            await _never()
        _say(f"\n--- WAC: wait_for_approval({key}) ---")
        raise Suspend({"type": "approval", "key": key, "timeout": timeout, "form": form, "skin": skin,
                       "description": description, "self_approval_disabled": not self_approval,
                       "index": index})


async def run_round(func: Callable[..., Any], ctx: WorkflowContext, args: dict[str, Any]) -> dict[str, Any]:
    """Run the body once with `ctx` and return the round's outcome.

    In child mode a failing task body re-raises its own exception: it is the
    child job's failure.
    """
    token = current.set(ctx)
    try:
        result = func(**args)
        if inspect.isawaitable(result):
            result = await result
        if ctx.pending:  # unawaited task calls are still dispatched ("flushed")
            steps, ctx.pending = list(ctx.pending), []
            return {"type": "dispatch", "mode": "parallel" if len(steps) > 1 else "sequential", "steps": steps}
        return {"type": "complete", "result": result}
    except StepFailure as failure:
        raise failure.exc from None
    except Suspend as suspend:
        return suspend.outcome
    finally:
        current.reset(token)


async def _resolved(value: Any) -> Any:
    return value


def answered(call: Any) -> bool:
    """Whether `call` is a task call the checkpoint answered (awaiting it only hands back the recorded value)."""
    return getattr(call, "cr_code", None) is _resolved.__code__


async def _never() -> None:
    import asyncio

    future = asyncio.get_running_loop().create_future()
    parked.add(future)
    await future


def _say(text: str) -> None:
    """A log line in one write: a job's line-buffered output flushes at every write holding a newline, so
    `print` (the text, then its end) would wake the log's reader twice."""
    sys.stdout.write(text + "\n")


def _utc_now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat()


def _step_stack(exc: BaseException) -> str:
    """The failed step body's frames, without the frame of `run_step` that called it."""
    try:
        return "".join(traceback.format_tb(exc.__traceback__)[1:]).strip()
    except Exception:
        return ""


def replayed(call) -> bool:
    """Inside a workflow round: whether the next call of task `call` answers from the checkpoint, so a
    caller may skip computing its arguments (a flow's input transforms of a finished step)."""
    ctx = current.get()
    return ctx is not None and not in_task_body.get() and ctx.replays(call.__name__)
