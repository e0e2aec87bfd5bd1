"""How every `wac` command ends: our errors print one line and a hint, anything else one line of "internal
error"; then the process exits at once. Free of typer, so a preview's quick path ends the same way."""

from __future__ import annotations

import sys
from typing import Callable, NoReturn

from .errors import WacError


def run_to_exit(command: Callable[[], None], debug: Callable[[], bool] = lambda: False) -> NoReturn:
    """Run `command`, print what stopped it, and exit with its code (`debug()`: let tracebacks through)."""
    try:
        _guarded(command, debug)
    except SystemExit as exc:
        exit_now(exc.code)
    exit_now(0)


def _guarded(command: Callable[[], None], debug: Callable[[], bool]) -> None:
    try:
        command()
    except WacError as exc:
        if debug():
            raise
        _shown(exc, json_mode=json_requested(sys.argv[1:]))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if debug():
            raise
        _shown(WacError(f"internal error: {type(exc).__name__}: {exc}",
                        "rerun with --debug for the traceback, and report it"))
        sys.exit(2)


def _shown(error: WacError, json_mode: bool = False) -> None:
    from .output import Output

    Output(json_mode=json_mode).error(error)


def exit_now(code: int | str | None) -> NoReturn:
    """End the process once the exit handlers ran and the output is flushed, skipping the interpreter's
    teardown (freeing every module, and SQLite checkpointing the job store's log as its last connection
    closes, which a later commit does when the log is due): 40 ms of every command. With a thread still
    running, the normal exit waits for it."""
    import atexit
    import os
    import threading

    if threading.active_count() > 1:
        sys.exit(code)
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`wac ... | head`)
            pass
    os._exit(code or 0)


def json_requested(args: list[str]) -> bool:
    return "--json" in args or "--json-output" in args or "--format=json" in args or any(
        a == "--format" and i + 1 < len(args) and args[i + 1] == "json" for i, a in enumerate(args))
