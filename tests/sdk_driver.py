"""Drive a workflow round by round, completing each round's requests the same way,
with either the real `wmill` SDK (`_run_workflow`) or wac's replay context.

    python tests/sdk_driver.py --sdk wmill fixtures/sdk_rounds/workflows/*.py > trace.json

The test runs the wac side in-process and compares with the trace the real SDK
produced (fixtures/sdk_rounds/wmill_1.850.0.json, recorded by record.sh).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any, Callable

MAX_ROUNDS = 100
# Fields that are ours only, or timing: not part of the comparison.
_DROP = {"index", "self_approval_disabled", "skin", "description", "started_at", "duration_ms", "stack"}
APPROVAL = {"value": None, "approver": "tester", "approved": True}


def normalize(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items() if k not in _DROP}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"wf_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def complete(module, run_round, completed: dict[str, Any], step: dict[str, Any]) -> Any:
    """What a worker records for one dispatched step: an inline task runs as its own job,
    replaying the workflow in child mode (`_executing_key`), through the same SDK."""
    if step["dispatch_type"] != "inline":
        return {"ran": step["script"], "args": step["args"]}
    checkpoint = {"completed_steps": dict(completed), "_executing_key": step["key"]}
    try:
        outcome = run_round(module.main, checkpoint, {})
        return json.loads(json.dumps(outcome["result"], default=str))
    except Exception as exc:
        return {"__wmill_error": True, "message": str(exc), "step_key": step["key"],
                "child_job_id": f"job-{step['key']}",
                "result": {"error": {"name": type(exc).__name__, "message": str(exc)}}}


def drive(module, run_round: Callable[[Any, dict[str, Any], dict[str, Any]], dict[str, Any]]) -> list[Any]:
    """Rounds until complete; each round's outcome, then how it was answered."""
    completed: dict[str, Any] = {}
    trace = []
    for _ in range(MAX_ROUNDS):
        outcome = run_round(module.main, {"completed_steps": dict(completed)}, {})
        trace.append(normalize(json.loads(json.dumps(outcome, default=str))))
        kind = outcome["type"]
        if kind == "complete":
            return trace
        if kind == "dispatch":
            done = {step["key"]: complete(module, run_round, completed, step) for step in outcome["steps"]}
            completed.update(done)
        elif kind == "inline_checkpoint":
            completed[outcome["key"]] = outcome["result"]
        elif kind == "sleep":
            completed[outcome["key"]] = True
        elif kind == "approval":
            completed[outcome["key"]] = APPROVAL
    raise RuntimeError("workflow did not complete")


def wmill_rounds(func, checkpoint, args):
    from wmill.client import _run_workflow

    return _run_workflow(func, checkpoint, args)


def wac_rounds(func, checkpoint, args):
    from wac.sdk._context import WorkflowContext, run_round

    ctx = WorkflowContext(dict(checkpoint["completed_steps"]), executing_key=checkpoint.get("_executing_key"))
    return asyncio.run(run_round(func, ctx, args))


WAC_API = ("workflow", "task", "task_script", "task_flow", "step", "sleep", "wait_for_approval",
           "get_resume_urls", "get_approval_urls", "parallel", "TaskError")


def signatures(module) -> dict[str, list[list[Any]]]:
    """Parameter names, kinds and defaults of the WAC API (annotations aside)."""
    import inspect

    out = {}
    for name in WAC_API:
        target = getattr(module, name)
        target = target.__init__ if inspect.isclass(target) else target
        out[name] = [[p.name, p.kind.name, None if p.default is p.empty else repr(p.default)]
                     for p in inspect.signature(target).parameters.values()]
    return out


def main() -> None:
    if sys.argv[1] == "--signatures":
        import wmill

        json.dump(signatures(wmill), sys.stdout, indent=1, sort_keys=True)
        return
    sdk, paths = sys.argv[2], sys.argv[3:]
    rounds = wmill_rounds if sdk == "wmill" else wac_rounds
    with contextlib.redirect_stdout(sys.stderr):  # the SDKs print `--- WAC: key ---` lines
        traces = {Path(p).stem: drive(load(Path(p)), rounds) for p in paths}
    json.dump(traces, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
