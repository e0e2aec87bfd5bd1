"""An OpenFlow value run as Windmill's worker runs it, written as a workflow the engine replays.

Every round replays the flow from its first module: finished steps answer from the checkpoint,
expressions are evaluated again (they are pure), and the first unfinished step is dispatched as a
job (an inline Python or Bash step as a task of this workflow, a repo script as a script job). So a
flow is as durable as a WAC run: after a crash it resumes at the step it was at, and no finished
step runs twice.

Semantics follow Windmill's worker (`worker_flow.rs`): `previous_result` starts as the flow's input;
a loop returns its iterations' last results, `branchall` its branches', `branchone` its branch's
last result (or the previous one); a skipped or mocked step passes a value through; a step with
`continue_on_error` hands its error on; `stop_after_if` ends the flow (or only the loop it is in)
with the step's result; the failure module gets `{message, name, stack, step_id}`.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from wac.sdk import TaskError, parallel, sleep, task, task_script, wait_for_approval

from .js import Evaluator, ExpressionError

SUSPEND_TIMEOUT = 30 * 60


class StopFlow(Exception):
    """`stop_after_if` held: the flow ends with `result` (or fails, with an error message)."""

    def __init__(self, result: Any, error: str | None = None) -> None:
        super().__init__(error or "stopped")
        self.result = result
        self.error = error


class StepFailed(Exception):
    """A step failed and nothing caught it; the failure module, if any, runs next."""

    def __init__(self, step_id: str, error: dict[str, Any]) -> None:
        super().__init__(f"step {step_id} failed: {error.get('message', '')}")
        self.step_id = step_id
        self.error = error


@dataclass
class Scope:
    """What a step's expressions see."""

    flow_input: dict[str, Any]
    results: dict[str, Any] = field(default_factory=dict)
    previous_result: Any = None
    extra: dict[str, Any] = field(default_factory=dict)  # resume, resumes, approvers after a suspended step

    def names(self, **more: Any) -> dict[str, Any]:
        return {"flow_input": self.flow_input, "results": self.results, "previous_result": self.previous_result,
                "params": {}, **self.extra, **more}


class FlowRunner:
    """Runs one flow value (and the repo flows it calls) inside a workflow round."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.value = definition["value"]
        self.subflows: dict[str, dict[str, Any]] = definition.get("subflows", {})
        self.js = Evaluator(lambda kind, path: definition.get(f"{kind}s", {}).get(path))

    async def run(self, flow_input: dict[str, Any]) -> Any:
        scope = Scope(dict(flow_input), previous_result=dict(flow_input))
        try:
            return await self.modules(self.value.get("modules") or [], scope)
        except StopFlow as stop:
            if stop.error is not None:
                raise flow_error({"name": "EarlyStopError", "message": stop.error}, None) from None
            return stop.result
        except StepFailed as failed:
            return await self._on_failure(failed, scope)

    async def modules(self, modules: list[dict[str, Any]], scope: Scope) -> Any:
        """Run `modules` in order; the last one's result (the previous result when there is none)."""
        for module in modules:
            result = await self.module(module, scope)
            scope.results[module["id"]] = result
            scope.previous_result = result
            scope.extra = await self._after(module, scope, result)
        return scope.previous_result

    async def module(self, module: dict[str, Any], scope: Scope) -> Any:
        try:
            return await self._module(module, scope)
        except ExpressionError as exc:
            raise StepFailed(module["id"], {"name": "ExpressionError", "message": str(exc)}) from None

    async def _module(self, module: dict[str, Any], scope: Scope) -> Any:
        if module.get("mock", {}).get("enabled"):
            return module["mock"].get("return_value")
        skip = module.get("skip_if") or {}
        if skip.get("expr") and self.js.truthy(skip["expr"], scope.names()):
            return scope.previous_result
        try:
            result = await self._value(module, module.get("value") or {}, scope)
        except StepFailed as failed:
            if not module.get("continue_on_error"):
                raise
            result = {"error": failed.error}
        stop = module.get("stop_after_if") or {}
        if stop.get("expr") and self.js.truthy(stop["expr"], scope.names(result=result)):
            raise StopFlow(result, stop.get("error_message") or None)
        return result

    async def _value(self, module: dict[str, Any], value: dict[str, Any], scope: Scope) -> Any:
        kind = value.get("type")
        if kind == "identity":
            return scope.previous_result
        if kind == "rawscript":
            return await self._call(module, self._inline_task(module, value), self._args(value, scope))
        if kind == "script":
            call = task_script(value["path"], **_options(module))
            return await self._call(module, call, self._args(value, scope))
        if kind == "flow":
            return await self._subflow(module, value, scope)
        if kind == "forloopflow":
            return await self._for_loop(module, value, scope)
        if kind == "whileloopflow":
            return await self._while_loop(module, value, scope)
        if kind == "branchone":
            return await self._branch_one(value, scope)
        if kind == "branchall":
            return await self._branch_all(value, scope)
        raise StepFailed(module["id"], {"name": "UnsupportedStep",
                                        "message": f"wac does not run {kind!r} steps locally"})

    def _args(self, value: dict[str, Any], scope: Scope) -> dict[str, Any]:
        args: dict[str, Any] = {}
        for name, transform in (value.get("input_transforms") or {}).items():
            if transform.get("type") == "javascript":
                args[name] = self.js.eval(transform.get("expr") or "", scope.names())
            else:
                args[name] = transform.get("value")
        return args

    async def _call(self, module: dict[str, Any], call, args: dict[str, Any]) -> Any:
        try:
            return await call(**args)
        except TaskError as exc:
            raise StepFailed(module["id"], _error_of(exc)) from None

    def _inline_task(self, module: dict[str, Any], value: dict[str, Any]):
        language, code = value.get("language"), value.get("content") or ""

        def run(**args: Any) -> Any:
            return run_inline(language, code, args)

        run.__name__ = module["id"]
        return task(run, **_options(module))

    async def _subflow(self, module: dict[str, Any], value: dict[str, Any], scope: Scope) -> Any:
        flow = self.subflows.get(value.get("path", ""))
        if flow is None:
            raise StepFailed(module["id"], {"name": "FlowNotFound",
                                            "message": f"flow {value.get('path')!r} is not in this repo"})
        args = self._args(value, scope)
        inner = Scope(args, previous_result=args)
        return await self.modules(flow.get("modules") or [], inner)

    async def _for_loop(self, module: dict[str, Any], value: dict[str, Any], scope: Scope) -> Any:
        iterator = value.get("iterator") or {}
        items = (self.js.eval(iterator.get("expr") or "[]", scope.names()) if iterator.get("type") == "javascript"
                 else iterator.get("value"))
        if not isinstance(items, list):
            raise StepFailed(module["id"], {"name": "IteratorError",
                                            "message": f"the iterator of {module['id']} is not a list: {items!r}"})
        inner = value.get("modules") or []

        async def one(index_item: tuple[int, Any]) -> Any:
            index, item = index_item
            return await self._iteration(inner, scope, {"index": index, "value": item}, value.get("skip_failures"))

        if value.get("parallel"):
            results = await parallel(list(enumerate(items)), one, concurrency=value.get("parallelism") or None)
        else:
            results = []
            for pair in enumerate(items):
                try:
                    results.append(await one(pair))
                except StopFlow as stop:
                    results.append(stop.result)
                    break
        return await self._all_iterations(module, results, scope)

    async def _while_loop(self, module: dict[str, Any], value: dict[str, Any], scope: Scope) -> Any:
        results, index = [], 0
        while True:
            try:
                results.append(await self._iteration(value.get("modules") or [], scope,
                                                     {"index": index, "value": index}, value.get("skip_failures")))
            except StopFlow as stop:
                results.append(stop.result)
                break
            index += 1
        return await self._all_iterations(module, results, scope)

    async def _iteration(self, modules: list[dict[str, Any]], scope: Scope, it: dict[str, Any],
                         skip_failures: bool | None) -> Any:
        inner = replace(scope, flow_input={**scope.flow_input, "iter": it}, results=dict(scope.results))
        try:
            return await self.modules(modules, inner)
        except StepFailed as failed:
            if not skip_failures:
                raise
            return {"error": failed.error}

    async def _all_iterations(self, module: dict[str, Any], results: list[Any], scope: Scope) -> list[Any]:
        stop = module.get("stop_after_all_iters_if") or {}
        if stop.get("expr") and self.js.truthy(stop["expr"], scope.names(result=results)):
            raise StopFlow(results, stop.get("error_message") or None)
        return results

    async def _branch_one(self, value: dict[str, Any], scope: Scope) -> Any:
        for branch in value.get("branches") or []:
            if self.js.truthy(branch.get("expr") or "false", scope.names()):
                return await self.modules(branch.get("modules") or [], replace(scope, results=dict(scope.results)))
        return await self.modules(value.get("default") or [], replace(scope, results=dict(scope.results)))

    async def _branch_all(self, value: dict[str, Any], scope: Scope) -> list[Any]:
        branches = value.get("branches") or []

        async def one(branch: dict[str, Any]) -> Any:
            try:
                return await self.modules(branch.get("modules") or [], replace(scope, results=dict(scope.results)))
            except StepFailed as failed:
                if not branch.get("skip_failure"):
                    raise
                return {"error": failed.error}

        if value.get("parallel"):
            return await parallel(branches, one)
        return [await one(branch) for branch in branches]

    async def _after(self, module: dict[str, Any], scope: Scope, result: Any) -> dict[str, Any]:
        """A step's sleep, then its approval: what the next step sees of them (`resume`, `approvers`)."""
        pause = module.get("sleep")
        if pause:
            seconds = (self.js.eval(pause.get("expr") or "0", scope.names(result=result))
                       if pause.get("type") == "javascript" else pause.get("value"))
            if isinstance(seconds, (int, float)) and seconds > 0:
                await sleep(int(seconds))
        suspend = module.get("suspend") or {}
        if not suspend.get("required_events"):
            return {}
        form = (suspend.get("resume_form") or {}).get("schema")
        answer = await wait_for_approval(timeout=int(suspend.get("timeout") or SUSPEND_TIMEOUT), form=form)
        answer = answer if isinstance(answer, dict) else {}
        if not answer.get("approved", True):
            raise StepFailed(module["id"], {"name": "SuspendedDisapproved",
                                            "message": f"Disapproved by {answer.get('approver') or 'anonymous'}"})
        resume = answer.get("form") if "form" in answer else answer.get("value")
        approver = answer.get("approver") or "anonymous"
        return {"resume": resume, "resumes": [resume], "approvers": [approver]}

    async def _on_failure(self, failed: StepFailed, scope: Scope) -> Any:
        failure = self.value.get("failure_module")
        if not failure:
            raise flow_error(failed.error, failed.step_id) from None
        error = {**failed.error, "step_id": failed.step_id}
        inner = replace(scope, previous_result={"error": error}, extra={})
        result = await self.module({**failure, "id": failure.get("id") or "failure"}, inner)
        if isinstance(result, dict) and result.get("recover"):
            return result
        raise flow_error(failed.error, failed.step_id) from None


def flow_error(error: dict[str, Any], step_id: str | None) -> Exception:
    """The exception a failed flow ends with: the failing step's error, by name (and the step's id)."""
    failure = type(str(error.get("name") or "Error"), (Exception,), {})(str(error.get("message") or ""))
    if step_id is not None:
        failure.step_id = step_id
    return failure


def _options(module: dict[str, Any]) -> dict[str, Any]:
    """A step's job options as the engine takes them (Windmill's retry as attempts and delays)."""
    options: dict[str, Any] = {}
    for key in ("cache_ttl", "priority"):
        if module.get(key) is not None:
            options[key] = module[key]
    timeout = module.get("timeout")
    if isinstance(timeout, dict) and timeout.get("type") == "static" and timeout.get("value"):
        options["timeout"] = int(timeout["value"])
    elif isinstance(timeout, (int, float)) and timeout:
        options["timeout"] = int(timeout)
    retry = module.get("retry") or {}
    if (retry.get("constant") or {}).get("attempts"):
        options["retry"] = {"attempts": int(retry["constant"]["attempts"]),
                            "delay": int(retry["constant"].get("seconds") or 0)}
    elif (retry.get("exponential") or {}).get("attempts"):
        exponential = retry["exponential"]
        options["retry"] = {"attempts": int(exponential["attempts"]), "delay": int(exponential.get("seconds") or 0),
                            "multiplier": exponential.get("multiplier") or 1}
    return options


def _error_of(exc: TaskError) -> dict[str, Any]:
    """A failed job's error as Windmill hands it on: `{name, message, stack?}`."""
    result = exc.result if isinstance(exc.result, dict) else {}
    error = result.get("error") if isinstance(result.get("error"), dict) else None
    return dict(error) if error else {"name": "Error", "message": str(exc)}


def run_inline(language: str | None, code: str, args: dict[str, Any]) -> Any:
    """An inline step's body: Python's `main(**args)`, or a Bash script (its last output line)."""
    if language == "python3":
        namespace: dict[str, Any] = {"__name__": "__wac_step__"}
        exec(compile(code, "<inline step>", "exec"), namespace)
        main = namespace.get("main")
        if not callable(main):
            raise RuntimeError("the step defines no main()")
        return main(**args)
    if language == "bash":
        done = subprocess.run(["bash", "-c", code, "bash", *(str(v) for v in args.values())],
                              capture_output=True, text=True)
        print(done.stdout, end="")
        print(done.stderr, end="")
        if done.returncode != 0:
            raise RuntimeError(f"bash exited with {done.returncode}")
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        return lines[-1] if lines else None
    raise RuntimeError(f"wac runs Python and Bash steps locally, not {language}: run this flow on a workspace "
                       "(`wmill flow preview`)")


def load_definition(module_file: str) -> dict[str, Any]:
    """The flow a run's generated module runs: `flow.json` beside it."""
    return json.loads(Path(module_file).with_name("flow.json").read_text(encoding="utf-8"))
