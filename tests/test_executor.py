"""The local executor behaves as a Windmill worker: task semantics, failure records,
fresh rounds, approvals, import errors, determinism, and never running completed work twice.

Real `wac` processes on real job stores; the workflows are in tests/workflows/f/t/.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import marks, result_of, start_wac, store_db, wait_for


def test_task_bodies_get_live_arguments_and_need_not_be_top_level(run_wac, project):
    result = result_of(run_wac("script", "preview", "f/t/live_args.py", "-s", cwd=project))
    assert result == {"kinds": ["datetime", "tuple"], "closure": 6, "lambda": 8, "method": 6, "plain": 2}


def test_an_unawaited_task_is_dispatched_but_its_body_never_runs(run_wac, project, tmp_path):
    assert result_of(run_wac("script", "preview", "f/t/unawaited.py", "-s", cwd=project)) == "workflow value"
    assert marks(tmp_path) == []  # the body never ran
    tasks = store_db(project).execute("SELECT step_key, status, result FROM jobs WHERE parent_id IS NOT NULL")
    assert [(r["step_key"], r["status"], json.loads(r["result"])) for r in tasks] == [
        ("side", "success", "workflow value")]


def test_failure_records_are_built_as_the_backend_builds_them(run_wac, project):
    run = run_wac("script", "preview", "f/t/failures.py", "-s", cwd=project)
    result = result_of(run)  # NaN and Infinity were stored as null, so this parsed as JSON
    expected = {"name": "HttpError", "message": "nope", "extra": {"code": 429}}
    assert {k: result["task"][k] for k in expected} == expected and result["task"]["child"]
    assert {k: result["step"][k] for k in expected} == expected and not result["step"]["child"]
    assert result["stack"]["truncated"] and result["stack"]["bytes"] <= 8192 + len("\n... (truncated)")
    assert result["huge"] == {"has_extra": False, "omitted": True}
    assert result["nan"] == [None, None, 1.5]


def test_every_round_starts_from_fresh_module_state(run_wac, project):
    assert result_of(run_wac("script", "preview", "f/t/fresh_state.py", "-s", cwd=project)) == [1, 1, 1]


def test_cache_hits_show_in_the_live_output_and_the_timeline(run_wac, project, tmp_path):
    assert result_of(run_wac("script", "preview", "f/t/cached.py", "-d", '{"x": 4}', "-s", cwd=project)) == 40
    run = run_wac("script", "preview", "f/t/cached.py", "-d", '{"x": 4}', cwd=project)
    assert run.returncode == 0 and json.loads(run.stdout) == 40
    assert "expensive │ cache hit: result reused" in run.stderr
    timeline = run.stderr.split("Timeline", 1)[1]
    assert "expensive" in timeline and "cached" in timeline
    assert [m[:2] for m in marks(tmp_path)] == [["expensive", "4"]]


def test_a_runs_output_between_its_tasks_is_kept_in_order_and_written_in_batches(run_wac, project):
    # Each round prints its task's `--- WAC: key ---` line, then goes on as that task: the line is the
    # run's, in order, and written with the next batch, not in one store write per task (which would
    # contend with every task recording its end).
    assert result_of(run_wac("script", "preview", "f/t/chain.py", "-d", '{"n": 20}', "-s", cwd=project)) == 190
    db = store_db(project)
    run_id = db.execute("SELECT id FROM jobs WHERE parent_id IS NULL").fetchone()[0]
    chunks = [r[0] for r in db.execute("SELECT text FROM logs WHERE job_id=? ORDER BY seq", (run_id,))]
    keys = [line[len("--- WAC: "):-len(" ---")] for line in "".join(chunks).splitlines() if line.startswith("--- WAC")]
    assert keys == ["step"] + [f"step_{i}" for i in range(2, 21)]
    assert len(chunks) <= 10, f"{len(chunks)} log writes for 20 tasks"


@pytest.mark.parametrize("child", [False, True], ids=["scheduler", "child"])
def test_a_store_transaction_takes_the_lock_soon_after_another_writer_ends_and_gives_up_at_the_timeout(
        tmp_path, monkeypatch, child):
    import sqlite3
    import threading

    from wac.sdk._engine import db as store_db_module

    path = tmp_path / "jobs.db"
    holder = store_db_module.connect(path)
    waiter = store_db_module.connect(path, child=child)
    lateness = []
    for _ in range(5):  # SQLite's own busy handler would take it 13 ms late (asleep 1, 2, 5, 10, 15 ms)
        holder.execute("BEGIN IMMEDIATE")
        released = []
        timer = threading.Timer(0.02, lambda at=released: (holder.execute("COMMIT"), at.append(time.monotonic())))
        timer.start()
        with store_db_module.Transaction(waiter):
            lateness.append(time.monotonic() - released[0])
        timer.join()
    assert min(lateness) < 0.005, lateness
    # back to waiting on plain statements; a child's connection never waits in SQLite
    assert waiter.execute("PRAGMA busy_timeout").fetchone()[0] == (0 if child else 30000)
    monkeypatch.setattr(store_db_module, "BUSY_TIMEOUT_SECONDS", 0.05)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="locked"), store_db_module.Transaction(waiter):
        pass
    holder.execute("ROLLBACK")


def test_job_ids_are_random_version_4_uuids_as_windmills():
    import uuid

    from wac.sdk._engine.store import new_id

    ids = [new_id() for _ in range(200)]
    assert len(set(ids)) == 200
    for job_id in ids:
        parsed = uuid.UUID(job_id)
        assert str(parsed) == job_id and parsed.version == 4 and parsed.variant == uuid.RFC_4122


def test_a_previews_jobs_carry_none_of_the_command_line(run_wac, project):
    # Its host is forked before the CLI is imported: a job sees the modules its own script imports, as a
    # worker's job does, not wac's click, rich and typer (and the host's start overlaps the CLI's).
    result = result_of(run_wac("script", "preview", "f/t/job_modules.py", "-s", "--env", "current", cwd=project))
    assert result == {"workflow": [], "task": []}


def test_an_unanswered_approval_resumes_at_its_timeout(run_wac, project):
    started = time.monotonic()
    run = run_wac("script", "preview", "f/t/gate.py", "-d", '{"timeout": 1}', "-s", cwd=project)
    assert result_of(run) == {"rejected_by": None, "value": None}
    assert time.monotonic() - started >= 1.0  # it waited for the timeout
    started = time.monotonic()
    skipped = run_wac("script", "preview", "f/t/gate.py", "-s", "--skip-sleeps", cwd=project)
    assert result_of(skipped) == {"rejected_by": None, "value": None}
    assert time.monotonic() - started < 10  # the one-hour timeout was jumped, not waited


def test_a_run_resumed_after_its_approval_deadline_gets_the_timeout_value(run_wac, project):
    proc = start_wac(project, "script", "preview", "f/t/gate.py", "-d", '{"timeout": 1}', "-s")
    db = wait_for(lambda: store_db(project), what="the job store")
    wait_for(lambda: db.execute("SELECT 1 FROM jobs WHERE status='approval'").fetchone(), what="the approval")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(1.1)
    run_id = db.execute("SELECT id FROM jobs WHERE parent_id IS NULL").fetchone()[0]
    assert result_of(run_wac("job", "resume", run_id[:8], "-s", cwd=project)) == {"rejected_by": None, "value": None}


def test_approvals_answered_by_flags_and_by_another_terminal(run_wac, project):
    run = run_wac("script", "preview", "f/t/gate.py", "--reject", "--approval-value", '{"reason": "no"}',
                  "--approver", "ana", "-s", cwd=project)
    assert result_of(run) == {"rejected_by": "ana", "value": {"reason": "no"}}
    proc = start_wac(project, "script", "preview", "f/t/gate.py", "-s")
    db = store_db(project)
    run_id = wait_for(lambda: db.execute("SELECT id FROM jobs WHERE status='approval'").fetchone(),
                      what="the approval")[0]
    answer = run_wac("job", "approve", run_id[:8], "--approver", "bob", cwd=project)
    assert answer.returncode == 0 and "Approved step approval" in answer.stderr
    out, _ = proc.communicate(timeout=60)
    assert json.loads(out) == "deployed prod"
    approval = db.execute("SELECT value FROM steps WHERE job_id=? AND key='approval'", (run_id,)).fetchone()[0]
    assert json.loads(approval) == {"value": None, "approver": "bob", "approved": True}


@pytest.mark.parametrize("script, line, message", [
    ("broken_import.py", 1, "ImportError: cannot import name 'not_a_wac_name'"),
    ("raising_import.py", 4, "KeyError: 'missing'"),
])
def test_a_script_that_fails_to_import_is_a_clean_error(run_wac, project, script, line, message):
    run = run_wac("script", "preview", f"f/t/{script}", cwd=project)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert f"f/t/{script}:{line}: {message}" in run.stderr
    db = project / ".wac" / "jobs.db"
    assert not db.exists() or store_db(project).execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 0


def test_a_replay_that_dispatches_another_task_is_nondeterminism(run_wac, project, tmp_path):
    (tmp_path / "flag").write_text("")
    assert result_of(run_wac("script", "preview", "f/t/drifting_task.py", "-s", cwd=project)) == 1
    db = store_db(project)
    run_id = db.execute("SELECT id FROM jobs WHERE parent_id IS NULL").fetchone()[0]
    db.execute("UPDATE jobs SET status='queued', result=NULL WHERE id=?", (run_id,))  # back to its last round
    db.commit()
    (tmp_path / "flag").unlink()
    run = run_wac("job", "resume", run_id[:8], cwd=project)
    assert run.returncode == 1
    assert "asked for step 'b' (line 18)" in run.stderr and "recorded 'a'" in run.stderr


def test_ctrl_c_during_a_task_then_resume_runs_the_task_again_and_finishes(run_wac, project, tmp_path):
    proc = start_wac(project, "script", "preview", "f/t/slow.py", "-s")
    wait_for(lambda: any(m[0] == "slow-start" for m in marks(tmp_path)), what="the task to start")
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's foreground group
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "keeps its checkpoint" in err
    run_id = store_db(project).execute("SELECT id FROM jobs WHERE parent_id IS NULL").fetchone()[0]
    assert f"wac job resume {run_id[:8]}" in err
    task = store_db(project).execute("SELECT status FROM jobs WHERE parent_id IS NOT NULL").fetchone()[0]
    assert task == "queued"
    assert result_of(run_wac("job", "resume", run_id[:8], "-s", cwd=project)) == 2
    kinds = [m[0] for m in marks(tmp_path)]
    assert kinds.count("step") == 1 and kinds.count("slow-start") == 2 and kinds.count("slow-end") == 1


def test_only_one_process_drives_a_run(run_wac, project, tmp_path):
    proc = start_wac(project, "script", "preview", "f/t/slow.py", "-s")
    wait_for(lambda: any(m[0] == "slow-start" for m in marks(tmp_path)), what="the task to start")
    run_id = store_db(project).execute("SELECT id FROM jobs WHERE parent_id IS NULL").fetchone()[0]
    second = run_wac("job", "resume", run_id[:8], cwd=project)
    assert second.returncode == 1 and "is being run by another wac process" in second.stderr
    assert result_of_process(proc) == 2
    assert [m[0] for m in marks(tmp_path)].count("slow-start") == 1  # the refused resume ran nothing


def result_of_process(proc):
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return json.loads(out)


def test_a_task_calling_sys_exit_reports_its_code_without_internal_frames(run_wac, project):
    run = run_wac("script", "preview", "f/t/exiting.py", cwd=project)
    assert run.returncode == 1
    result = json.loads(run.stdout)  # the workflow fails with the TaskError of its task
    assert result["error"]["name"] == "TaskError" and result["error"]["message"] == "exited with code 3"
    task = json.loads(store_db(project).execute("SELECT result FROM jobs WHERE parent_id IS NOT NULL").fetchone()[0])
    assert task["error"]["name"] == "SystemExit" and task["error"]["message"] == "exited with code 3"
    assert "leave │ leaving" in run.stderr
    assert "wac/sdk" not in run.stderr and "/sdk/_engine" not in run.stderr and "asyncio" not in run.stderr


def test_a_corrupt_store_and_an_unusable_wac_folder_are_one_clear_line(run_wac, project, tmp_path):
    (project / ".wac").mkdir()
    (project / ".wac" / "jobs.db").write_bytes(b"this is not a database" * 100)
    run = run_wac("script", "preview", "f/t/plain.py", cwd=project)
    assert run.returncode == 2 and "is corrupt" in run.stderr and "Traceback" not in run.stderr
    assert "mv " in run.stderr  # the fix
    other = tmp_path / "other"
    other.mkdir()
    (other / ".git").mkdir()
    (other / "wmill.yaml").write_text("includes: []\n")
    (other / "plain.py").write_text("def main():\n    return 1\n")
    (other / ".wac").write_text("a file where the folder should be")
    run = run_wac("script", "preview", "plain.py", cwd=other)
    assert run.returncode == 2 and "cannot write" in run.stderr and ".wac" in run.stderr


def test_a_read_only_store_is_named_with_its_fix():
    import sqlite3

    from wac.sdk._engine.db import store_error

    error = store_error(Path("/x/.wac/jobs.db"), sqlite3.OperationalError("attempt to write a readonly database"))
    assert "/x/.wac/jobs.db is read-only" in error.message and "writable" in error.hint


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes read-only files anyway")
def test_a_read_only_store_is_one_clear_line(run_wac, project):
    assert result_of(run_wac("script", "preview", "f/t/plain.py", "-s", cwd=project)) == 6
    folder = project / ".wac"
    for path in (*folder.iterdir(), folder):
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        run = run_wac("script", "preview", "f/t/plain.py", cwd=project)
        assert run.returncode == 2 and "read-only" in run.stderr and "jobs.db" in run.stderr
        assert "Traceback" not in run.stderr
    finally:
        for path in (folder, *folder.iterdir()):
            path.chmod(0o755 if path.is_dir() else 0o644)


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="reads /proc")
def test_the_host_never_holds_the_job_store_open(project, tmp_path):
    """Children are forked from the host: it must never have the store open (no SQLite handle crosses a fork)."""
    proc = start_wac(project, "script", "preview", "f/t/slow.py", "-s")
    wait_for(lambda: any(m[0] == "slow-start" for m in marks(tmp_path)), what="the task to start")
    processes = [pid for pid in os.listdir("/proc") if pid.isdigit() and _alive(pid)]
    hosts = [pid for pid in processes if _parent(pid) == str(proc.pid)]  # forked (or started) by the scheduler
    assert len(hosts) == 1 and any(_parent(pid) == hosts[0] for pid in processes)  # it forked the task
    store = str((project / ".wac" / "jobs.db").resolve())
    for pid in hosts:
        open_files = {os.path.realpath(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        assert not any(path.startswith(store) for path in open_files)
    assert result_of_process(proc) == 2


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="reads /proc")
def test_the_host_keeps_a_child_ready_per_worker(project, tmp_path):
    """A batch of tasks (parallel, gather) starts at once: the host forks a spare per worker ahead of time."""
    proc = start_wac(project, "script", "preview", "f/t/slow.py", "-s", "--workers", "4")
    wait_for(lambda: any(m[0] == "slow-start" for m in marks(tmp_path)), what="the task to start")

    def host_children() -> list[str]:
        processes = [pid for pid in os.listdir("/proc") if pid.isdigit() and _alive(pid)]
        host = next(pid for pid in processes if _parent(pid) == str(proc.pid))
        return [pid for pid in processes if _parent(pid) == host]

    wait_for(lambda: len(host_children()) >= 5, timeout=15, what="the running task and 4 spares")
    assert result_of_process(proc) == 2


def _parent(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
    except OSError:  # it ended since /proc was listed (another process of the machine)
        return ""


def _alive(pid: str) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_run_whose_host_cannot_start_fails_and_the_engine_goes_on(tmp_path):
    """A served engine (wac server's) must outlive one bad run: it fails, the next run still runs."""
    import threading

    from wac.sdk.engine import RunSpec, Scheduler, Settings, open_store

    root = tmp_path / "repo"
    (root / "f" / "x").mkdir(parents=True)
    script = root / "f" / "x" / "y.py"
    script.write_text("def main(n: int):\n    return n + 1\n")
    store = open_store(tmp_path / "jobs.db")
    bad = store.create_run(RunSpec(str(script), {"n": 1}, project_root=str(tmp_path / "gone"), origin="api"))
    good = store.create_run(RunSpec(str(script), {"n": 1}, project_root=str(root), origin="api"))
    stop = threading.Event()
    with Scheduler(store.path, Settings(workers=2)) as scheduler:
        engine = threading.Thread(target=scheduler.serve, args=(stop, ("api",)))
        engine.start()
        try:
            wait_for(lambda: store.job(good).finished and store.job(bad).finished, what="both runs to end")
        finally:
            stop.set()
            engine.join(10)
    assert (store.job(good).status, store.job(good).result) == ("success", 2)
    failed = store.job(bad)
    assert failed.status == "failure" and failed.result["error"]["name"] == "ScriptLoadError"
    assert "project folder" in failed.result["error"]["message"]


CHILDREN = """
def children():
    found = []
    for p in Path("/proc").iterdir():
        try:
            stat = (p / "stat").read_text() if p.name.isdigit() else ""
        except OSError:  # a process of the machine that ended while we looked
            continue
        if stat and stat.rsplit(")", 1)[1].split()[1] == str(os.getpid()):
            found.append(p.name)
    return found
"""
EARLY_HOST = '''
import json, os, sys
from pathlib import Path
from wac.sdk.engine import fork_host_early
from wac.testing import Harness
''' + CHILDREN + '''
fork_host_early()
early = children()
os.environ["WAC_LATE"] = "set after the fork"
run = Harness(Path(sys.argv[1]), Path(sys.argv[2])).run("f/t/env.py")
print(json.dumps({"early": early, "result": run.result}))
'''


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="reads /proc")
def test_a_host_forked_early_is_the_runs_host_with_the_callers_environment_of_then(project, tmp_path):
    """`fork_host_early` (what a flow preview calls first): the run's host is that process, told its script,
    store and the environment as they are when the run starts."""
    (project / "f/t/env.py").write_text("import os\n\n\ndef main():\n"
                                        "    return {'late': os.environ.get('WAC_LATE'), 'host': os.getppid()}\n")
    done = subprocess.run([sys.executable, "-c", EARLY_HOST, str(project), str(tmp_path / "state")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(answer["early"]) == 1
    assert answer["result"] == {"late": "set after the fork", "host": int(answer["early"][0])}


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="reads /proc")
def test_a_host_forked_early_and_never_used_ends_with_its_caller():
    probe = ("import os\nfrom pathlib import Path\nfrom wac.sdk.engine import fork_host_early\n" + CHILDREN +
             "fork_host_early()\nprint(children()[0])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    wait_for(lambda: not _alive(done.stdout.strip()), timeout=10, what="the unused early host to end")
