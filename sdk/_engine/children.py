"""Forked child processes: one workflow round, or one task, each with its own output."""

from __future__ import annotations

import asyncio
import ctypes
import io
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .. import _context as ctxmod
from .._errors import NondeterminismError
from .._primitives import run_in_place
from . import recording
from .host import ScriptLoadError, entry_point, load_module, resolve_target
from .store import JobStore

PR_SET_PDEATHSIG = 1


@dataclass
class Child:
    """A running child: its pid, its output pipe, what it runs, when it started."""

    pid: int
    output_fd: int
    job_id: str
    label: str
    started: float
    run_token: str | None = None
    timeout: float | None = None
    buffer: bytes = b""


def fork_child(job_id: str, label: str, body: Callable[[], int], run_token: str | None = None,
               timeout: float | None = None) -> Child:
    """Fork; the child runs `body` with stdout/stderr on a pipe and exits with its code."""
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.close(read_fd)
            os.setpgid(0, 0)  # its own group, so a timeout kills what it spawned too
            _die_with_parent()
            os.dup2(write_fd, 1)
            os.dup2(write_fd, 2)
            sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
            sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = body()
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    os.close(write_fd)
    return Child(pid, read_fd, job_id, label, time.monotonic(), run_token, timeout)


def _die_with_parent() -> None:
    """Linux: a child of a killed preview dies with it; a resume re-runs it from the start."""
    if _LIBC is not None and hasattr(_LIBC, "prctl"):
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _libc():
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


_LIBC = _libc()


@dataclass
class RoundSpec:
    store_path: Path
    job_id: str
    script: Path
    project_root: Path
    main: Callable[..., Any]
    args: dict[str, Any]
    completed: dict[str, Any]
    order: dict[int, str]
    now: float


def run_round(spec: RoundSpec, store: JobStore | None = None) -> int:
    """Replay the workflow once and persist the outcome (in a child, or in place)."""
    store = store or JobStore(spec.store_path)

    def persist_step(key: str, value: Any, index: int) -> None:
        with store.transaction():
            store.add_step(spec.job_id, key, value, index)
            store.add_event(spec.job_id, "step", key)

    ctx = ctxmod.WorkflowContext(spec.completed, order=spec.order, persist_step=persist_step,
                                 script_file=str(spec.script))
    try:
        outcome = asyncio.run(ctxmod.run_round(spec.main, ctx, spec.args))
    except NondeterminismError as exc:
        print(f"error: {exc}")
        outcome = {"type": "error", "error": {"error": {"name": "NondeterminismError", "message": str(exc)}}}
    except Exception as exc:
        outcome = {"type": "error", "error": _error_value(exc)}
        print(outcome["error"]["error"].get("stack", ""), f"\n{type(exc).__name__}: {exc}", file=sys.stderr)
    except SystemExit as exc:
        outcome = {"type": "error", "error": {"error": {"name": "SystemExit",
                                                        "message": f"the workflow called exit({exc.code})"}}}
    recording.persist_outcome(store, spec.job_id, outcome, spec.now)
    return 0


class LineWriter(io.TextIOBase):
    """A stdout stand-in that hands each complete line to `emit`."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._partial = ""

    def write(self, text: str) -> int:
        *lines, self._partial = (self._partial + text).split("\n")
        for line in lines:
            self._emit(line)
        return len(text)

    def close_lines(self) -> None:
        if self._partial:
            self._emit(self._partial)
            self._partial = ""


@dataclass
class TaskSpec:
    store_path: Path
    job_id: str
    run_token: str
    kind: str
    target: str
    args: dict[str, Any]
    script: Path
    project_root: Path
    module: Any


def run_task(spec: TaskSpec) -> int:
    """Child body: run one task's function (or a script's main) and record its end."""
    store = JobStore(spec.store_path)
    try:
        result = asyncio.run(_call(spec))
        ok, value = True, ctxmod.json_round_trip(result)
    except Exception as exc:
        ok, value = False, _error_value(exc)
        print(value["error"].get("stack", ""), file=sys.stderr)
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
    recording.complete_task(store, spec.job_id, spec.run_token, ok, value)
    return 0


async def _call(spec: TaskSpec) -> Any:
    if spec.kind == "task":
        wrapper = getattr(spec.module, spec.target, None)
        func = getattr(wrapper, "__wrapped__", wrapper)
        if not callable(func):
            raise ScriptLoadError(f"task '{spec.target}' is not a top-level function of the script")
        result = run_in_place(func, (), spec.args)
    elif spec.kind == "flow":
        raise ScriptLoadError(f"task_flow('{spec.target}') needs a Windmill workspace: local preview has no flows")
    else:
        path = resolve_target(spec.script, spec.project_root, spec.target)
        module = load_module(path, spec.project_root, name=f"__wac_target_{spec.job_id.replace('-', '_')}")
        result = run_in_place(entry_point(module), (), spec.args)
    if hasattr(result, "__await__"):
        result = await result
    return result


def _error_value(exc: BaseException) -> dict[str, Any]:
    """A failed job's error as Windmill records it, its stack limited to the user's frames."""
    error: dict[str, Any] = {"name": type(exc).__name__, "message": str(exc)}
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _is_internal(f.filename)]
    stack = "".join(traceback.format_list(frames)).strip()
    if stack:
        error["stack"] = stack[-8192:]
    return {"error": error}


_INTERNAL_DIRS = (str(Path(__file__).resolve().parent.parent), str(Path(asyncio.__file__).resolve().parent))


def _is_internal(filename: str) -> bool:
    return filename.startswith(_INTERNAL_DIRS)


def decode_lines(child: Child, data: bytes) -> list[str]:
    """Complete lines from a child's output, keeping a partial last line buffered."""
    child.buffer += data
    *lines, child.buffer = child.buffer.split(b"\n")
    return [line.decode("utf-8", "replace") for line in lines]
