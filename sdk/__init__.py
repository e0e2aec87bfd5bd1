"""The WAC primitives a workflow script imports (`from wmill import ...`).

Standard library only: this package is imported by every task process, so
importing it must stay fast. Inside a running workflow the primitives go
through the replay context (`_context`); outside one they behave as
Windmill's SDK does in a plain run: tasks execute inline with a JSON round
trip of their result, `step` runs its function, `sleep` sleeps.

Names load on first use (PEP 562), so the engine (`wac.sdk.engine`), which
lives in this package too, does not pay for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "NondeterminismError": "_errors", "TaskError": "_errors",
    "get_approval_urls": "_primitives", "get_resume_urls": "_primitives", "parallel": "_primitives",
    "sleep": "_primitives", "step": "_primitives", "task": "_primitives", "task_flow": "_primitives",
    "task_script": "_primitives", "wait_for_approval": "_primitives", "workflow": "_primitives",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from ._errors import NondeterminismError, TaskError
    from ._primitives import (get_approval_urls, get_resume_urls, parallel, sleep, step, task, task_flow,
                              task_script, wait_for_approval, workflow)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wac.sdk' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
