"""Errors a user can cause: one line, a hint, an exit code, no traceback."""

from __future__ import annotations

USAGE = 2
FAILED = 1
INTERRUPTED = 130


class WacError(Exception):
    """Base of every user-facing error; `code` is a stable snake_case id."""

    code = "error"
    exit_code = USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class PathNotFound(WacError):
    code = "not_found"

    def __init__(self, path: str) -> None:
        super().__init__(f"no such file or folder: {path}", "check the path, relative to where you run wac")


class InvalidInput(WacError):
    code = "invalid_input"


class Failed(WacError):
    """An operation that ran and failed for a reason the user can act on (exit 1)."""

    code = "failed"
    exit_code = FAILED


class Interrupted(WacError):
    code = "interrupted"
    exit_code = INTERRUPTED


def from_engine(exc: Exception) -> WacError:
    """The user-facing form of an error the engine raised."""
    from wac.sdk.engine import RunBusy, ScriptLoadError, StoreError

    if isinstance(exc, StoreError):
        error: WacError = InvalidInput(exc.message, exc.hint)
        error.code = "store_unusable"
        return error
    if isinstance(exc, ScriptLoadError):
        where = f"{exc.path}:{exc.line}: " if exc.path and exc.line else f"{exc.path}: " if exc.path else ""
        error = Failed(f"{where}{exc.message}", "fix the script so that it imports; `python <script>` shows the same error")
        error.code = "script_import_failed"
        return error
    if isinstance(exc, RunBusy):
        error = Failed(str(exc), "wait for that process to finish, or stop it (Ctrl-C there, or `wac job cancel`)")
        error.code = "run_busy"
        return error
    raise exc
