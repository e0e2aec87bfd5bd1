"""`wac job export`: a run's history from the local store or a workspace, replayed by `wac.testing.replay`
against the code about to be deployed."""

from __future__ import annotations

import json
import time

import pytest

from test_sync import wac
from wac.testing import NonDeterminism, replay

WORKFLOW = '''from wmill import sleep, task, workflow


@task
async def double(x: int):
    return x * 2


@workflow
async def main(n: int = 2):
    first = await double(n)
    await sleep(1)
    return await double(first)
'''
REORDERED = WORKFLOW.replace("    first = await double(n)\n    await sleep(1)\n", "    await sleep(1)\n    first = await double(n)\n")
RENAMED = WORKFLOW.replace("double", "twice")


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "f" / "x").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    (root / "f/x/wf.py").write_text(WORKFLOW)
    (root / "f/x/reordered.py").write_text(REORDERED)
    (root / "f/x/renamed.py").write_text(RENAMED)
    return root


def test_a_local_run_exported_to_a_file_replays(repo):
    assert wac("script", "preview", "f/x/wf.py", "-s", "--skip-sleeps", "--env", "current", cwd=repo).returncode == 0
    run_id = json.loads(wac("job", "list", "--json", cwd=repo).stdout)[0]["id"]
    done = wac("job", "export", run_id[:8], "-o", "history.json", cwd=repo)
    assert done.returncode == 0, done.stderr
    history = json.loads((repo / "history.json").read_text())
    assert history["completed_steps"] == {"double": 4, "sleep": True, "double_2": 8}
    replay(repo / "f/x/wf.py", history)
    with pytest.raises(NonDeterminism, match="call #1 asked for step 'sleep' .*recorded 'double' there"):
        replay(repo / "f/x/reordered.py", history)
    missing = wac("job", "export", "zzz", cwd=repo)
    assert missing.returncode == 2 and missing.stderr.startswith("error: no job matches `zzz`")


def test_a_workspace_job_exported_with_remote_replays(repo, wac_server):
    assert wac("sync", "push", "--yes", cwd=repo, server=wac_server).returncode == 0
    job_id = wac_server.client.post("w/local/jobs/run/p/f/x/wf", json={"n": 3}).text.strip()
    for _ in range(300):
        if wac_server.client.get(f"w/local/jobs_u/get/{job_id}").json()["type"] == "CompletedJob":
            break
        time.sleep(0.05)
    done = wac("job", "export", job_id, "--remote", cwd=repo, server=wac_server)
    assert done.returncode == 0, done.stderr
    history = json.loads(done.stdout)
    assert history["completed_steps"] == {"double": 6, "sleep": True, "double_2": 12}
    assert history["input_args"] == {"n": 3} and history["status"] == "success"
    replay(repo / "f/x/wf.py", history)
    with pytest.raises(NonDeterminism):
        replay(repo / "f/x/reordered.py", history)


def test_a_checkpoint_without_call_order_is_checked_by_step_keys(repo):
    """A Windmill job's checkpoint records no order: a replay still finds a step it never recorded."""
    assert wac("script", "preview", "f/x/wf.py", "-s", "--skip-sleeps", "--env", "current", cwd=repo).returncode == 0
    history = json.loads(wac("job", "export", json.loads(wac("job", "list", "--json", cwd=repo).stdout)[0]["id"],
                             cwd=repo).stdout)
    history["step_order"] = {}
    replay(repo / "f/x/wf.py", history)
    with pytest.raises(NonDeterminism) as caught:
        replay(repo / "f/x/renamed.py", history)
    assert str(caught.value) == ("non-deterministic replay: call #1 asked for step 'twice' (line 11), "
                                 "which the checkpoint does not hold")
