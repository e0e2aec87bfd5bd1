"""Rounds of a workflow body, driven directly: keys, outcomes, errors, retries, determinism."""

from __future__ import annotations

import asyncio

import pytest

from wac.sdk import NondeterminismError, TaskError, parallel, sleep, step, task, task_script, wait_for_approval
from wac.sdk._context import WorkflowContext, run_round


def round_of(func, completed=None, args=None, **kwargs):
    ctx = WorkflowContext(dict(completed or {}), **kwargs)
    return asyncio.run(run_round(func, ctx, args or {})), ctx


@task
async def double(n: int):
    return n * 2


@task(timeout=5, concurrency_limit=2, retry={"attempts": 2, "delay": 3})
async def flaky(x: int):
    return x


async def three_doubles():
    a = await double(1)
    b = await double(a)
    return await double(b)


def test_name_based_keys_and_sequential_dispatch():
    outcome, _ = round_of(three_doubles)
    assert outcome["type"] == "dispatch" and outcome["mode"] == "sequential"
    assert [(s["key"], s["args"], s["dispatch_type"]) for s in outcome["steps"]] == [("double", {"n": 1}, "inline")]
    outcome, _ = round_of(three_doubles, {"double": 2, "double_2": 4})
    assert outcome["steps"][0]["key"] == "double_3" and outcome["steps"][0]["args"] == {"n": 4}
    outcome, _ = round_of(three_doubles, {"double": 2, "double_2": 4, "double_3": 8})
    assert outcome == {"type": "complete", "result": 8}


def test_replayed_says_which_next_call_answers_from_the_checkpoint():
    from wac.sdk.engine import replayed

    async def body():
        seen = []
        for n in range(3):
            seen.append(replayed(double))
            await double(n)
        return seen

    assert replayed(double) is False  # outside a round
    outcome, _ = round_of(body, {"double": 0, "double_2": 2})
    assert outcome["steps"][0]["key"] == "double_3"
    outcome, _ = round_of(body, {"double": 0, "double_2": 2, "double_3": 4})
    assert outcome == {"type": "complete", "result": [True, True, True]}
    outcome, _ = round_of(body, {"double": 0, "double_3": 4})  # only what the next key holds counts
    assert outcome["steps"][0]["key"] == "double_2"


def test_gather_dispatches_in_one_round_in_argument_order():
    async def body():
        return await asyncio.gather(double(1), double(2), double(3))

    outcome, _ = round_of(body)
    assert outcome["mode"] == "parallel"
    assert [s["key"] for s in outcome["steps"]] == ["double", "double_2", "double_3"]


def test_parallel_batches_by_concurrency():
    async def body():
        return await parallel([1, 2, 3, 4, 5], lambda i: double(i), concurrency=2)

    outcome, _ = round_of(body)
    assert [s["key"] for s in outcome["steps"]] == ["double", "double_2"]
    outcome, _ = round_of(body, {"double": 2, "double_2": 4})
    assert [s["key"] for s in outcome["steps"]] == ["double_3", "double_4"]
    done = {"double": 2, "double_2": 4, "double_3": 6, "double_4": 8, "double_5": 10}
    assert round_of(body, done)[0] == {"type": "complete", "result": [2, 4, 6, 8, 10]}


def test_a_replayed_parallel_batch_schedules_no_asyncio_task(monkeypatch):
    async def body():
        one = await parallel([1, 2, 3, 4], lambda i: double(i), concurrency=2)
        mixed = await parallel([5, 6], lambda i: double(i) if i == 5 else step("six", lambda: 12))
        return one + mixed

    gathered = []
    real_gather = asyncio.gather
    monkeypatch.setattr(asyncio, "gather", lambda *calls: gathered.append(len(calls)) or real_gather(*calls))
    done = {"double": 2, "double_2": 4, "double_3": 6, "double_4": 8, "double_5": 10, "six": 12}
    outcome, _ = round_of(body, done)
    assert outcome == {"type": "complete", "result": [2, 4, 6, 8, 10, 12]}
    assert gathered == [2]  # only the batch with a call that is not a task's recorded answer (a step) was gathered


def test_options_are_carried_with_windmill_names():
    async def body():
        return await flaky(1)

    info = round_of(body)[0]["steps"][0]
    assert info["timeout"] == 5 and info["concurrent_limit"] == 2 and "concurrency_limit" not in info


def test_keys_never_alias():
    async def body():
        await step("x", lambda: 1)
        await step("x", lambda: 2)
        await step("x_2", lambda: 3)
        return None

    persisted = []
    _, ctx = round_of(body, persist_step=lambda k, v, i, *_: persisted.append((k, v, i)) or v)
    assert persisted == [("x", 1, 0), ("x_2", 2, 1), ("x_2_2", 3, 2)]


def test_step_persists_before_going_on_and_round_trips_json():
    seen = []

    async def body():
        value = await step("when", lambda: ("tuple", 1))
        seen.append(value)
        return await double(3)

    persisted = []
    outcome, _ = round_of(body, persist_step=lambda k, v, i, *_: persisted.append((k, v)) or v)
    assert persisted == [("when", ["tuple", 1])] and seen == [["tuple", 1]]
    assert outcome["steps"][0]["key"] == "double"


def test_failed_task_raises_the_same_task_error_every_replay():
    record = {"__wmill_error": True, "message": "boom", "step_key": "double", "child_job_id": "j1",
              "result": {"error": {"name": "ValueError", "message": "boom"}}}
    caught = []

    async def body():
        try:
            return await double(1)
        except TaskError as exc:
            caught.append((str(exc), exc.step_key, exc.child_job_id, exc.result))
            return "handled"

    for _ in range(2):
        assert round_of(body, {"double": record})[0] == {"type": "complete", "result": "handled"}
    assert caught[0] == caught[1] == ("boom", "double", "j1", {"error": {"name": "ValueError", "message": "boom"}})


def test_failed_step_is_recorded_then_raised_as_task_error():
    async def body():
        try:
            await step("bad", lambda: 1 / 0)
        except TaskError as exc:
            return exc.step_key
        return "unreached"

    persisted = {}
    outcome, _ = round_of(body, persist_step=lambda k, v, i, *_: persisted.update({k: v}) or v)
    assert outcome == {"type": "complete", "result": "bad"}
    assert persisted["bad"]["__wmill_error"] and persisted["bad"]["result"]["error"]["name"] == "ZeroDivisionError"


def test_suspension_is_not_caught_by_except_exception():
    async def body():
        try:
            await double(1)
        except Exception:
            return "swallowed"

    assert round_of(body)[0]["type"] == "dispatch"


def test_sleep_is_truncated_with_a_one_second_minimum():
    async def body(s: float):
        await sleep(s)
        return "woke"

    assert round_of(body, args={"s": 2.7})[0]["seconds"] == 2
    assert round_of(body, args={"s": 0})[0]["seconds"] == 1
    assert round_of(body, {"sleep": True}, args={"s": 5})[0] == {"type": "complete", "result": "woke"}


def test_approval_defaults_and_keys():
    async def body():
        first = await wait_for_approval()
        second = await wait_for_approval(timeout=60, key="manager")
        return [first["approved"], second["approved"]]

    outcome = round_of(body)[0]
    assert (outcome["type"], outcome["key"], outcome["timeout"]) == ("approval", "approval", 1800)
    outcome = round_of(body, {"approval": {"approved": True, "value": None, "approver": "a"}})[0]
    assert (outcome["key"], outcome["timeout"]) == ("manager", 60)


def test_retry_attempt_keys_and_durable_backoff():
    async def body():
        return await flaky(7)

    failed = {"__wmill_error": True, "message": "x", "step_key": "flaky", "result": {"error": {}}}
    assert round_of(body)[0]["steps"][0]["key"] == "flaky"
    backoff = round_of(body, {"flaky": failed})[0]
    assert (backoff["type"], backoff["key"], backoff["seconds"]) == ("sleep", "flaky#retry2", 3)
    retry = round_of(body, {"flaky": failed, "flaky#retry2": True})[0]
    assert retry["steps"][0]["key"] == "flaky#2"
    done = round_of(body, {"flaky": failed, "flaky#retry2": True, "flaky#2": 7})[0]
    assert done == {"type": "complete", "result": 7}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_unawaited_tasks_are_still_dispatched():
    async def body():
        double(1)
        return "done"

    outcome = round_of(body)[0]
    assert outcome["type"] == "dispatch" and outcome["steps"][0]["key"] == "double"


def test_task_script_keys_on_last_path_segment():
    helper = task_script("./helper.py")
    extract = task_script("f/etl/extract", tag="etl")

    async def body():
        await helper(x=1)
        return await extract(y=2)

    info = round_of(body)[0]["steps"][0]
    assert (info["key"], info["script"], info["dispatch_type"]) == ("helper.py", "./helper.py", "script")
    info = round_of(body, {"helper.py": 1})[0]["steps"][0]
    assert (info["key"], info["tag"]) == ("extract", "etl")


def test_replay_asking_for_another_step_is_nondeterminism():
    async def body(flag: bool):
        if flag:
            await step("a", lambda: 1)
        return await double(1)

    with pytest.raises(NondeterminismError) as info:
        round_of(body, {"a": 1}, args={"flag": False}, order={0: "a"}, script_file=__file__)
    assert "asked for step 'double'" in str(info.value) and "recorded 'a'" in str(info.value)
    assert info.value.line is not None


# -- child mode: how a task's own job runs its body ------------------------------------------------


def test_child_mode_runs_the_body_with_the_replays_live_arguments():
    from datetime import datetime

    seen = []

    @task
    async def describe(when, pair):
        seen.append((type(when).__name__, type(pair).__name__))
        return "described"

    async def body():
        await double(1)
        return await describe(datetime(2026, 1, 1), (1, 2))

    outcome, ctx = round_of(body, {"double": 2}, executing_key="describe")
    assert outcome == {"type": "complete", "result": "described"} and ctx.executed
    assert seen == [("datetime", "tuple")]


def test_child_mode_runs_closures_lambdas_and_bound_methods():
    class Counter:
        def __init__(self, base):
            self.base = base

        async def add(self, n):
            return self.base + n

    async def body(base: int):
        scale = 3

        @task
        async def scaled(x):
            return x * scale

        plus = task(lambda x: x + 1)
        bound = task(Counter(base).add)
        return [await scaled(2), await plus(5), await bound(n=1)]

    keys = {"scaled": 6, "<lambda>": 6}
    assert round_of(body, {}, args={"base": 10}, executing_key="scaled")[0]["result"] == 6
    assert round_of(body, {"scaled": 6}, args={"base": 10}, executing_key="<lambda>")[0]["result"] == 6
    assert round_of(body, keys, args={"base": 10}, executing_key="add")[0]["result"] == 11


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_child_mode_of_an_unawaited_task_completes_with_the_workflows_value():
    ran = []

    @task
    async def side(x):
        ran.append(x)

    async def body():
        side(1)
        return "workflow value"

    outcome, ctx = round_of(body, executing_key="side")
    assert outcome == {"type": "complete", "result": "workflow value"} and not ran and not ctx.executed


def test_child_mode_failure_is_the_task_bodys_own_exception_even_under_broad_except():
    @task
    async def boom():
        raise KeyError("nope")

    async def body():
        try:
            await boom()
        except Exception:
            return "swallowed"

    with pytest.raises(KeyError):
        round_of(body, executing_key="boom")


def test_plain_def_tasks_run_in_child_mode():
    @task()
    def plain(x: int):
        return x + 1

    async def body():
        return await plain(4)

    assert round_of(body)[0]["steps"][0]["key"] == "plain"
    assert round_of(body, executing_key="plain")[0] == {"type": "complete", "result": 5}


def test_each_log_header_reaches_a_line_buffered_output_in_one_write(monkeypatch):
    """A job's output is line-buffered: `print` would flush the header, then its end, waking the log's reader
    twice per step and per task call."""
    import io
    import sys

    class Writes(io.RawIOBase):
        def __init__(self) -> None:
            self.chunks: list[bytes] = []

        def writable(self) -> bool:
            return True

        def write(self, data) -> int:
            self.chunks.append(bytes(data))
            return len(data)

    raw = Writes()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BufferedWriter(raw), line_buffering=True))

    async def body():
        await step("one", lambda: 1)
        return await double(2)

    outcome, _ = round_of(body, persist_step=lambda key, value, *_: value)
    assert outcome["type"] == "dispatch"
    assert [chunk.decode().split("\n")[1] for chunk in raw.chunks] == ["--- WAC: one ---", "--- WAC: double ---"]
