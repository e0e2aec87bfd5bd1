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


class NondeterminismError(Exception):
    """A replay asked for a different step than the checkpoint recorded at that position."""

    @classmethod
    def mismatch(cls, expected: str, got: str, index: int, line: int | None) -> "NondeterminismError":
        where = f" (line {line})" if line else ""
        error = cls(f"non-deterministic replay: call #{index + 1} asked for step '{got}'{where}, "
                    f"but the checkpoint recorded '{expected}' there")
        error.expected, error.got, error.index, error.line = expected, got, index, line
        return error

    @classmethod
    def unknown(cls, got: str, index: int, line: int | None) -> "NondeterminismError":
        """A checkpoint without call order (a Windmill job's) does not hold the step asked for."""
        where = f" (line {line})" if line else ""
        error = cls(f"non-deterministic replay: call #{index + 1} asked for step '{got}'{where}, "
                    "which the checkpoint does not hold")
        error.expected, error.got, error.index, error.line = None, got, index, line
        return error


class JobFailed(Exception):
    """End the job as failed with `result` as its result (a failed flow keeps its last step's result,
    as Windmill's do), rather than the error of an exception."""

    def __init__(self, message: str, result: Any) -> None:
        super().__init__(message)
        self.result = result
