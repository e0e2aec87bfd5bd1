"""`wac script preview` and `wac job ...` end to end: real processes, real SQLite."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time

import pytest

from conftest import EXAMPLES, marks, result_of, start_wac, store_db, wait_for

@pytest.mark.parametrize("script, args, expected", [
    ("basics.py", {}, 16),
    ("gather.py", {}, [{"id": i, "name": f"User {i}", "enriched": True} for i in (1, 2, 3)]),
    ("parallel_items.py", {}, {"results": [2 * i for i in range(1, 11)], "batched": [2 * i for i in range(1, 11)]}),
    ("error_handling.py", {"data": "bad"}, "fallback result for: Invalid data"),
    ("error_handling.py", {"data": "good"}, "processed: good"),
    ("task_options.py", {"data": [1, 2, 3]}, 6),
    ("modules_flat.py", {"n": 2}, {"count": 2, "items": [{"id": 0}, {"id": 1}]}),
    ("quickstart.py", {"n": 2}, {"count": 2, "summary": [{"id": 0, "value": 0}, {"id": 1, "value": 1}]}),
])
def test_user_guide_examples(run_wac, tmp_path, script, args, expected):
    repo = tmp_path / "examples"
    shutil.copytree(EXAMPLES, repo)
    run = run_wac("script", "preview", f"f/examples/{script}", "-d", json.dumps(args), "-s", "--skip-sleeps",
                  cwd=repo)
    assert result_of(run) == expected


def test_folder_layout_and_steps_and_complete_example(run_wac, tmp_path):
    repo = tmp_path / "examples"
    shutil.copytree(EXAMPLES, repo)
    assert result_of(run_wac("script", "preview", "f/examples/modules_folder__mod/script.py", "-s", cwd=repo)) == {
        "count": 2, "items": [{"id": 0}, {"id": 1}]}
    steps = result_of(run_wac("script", "preview", "f/examples/steps.py", "-s", cwd=repo))
    assert steps["status"] == "processed" and len(steps["order_id"]) == 36
    done = result_of(run_wac("script", "preview", "f/examples/complete.py", "-s", "--skip-sleeps", "--approve", "--approver", "cli",
                             cwd=repo))
    assert done["saved"] == 12 and done["approved_by"] == "cli"


def test_output_streams_task_logs_result_and_timeline(run_wac, tmp_path):
    repo = tmp_path / "examples"
    shutil.copytree(EXAMPLES, repo)
    run = run_wac("script", "preview", "f/examples/quickstart.py", "--skip-sleeps", cwd=repo)
    assert run.returncode == 0
    assert "notify │ Sending notification: Processed 3 items" in run.stderr
    assert "Timeline" in run.stderr and "fetch_data" in run.stderr and "Workflow success" in run.stderr
    assert json.loads(run.stdout)["count"] == 3


def test_timeout_kills_the_task_and_raises_task_error(run_wac, project):
    started = time.monotonic()
    result = result_of(run_wac("script", "preview", "f/t/timeout.py", "-s", cwd=project))
    assert time.monotonic() - started < 10
    assert result == {"caught": "task timed out after 1s", "key": "slow"}


def test_cache_hit_reuses_the_result(run_wac, project, tmp_path):
    assert result_of(run_wac("script", "preview", "f/t/cached.py", "-d", '{"x": 4}', "-s", cwd=project)) == 40
    assert result_of(run_wac("script", "preview", "f/t/cached.py", "-d", '{"x": 4}', "-s", cwd=project)) == 40
    assert [m[:2] for m in marks(tmp_path)] == [["expensive", "4"]]
    events = store_db(project).execute("SELECT COUNT(*) FROM events WHERE kind='cache_hit'").fetchone()[0]
    assert events == 1
    assert result_of(run_wac("script", "preview", "f/t/cached.py", "-d", '{"x": 5}', "-s", cwd=project)) == 50


def test_concurrency_limit_bounds_running_tasks(run_wac, project, tmp_path):
    result = result_of(run_wac("script", "preview", "f/t/limited.py", "-s", "--workers", "6", cwd=project))
    assert result == list(range(6))
    running, peak = 0, 0
    for kind, *_ in sorted(marks(tmp_path), key=lambda m: float(m[2])):
        running += 1 if kind == "start" else -1
        peak = max(peak, running)
    assert peak == 2


def test_durable_sleep_survives_a_kill(run_wac, project):
    started = time.time()
    proc = start_wac(project, "script", "preview", "f/t/sleeper.py", "-d", '{"seconds": 3}', "-s")
    db = wait_for(lambda: store_db(project), what="the job store")
    job = wait_for(lambda: db.execute("SELECT id, status, wake_at FROM jobs WHERE status='sleeping'").fetchone(),
                   what="the run to sleep")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert job["wake_at"] > started
    time.sleep(max(0.0, job["wake_at"] - time.time()) + 0.2)  # the stored wake time has passed
    result = result_of(run_wac("job", "resume", job["id"][:8], "-s", cwd=project))
    assert result >= 2.9  # the sleep's full length went by in the workflow's clock
    sleeps = db.execute("SELECT detail FROM events WHERE job_id=? AND kind='sleep'", (job["id"],)).fetchall()
    assert len(sleeps) == 1  # and the resume did not start a new 3 s sleep


def test_skip_sleeps_fast_forwards(run_wac, project):
    started = time.monotonic()
    result_of(run_wac("script", "preview", "f/t/sleeper.py", "-d", '{"seconds": 600}', "-s", "--skip-sleeps",
                      cwd=project))
    assert time.monotonic() - started < 5


def test_nondeterministic_replay_fails_naming_step_and_line(run_wac, project, tmp_path):
    (tmp_path / "flag").write_text("")
    assert result_of(run_wac("script", "preview", "f/t/drifting.py", "-s", cwd=project)) == 3
    # Rewind the finished run to its last round, then let the body branch differently on replay.
    conn = store_db(project)
    job_id = conn.execute("SELECT id FROM jobs WHERE parent_id IS NULL ORDER BY created_at DESC").fetchone()[0]
    conn.execute("UPDATE jobs SET status='queued', result=NULL WHERE id=?", (job_id,))
    conn.execute("DELETE FROM steps WHERE job_id=? AND key='b'", (job_id,))
    conn.commit()
    (tmp_path / "flag").unlink()
    run = run_wac("job", "resume", job_id[:8], cwd=project)
    assert run.returncode == 1
    assert "asked for step 'a' (line 20)" in run.stdout + run.stderr
    assert "recorded 'flagged'" in run.stdout + run.stderr


def test_source_change_refuses_resume_until_restart(run_wac, project):
    proc = start_wac(project, "script", "preview", "f/t/gate.py", "-s")
    db = wait_for(lambda: store_db(project), what="the job store")
    job_id = wait_for(lambda: db.execute("SELECT id FROM jobs WHERE status='approval'").fetchone(),
                      what="the approval")[0]
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    script = project / "f/t/gate.py"
    script.write_text(script.read_text().replace("deployed {env}", "shipped {env}"))
    run = run_wac("job", "resume", job_id[:8], "--approve", cwd=project)
    assert run.returncode == 2 and "script changed since run" in run.stderr and "--restart" in run.stderr
    run = run_wac("job", "resume", job_id[:8], "--approve", "--restart", "-s", cwd=project)
    assert result_of(run) == "shipped prod"
    old = store_db(project).execute("SELECT status, result FROM jobs WHERE id=?", (job_id,)).fetchone()
    assert old["status"] == "canceled" and "restarted as run" in old["result"]  # not left waiting for ever


def test_task_flow_of_a_flow_the_repo_lacks_fails_clearly(run_wac, project):
    run = run_wac("script", "preview", "f/t/flows.py", cwd=project)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "flow 'f/etl/pipeline' is not in this repo" in run.stderr + run.stdout


def test_plain_script_runs_as_one_job(run_wac, project):
    assert result_of(run_wac("script", "preview", "f/t/plain.py", "-d", '{"x": 5}', "-s", cwd=project)) == 15


def test_lint_errors_and_bad_args_stop_before_running(run_wac, project):
    (project / "f/t/bad.py").write_text("import random\nfrom wmill import workflow\n\n@workflow\n"
                                        "async def main():\n    return random.random()\n")
    run = run_wac("script", "preview", "f/t/bad.py", cwd=project)
    assert run.returncode == 1 and "WAC101" in run.stderr and "Traceback" not in run.stderr
    run = run_wac("script", "preview", "f/t/cached.py", "-d", '{"x": "four"}', cwd=project)
    assert run.returncode == 2 and "`x` must be integer, got string" in run.stderr
    assert not (project / ".wac" / "jobs.db").exists()


def test_retry_redispatches_after_a_durable_backoff(run_wac, project, tmp_path):
    assert result_of(run_wac("script", "preview", "f/t/retrying.py", "-s", cwd=project)) == "ok"
    assert [m[:2] for m in marks(tmp_path)] == [["attempt", "1"], ["attempt", "2"]]
    first, second = float(marks(tmp_path)[0][2]), float(marks(tmp_path)[1][2])
    assert second - first >= 1.0  # waited out the backoff
    keys = [r[0] for r in store_db(project).execute("SELECT key FROM steps ORDER BY seq")]
    assert keys == ["flaky", "flaky#retry2", "flaky#2"]


def test_priority_orders_the_ready_queue(run_wac, project, tmp_path):
    assert result_of(run_wac("script", "preview", "f/t/ordered.py", "-s", "--workers", "1", cwd=project)) == "done"
    assert [m[1] for m in marks(tmp_path)] == ["high", "low"]


def test_other_languages_get_one_line_not_a_python_syntax_error(run_wac, tmp_path):
    from conftest import FIXTURES
    import shutil

    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "mixed" / "committed", repo)
    for path, language in (("f/ops/ping.ts", "TypeScript (Bun)"), ("f/ops/cleanup.sh", "Bash")):
        result = run_wac("script", "preview", path, cwd=repo)
        assert result.returncode == 2
        assert result.stderr.splitlines()[0] == f"error: {path} is {language}: wac previews Python scripts only"
        assert "WAC001" not in result.stderr and not (repo / ".wac" / "jobs.db").exists()


WORKSPACE_ITEMS = {
    "f/t/db.resource.yaml": "description: ''\nvalue:\n  host: $var:f/t/host\n  port: 5432\nresource_type: postgresql\n",
    "f/t/host.variable.yaml": "description: ''\nvalue: db.internal\nis_secret: false\n",
    "f/t/key.variable.yaml": "description: ''\nvalue: 2WYTjlAYpzGdSwyhBWfcPg==\nis_secret: true\n",
}
USES_ITEMS = '''import wmill
from wmill import task, workflow


@task
async def connect(db: dict, host: str):
    return f"{db['host']}:{db['port']} {host}"


@workflow
async def main(db: dict, secret: bool = False):
    if secret:
        return wmill.get_variable("f/t/key")
    return {"arg": db, "task": await connect(db="$res:f/t/db", host="$var:f/t/host"),
            "sdk": wmill.get_resource("f/t/db")["host"]}
'''


def test_a_preview_reads_the_repos_resources_and_variables_as_a_worker_would(run_wac, project):
    for path, text in WORKSPACE_ITEMS.items():
        (project / path).write_text(text)
    (project / "f/t/uses_items.py").write_text(USES_ITEMS)
    run = run_wac("script", "preview", "f/t/uses_items.py", "-d", '{"db": "$res:f/t/db"}', "-s", cwd=project)
    assert result_of(run) == {"arg": {"host": "db.internal", "port": 5432}, "task": "db.internal:5432 db.internal",
                              "sdk": "db.internal"}
    secret = run_wac("script", "preview", "f/t/uses_items.py", "-d", '{"db": {}, "secret": true}', "-s", cwd=project)
    assert secret.returncode == 1
    assert "variable 'f/t/key' is a secret: the repo holds it encrypted" in secret.stdout + secret.stderr
    missing = run_wac("script", "preview", "f/t/uses_items.py", "-d", '{"db": "$res:f/t/gone"}', "-s", cwd=project)
    assert missing.returncode == 1
    assert "resource 'f/t/gone' is not in this repo (no f/t/gone.resource.yaml)" in missing.stdout + missing.stderr
    given = run_wac("script", "preview", "f/t/uses_items.py", "-d", '{"db": "$res:f/t/gone", "secret": true}', "-s",
                    "--var", "f/t/key=s3cr3t", "--resource", 'f/t/gone={"host": "h"}', cwd=project)
    assert result_of(given) == "s3cr3t"  # a secret's value given for the run, a resource the repo lacks
    bad = run_wac("script", "preview", "f/t/uses_items.py", "--resource", "f/t/db={host", cwd=project)
    assert bad.returncode == 2 and bad.stderr.startswith("error: --resource f/t/db: its value is not JSON")


MOCKED = '''import json
import os

import wmill


def main():
    with open(os.environ["WM_MOCKED_API_FILE"]) as mock:  # what the real wmill package reads first
        mocked = json.load(mock)
    return {"mocked": mocked["variables"], "read": wmill.get_variable("f/t/token")}
'''


def test_a_users_mocked_api_file_joins_the_repos_items_and_jobs_get_it_as_the_real_sdks_mock(
        run_wac, project, tmp_path, monkeypatch):
    (project / "f/t/host.variable.yaml").write_text(WORKSPACE_ITEMS["f/t/host.variable.yaml"])
    (project / "f/t/mocked.py").write_text(MOCKED)
    mock = tmp_path / "mock.json"
    mock.write_text(json.dumps({"variables": {"f/t/token": "from-mock"}, "resources": {}}))
    monkeypatch.setenv("WM_MOCKED_API_FILE", str(mock))
    run = run_wac("script", "preview", "f/t/mocked.py", "-s", cwd=project)
    assert result_of(run) == {"mocked": {"f/t/host": "db.internal", "f/t/token": "from-mock"}, "read": "from-mock"}
    mock.write_text("{not json")
    broken = run_wac("script", "preview", "f/t/mocked.py", "-s", cwd=project)
    assert broken.returncode == 2 and broken.stderr.startswith(f"error: WM_MOCKED_API_FILE {mock}")
