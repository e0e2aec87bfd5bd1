"""Called flows (a flow's `flow` step, a workflow's `task_flow`) run as runs of their own, as Windmill runs a
subflow as a flow job: with the called flow's own cache, concurrency limit, checkpoint and resume."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
import yaml

from conftest import result_of, start_wac, store_db, wait_for

MARK = ("import json, os, time\n\ndef main(n):\n    started = time.time()\n    time.sleep({pause})\n"
        "    with open(os.environ['WAC_TEST_MARKS'], 'a') as f:\n"
        "        f.write(json.dumps([n, started, time.time()]) + '\\n')\n    return n * 10\n")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    target = tmp_path / "repo"
    (target / "f" / "x").mkdir(parents=True)
    (target / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    monkeypatch.setenv("WAC_TEST_MARKS", str(tmp_path / "marks.txt"))
    return target


def marks(repo) -> list[list]:
    path = repo.parent / "marks.txt"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def write_flow(repo, path: str, modules: list, **value) -> None:
    folder = repo / f"{path}.flow"
    folder.mkdir(parents=True)
    flow = {"summary": path, "value": {"modules": modules, **value},
            "schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}
    (folder / "flow.yaml").write_text(yaml.safe_dump(flow, sort_keys=False))


def js(expr):
    return {"type": "javascript", "expr": expr}


def inner(repo, pause=0.0, **value) -> None:
    """f/x/inner: one step that records when it ran and returns n * 10."""
    write_flow(repo, "f/x/inner", [{"id": "work", "value": {
        "type": "rawscript", "language": "python3", "content": MARK.format(pause=pause),
        "input_transforms": {"n": js("flow_input.n")}}}], **value)


def call(step_id="call", n="flow_input.n"):
    return {"id": step_id, "value": {"type": "flow", "path": "f/x/inner", "input_transforms": {"n": js(n)}}}


def runs(repo) -> list[tuple]:
    """(windmill path, status, called_by) of every run, oldest first."""
    return store_db(repo).execute("SELECT windmill_path, status, called_by FROM jobs WHERE parent_id IS NULL"
                                  " ORDER BY created_at, rowid").fetchall()


def test_a_called_flow_runs_as_its_own_run_and_answers_from_its_cache(run_wac, repo):
    inner(repo, cache_ttl=600)
    write_flow(repo, "f/x/outer", [call(n="flow_input.n + 1"),
                                   {"id": "after", "value": {"type": "identity"}}])
    first = run_wac("flow", "preview", "f/x/outer.flow", "-d", '{"n": 1}', "-s", "--env", "current", cwd=repo)
    assert result_of(first) == 20
    again = run_wac("flow", "preview", "f/x/outer.flow", "-d", '{"n": 1}', "-s", "--env", "current", cwd=repo)
    assert result_of(again) == 20
    assert [m[0] for m in marks(repo)] == [2]  # the second call answered from the called flow's cache
    other = run_wac("flow", "preview", "f/x/outer.flow", "-d", '{"n": 2}', "-s", "--env", "current", cwd=repo)
    assert result_of(other) == 30 and [m[0] for m in marks(repo)] == [2, 3]
    db = store_db(repo)
    called = db.execute("SELECT j.called_by, c.kind, c.root_id FROM jobs j JOIN jobs c ON c.id=j.called_by"
                        " WHERE j.windmill_path='f/x/inner'").fetchall()
    assert len(called) == 3 and all(kind == "flow" for _, kind, _ in called)
    assert {root for _, _, root in called} == {r[0] for r in db.execute(
        "SELECT id FROM jobs WHERE windmill_path='f/x/outer'")}
    hits = db.execute("SELECT COUNT(*) FROM events e JOIN jobs j ON j.id=e.job_id WHERE e.kind='cache_hit'"
                      " AND j.windmill_path='f/x/inner'").fetchone()[0]
    assert hits == 1
    outer_id, inner_id = (db.execute("SELECT id FROM jobs WHERE windmill_path=? ORDER BY created_at", (path,))
                          .fetchone()[0] for path in ("f/x/outer", "f/x/inner"))
    shown = run_wac("job", "show", outer_id[:8], cwd=repo).stdout
    assert f"called f/x/inner: run {inner_id[:8]} (success), see `wac job show {inner_id[:8]}`" in shown


def test_a_called_flows_concurrency_limit_holds_across_parallel_iterations(run_wac, repo):
    inner(repo, pause=0.3, concurrent_limit=1, concurrency_time_window_s=0)
    write_flow(repo, "f/x/fan", [{"id": "loop", "value": {
        "type": "forloopflow", "parallel": True, "iterator": js("[1, 2, 3]"),
        "modules": [call(n="flow_input.iter.value")]}}])
    run = run_wac("flow", "preview", "f/x/fan.flow", "-s", "--env", "current", "--workers", "4", cwd=repo)
    assert result_of(run) == [10, 20, 30]
    spans = sorted((started, ended) for _, started, ended in marks(repo))
    assert len(spans) == 3
    assert all(later[0] >= earlier[1] for earlier, later in zip(spans, spans[1:])), spans  # one at a time
    limited = store_db(repo).execute("SELECT COUNT(*) FROM events WHERE kind='concurrency_limited'").fetchone()[0]
    assert limited >= 1


def test_a_workflow_calls_a_repo_flow_with_task_flow(run_wac, repo):
    inner(repo)
    (repo / "f/x/caller.py").write_text(
        "from wmill import task_flow, workflow\n\n\n@workflow\nasync def main(n: int = 1):\n"
        "    first = await task_flow('f/x/inner')(n=n)\n    return first + 1\n")
    run = run_wac("script", "preview", "f/x/caller.py", "-d", '{"n": 4}', "-s", "--env", "current", cwd=repo)
    assert result_of(run) == 41
    assert [(path, status, bool(by)) for path, status, by in runs(repo)] == [
        ("f/x/caller", "success", False), ("f/x/inner", "success", True)]
    (repo / "f/x/caller.py").write_text((repo / "f/x/caller.py").read_text().replace("f/x/inner", "f/x/nope"))
    missing = run_wac("script", "preview", "f/x/caller.py", "-s", "--env", "current", cwd=repo)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    error = json.loads(missing.stdout)["error"]
    assert error["name"] == "TaskError" and "flow 'f/x/nope' is not in this repo" in error["message"]
    assert error["extra"]["result"]["error"]["name"] == "ScriptLoadError"


def test_a_run_killed_inside_its_called_flow_resumes_it_without_a_second_run(repo):
    write_flow(repo, "f/x/inner", [{"id": "loop", "value": {
        "type": "forloopflow", "iterator": js("[1, 2, 3, 4]"),
        "modules": [{"id": "work", "value": {"type": "rawscript", "language": "python3",
                                             "content": MARK.format(pause=0.3),
                                             "input_transforms": {"n": js("flow_input.iter.value")}}}]}}])
    write_flow(repo, "f/x/outer", [{"id": "call", "value": {"type": "flow", "path": "f/x/inner",
                                                            "input_transforms": {}}}])
    proc = start_wac(repo, "flow", "preview", "f/x/outer.flow", "-s", "--env", "current")
    wait_for(lambda: len(marks(repo)) >= 2, what="two steps of the called flow")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    outer_id = store_db(repo).execute("SELECT id FROM jobs WHERE windmill_path='f/x/outer'").fetchone()[0]
    time.sleep(0.2)
    resumed = start_wac(repo, "job", "resume", outer_id, "-s")
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    assert json.loads(out) == [10, 20, 30, 40]
    done = [m[0] for m in marks(repo)]
    assert sorted(set(done)) == [1, 2, 3, 4] and len(done) - 4 <= 1  # only the interrupted step may run twice
    assert [(path, status) for path, status, _ in runs(repo)] == [("f/x/outer", "success"), ("f/x/inner", "success")]


def test_canceling_a_run_cancels_the_flow_it_is_waiting_for(run_wac, repo):
    inner(repo, pause=30)
    write_flow(repo, "f/x/outer", [call()])
    proc = start_wac(repo, "flow", "preview", "f/x/outer.flow", "-d", '{"n": 1}', "-s", "--env", "current")
    try:
        wait_for(lambda: len(runs(repo)) == 2 and runs(repo)[1][1] in ("running", "waiting"), what="the called flow")
        outer_id = store_db(repo).execute("SELECT id FROM jobs WHERE windmill_path='f/x/outer'").fetchone()[0]
        assert run_wac("job", "cancel", outer_id[:8], cwd=repo).returncode == 0
        proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert [(path, status) for path, status, _ in runs(repo)] == [("f/x/outer", "canceled"), ("f/x/inner", "canceled")]
    assert marks(repo) == []  # its step was stopped, not left to finish


def test_lint_warns_of_a_task_flow_the_repo_has_no_flow_for_until_it_has_one(run_wac, repo):
    (repo / "f/x/caller.py").write_text(
        "from wmill import task_flow, workflow\n\n\n@workflow\nasync def main():\n"
        "    return await task_flow('f/x/inner')(n=1)\n")
    warned = run_wac("lint", "f", "--format", "json", cwd=repo)
    [finding] = [f for f in json.loads(warned.stdout)["findings"] if f["code"] == "WAC112"]
    assert finding["line"] == 6 and "task_flow('f/x/inner')" in finding["message"]
    inner(repo)  # the flow now exists: the cached findings of the unchanged script do not hold any more
    assert [f for f in json.loads(run_wac("lint", "f", "--format", "json", cwd=repo).stdout)["findings"]
            if f["code"] == "WAC112"] == []
