"""The WAC primitives a workflow script imports (`from wmill import ...`).

Standard library only: this package is imported by every task process, so
importing it must stay fast. Inside a running workflow the primitives go
through the replay context (`_context`); outside one they behave as
Windmill's SDK does in a plain run: tasks execute inline with a JSON round
trip of their result, `step` runs its function, `sleep` sleeps.
"""

from __future__ import annotations

from ._errors import NondeterminismError, TaskError
from ._primitives import (
    get_approval_urls,
    get_resume_urls,
    parallel,
    sleep,
    step,
    task,
    task_flow,
    task_script,
    wait_for_approval,
    workflow,
)

__all__ = [
    "NondeterminismError",
    "TaskError",
    "get_approval_urls",
    "get_resume_urls",
    "parallel",
    "sleep",
    "step",
    "task",
    "task_flow",
    "task_script",
    "wait_for_approval",
    "workflow",
]
