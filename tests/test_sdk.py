"""The SDK: fast, dependency-free import and its standalone behaviour."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

import wac.sdk
from wac.sdk import TaskError, parallel, step, task, wait_for_approval, workflow

HEAVY = ("libcst", "typer", "rich", "httpx", "piptools", "click", "yaml", "ruamel")


def test_sdk_import_pulls_in_no_heavy_dependency():
    code = "import sys, wac.sdk; print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in %r)))" % (HEAVY,)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_names_are_pinned():
    assert sorted(wac.sdk.__all__) == [
        "NondeterminismError", "TaskError", "get_approval_urls", "get_resume_urls", "parallel", "sleep", "step", "task", "task_flow",
        "task_script", "wait_for_approval", "workflow",
    ]


def test_standalone_task_round_trips_json():
    @task(timeout=5)
    async def pair(n: int):
        return (n, {"k": n})

    assert asyncio.run(pair(2)) == [2, {"k": 2}]
    assert pair._is_task and pair.__name__ == "pair"


def test_unknown_task_option_is_rejected():
    with pytest.raises(TypeError, match="timout"):
        task(timout=5)


def test_workflow_marks_and_step_runs_inline():
    @workflow
    async def main():
        return await step("x", lambda: {"a": (1, 2)})

    assert main._is_workflow
    assert asyncio.run(main()) == {"a": [1, 2]}


def test_parallel_batches_keep_order():
    async def double(x):
        return x * 2

    assert asyncio.run(parallel(range(7), double, concurrency=3)) == [0, 2, 4, 6, 8, 10, 12]
    assert asyncio.run(parallel([], double)) == []


def test_approval_needs_a_workflow():
    with pytest.raises(RuntimeError, match="inside a @workflow"):
        asyncio.run(wait_for_approval())


def test_task_error_attributes():
    err = TaskError("boom", step_key="double", child_job_id="j1", result={"error": {}})
    assert (str(err), err.step_key, err.child_job_id, err.result) == ("boom", "double", "j1", {"error": {}})
