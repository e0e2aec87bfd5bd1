"""Tests of this repo's workflows with wac's pytest harness: `pip install wac`, then `pytest` here.

The `wac` fixture runs a workflow on the same engine as `wac script preview`, in a job store of the test's
own: sleeps take no time, approvals are answered from a list, fakes stand in for tasks.
"""

import pytest

from wac.testing import NonDeterminism


def test_an_approved_deployment_deploys(wac):
    run = wac.run("f/examples/approval.py", {"env": "prod"}, approvals=[{"approved": True, "approver": "ana"}])
    assert run.status == "success"
    assert run.result == "deployed to prod"
    assert [task.name for task in run.tasks] == ["deploy"]
    assert "Deploying to prod" in run.logs


def test_a_rejected_deployment_deploys_nothing(wac):
    run = wac.run("f/examples/approval.py", approvals=[{"approved": False, "approver": "bob"}])
    assert run.result == "Deployment rejected by bob"
    assert run.tasks == []


def test_a_deployment_nobody_answers_waits(wac):
    run = wac.run("f/examples/approval.py")
    assert (run.status, run.waiting_for) == ("suspended", "approval")


def test_a_failing_task_falls_back(wac):
    run = wac.run("f/examples/error_handling.py", {"data": "bad"})
    assert run.result == "fallback result for: Invalid data"
    assert [(task.name, task.status) for task in run.tasks] == [("risky_operation", "failure"),
                                                                ("fallback", "success")]


def test_sleeps_take_no_time_and_fakes_record_calls(wac):
    sent = []
    run = wac.run("f/examples/reminder_sleep.py", {"email": "a@example.com"},
                  fakes={"send_reminder": lambda email: sent.append(email)})
    assert run.result == "done"
    assert run.slept == 2
    assert sent == ["a@example.com", "a@example.com"]


def test_the_code_still_replays_a_recorded_run(wac, tmp_path):
    run = wac.run("f/examples/reminder_sleep.py")
    wac.replay("f/examples/reminder_sleep.py", run.history())  # what a deploy must keep true
    changed = tmp_path / "reminder_changed.py"
    changed.write_text((wac.root / "f/examples/reminder_sleep.py").read_text().replace(
        "    await send_reminder(email)\n    await sleep(2)", "    await sleep(2)\n    await send_reminder(email)", 1))
    with pytest.raises(NonDeterminism):
        wac.replay(changed, run.history())
