"""Errors a workflow body can see."""

from __future__ import annotations

from typing import Any


class TaskError(Exception):
    """A task or step failed; identical on the live round and every replay."""

    def __init__(
        self,
        message: str,
        *,
        step_key: str = "",
        child_job_id: str | None = None,
        result: Any = None,
    ) -> None:
        super().__init__(message)
        self.step_key = step_key
        self.child_job_id = child_job_id
        self.result = result
