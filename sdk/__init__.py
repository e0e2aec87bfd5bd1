"""The WAC primitives a workflow script imports (`from wmill import ...`).

Standard library only: this package is imported by every task process, so
importing it must stay fast. Outside a running workflow the primitives
behave as Windmill's SDK does in a plain run: tasks execute inline with a
JSON round trip of their result, `step` runs its function, `sleep` sleeps.
"""

from __future__ import annotations

from ._errors import TaskError
from ._primitives import (
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
    "TaskError",
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
