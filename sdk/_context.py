"""The replay context: what each primitive does on a round of a workflow body.

A round runs the body from the top with the checkpoint (completed steps). A
call whose key is in the checkpoint resolves from it; the first one that is
not suspends the round by raising `Suspend`, a BaseException so user code's
`except Exception` cannot swallow it. The round's outcome is one of:
complete, dispatch (tasks to run), sleep, approval. `step()` results are
persisted through `persist_step` before the body goes on.
"""

from __future__ import annotations

import contextvars
import json
import sys
import traceback
from typing import Any, Callable

from ._errors import NondeterminismError, TaskError

MAX_RETRY_ATTEMPTS = 100
MAX_SLEEP_SECONDS = 2**32 - 1
RETRY_KEYS = ("attempts", "delay", "multiplier", "max_delay")
DISPATCH_OPTIONS = ("timeout", "tag", "cache_ttl", "priority", "concurrent_limit", "concurrency_key",
                    "concurrency_time_window_s")

current: contextvars.ContextVar["WorkflowContext | None"] = contextvars.ContextVar("wac_ctx", default=None)
# Set while a task body runs: SDK calls inside it run in place, not as steps.
in_task_body: contextvars.ContextVar[bool] = contextvars.ContextVar("wac_in_task", default=False)


_MISSING = object()


class Suspend(BaseException):
    """Ends a round: carries the outcome the round reports."""

    def __init__(self, outcome: dict[str, Any]) -> None:
        super().__init__(outcome.get("type"))
        self.outcome = outcome


def json_round_trip(value: Any) -> Any:
    """What a result looks like after Windmill stores it (`default=str`)."""
    return json.loads(json.dumps(value, default=str))


def is_failure(value: Any) -> bool:
    return isinstance(value, dict) and bool(value.get("__wmill_error"))


def task_error(record: dict[str, Any], fallback: str) -> TaskError:
    """The TaskError a failure record stands for: the same on every replay."""
    return TaskError(record.get("message") or fallback, step_key=record.get("step_key", ""),
                     child_job_id=record.get("child_job_id"), result=record.get("result"))


def failure_record(key: str, exc: BaseException, child_job_id: str | None = None) -> dict[str, Any]:
    """The `__wmill_error` record of a failed task or step."""
    error: dict[str, Any] = {"name": type(exc).__name__, "message": _safe_str(exc)}
    stack = "".join(traceback.format_tb(exc.__traceback__)[1:]).strip()
    if stack:
        error["stack"] = stack[-8192:]
    extra = {}
    for name, value in (getattr(exc, "__dict__", None) or {}).items():
        if isinstance(name, str):
            try:
                extra[name] = json.loads(json.dumps(value, default=_safe_str), parse_constant=str)
            except (TypeError, ValueError, RecursionError):
                continue
    if extra:
        error["extra"] = extra
    record = {"__wmill_error": True, "message": _safe_str(exc), "step_key": key, "result": {"error": error}}
    if child_job_id:
        record["child_job_id"] = child_job_id
    return record


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
        raise ValueError(f"unknown retry option(s): {', '.join(unknown)}; expected {', '.join(RETRY_KEYS)}")
    attempts = retry.get("attempts")
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 0 <= attempts <= MAX_RETRY_ATTEMPTS:
        raise ValueError(f"retry attempts must be a whole number from 0 to {MAX_RETRY_ATTEMPTS}, got {attempts!r}")
    return retry


class WorkflowContext:
    """State of one round: checkpoint in, keys allocated in call order, outcome out."""

    def __init__(self, completed: dict[str, Any], *, order: dict[int, str] | None = None,
                 persist_step: Callable[[str, Any, int], Any] | None = None,
                 script_file: str | None = None) -> None:
        self.completed = completed
        self.order = order or {}  # allocation index -> key, as earlier rounds recorded them
        self.persist_step = persist_step
        self.script_file = script_file
        self.allocated: list[str] = []
        self.index_of: dict[str, int] = {}
        self._counters: dict[str, int] = {}
        self._used: set[str] = set()
        self.pending: list[dict[str, Any]] = []

    def alloc_key(self, name: str) -> str:
        """`name`, then `name_2`, `name_3`...; never a key already handed out."""
        n = self._counters.get(name, 0) + 1
        key = name if n == 1 else f"{name}_{n}"
        while key in self._used:
            n += 1
            key = f"{name}_{n}"
        self._counters[name] = n
        self._used.add(key)
        index = len(self.allocated)
        recorded = self.order.get(index)
        if recorded is not None and recorded != key:
            raise NondeterminismError(recorded, key, index, self._user_line())
        self.allocated.append(key)
        self.index_of[key] = index
        return key

    def _user_line(self) -> int | None:
        frame = sys._getframe(1)
        while frame is not None:
            if self.script_file and frame.f_code.co_filename == self.script_file:
                return frame.f_lineno
            frame = frame.f_back
        return None

    def next_step(self, name: str, script: str, dispatch_type: str, options: dict[str, Any],
                  args: dict[str, Any]):
        """A task call: resolve from the checkpoint, or queue a dispatch and suspend."""
        retry = options.get("retry")
        if not retry:  # the common case, replayed once per round for every earlier call: keep it lean
            key = self.alloc_key(name)
            value = self.completed.get(key, _MISSING)
            if value is _MISSING:
                return self._dispatch(key, name, script, dispatch_type, options, args)
            if type(value) is dict and value.get("__wmill_error"):
                raise task_error(value, f"Task '{name}' failed")
            return _resolved(value)
        retries = min(max(0, int(retry.get("attempts") or 0)), MAX_RETRY_ATTEMPTS)
        base = self.alloc_key(name)
        attempts, backoffs = [base], []
        for i in range(retries):
            backoffs.append(self.alloc_key(f"{base}#retry{i + 2}"))
            attempts.append(self.alloc_key(f"{base}#{i + 2}"))
        attempt = 0
        while True:
            key = attempts[attempt]
            if key in self.completed:
                value = self.completed[key]
                if is_failure(value):
                    if attempt < retries:
                        self._backoff(backoffs[attempt], base, retry, attempt)
                        attempt += 1
                        continue
                    raise task_error(value, f"Task '{name}' failed")
                return _resolved(value)
            return self._dispatch(key, name, script, dispatch_type, options, args)

    def _dispatch(self, key: str, name: str, script: str, dispatch_type: str, options: dict[str, Any],
                  args: dict[str, Any]):
        print(f"\n--- WAC: {key} ---")
        info = {"name": name, "script": script, "args": args, "key": key, "dispatch_type": dispatch_type,
                "index": self.index_of[key]}
        info.update({k: options[k] for k in DISPATCH_OPTIONS if options.get(k) is not None})
        self.pending.append(info)
        return self._suspend_pending()

    def _backoff(self, key: str, base: str, retry: dict[str, Any], attempt: int) -> None:
        seconds = retry_delay(retry, attempt)
        if seconds < 1 or key in self.completed:
            return
        print(f"\n--- WAC: sleep({key}, {seconds}s) before retrying {base} ---")
        raise Suspend({"type": "sleep", "key": key, "seconds": seconds, "index": self.index_of[key]})

    async def _suspend_pending(self):
        steps, self.pending = list(self.pending), []
        raise Suspend({"type": "dispatch", "mode": "parallel" if len(steps) > 1 else "sequential",
                       "steps": steps})

    async def run_step(self, name: str, fn: Callable[[], Any]) -> Any:
        """`step()`: run inline once, persist the JSON round-tripped result, then go on."""
        key = self.alloc_key(name or "step")
        index = len(self.allocated) - 1
        if key in self.completed:
            value = self.completed[key]
            if is_failure(value):
                raise task_error(value, f"Step '{name}' failed")
            return value
        print(f"\n--- WAC: {key} ---")
        failed = False
        try:
            result = fn()
            if hasattr(result, "__await__"):
                result = await result
        except Exception as exc:
            failed = True
            result = failure_record(key, exc)
            print(f"--- WAC: {key} failed ---\n{type(exc).__name__}: {_safe_str(exc)}")
        stored = json_round_trip(result)
        if self.persist_step is None:
            raise Suspend({"type": "inline_checkpoint", "key": key, "result": stored})
        self.persist_step(key, stored, index)
        self.completed[key] = stored
        if failed:
            raise task_error(stored, f"Step '{name}' failed")
        return stored

    async def sleep(self, seconds: float) -> None:
        key = self.alloc_key("sleep")
        if key in self.completed:
            return
        print(f"\n--- WAC: sleep({key}, {max(1, int(seconds))}s) ---")
        raise Suspend({"type": "sleep", "key": key, "seconds": max(1, int(seconds)),
                       "index": len(self.allocated) - 1})

    async def wait_for_approval(self, timeout: int, form: dict[str, Any] | None, self_approval: bool,
                                key: str | None) -> dict[str, Any]:
        if key is not None and (not key.strip() or key in (".", "..") or "/" in key or "\\" in key):
            raise RuntimeError("wait_for_approval key must be a non-empty name without `/` or dot segments")
        wanted, key = key, self.alloc_key(key or "approval")
        if wanted and key != wanted:
            raise RuntimeError(f'WAC step key "{wanted}" is already used in this workflow; '
                               "give each wait_for_approval() its own key")
        if key in self.completed:
            return self.completed[key]
        print(f"\n--- WAC: wait_for_approval({key}) ---")
        raise Suspend({"type": "approval", "key": key, "timeout": timeout, "form": form,
                       "self_approval_disabled": not self_approval, "index": len(self.allocated) - 1})


async def run_round(func: Callable[..., Any], ctx: WorkflowContext, args: dict[str, Any]) -> dict[str, Any]:
    """Run the body once with `ctx` and return the round's outcome."""
    token = current.set(ctx)
    try:
        result = func(**args)
        if hasattr(result, "__await__"):  # a plain (non-workflow) sync main runs as one job
            result = await result
        if ctx.pending:
            steps, ctx.pending = list(ctx.pending), []
            return {"type": "dispatch", "mode": "parallel" if len(steps) > 1 else "sequential", "steps": steps}
        return {"type": "complete", "result": json_round_trip(result)}
    except Suspend as suspend:
        return suspend.outcome
    finally:
        current.reset(token)


async def _resolved(value: Any) -> Any:
    return value


def _safe_str(value: Any) -> str:
    try:
        return str(value)
    except Exception:
        return f"<unrepresentable {type(value).__name__}>"
