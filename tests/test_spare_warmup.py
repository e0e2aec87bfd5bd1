"""A hosted module's warm-up (`__wac_warm__`) runs in each idle child before its job, and never fails one."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import marks, result_of

from wac.cli.flows.js import Evaluator


def warmed_pids(tmp_path) -> set[str]:
    return {line[1] for line in marks(tmp_path) if line[0] == "warm"}


def test_idle_children_warm_up_before_their_job(run_wac, project, tmp_path):
    for _ in range(2):  # the second time with a store to open: a child warms up once its connection is open
        seen = result_of(run_wac("script", "preview", "f/t/warmed.py", "-s", cwd=project))
        assert set(seen) <= {0, 1}  # at most once per process, and never in the host every child starts from
    assert 1 in seen and warmed_pids(tmp_path)


def test_a_failing_warm_up_leaves_the_job_to_do_the_work(run_wac, project, tmp_path):
    Path(os.environ["WAC_TEST_FLAG"]).write_text("fail")
    for _ in range(2):
        assert set(result_of(run_wac("script", "preview", "f/t/warmed.py", "-s", cwd=project))) <= {0, 1}
    assert warmed_pids(tmp_path)


def test_warming_the_javascript_engine_defines_nothing_an_expression_sees():
    scope = {"flow_input": {"n": 2}, "previous_result": 5, "results": {}}
    count = "Object.keys(globalThis).length + Object.getOwnPropertyNames(globalThis).length"
    evaluator = Evaluator()
    evaluator.prepare(["previous_result * flow_input.n", count], scope)
    before = evaluator.eval(count, scope)
    evaluator.warm()
    assert evaluator.eval(count, scope) == before
    assert evaluator.eval("previous_result * flow_input.n", scope) == 10
