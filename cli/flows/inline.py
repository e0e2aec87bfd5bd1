"""An inline step's code run in the flow's own process, as its language's Windmill executor runs it:
Python's `main(**args)`, a Bash script (its last output line), TypeScript's `main` (with Deno)."""

from __future__ import annotations

import functools
import subprocess
import sys
import traceback
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

from wac.sdk.engine import JobFailed, entry_call

from .typescript import run_typescript

STEP_MODULE = "__wac_step__"  # the module name an inline Python step runs under


def run_inline(language: str | None, code: str, args: dict[str, Any], file: Path | None = None,
               root: Path | None = None) -> Any:
    """An inline step's body: Python's `main(**args)` (or the function `_ENTRYPOINT_OVERRIDE` names), a Bash
    script (its last output line), TypeScript's main (`file`: where a repo script's code lives, for its relative
    imports; `root`: the repo's, for `/f/...`)."""
    if language == "python3":
        return _run_python(code, args)
    if language == "bash":
        done = subprocess.run(["bash", "-c", code, "bash", *(str(v) for v in args.values())],
                              capture_output=True, text=True)
        print(done.stdout, end="")
        print(done.stderr, end="")
        lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
        if done.returncode != 0:  # as Windmill's bash executor words it, with no Python frames
            message = f'exit code for "bash": {done.returncode}, last log line:\n{lines[-1] if lines else ""}'
            raise JobFailed(message, {"error": {"name": "ExecutionErr", "message": message}})
        out = [line for line in done.stdout.splitlines() if line.strip()]
        return out[-1] if out else None
    if language in ("deno", "bun"):
        return run_typescript(language, code, args, file, root)
    raise RuntimeError(f"wac runs Python, Bash and TypeScript steps locally, not {language}: run this flow on a "
                       "workspace (`wmill flow preview`)")


def _run_python(code: str, args: dict[str, Any]) -> Any:
    """The step's code as a module of its own, fresh per run (no state carries over), in `sys.modules` while it
    runs, as an imported script is (dataclasses, pickle and typing look their module up there)."""
    module = ModuleType(STEP_MODULE)
    previous = sys.modules.get(STEP_MODULE)
    sys.modules[STEP_MODULE] = module
    try:
        exec(compiled(code), vars(module))  # its imports fail here
        function, args = entry_call(vars(module).get, args)  # `main`, or the preprocessor of a preprocessor step
        if not callable(function):
            raise RuntimeError("the step defines no main()")
        if getattr(function, "_is_workflow", False):
            raise RuntimeError("a workflow-as-code script is not an inline step: make it a script of the repo "
                               "and call it by path")
        return function(**args)
    except Exception as exc:  # as Windmill's Python worker reports it: the step's own frames only
        raise _step_failure(exc) from None
    finally:
        if previous is None:
            sys.modules.pop(STEP_MODULE, None)
        else:
            sys.modules[STEP_MODULE] = previous


@functools.lru_cache(maxsize=None)
def compiled(code: str) -> CodeType:
    """A Python inline step's code object (compiled once per process, and before the fork when the flow's
    host prepares its steps)."""
    return compile(code, "<inline step>", "exec")


def _step_failure(exc: Exception) -> JobFailed:
    """An inline step's exception as its job's error, its stack from the step's first frame on (StopIteration
    too: raised inside a coroutine it would otherwise become a RuntimeError, PEP 479)."""
    frames = traceback.extract_tb(exc.__traceback__)
    first = next((i for i, frame in enumerate(frames) if frame.filename == "<inline step>"), len(frames))
    stack = "".join(traceback.format_list(frames[first:])).strip()
    error = {"name": type(exc).__name__, "message": str(exc)}
    return JobFailed(str(exc), {"error": {**error, "stack": stack} if stack else error})
