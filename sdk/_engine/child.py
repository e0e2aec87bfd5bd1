"""What a forked child does: one workflow round, one task, or one script's main.

Each child opens its own job store connection and records its own outcome,
guarded by the run token it was started with.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from .. import _context as ctxmod
from .. import _urls
from .._entrypoint import entry_call, spread
from .._errors import JobFailed, NondeterminismError
from .._failures import encode, raw_error, user_stack
from .._workspace_file import resolve_job_arguments
from . import clock, recording
from .channel import CONTINUE_MARKER
from .db import execute_when_free, prepare_statements
from .job_sql import JOB_SQL
from .job_env import step_env
from .loading import entry_point
from .store import JobStore

_INTERNAL = (str(Path(__file__).resolve().parent.parent), str(Path(asyncio.__file__).resolve().parent))
WATCHDOG_SECONDS = 0.5
# A hosted module's function its idle children call before their job (a flow's warms its JavaScript engine).
WARM_HOOK = "__wac_warm__"
# Options the scheduler must see before a task starts (cache lookups, concurrency limits).
_SCHEDULED_OPTIONS = ("cache_ttl", "concurrent_limit")


class StaleRound(BaseException):
    """This round's run was taken over by another process: stop without recording."""


def error_value(exc: BaseException) -> dict[str, Any]:
    """A failed job's result as Windmill records it, its stack cut to the user's frames."""
    if isinstance(exc, SystemExit):
        return {"error": {"name": "SystemExit", "message": f"exited with code {exc.code}",
                          **_stack_of(exc)}}
    if isinstance(exc, JobFailed):
        return exc.result
    return {"error": raw_error(exc, user_stack(exc, _INTERNAL))}


def _stack_of(exc: BaseException) -> dict[str, str]:
    stack = user_stack(exc, _INTERNAL)
    return {"stack": stack} if stack else {}


def print_failure(value: Any) -> None:
    error = value.get("error") if isinstance(value, dict) else None
    if not isinstance(error, dict):
        print(f"failed with result: {json.dumps(value, default=str)[:2000]}", file=sys.stderr)
        return
    if error.get("stack"):
        print(error["stack"], file=sys.stderr)
    print(f"{error['name']}: {error['message']}", file=sys.stderr)


@dataclass
class Prepared:
    """What a child sets up while it waits for its job."""

    store_path: Path
    loop: asyncio.AbstractEventLoop
    store: JobStore | None

    def job_store(self) -> JobStore:
        return self.store or JobStore(self.store_path, child=True)


def prepare(store_path: Path, job_arrived: Callable[[], bool], warm: Callable[[], object] | None = None) -> Prepared:
    """Open this process's own store connection and event loop (left open: the process exits after one job),
    then, until `job_arrived()`, compile the statements the job's transactions run, run the loop once and
    call the hosted module's `warm` (its `WARM_HOOK`). A forked process pays for the first touch of every
    page it shares with its host: this way the pages every job touches are paid for while waiting, not on
    the job's clock."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        store = JobStore(store_path, child=True)
        execute_when_free(store.db, "SELECT 1 FROM jobs LIMIT 0")  # read the schema now, not on the clock
    except Exception:  # not created yet (the host starts before the first run): opened with the job
        return Prepared(store_path, loop, None)
    prepare_statements(store.db, JOB_SQL, job_arrived)
    if not job_arrived():
        loop.run_until_complete(_nothing())
    if warm is not None and not job_arrived():
        try:
            warm()
        except Exception:  # only ever a head start: the job does the same work, and meets the same error
            pass
    return Prepared(store_path, loop, store)


async def _nothing() -> None:
    pass


def run(message: dict[str, Any], module: ModuleType, workflow: bool, completed: dict[str, Any],
        order: dict[int, str], prepared: Prepared) -> int:
    """The child's body; returns its exit code (0 once the outcome is recorded)."""
    global _LOOP
    _LOOP = prepared.loop
    store = prepared.job_store()
    kind = message["kind"]
    if kind == "round":
        return _round(store, message, module, workflow, completed, order)
    if kind == "task":
        outcome = _task(message, module, completed, order)
    elif kind == "script":
        outcome = _script(message, module)
    else:
        error = {"error": {"name": "FlowNotSupported", "message": f"task_flow('{message['target']}') needs a "
                           "Windmill workspace with that flow: wac runs scripts only"}}
        outcome = (False, error)
    return _finish_task(store, message["job"], message["token"], *outcome)


def _round(store: JobStore, message: dict[str, Any], module: ModuleType, workflow: bool,
           completed: dict[str, Any], order: dict[int, str]) -> int:
    job_id, token = message["job"], message["token"]
    _urls.on_minted = lambda key: recording.record_minted(store, job_id, key)
    args = json.loads(message["args"])
    main = entry_point(module)
    if not workflow:  # a plain script: one job, main called once
        ok, value = _encodable(*_call(main, args, module if message.get("preprocess") else None))
        if not ok:
            print_failure(value)
        outcome = {"type": "complete", "result": value} if ok else {"type": "error", "error": value}
        recording.persist_outcome(store, job_id, token, outcome, clock.wall())
        return 0

    def persist_step(key: str, value: Any, index: int, started_at: str, duration_ms: int) -> Any:
        if not recording.record_step(store, job_id, token, key, value, index,
                                     {"started_at": started_at, "duration_ms": duration_ms}):
            raise StaleRound()
        return value

    continued: dict[str, str] = {}

    def continue_as_task(step: dict[str, Any]) -> bool:
        if not message.get("continue") or any(step.get(k) for k in _SCHEDULED_OPTIONS):
            return False
        task_token = recording.new_id()
        task_id = recording.dispatch_and_start(store, job_id, token, step, clock.wall(), task_token)
        if task_id is None:
            return False
        sys.stdout.flush()
        sys.stderr.flush()
        os.write(1, f"{CONTINUE_MARKER}{task_id} {task_token} {step.get('timeout') or '-'} {step['key']}\n".encode())
        continued.update(job=task_id, token=task_token)
        os.environ.update(step_env(os.environ, task_id, step["name"], step["key"]))  # the task's job, from here
        return True

    ctx = ctxmod.WorkflowContext(completed, order=order, persist_step=persist_step, script_file=module.__file__,
                                 continue_as_task=continue_as_task)
    try:
        outcome = run_coroutine(ctxmod.run_round(main, ctx, resolve_job_arguments(args)))
    except StaleRound:
        return 0
    except (Exception, SystemExit) as exc:
        if continued:  # the task this round went on as failed
            return _finish_task(store, continued["job"], continued["token"], False, error_value(exc))
        outcome = _round_error(exc)
    if continued:
        return _finish_task(store, continued["job"], continued["token"], True, outcome["result"])
    if outcome["type"] == "complete":
        ok, value = _encodable(True, outcome["result"])
        if not ok:
            print_failure(value)
            outcome = {"type": "error", "error": value}
    recording.persist_outcome(store, job_id, token, outcome, clock.wall())
    return 0


def _round_error(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, NondeterminismError):
        print(f"error: {exc}", file=sys.stderr)
        return {"type": "error", "error": {"error": {"name": "NondeterminismError", "message": str(exc)}}}
    outcome = {"type": "error", "error": error_value(exc)}
    print_failure(outcome["error"])
    return outcome


def _finish_task(store: JobStore, job_id: str, token: str, ok: bool, value: Any) -> int:
    ok, value = _encodable(ok, value)
    if not ok:
        print_failure(value)
    recording.complete_task(store, job_id, token, ok, value)
    return 0


def _task(message: dict[str, Any], module: ModuleType, completed: dict[str, Any],
          order: dict[int, str]) -> tuple[bool, Any]:
    """Replay the workflow in child mode: the call with this task's key runs its body."""
    ctx = ctxmod.WorkflowContext(completed, order=order, script_file=module.__file__,
                                 executing_key=message["key"])
    args = json.loads(message["args"])
    try:
        outcome = run_coroutine(_watched(ctxmod.run_round(entry_point(module), ctx, args), ctx))
    except (Exception, SystemExit) as exc:
        return False, error_value(exc)
    if outcome["type"] != "complete":  # cannot happen: child mode never suspends
        return False, {"error": {"name": "WacError", "message": f"task replay ended with {outcome['type']}"}}
    return True, outcome["result"]


async def _watched(round_coro, ctx: ctxmod.WorkflowContext) -> dict[str, Any]:
    """A child replay that parks everywhere before reaching its key would hang forever: fail it instead."""
    main = asyncio.ensure_future(round_coro)
    stuck = asyncio.Event()

    def check() -> None:
        if main.done():
            return
        waiters = [getattr(t, "_fut_waiter", 0) for t in asyncio.all_tasks() if not t.done()]
        if not ctx.executed and waiters and all(w in ctxmod.parked for w in waiters):
            stuck.set()
            main.cancel()
        else:
            asyncio.get_running_loop().call_later(WATCHDOG_SECONDS, check)

    asyncio.get_running_loop().call_later(WATCHDOG_SECONDS, check)
    try:
        return await main
    except asyncio.CancelledError:
        if stuck.is_set():
            raise NondeterminismError(f"non-deterministic replay: the task's replay parked on every call and never "
                                      f"reached step '{ctx.executing_key}'") from None
        raise


_LOOP: asyncio.AbstractEventLoop | None = None


def run_coroutine(coro) -> Any:
    """Run `coro` on the child's event loop (never torn down: the process exits right after)."""
    return _LOOP.run_until_complete(coro)


def _script(message: dict[str, Any], module: ModuleType) -> tuple[bool, Any]:
    """A script job: `main`, or the function its arguments name (a flow's preprocessor step)."""
    try:
        function, args = entry_call(lambda name: entry_point(module) if name == "main" else getattr(module, name, None),
                                    json.loads(message["args"]))
    except ValueError as exc:
        return False, error_value(exc)
    return _call(function, args)


def _call(main: Callable[..., Any], args: dict[str, Any],
          with_preprocessor: ModuleType | None = None) -> tuple[bool, Any]:
    """A script's main with its arguments, run in place (SDK calls inside run standalone); with `with_preprocessor`
    (the script's module), its `preprocessor` first, whose result main's arguments are taken from, as Windmill's
    wrapper does for a run a trigger started."""
    try:
        args = resolve_job_arguments(args)
        if with_preprocessor is not None:
            preprocessor = getattr(with_preprocessor, "preprocessor", None)
            if not callable(preprocessor):
                raise ValueError("preprocessor function is missing")
            given = _awaited(preprocessor(**spread(preprocessor, args)))
            args = spread(main, given if isinstance(given, dict) else {})
        return True, _awaited(main(**args))
    except (Exception, SystemExit) as exc:
        return False, error_value(exc)


def _awaited(result: Any) -> Any:
    return run_coroutine(result) if asyncio.iscoroutine(result) else result


def _encodable(ok: bool, value: Any) -> tuple[bool, Any]:
    """A result must survive JSON encoding to be recorded; otherwise the job fails with why."""
    try:
        encode(value)
        return ok, value
    except (TypeError, ValueError, RecursionError) as exc:
        return False, {"error": {"name": type(exc).__name__, "message": f"the result cannot be stored as JSON: {exc}"}}

