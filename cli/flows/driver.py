"""An OpenFlow value run as Windmill's worker runs it, written as a workflow the engine replays.

Every round replays the flow from its first module: finished steps answer from the checkpoint,
expressions are evaluated again (they are pure), and the first unfinished step is dispatched as a
job (an inline Python or Bash step as a task of this workflow, a repo script as a script job). So a
flow is as durable as a WAC run: after a crash it resumes at the step it was at, and no finished
step runs twice.

The semantics are the worker's (`worker_flow.rs`): a (sub)flow's first step sees the flow's input as
`previous_result`; loops return their iterations' results, `branchall` its branches', `branchone`
its branch's last result; branches and sequential loops share the flow's `results`, parallel loops
and called flows see theirs through their own; `stop_after_if` ends the flow (only a loop, inside
one); a failed module hands on `{"error": ...}`, or the list of results so far for a loop; the
failure module runs once, where the failure happened, and the flow fails unless it returns
`{"recover": true}`; retries re-run a module with the same inputs after Windmill's delays.
"""

from __future__ import annotations

import asyncio
import json
from collections import ChainMap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wac.sdk import TaskError, parallel, sleep, wait_for_approval
from wac.sdk.engine import ENTRYPOINT_OVERRIDE, JobFailed, replayed, workspace_value

from .modules import input_expressions
from .js import Evaluator, ExpressionError
from .rules import early_stop, error_of, failure_message, retry_delay, serde_message, with_iter
from .step_tasks import StepTasks

SUSPEND_TIMEOUT = 30 * 60
EARLY_STOP = "stopped early"  # a flow's result when its `skip_expr` held


async def _raise(exc: BaseException) -> Any:
    raise exc


class ModuleFailed(Exception):
    """A module ended as a failure; `result` is what it hands on (`{"error": ...}`, or a loop's list).
    `handled`: the failure module already ran for it (where it happened)."""

    def __init__(self, result: Any, *, handled: bool = False) -> None:
        super().__init__("module failed")
        self.result = result
        self.handled = handled


class FlowError(Exception):
    """The engine itself cannot go on (an expression that fails, an iterator that is not a list): the flow
    ends at once with `{"error": ...}`, past retries, `continue_on_error` and the failure module."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", ""))
        self.error = error


class Stopped(Exception):
    """`stop_after_if` held: the enclosing flow (or loop) ends here, successfully, with `result`."""

    def __init__(self, result: Any) -> None:
        super().__init__("stopped")
        self.result = result


@dataclass
class Frame:
    """A (sub)flow being run: its input, the `results` it sees, its failure module."""

    args: dict[str, Any]
    results: ChainMap
    flow_env: dict[str, Any]
    failure: dict[str, Any] | None
    suspended: dict[str, Any] = field(default_factory=dict)  # resume, resumes, approvers after an approval
    concurrent: bool = False  # inside a parallel loop's iteration or a parallel branch

    def scope(self, previous: Any, **more: Any) -> dict[str, Any]:
        return {"flow_input": self.args, "results": dict(self.results), "previous_result": previous, "params": {},
                "flow_env": self.flow_env, **self.suspended, **more}

    def child(self, args: dict[str, Any], *, own_results: bool, concurrent: bool = False) -> "Frame":
        """A loop iteration or branch (sharing `results`), or a parallel iteration (its own, over these);
        `concurrent`: one that runs beside others."""
        results = self.results.new_child() if own_results else self.results
        return Frame(args, results, self.flow_env, self.failure, concurrent=self.concurrent or concurrent)


class FlowRunner:
    """Runs one flow value (and the repo flows it calls) inside a workflow round."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.value = definition["value"]
        self.subflows: dict[str, dict[str, Any]] = definition.get("subflows", {})
        self.js = Evaluator(workspace_value)  # `resource(...)`, `variable(...)`: the run's workspace file, if any
        self.steps = StepTasks(definition)

    def prepare(self) -> "FlowRunner":
        """Make now what every round needs (each step's task and code, the JavaScript engine): the generated
        module calls this when its host imports it, so the processes forked for rounds start with them."""
        values = [self.value, *self.subflows.values()]
        self.steps.prepare(values)
        self.js.prepare(input_expressions(values), Frame({}, ChainMap({}), {}, None).scope(None))
        return self

    def warm(self) -> None:
        """What a process forked for a round can do before it has one: warm the JavaScript engine."""
        self.js.warm()

    async def run(self, flow_input: dict[str, Any]) -> Any:
        frame = Frame(dict(flow_input), ChainMap({}), self.value.get("flow_env") or {},
                      self.value.get("failure_module"))
        try:
            preprocessor = self.value.get("preprocessor_module")
            if preprocessor:  # only in a run that applies it: previews run the flow without it
                try:
                    frame.args = await self._preprocessed(preprocessor, frame)
                except ModuleFailed as failed:
                    if not frame.failure:
                        raise
                    return await self._failure(failed, frame)
            if self._skipped(self.value, frame):
                return EARLY_STOP
            return await self.flow(self.value.get("modules") or [], frame)
        except Stopped as stop:
            return stop.result
        except ModuleFailed as failed:
            raise JobFailed(failure_message(failed.result), failed.result) from None
        except FlowError as fatal:
            raise JobFailed(str(fatal), {"error": fatal.error}) from None

    async def _preprocessed(self, module: dict[str, Any], frame: Frame) -> dict[str, Any]:
        """The flow's input after its preprocessor step: its `preprocessor` function with the run's input (and
        `wm_trigger`); a result that is an object is the new input, null none, anything else `{"value": ...}`."""
        args = {**frame.args, ENTRYPOINT_OVERRIDE: "preprocessor"}
        result = await self._with_retries(module, module.get("id") or "preprocessor", frame, frame.args,
                                          "preprocessor_", args)
        return result if isinstance(result, dict) else {} if result is None else {"value": result}

    def _skipped(self, value: dict[str, Any], frame: Frame) -> bool:
        """The flow's early stop (`skip_expr`), asked before its first step with its input, as the worker asks it
        (`previous_result` is the text "{}" there): when it holds, the flow ends at once with "stopped early"."""
        expr = value.get("skip_expr")
        try:
            return bool(expr) and self.js.truthy(expr, frame.scope("{}", result="{}"))
        except ExpressionError as exc:
            raise FlowError({"name": "InternalError", "message": str(exc)}) from None

    async def flow(self, modules: list[dict[str, Any]], frame: Frame, path: str = "") -> Any:
        """A (sub)flow's modules in order, then its failure module if one failed; the last result."""
        try:
            return await self._modules(modules, frame, path)
        except ModuleFailed as failed:
            if failed.handled or not frame.failure:
                raise
            return await self._failure(failed, frame)

    async def _modules(self, modules: list[dict[str, Any]], frame: Frame, path: str) -> Any:
        previous: Any = frame.args
        for index, module in enumerate(modules):
            step_id = module.get("id") or f"m{path}{index}"
            result, continued = await self.module(module, step_id, frame, previous, f"{path}{index}_")
            frame.results[step_id] = result
            previous = result
            if continued and index == len(modules) - 1:
                raise ModuleFailed(result, handled=True)  # a handed-on error at the end fails the flow
            await self._pause(module, frame, result)
            frame.suspended = await self._approval(module, step_id)
        return previous

    async def module(self, module: dict[str, Any], step_id: str, frame: Frame, previous: Any,
                     path: str) -> tuple[Any, bool]:
        """(its result, whether it is a failure handed on by `continue_on_error`)."""
        try:
            if (module.get("mock") or {}).get("enabled"):
                return module["mock"].get("return_value"), False
            skip = (module.get("skip_if") or {}).get("expr")
            if skip and self.js.truthy(skip, frame.scope(previous, result=previous)):
                return previous, False
            try:
                result = await self._with_retries(module, step_id, frame, previous, path)
            except ModuleFailed as failed:
                if module.get("continue_on_error"):
                    return failed.result, True
                raise
            stop = module.get("stop_after_if") or {}
            kind = (module.get("value") or {}).get("type")
            if stop.get("expr") and kind not in ("branchall", "forloopflow", "whileloopflow") and \
                    self.js.truthy(stop["expr"], frame.scope(result, result=result)):
                if stop.get("error_message") is not None:
                    raise ModuleFailed(early_stop(stop))
                raise Stopped(result)
            return result, False
        except ExpressionError as exc:
            raise FlowError({"name": "InternalError", "message": str(exc), "step_id": step_id}) from None

    async def _with_retries(self, module: dict[str, Any], step_id: str, frame: Frame, previous: Any,
                            path: str, args: dict[str, Any] | None = None) -> Any:
        """The module run (with `args`, else its input transforms), and run again after each failure while its
        retry policy allows."""
        retry = module.get("retry") or {}
        failures = 0
        while True:
            try:
                result, args = await self._value(module, step_id, frame, previous, path, args)
                return result
            except ModuleFailed as failed:
                condition = (retry.get("retry_if") or {}).get("expr")
                if condition and not self.js.truthy(condition, frame.scope(failed.result, result=failed.result)):
                    raise
                delay = retry_delay(retry, failures)
                if delay is None:
                    raise
                failures += 1
                if delay > 0:
                    await sleep(delay)

    async def _value(self, module: dict[str, Any], step_id: str, frame: Frame, previous: Any, path: str,
                     args: dict[str, Any] | None) -> tuple[Any, dict[str, Any] | None]:
        """The module's own work: (its result, the inputs it ran with, for a retry to reuse)."""
        value = module.get("value") or {}
        kind = value.get("type")
        if kind == "flow" and value.get("path") not in self.subflows:
            raise ModuleFailed({"error": {"name": "FlowNotFound", "step_id": step_id,
                                          "message": f"flow {value.get('path')!r} is not in this repo"}})
        if kind in ("rawscript", "script", "flow"):  # a job: a flow step's is a run of the flow it calls
            call = self.steps.task_of(step_id, module)
            if args is None:  # a finished step's inputs are not evaluated again: its result is recorded
                args = {} if replayed(call) else self._args(value, frame, previous)
            try:
                pending = call(**args)  # the job is registered now; the first await sends what is registered
            except TaskError as exc:  # a recorded failure raises at once (as the SDK does): surface it below
                pending = _raise(exc)
            # Beside other iterations or branches, yield here in every round alike, answered or not, so they
            # register their jobs in the order the first round recorded (not after a failure module of this one).
            if frame.concurrent:
                await asyncio.sleep(0)
            try:
                return await pending, args
            except TaskError as exc:
                raise ModuleFailed({"error": {**error_of(exc), "step_id": step_id}}) from None
        if kind == "identity":
            return previous, None
        if kind == "forloopflow":
            return await self._for_loop(module, value, step_id, frame, previous, path), None
        if kind == "whileloopflow":
            return await self._while_loop(module, value, frame, previous, path), None
        if kind == "branchone":
            return await self._branch_one(value, frame, previous, path), None
        if kind == "branchall":
            return await self._branch_all(module, value, frame, previous, path), None
        raise FlowError({"name": "UnsupportedStep", "step_id": step_id,
                         "message": f"wac does not run {kind!r} steps locally: run this flow on a workspace"})

    def _args(self, value: dict[str, Any], frame: Frame, previous: Any) -> dict[str, Any]:
        args: dict[str, Any] = {}
        for name, transform in (value.get("input_transforms") or value.get("input_transform") or {}).items():
            if transform.get("type") == "javascript":
                args[name] = self.js.eval(transform.get("expr") or "", frame.scope(previous))
            else:
                args[name] = transform.get("value")
        return args

    async def _for_loop(self, module: dict[str, Any], value: dict[str, Any], step_id: str, frame: Frame,
                        previous: Any, path: str) -> list[Any]:
        iterator = value.get("iterator") or {}
        items = (self.js.eval(iterator.get("expr") or "null", frame.scope(previous, result=previous))
                 if iterator.get("type") == "javascript" else iterator.get("value"))
        if not isinstance(items, list):
            message = f"Expected an array value in the iterator expression, found: {serde_message(items)}"
            raise FlowError({"name": "InternalError", "step_id": step_id, "message": message})
        body = value.get("modules") or []
        if value.get("parallel"):
            async def one(pair: tuple[int, Any]) -> tuple[bool, Any]:
                index, item = pair
                child = frame.child(with_iter(frame.args, index, item), own_results=True, concurrent=True)
                try:
                    return True, await self.flow(body, child, f"{path}{index}_")
                except Stopped as stop:
                    return True, stop.result
                except ModuleFailed as failed:
                    return False, failed.result

            outcomes = await parallel(list(enumerate(items)), one, concurrency=value.get("parallelism") or None)
            results = [result for _, result in outcomes]
            if not value.get("skip_failures") and not all(ok for ok, _ in outcomes):
                raise ModuleFailed(results, handled=True)
        else:
            results = await self._sequential(module, value, frame, body, path, items)
        return self._all_done(module, frame, results)

    async def _while_loop(self, module: dict[str, Any], value: dict[str, Any], frame: Frame, previous: Any,
                          path: str) -> list[Any]:
        results = await self._sequential(module, value, frame, value.get("modules") or [], path, None)
        return self._all_done(module, frame, results)

    async def _sequential(self, module: dict[str, Any], value: dict[str, Any], frame: Frame, body: list,
                          path: str, items: list[Any] | None) -> list[Any]:
        """Iterations one after another (`items` None: a while loop), until done, a stop or a failure."""
        results: list[Any] = []
        stop = (module.get("stop_after_if") or {}).get("expr")
        index = 0
        while items is None or index < len(items):
            item = index if items is None else items[index]
            child = frame.child(with_iter(frame.args, index, item), own_results=False)
            try:
                result = await self.flow(body, child, f"{path}{index}_")
            except Stopped as stopped:
                results.append(stopped.result)
                break
            except ModuleFailed as failed:
                results.append(failed.result)
                if value.get("skip_failures"):
                    index += 1
                    continue
                raise ModuleFailed(results if items is not None else failed.result, handled=failed.handled) from None
            results.append(result)
            if stop and self.js.truthy(stop, frame.scope(result, result=result, all_iters=results)):
                break
            index += 1
        return results

    def _all_done(self, module: dict[str, Any], frame: Frame, results: list[Any]) -> list[Any]:
        stop = module.get("stop_after_all_iters_if") or {}
        if stop.get("expr") and self.js.truthy(stop["expr"], frame.scope(results, result=results)):
            if stop.get("error_message") is not None:
                raise ModuleFailed(early_stop(stop))
            raise Stopped(results)
        return results

    async def _branch_one(self, value: dict[str, Any], frame: Frame, previous: Any, path: str) -> Any:
        chosen, modules = "d", value.get("default") or []
        for number, branch in enumerate(value.get("branches") or []):
            if self.js.truthy(branch.get("expr") or "false", frame.scope(previous, result=previous)):
                chosen, modules = str(number), branch.get("modules") or []
                break
        if not modules:
            return previous
        return await self.flow(modules, frame.child(frame.args, own_results=False), f"{path}{chosen}_")

    async def _branch_all(self, module: dict[str, Any], value: dict[str, Any], frame: Frame, previous: Any,
                          path: str) -> list[Any]:
        branches = value.get("branches") or []
        concurrent = value.get("parallel", True)

        async def one(pair: tuple[int, dict[str, Any]]) -> tuple[bool, Any]:
            number, branch = pair
            if not branch.get("modules"):
                return True, frame.args
            try:
                branch_frame = frame.child(frame.args, own_results=False, concurrent=concurrent)
                return True, await self.flow(branch["modules"], branch_frame, f"{path}{number}_")
            except ModuleFailed as failed:
                return bool(branch.get("skip_failure")), failed.result

        if concurrent:
            async def guarded(pair: tuple[int, dict[str, Any]]) -> tuple[bool, Any]:
                try:
                    return await one(pair)
                except Stopped as stop:  # no early stop crosses a parallel branch
                    return True, stop.result

            outcomes = await parallel(list(enumerate(branches)), guarded)
            results = [result for _, result in outcomes]
            if not all(ok for ok, _ in outcomes):
                raise ModuleFailed(results, handled=True)
        else:
            results = []
            for pair in enumerate(branches):
                try:
                    ok, result = await one(pair)
                except Stopped as stop:
                    raise Stopped(results + [stop.result]) from None
                results.append(result)
                if not ok:
                    raise ModuleFailed(results, handled=True)
        return self._all_done(module, frame, results)

    async def _pause(self, module: dict[str, Any], frame: Frame, result: Any) -> None:
        """A module's `sleep`: the next module starts that many seconds later."""
        pause = module.get("sleep")
        if not pause:
            return
        seconds = (self.js.eval(pause.get("expr") or "0", frame.scope(result, result=result))
                   if pause.get("type") == "javascript" else pause.get("value"))
        if isinstance(seconds, (int, float)) and seconds > 0:
            await sleep(max(1, round(seconds)))

    async def _approval(self, module: dict[str, Any], step_id: str) -> dict[str, Any]:
        """A suspended module's approvals: what the next module sees (`resume`, `resumes`, `approvers`)."""
        suspend = module.get("suspend") or {}
        required = int(suspend.get("required_events") or 0)
        if required <= 0:
            return {}
        form = (suspend.get("resume_form") or {}).get("schema")
        resumes, approvers = [], []
        for _ in range(required):
            answer = await wait_for_approval(timeout=int(suspend.get("timeout") or SUSPEND_TIMEOUT), form=form)
            answer = answer if isinstance(answer, dict) else {}
            approver = answer.get("approver") or "anonymous"
            if not answer.get("approved", True):
                by = approver if approver != "anonymous" else "unknown"  # an answer that names nobody
                error = {"error": {"name": "SuspendedDisapproved", "message": f"Disapproved by {by}"}}
                if not suspend.get("continue_on_disapprove_timeout"):
                    raise ModuleFailed(error, handled=True)
                resumes.append(error)
                approvers.append(approver)
                break
            resumes.append(answer.get("value"))
            approvers.append(approver)
        return {"resume": resumes[-1] if resumes else None, "resumes": resumes, "approvers": approvers}

    async def _failure(self, failed: ModuleFailed, frame: Frame) -> Any:
        """The failure module, once, with the failure as its previous result; the flow stays failed unless
        it returns `{"recover": true}`."""
        failure = dict(frame.failure or {})
        step_id = failure.get("id") or "failure"
        try:
            own = Frame(frame.args, frame.results, frame.flow_env, None, concurrent=frame.concurrent)
            result, _ = await self.module(failure, step_id, own, failed.result, "failure_")
        except ModuleFailed as again:
            raise ModuleFailed(again.result, handled=True) from None
        if isinstance(result, dict) and result.get("recover") is True:
            return result
        raise ModuleFailed(result, handled=True)


def load_definition(module_file: str) -> dict[str, Any]:
    """The flow a run's generated module runs: `flow.json` beside it."""
    return json.loads(Path(module_file).with_name("flow.json").read_text(encoding="utf-8"))
