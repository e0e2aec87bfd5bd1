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


def complete(module, step: dict[str, Any]) -> Any:
    """What a worker would record for one dispatched step (same for both SDKs)."""
    if step["dispatch_type"] != "inline":
        return {"ran": step["script"], "args": step["args"]}
    func = getattr(module, step["name"])
    func = getattr(func, "__wrapped__", func)
    try:
        result = func(**step["args"])
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
        return json.loads(json.dumps(result, default=str))
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
        trace.append(normalize(outcome))
        kind = outcome["type"]
        if kind == "complete":
            return trace
        if kind == "dispatch":
            for step in outcome["steps"]:
                completed[step["key"]] = complete(module, step)
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

    return asyncio.run(run_round(func, WorkflowContext(dict(checkpoint["completed_steps"])), args))


def main() -> None:
    sdk, paths = sys.argv[2], sys.argv[3:]
    rounds = wmill_rounds if sdk == "wmill" else wac_rounds
    with contextlib.redirect_stdout(sys.stderr):  # the SDKs print `--- WAC: key ---` lines
        traces = {Path(p).stem: drive(load(Path(p)), rounds) for p in paths}
    json.dump(traces, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
