"""`wac.testing`: workflow runs on the real engine inside a test, with fakes, approvals, virtual time and
replay of recorded histories."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLES
from wac.testing import Harness, NonDeterminism, replay

ORDER = '''from wmill import sleep, task, wait_for_approval, workflow


@task
async def reserve(item: int):
    return {"reserved": item}


@task(retry={"attempts": 2})
async def charge(amount: int):
    return {"charged": amount, "real": True}


@workflow
async def main(order_id: str, items: list):
    reserved = [await reserve(item) for item in items]
    await sleep(86400)
    approval = await wait_for_approval(timeout=3600)
    if not approval["approved"]:
        return {"rejected_by": approval["approver"]}
    paid = await charge(len(items) * 10)
    print(f"shipping {order_id}")
    return {"reserved": reserved, "paid": paid, "approved_by": approval["approver"]}
'''
# charges before it reserves: the same steps, in another order
ORDER_V2 = ORDER.replace('''    reserved = [await reserve(item) for item in items]
    await sleep(86400)''', '''    await sleep(86400)
    reserved = [await reserve(item) for item in items]''')
ARGS = {"order_id": "o1", "items": [1, 2]}
STAMP = """from wmill import step, wait_for_approval, workflow


@workflow
async def main(path: str):
    await wait_for_approval(timeout=60)
    await step("stamp", lambda: open(path, "a").write("x"))
    return 1
"""
NOTIFY = """import wmill
from wmill import task, workflow


@task
async def settings():
    return {"smtp": wmill.get_resource("f/shop/db"), "token": wmill.get_variable("f/shop/token"),
            "missing": wmill.get_resource("f/nope", none_if_undefined=True)}


@workflow
async def main(db: dict):
    return {"db": db, **(await settings())}
"""
STAMP_FIRST = STAMP.replace("    await wait_for_approval(timeout=60)\n", "").replace(
    "    return 1", "    await wait_for_approval(timeout=60)\n    return 1")


@pytest.fixture
def harness(tmp_path):
    root = tmp_path / "repo"
    (root / "f" / "shop").mkdir(parents=True)
    (root / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    (root / "f/shop/order.py").write_text(ORDER)
    (root / "f/shop/order_v2.py").write_text(ORDER_V2)
    harness = Harness(root, tmp_path / "state")
    yield harness
    harness.close()


def test_a_run_with_fakes_an_approval_and_a_day_of_sleep(harness):
    calls = []

    def charge(amount):
        calls.append(amount)
        return {"charged": amount}

    run = harness.run("f/shop/order.py", ARGS, fakes={"charge": charge},
                      approvals=[{"approved": True, "approver": "ana"}])
    assert run.status == "success", run.error
    assert run.result == {"reserved": [{"reserved": 1}, {"reserved": 2}], "paid": {"charged": 20},
                          "approved_by": "ana"}
    assert calls == [20]  # the fake ran here, in the test's process
    assert run.slept == 86400
    assert [t.name for t in run.tasks] == ["reserve", "reserve", "charge"]
    assert run.tasks[2].args == {"amount": 20} and run.tasks[2].attempts == 1
    assert "shipping o1" in run.logs


def test_a_rejected_approval_and_a_run_left_waiting(harness):
    rejected = harness.run("f/shop/order.py", ARGS, approvals=[{"approved": False, "approver": "bob"}])
    assert rejected.status == "success" and rejected.result == {"rejected_by": "bob"}
    waiting = harness.run("f/shop/order.py", ARGS)
    assert (waiting.status, waiting.waiting_for, waiting.result) == ("suspended", "approval", None)


def test_a_failing_fake_goes_through_the_tasks_retries(harness):
    attempts = []

    def flaky(amount):
        attempts.append(amount)
        if len(attempts) < 3:
            raise ConnectionError("card service down")
        return {"charged": amount}

    run = harness.run("f/shop/order.py", ARGS, fakes={"charge": flaky}, approvals=[True])
    assert run.status == "success" and len(attempts) == 3
    assert run.tasks[-1].attempts == 3

    failing = harness.run("f/shop/order.py", ARGS, approvals=[True],
                          fakes={"charge": lambda amount: 1 / 0})
    assert failing.status == "failure"
    assert (failing.error["name"], failing.error["message"]) == ("TaskError", "division by zero")  # as Windmill's
    charge = failing.tasks[-1]
    assert (charge.status, charge.attempts, charge.result["error"]["name"]) == ("failure", 3, "ZeroDivisionError")


def test_a_history_replays_against_the_same_code_and_not_against_reordered_code(harness, tmp_path):
    run = harness.run("f/shop/order.py", ARGS, approvals=[True])
    history = json.loads(json.dumps(run.history()))  # as kept in a file
    harness.replay("f/shop/order.py", history)
    with pytest.raises(NonDeterminism) as caught:
        harness.replay("f/shop/order_v2.py", history)
    assert str(caught.value) == ("non-deterministic replay: call #1 asked for step 'sleep' (line 16), "
                                 "but the checkpoint recorded 'reserve' there")
    replay(harness.root / "f/shop/order.py", history)  # without the fixture: the root is found


def test_a_history_of_a_run_in_flight_replays_up_to_where_it_got_and_runs_nothing_past_it(harness, tmp_path):
    """Runs waiting at the approval have recorded less: new code must still match that much, and the
    replay stops there (the inline step after the approval never runs)."""
    waiting = harness.run("f/shop/order.py", ARGS)
    harness.replay("f/shop/order.py", waiting.history())
    with pytest.raises(NonDeterminism):
        harness.replay("f/shop/order_v2.py", waiting.history())
    (harness.root / "f/shop/stamp.py").write_text(STAMP)
    (harness.root / "f/shop/stamp_first.py").write_text(STAMP_FIRST)
    stamp = tmp_path / "stamp.txt"
    run = harness.run("f/shop/stamp.py", {"path": str(stamp)})
    assert run.status == "suspended" and not stamp.exists()
    harness.replay("f/shop/stamp_first.py", run.history())  # its new step comes where the run had not got
    assert not stamp.exists()


def test_the_example_tests_pass_through_the_pytest_plugin(tmp_path):
    """examples/tests runs as a user runs it: `pytest` in the repo, the `wac` fixture from the entry point."""
    repo = tmp_path / "examples"
    shutil.copytree(EXAMPLES, repo)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=repo,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 passed" in done.stdout


def test_resources_and_variables_are_served_without_a_workspace(harness):
    (harness.root / "f/shop/notify.py").write_text(NOTIFY)
    run = harness.run("f/shop/notify.py", {"db": "$res:f/shop/db"}, resources={"f/shop/db": {"host": "h"}},
                      variables={"f/shop/token": "s3cret"})
    assert run.status == "success", run.error
    assert run.result == {"db": {"host": "h"}, "smtp": {"host": "h"}, "token": "s3cret", "missing": None}
    unknown = harness.run("f/shop/notify.py", {"db": {}}, resources={"f/shop/db": {}})
    assert unknown.status == "failure"
    assert unknown.error["message"] == ("variable 'f/shop/token' is not given to this run: add it to `variables=` "
                                        "(it has: none)")


def test_a_flow_runs_with_fakes_by_step_id_and_approvals_for_suspended_steps(harness):
    folder = harness.root / "f/shop/ship.flow"
    folder.mkdir()
    (folder / "a.inline_script.py").write_text("def main(x):\n    return x * 2\n")
    (folder / "c.inline_script.py").write_text("def main(doubled, note):\n    return {'doubled': doubled, 'note': note}\n")
    step = {"type": "rawscript", "language": "python3"}
    modules = [
        {"id": "a", "value": {**step, "content": "!inline a.inline_script.py",
                              "input_transforms": {"x": {"type": "javascript", "expr": "flow_input.x"}}},
         "suspend": {"required_events": 1, "timeout": 60}},
        {"id": "c", "value": {**step, "content": "!inline c.inline_script.py",
                              "input_transforms": {"doubled": {"type": "javascript", "expr": "results.a"},
                                                   "note": {"type": "javascript", "expr": "resume.note"}}}}]
    (folder / "flow.yaml").write_text(json.dumps({"summary": "", "value": {"modules": modules},
                                                  "schema": {"type": "object", "properties": {}}}))
    waiting = harness.run("f/shop/ship.flow", {"x": 4})
    assert waiting.status == "suspended" and [t.name for t in waiting.tasks] == ["a"]
    run = harness.run("f/shop/ship.flow", {"x": 4}, fakes={"a": lambda x: x * 100},
                      approvals=[{"approved": True, "value": {"note": "ok"}}])
    assert run.status == "success", run.error
    assert run.result == {"doubled": 400, "note": "ok"}
    assert [(t.name, t.args) for t in run.tasks] == [("a", {"x": 4}), ("c", {"doubled": 400, "note": "ok"})]


def test_a_fake_that_outlasts_its_tasks_timeout_fails_as_the_task_would(harness):
    (harness.root / "f/shop/slow.py").write_text(
        "from wmill import task, workflow\n\n\n@task(timeout=1)\nasync def lookup():\n    return 1\n\n\n"
        "@workflow\nasync def main():\n    return await lookup()\n")
    import time

    run = harness.run("f/shop/slow.py", fakes={"lookup": lambda: time.sleep(1.1)})
    assert run.status == "failure"
    assert run.tasks[0].result == {"error": {"name": "TimeoutError", "message": "task timed out after 1s"}}


CLOCK = '''import datetime as dt
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from f.shop.calendar import today
from wmill import sleep, step, task, workflow

sys.path.insert(0, str(Path(__file__).parents[2] / ".venv" / "lib" / "site-packages"))
import clockpkg  # noqa: E402  (a package installed in a virtual environment inside the repo)


@task
async def stamp():
    return {"now": datetime.now(timezone.utc).timestamp(), "today": today(), "package": clockpkg.now(),
            "is_real": isinstance(
        datetime.now(), dt.datetime) and type(datetime.now()) is dt.datetime.__bases__[0]}


@workflow
async def main():
    before = await step("before", time.time)
    await sleep(86400 * 7)
    after = await step("after", lambda: dt.datetime.now().timestamp())
    return {"before": before, "after": after, "task": await stamp(), "real": time.monotonic()}
'''
CALENDAR = "from datetime import date\n\n\ndef today():\n    return date.today().isoformat()\n"


def test_a_skipped_sleep_moves_the_runs_clock_and_only_its_clock(harness):
    import datetime
    import time

    (harness.root / "f/shop/clock.py").write_text(CLOCK)
    (harness.root / "f/shop/calendar.py").write_text(CALENDAR)
    packages = harness.root / ".venv" / "lib" / "site-packages"
    packages.mkdir(parents=True)
    (packages / "clockpkg.py").write_text("from datetime import datetime\n\n\ndef now():\n"
                                          "    return datetime.now().timestamp()\n")
    started = time.time()
    run = harness.run("f/shop/clock.py")
    assert run.status == "success", run.error
    week, result = 86400 * 7, run.result
    assert week <= result["after"] - result["before"] < week + 60  # a week passed for the run, at once
    assert week <= result["task"]["now"] - started < week + 60  # tasks read the run's clock too
    later = datetime.datetime.fromtimestamp(started + week).date().isoformat()
    assert result["task"]["today"] == later  # a repo module's `from datetime import date` as well
    assert result["task"]["is_real"]  # values are real datetimes, isinstance holds
    assert result["task"]["package"] - started < 60  # packages keep their own (real) names
    assert time.time() - started < 60 and run.slept == week  # the test's own clock never moved
    # the engine's own records keep real time: a task completes seconds, not a week, after it starts
    assert all(job.completed_at - job.started_at < 60 for job in harness.store.tree(run.id))


def test_a_flow_steps_sleep_moves_the_clock_of_the_steps_after_it(harness):
    folder = harness.root / "f/shop/wait.flow"
    folder.mkdir()
    (folder / "now.inline_script.py").write_text("import time\n\n\ndef main():\n    return time.time()\n")
    step = {"type": "rawscript", "language": "python3", "content": "!inline now.inline_script.py",
            "input_transforms": {}}
    modules = [{"id": "a", "value": step, "sleep": {"type": "static", "value": 7200}}, {"id": "b", "value": step}]
    (folder / "flow.yaml").write_text(json.dumps({"summary": "", "value": {"modules": modules},
                                                  "schema": {"type": "object", "properties": {}}}))
    run = harness.run("f/shop/wait.flow")
    assert run.status == "success", run.error
    assert run.slept == 7200 and 7200 <= run.tasks[1].result - run.tasks[0].result < 7260


def test_a_flow_that_calls_a_flow_runs_it_as_a_run_of_its_own_with_the_same_fakes(harness):
    for path, modules in (
            ("f/shop/inner", [{"id": "double", "value": {"type": "rawscript", "language": "python3",
                                                         "content": "!inline double.inline_script.py",
                                                         "input_transforms": {"x": {"type": "javascript",
                                                                                    "expr": "flow_input.x"}}},
                               "suspend": {"required_events": 1, "timeout": 60}}]),
            ("f/shop/outer", [{"id": "call", "value": {"type": "flow", "path": "f/shop/inner",
                                                       "input_transforms": {"x": {"type": "javascript",
                                                                                  "expr": "flow_input.x + 1"}}}}])):
        folder = harness.root / f"{path}.flow"
        folder.mkdir()
        (folder / "double.inline_script.py").write_text("def main(x):\n    return x * 2\n")
        (folder / "flow.yaml").write_text(json.dumps({"summary": "", "value": {"modules": modules},
                                                      "schema": {"type": "object", "properties": {}}}))
    waiting = harness.run("f/shop/outer.flow", {"x": 4})
    assert waiting.status == "suspended" and waiting.waiting_for is not None  # inside the called flow
    yes = [{"approved": True}]
    run = harness.run("f/shop/outer.flow", {"x": 4}, approvals=yes)
    assert run.status == "success" and run.result == 10
    assert [(t.name, t.args, t.result) for t in run.tasks] == [("f/shop/inner", {"x": 5}, 10)]
    assert "--- WAC: double ---" in run.logs  # the called flow's output is the run's too
    faked = harness.run("f/shop/outer.flow", {"x": 4}, fakes={"double": lambda x: -x}, approvals=yes)
    assert faked.result == -5  # a fake answers the called flow's step too
