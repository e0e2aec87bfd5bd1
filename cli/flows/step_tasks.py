"""The task that runs each script, inline or flow step of a flow, as the worker runs it: an inline Python, Bash
or TypeScript step in the flow's own process, a step whose packages need its own environment in that
environment's interpreter, a repo script in Bash or TypeScript as a step of its language, else the repo's
script as a script job; a called flow as a flow job (a run of its own). Made once per step (rounds replay every
earlier step), before the host forks."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Callable

from wac.sdk import task, task_flow, task_script

from .modules import all_steps
from .inline import compiled, run_inline
from .rules import concurrency_options, job_options
from .step_process import inline_key, run_in, script_key


class StepTasks:
    """Tasks by step, for one flow definition (its environments, other-language scripts, repo root, path)."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.envs: dict[str, dict[str, str]] = definition.get("envs", {})
        self.others: dict[str, dict[str, str]] = definition.get("others", {})
        self.root = Path(definition["root"]) if definition.get("root") else None
        self.path: str = definition.get("path") or ""
        self._tasks: dict[tuple[str, int], Callable[..., Any]] = {}

    def prepare(self, values: list[dict[str, Any]]) -> None:
        """Make the tasks of every step of `values` (and compile their inline Python) now."""
        for module in all_steps(values):
            value = module["value"]
            if value.get("type") in ("rawscript", "script", "flow") and module.get("id"):
                self.task_of(module["id"], module)
            if value.get("type") == "rawscript" and value.get("language") == "python3":
                with contextlib.suppress(SyntaxError, ValueError):  # the step fails with it when it runs
                    compiled(value.get("content") or "")

    def task_of(self, step_id: str, module: dict[str, Any]) -> Callable[..., Any]:
        """The task that runs a script or inline step."""
        key = (step_id, id(module))
        if key not in self._tasks:
            self._tasks[key] = self._made(step_id, module)
        return self._tasks[key]

    def _made(self, step_id: str, module: dict[str, Any]) -> Callable[..., Any]:
        value = module["value"]
        own_env = self.envs.get(script_key(value.get("path", "")))
        other = self.others.get(value.get("path", "")) if value["type"] == "script" else None
        if value["type"] == "rawscript":
            return self._inline(step_id, value, module)
        if value["type"] == "flow":  # a run of the called flow, with that flow's own options (as Windmill's)
            return task_flow(value["path"])
        if other:  # a repo script in Bash or TypeScript: run as an inline step of its language
            return _task(step_id, module, lambda **args: run_inline(
                other["language"], other["content"], args, self.root / other["file"], self.root))
        if own_env:  # a plain script with packages: its own process, in its environment
            return _task(step_id, module, lambda **args: run_in(own_env["python"], args, self.root,
                                                                script=self.root / own_env["file"]))
        return task_script(value["path"], **job_options(module))

    def _inline(self, step_id: str, value: dict[str, Any], module: dict[str, Any]) -> Callable[..., Any]:
        language, code = value.get("language"), value.get("content") or ""
        own_env = self.envs.get(inline_key(code)) if language == "python3" else None
        limit = concurrency_options(value, value.get("path") or f"{self.path}/{step_id}")
        if own_env:
            return _task(step_id, module, lambda **args: run_in(own_env["python"], args, self.root, code=code),
                         **limit)
        return _task(step_id, module, lambda **args: run_inline(language, code, args, root=self.root), **limit)


def _task(step_id: str, module: dict[str, Any], body: Callable[..., Any], **options: Any) -> Callable[..., Any]:
    """A step's work as a task of the flow's workflow, named by the step's id."""
    def run(**args: Any) -> Any:
        return body(**args)

    run.__name__ = step_id
    return task(run, **job_options(module), **options)
