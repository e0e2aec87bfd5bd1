"""Errors a user can cause: one line, a hint, an exit code, no traceback."""

from __future__ import annotations

USAGE = 2
FAILED = 1
WAITING_FOR_APPROVAL = 3  # a preview that suspended on an approval it could not answer


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
