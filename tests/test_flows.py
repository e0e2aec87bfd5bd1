"""`wac flow preview`: OpenFlow run locally as Windmill's worker runs it, every step a job of the engine."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time

import pytest
import yaml

from conftest import FIXTURES, result_of, start_wac, store_db, wait_for

MIXED = FIXTURES / "mixed" / "committed"


@pytest.fixture
def repo(tmp_path):
    target = tmp_path / "repo"
    shutil.copytree(MIXED, target)
    (target / ".git").mkdir()
    return target


def write_flow(repo, path: str, modules: list, **value) -> str:
    """A flow folder `<path>.flow` (inline Python given as `code` in a step, written to its own file)."""
    folder = repo / f"{path}.flow"
    folder.mkdir(parents=True)

    def inline(node):
        if isinstance(node, dict):
            if "code" in node:
                name = f"{node.pop('name')}.inline_script.py"
                (folder / name).write_text(node.pop("code"))
                node.update(type="rawscript", language="python3", content=f"!inline {name}")
            for child in node.values():
                inline(child)
        elif isinstance(node, list):
            for child in node:
                inline(child)

    flow = {"summary": "", "value": {"modules": modules, **value}, "schema": {"type": "object", "properties": {}}}
    inline(flow)
    (folder / "flow.yaml").write_text(yaml.safe_dump(flow, sort_keys=False))
    return f"{path}.flow"


def js(expr):
    return {"type": "javascript", "expr": expr}


def step(step_id, code, **transforms):
    return {"id": step_id, "value": {"name": step_id, "code": code, "input_transforms": transforms}}


def test_the_mixed_repos_daily_flow_runs_each_step_as_a_job(run_wac, repo):
    run = run_wac("flow", "preview", "f/etl/daily.flow", "-d", '{"day": "2026-12-01"}', "-s", cwd=repo)
    assert result_of(run) == {"title": "ETL report", "rows": [{"name": "ada", "day": "2026-12-01"},
                                                              {"name": "bob", "day": "2026-12-01"}]}
    db = store_db(repo)
    run_row = db.execute("SELECT * FROM jobs WHERE parent_id IS NULL").fetchone()
    steps = [r["step_key"] for r in db.execute("SELECT step_key FROM jobs WHERE root_id=? AND parent_id IS NOT NULL"
                                               " ORDER BY created_at", (run_row["id"],))]
    assert steps == ["extract", "clean", "log_row", "log_row_2", "report"]
    assert run_row["windmill_path"] == "f/etl/daily"


def test_expressions_loops_and_branches_shape_results_as_windmill(run_wac, repo):
    double = "def main(x):\n    return x * 2\n"
    path = write_flow(repo, "f/etl/shapes", [
        step("first", double, x=js("flow_input.n")),
        {"id": "each", "value": {"type": "forloopflow", "iterator": js("[1, 2, 3]"), "parallel": True,
                                 "modules": [step("twice", double, x=js("flow_input.iter.value + results.first"))]}},
        {"id": "both", "value": {"type": "branchall", "parallel": False, "branches": [
            {"modules": [step("left", double, x=js("results.each.length + 0"))]},
            {"modules": [{"id": "same", "value": {"type": "identity"}}]}]}},
        {"id": "pick", "value": {"type": "branchone", "branches": [
            {"expr": "results.first > 100", "modules": [step("big", double, x=js("1"))]}],
            "default": []}},
        {"id": "skipped", "skip_if": {"expr": "true"}, "value": {"type": "identity"}},
        {"id": "mocked", "mock": {"enabled": True, "return_value": {"m": 1}}, "value": {"type": "identity"}},
        step("last", "def main(all):\n    return all\n", all=js(
            "({first: results.first, each: results.each, both: results.both, pick: results.pick, "
            "skipped: results.skipped, mocked: results.mocked, prev: previous_result})")),
    ])
    result = result_of(run_wac("flow", "preview", path, "-d", '{"n": 5}', "-s", cwd=repo))
    # a branch's first step sees the flow's input as its previous result (Windmill runs a branch as a sub-flow)
    both = [6, {"n": 5}]
    assert result == {"first": 10, "each": [22, 24, 26], "both": both, "pick": both, "skipped": both,
                      "mocked": {"m": 1}, "prev": {"m": 1}}


def test_a_failed_step_reaches_the_failure_module_unless_its_error_is_handed_on(run_wac, repo):
    boom = "def main():\n    raise ValueError('no rows today')\n"
    path = write_flow(repo, "f/etl/fails", [
        {**step("soft", boom), "continue_on_error": True},
        step("seen", "def main(e):\n    return e\n", e=js("previous_result.error.message")),
        step("hard", boom),
        step("never", "def main():\n    return 'unreachable'\n"),
    ], failure_module={"id": "failure", "value": {"name": "failure", "code": "def main(message, step):\n"
                                                  "    return {'recover': True, 'why': message, 'at': step}\n",
                                                  "input_transforms": {"message": js("error.message"),
                                                                       "step": js("error.step_id")}}})
    result = result_of(run_wac("flow", "preview", path, "-s", cwd=repo))
    assert result == {"recover": True, "why": "no rows today", "at": "hard"}
    db = store_db(repo)
    assert [r[0] for r in db.execute("SELECT step_key FROM jobs WHERE parent_id IS NOT NULL ORDER BY created_at")] \
        == ["soft", "seen", "hard", "failure"]


def test_stop_after_if_ends_a_while_loop_and_the_flow(run_wac, repo):
    count = "def main(i):\n    return i\n"
    path = write_flow(repo, "f/etl/stops", [
        {"id": "loop", "value": {"type": "whileloopflow", "modules": [
            {**step("tick", count, i=js("flow_input.iter.index")), "stop_after_if": {"expr": "result >= 2"}}]}},
        {**step("after", count, i=js("results.loop[2] + 1")), "stop_after_if": {"expr": "result == 3"}},
        step("never", count, i=js("99")),
    ])
    assert result_of(run_wac("flow", "preview", path, "-s", cwd=repo)) == 3


def test_bad_flows_are_refused_in_one_line(run_wac, repo):
    (repo / "f/etl/daily.flow/clean.inline_script.py").unlink()
    for target, says in (("f/etl/daily.flow", "missing inline script file(s): clean.inline_script.py"),
                         ("f/etl/nope.flow", "no such file or folder"), ("f/lib", "not a flow folder")):
        run = run_wac("flow", "preview", target, cwd=repo)
        assert run.returncode == 2, run.stdout + run.stderr
        assert says in run.stderr and "Traceback" not in run.stderr


def test_a_killed_flow_resumes_without_running_a_finished_step_twice(repo, tmp_path):
    marks = tmp_path / "marks.txt"
    mark = ("import os, time\n\ndef main(i):\n    with open(os.environ['WAC_TEST_MARKS'], 'a') as f:\n"
            "        f.write(f'{i}\\n')\n    time.sleep(0.4)\n    return i\n")
    path = write_flow(repo, "f/etl/slow", [
        {"id": "loop", "value": {"type": "forloopflow", "iterator": js("[0, 1, 2, 3, 4, 5]"),
                                 "modules": [step("work", mark, i=js("flow_input.iter.value"))]}}])
    os.environ["WAC_TEST_MARKS"] = str(marks)
    try:
        proc = start_wac(repo, "flow", "preview", path, "-s")
        wait_for(lambda: marks.exists() and len(marks.read_text().split()) >= 2, what="two steps")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        run_id = store_db(repo).execute("SELECT id FROM jobs WHERE parent_id IS NULL").fetchone()[0]
        time.sleep(0.2)
        resumed = start_wac(repo, "job", "resume", run_id, "-s")
        out, err = resumed.communicate(timeout=120)
        assert resumed.returncode == 0, err
        assert json.loads(out) == [0, 1, 2, 3, 4, 5]
    finally:
        os.environ.pop("WAC_TEST_MARKS", None)
    done = [int(x) for x in marks.read_text().split()]
    assert sorted(set(done)) == [0, 1, 2, 3, 4, 5]
    assert len(done) - len(set(done)) <= 1  # only the step the kill interrupted may have started twice


def test_a_broken_expression_fails_its_step_with_the_expression_named(run_wac, repo):
    path = write_flow(repo, "f/etl/broken", [step("a", "def main(x):\n    return x\n", x=js("flow_input.("))])
    run = run_wac("flow", "preview", path, "-s", cwd=repo)
    assert run.returncode == 1
    error = json.loads(run.stdout)["error"]
    assert error["name"] == "InternalError" and error["step_id"] == "a"
    assert error["message"].startswith("Error during isolated evaluation of expression `flow_input.(`:")
    assert "SyntaxError" in error["message"]


def test_one_step_runs_alone_with_its_own_inputs(run_wac, repo):
    alone = run_wac("flow", "preview", "f/etl/daily.flow", "--step", "clean", "-d",
                    '{"rows": [{"name": "zed"}]}', "-s", cwd=repo)
    assert result_of(alone) == [{"name": "zed"}]
    unknown = run_wac("flow", "preview", "f/etl/daily.flow", "--step", "nope", cwd=repo)
    assert unknown.returncode == 2
    assert "Step 'nope' not found in flow. Available steps: clean, extract, failure, log_row, per_row, report" \
        in unknown.stderr


def test_kill_9_at_random_moments_never_reruns_a_finished_step(repo, tmp_path):
    """Killed at random points and resumed each time, the flow ends with the right result, and a step ran
    twice only where a kill cut it short (at most one per kill)."""
    import random

    marks = tmp_path / "marks.txt"
    mark = ("import os, time\n\ndef main(i):\n    with open(os.environ['WAC_TEST_MARKS'], 'a') as f:\n"
            "        f.write(f'{i}\\n')\n    time.sleep(0.15)\n    return i * i\n")
    path = write_flow(repo, "f/etl/crashy", [
        {"id": "loop", "value": {"type": "forloopflow", "iterator": js("[...Array(12).keys()]"),
                                 "modules": [step("square", mark, i=js("flow_input.iter.value"))]}},
        step("total", "def main(xs):\n    return sum(xs)\n", xs=js("results.loop"))])
    rng = random.Random(7)
    os.environ["WAC_TEST_MARKS"] = str(marks)
    kills = 0
    try:
        proc = start_wac(repo, "flow", "preview", path, "-s")
        run_id = wait_for(lambda: _first_run(repo), what="the run")
        while kills < 5:  # bounded, and each kill waits for progress: a slow machine cannot livelock the test
            started = _marks(marks)
            wait_for(lambda: proc.poll() is not None or _marks(marks) > started, what="a step to start")
            time.sleep(rng.uniform(0.0, 0.3))
            if proc.poll() is not None:
                break
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            kills += 1
            proc = start_wac(repo, "job", "resume", run_id, "-s")
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    finally:
        os.environ.pop("WAC_TEST_MARKS", None)
    assert json.loads(out.strip().splitlines()[-1]) == sum(i * i for i in range(12))
    assert kills >= 2, "the run ended before it could be killed twice: make it slower"
    done = [int(x) for x in marks.read_text().split()]
    assert sorted(set(done)) == list(range(12))
    assert len(done) - 12 <= kills


def _marks(path):
    return len(path.read_text().split()) if path.exists() else 0


def _first_run(repo):
    try:
        row = store_db(repo).execute("SELECT id FROM jobs WHERE parent_id IS NULL").fetchone()
    except Exception:
        return None
    return row[0] if row else None


def test_an_inline_step_runs_as_an_imported_module_so_its_dataclasses_work(run_wac, repo):
    code = ("from __future__ import annotations\n\nimport dataclasses\n\n\n@dataclasses.dataclass\nclass Row:\n"
            "    name: str\n    day: int = 1\n\n\ndef main(name):\n    return dataclasses.asdict(Row(name))\n")
    path = write_flow(repo, "f/etl/rows", [step("a", code, name=js("flow_input.who"))])
    run = run_wac("flow", "preview", path, "-d", '{"who": "ada"}', "-s", cwd=repo)
    assert result_of(run) == {"name": "ada", "day": 1}


def test_a_failing_inline_step_reports_its_own_frames_only(run_wac, repo):
    code = "def main(x):\n    return helper(x)\n\n\ndef helper(x):\n    raise KeyError(x)\n"
    path = write_flow(repo, "f/etl/keyerror", [step("a", code, x={"type": "static", "value": "missing"})])
    run = run_wac("flow", "preview", path, "-s", cwd=repo)
    assert run.returncode == 1
    error = json.loads(run.stdout)["error"]
    assert (error["name"], error["message"], error["step_id"]) == ("KeyError", "'missing'", "a")
    assert error["stack"] == ('File "<inline step>", line 2, in main\n  File "<inline step>", line 6, in helper')
    path = write_flow(repo, "f/etl/badimport", [step("a", "import not_a_module_here\n\n\ndef main():\n    return 1\n")])
    error = json.loads(run_wac("flow", "preview", path, "-s", "--env", "current", cwd=repo).stdout)["error"]
    assert (error["name"], error["stack"]) == ("ModuleNotFoundError", 'File "<inline step>", line 1, in <module>')


def test_steps_wac_cannot_run_here_fail_in_one_line_that_says_why(run_wac, repo):
    wac_code = ("from wmill import task, workflow\n\n\n@task\ndef double(x: int):\n    return 2 * x\n\n\n"
                "@workflow\nasync def main(x: int = 1):\n    return await double(x)\n")
    agent = {"id": "ask", "value": {"type": "aiagent", "tools": [], "input_transforms": {
        "user_message": {"type": "static", "value": "hi"}}}}
    for name, modules, says in (
            ("inline_wac", [step("a", wac_code)],
             ("RuntimeError", "a workflow-as-code script is not an inline step: make it a script of the repo and call "
                              "it by path")),
            ("agent", [step("a", "def main():\n    return 1\n"), agent],
             ("UnsupportedStep", "wac does not run 'aiagent' steps locally: run this flow on a workspace"))):
        run = run_wac("flow", "preview", write_flow(repo, f"f/etl/{name}", modules), "-s", cwd=repo)
        assert run.returncode == 1 and "Traceback" not in run.stderr
        error = json.loads(run.stdout)["error"]
        assert (error["name"], error["message"]) == says, error


def test_the_timeline_draws_loops_as_loops_with_their_iterations_under_them(run_wac, repo):
    double = "def main(x):\n    return x * 2\n"
    path = write_flow(repo, "f/etl/loops", [
        step("first", double, x=js("1")),
        {"id": "outer", "value": {"type": "forloopflow", "iterator": js("[1, 2]"), "skip_failures": False,
                                  "modules": [
            step("each", double, x=js("flow_input.iter.value")),
            {"id": "inner", "value": {"type": "forloopflow", "iterator": js("[1, 2, 3]"), "skip_failures": False,
                                      "modules": [step("deep", double, x=js("flow_input.iter.value"))]}}]}},
        {"id": "pick", "value": {"type": "branchone", "branches": [], "default": [step("last", double, x=js("2"))]}},
    ])
    run = run_wac("flow", "preview", path, cwd=repo)
    assert run.returncode == 0, run.stderr
    lines = (run.stdout + run.stderr).split("Timeline\n", 1)[1].splitlines()[1:]
    names = [line[:30].rstrip() for line in lines if "success" in line and "Workflow" not in line]
    assert names == ["first", "outer (loop, 2 iterations)", "  each [0]", "    deep [0]", "    deep [1]",
                     "    deep [2]", "  each [1]", "    deep [0]", "    deep [1]", "    deep [2]", "last"]


@pytest.mark.parametrize("limit, peak", [(None, 6), (2, 2)], ids=["all-at-once", "concurrent-limit-2"])
def test_a_parallel_loop_runs_its_iterations_at_once_within_a_steps_concurrency_limit(run_wac, repo, tmp_path,
                                                                                      limit, peak):
    log = tmp_path / "spans.txt"
    code = ("import time\n\n\ndef main(i, log):\n    open(log, 'a').write(f'start {time.time()}\\n')\n"
            "    time.sleep(0.4)\n    open(log, 'a').write(f'end {time.time()}\\n')\n    return i\n")
    limited = step("work", code, i=js("flow_input.iter.value"), log=js("flow_input.log"))
    if limit:
        limited["value"].update(concurrent_limit=limit, concurrency_time_window_s=0)
    path = write_flow(repo, "f/etl/limited", [
        {"id": "each", "value": {"type": "forloopflow", "iterator": js("[0, 1, 2, 3, 4, 5]"), "parallel": True,
                                 "skip_failures": False, "modules": [limited]}}])
    run = run_wac("flow", "preview", path, "-d", json.dumps({"log": str(log)}), "-s", "--workers", "6", cwd=repo)
    assert result_of(run) == [0, 1, 2, 3, 4, 5]
    running, most = 0, 0
    for kind, _ in sorted((line.split() for line in log.read_text().splitlines()), key=lambda m: float(m[1])):
        running += 1 if kind == "start" else -1
        most = max(most, running)
    assert most == peak


def test_a_flows_early_stop_ends_it_before_its_first_step(run_wac, repo):
    double = "def main(x):\n    return x * 2\n"
    path = write_flow(repo, "f/etl/early", [step("first", double, x=js("flow_input.n"))], skip_expr="flow_input.n > 5")
    assert result_of(run_wac("flow", "preview", path, "-d", '{"n": 9}', "-s", cwd=repo)) == "stopped early"
    assert result_of(run_wac("flow", "preview", path, "-d", '{"n": 2}', "-s", cwd=repo)) == 4
    steps = store_db(repo).execute("SELECT step_key FROM jobs WHERE parent_id IS NOT NULL").fetchall()
    assert [row["step_key"] for row in steps] == ["first"]  # the stopped run ran none


def test_a_flow_with_cache_ttl_answers_from_its_cache_while_fresh(run_wac, repo, tmp_path):
    log = tmp_path / "ran.txt"
    code = "def main(n, log):\n    open(log, 'a').write(f'{n}\\n')\n    return n + 1\n"
    path = write_flow(repo, "f/etl/cached", [step("count", code, n=js("flow_input.n"), log=js("flow_input.log"))],
                      cache_ttl=600)
    first = run_wac("flow", "preview", path, "-d", json.dumps({"n": 1, "log": str(log)}), "-s", cwd=repo)
    again = run_wac("flow", "preview", path, "-d", json.dumps({"n": 1, "log": str(log)}), cwd=repo)
    other = run_wac("flow", "preview", path, "-d", json.dumps({"n": 5, "log": str(log)}), "-s", cwd=repo)
    assert (result_of(first), result_of(again), result_of(other)) == (2, 2, 6)
    assert log.read_text().split() == ["1", "5"]  # the second run answered from the first one's result
    assert "cache hit: result reused" in again.stderr and "nothing ran" in again.stderr


def test_a_flows_concurrency_limit_holds_a_second_run_until_the_first_ends(run_wac, repo, tmp_path):
    log = tmp_path / "spans.txt"
    code = ("import time\n\n\ndef main(log):\n    open(log, 'a').write(f'start {time.time()}\\n')\n"
            "    time.sleep(1.5)\n    open(log, 'a').write(f'end {time.time()}\\n')\n")
    path = write_flow(repo, "f/etl/one_at_a_time", [step("work", code, log=js("flow_input.log"))],
                      concurrent_limit=1, concurrency_time_window_s=0)
    data = json.dumps({"log": str(log)})
    first = start_wac(repo, "flow", "preview", path, "-d", data, "-s")
    try:
        wait_for(lambda: log.is_file() and "start" in log.read_text(), what="the first run's step")
        second = run_wac("flow", "preview", path, "-d", data, cwd=repo)
        assert first.wait(timeout=60) == 0
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert second.returncode == 0, second.stderr
    assert "waiting: at most 1 run(s) of f/etl/one_at_a_time at once" in second.stderr
    spans = [line.split() for line in log.read_text().splitlines()]
    assert [kind for kind, _ in spans] == ["start", "end", "start", "end"]  # one after the other, never both


def test_parallel_branches_that_fail_replay_in_the_order_they_first_ran(run_wac, repo):
    boom = "def main(symbol):\n    raise RuntimeError(f'no {symbol}')\n"
    path = write_flow(repo, "f/etl/both_fail", [
        {"id": "b", "value": {"type": "branchall", "parallel": True, "branches": [
            {"modules": [step("h", boom, symbol={"type": "static", "value": "BTC"})]},
            {"modules": [step("g", boom, symbol={"type": "static", "value": "ETH"})]}]}}],
        failure_module={"id": "failure", "value": {
            "name": "failure", "code": "def main(message):\n    return message\n",
            "input_transforms": {"message": js("error.message")}}})
    run = run_wac("flow", "preview", path, "-s", cwd=repo)
    assert run.returncode == 1, run.stderr
    # each branch's failure ran the failure module in that branch (as Windmill's branch flows carry it)
    assert json.loads(run.stdout) == ["no BTC", "no ETH"]


def test_a_flow_reads_the_repos_resources_and_variables_in_arguments_and_expressions(run_wac, repo):
    (repo / "f/etl/wh.resource.yaml").write_text("value:\n  host: $var:f/etl/wh_host\nresource_type: postgresql\n")
    (repo / "f/etl/wh_host.variable.yaml").write_text("value: wh.internal\nis_secret: false\n")
    code = "def main(db, host, name):\n    return [db['host'], host, name]\n"
    path = write_flow(repo, "f/etl/uses_items", [step(
        "a", code, db={"type": "static", "value": "$res:f/etl/wh"}, host=js("resource('f/etl/wh').host"),
        name=js("variable('f/etl/wh_host').toUpperCase()"))])
    assert result_of(run_wac("flow", "preview", path, "-s", cwd=repo)) == ["wh.internal", "wh.internal",
                                                                          "WH.INTERNAL"]


def test_steps_get_a_workers_contextual_variables(run_wac, repo):
    code = ("import os\n\n\ndef main():\n    return {k: os.environ[k] for k in ('WM_FLOW_PATH', 'WM_FLOW_STEP_ID',"
            " 'WM_FLOW_JOB_ID', 'WM_ROOT_FLOW_JOB_ID', 'WM_STATE_PATH', 'WM_JOB_ID')}\n")
    strict = {"id": "strict", "value": {"type": "rawscript", "language": "bash", "input_transforms": {},
                                        "content": "set -u\necho \"base=[$WM_BASE_URL] schedule=[$WM_SCHEDULE_PATH]\""}}
    path = write_flow(repo, "f/etl/context", [step("probe", code), strict])
    run = run_wac("flow", "preview", path, "-s", cwd=repo)
    assert result_of(run) == "base=[] schedule=[]"  # set, empty where nothing applies, as on a worker
    db = store_db(repo)
    root = db.execute("SELECT id FROM jobs WHERE parent_id IS NULL").fetchone()["id"]
    probe = db.execute("SELECT id, result FROM jobs WHERE step_key='probe'").fetchone()
    assert json.loads(probe["result"]) == {"WM_FLOW_PATH": "f/etl/context", "WM_FLOW_STEP_ID": "probe",
                                           "WM_FLOW_JOB_ID": root, "WM_ROOT_FLOW_JOB_ID": root,
                                           "WM_STATE_PATH": "f/etl/context/probe_user", "WM_JOB_ID": probe["id"]}


def test_a_preview_runs_the_flow_without_its_preprocessor_as_windmill_previews_do(run_wac, repo):
    pre = {"id": "preprocessor", "value": {"name": "pre", "code": "def preprocessor(order):\n    return {'x': 1}\n",
                                           "input_transforms": {}}}
    flow = write_flow(repo, "f/x/hooked", [step("a", "def main(flow):\n    return flow\n", flow=js("flow_input"))],
                      preprocessor_module=pre)
    assert result_of(run_wac("flow", "preview", flow, "-d", '{"order": "o1"}', "-s", cwd=repo)) == {"order": "o1"}


@pytest.mark.parametrize("signature, given, passed", [
    ("(a, b=2)", {"a": 1, "b": None, "c": 3}, {"a": 1}),  # unknown names dropped; None leaves a default alone
    ("(a, b)", {"b": 5}, {"a": None, "b": 5}),  # a parameter with no default and no value gets None
    ("(a, **rest)", {"a": 1, "z": 2}, {"a": 1, "z": 2}),  # **kwargs takes everything
])
def test_a_preprocessor_gets_its_own_parameters_as_windmills_wrapper_spreads_them(signature, given, passed):
    from wac.sdk.engine import ENTRYPOINT_OVERRIDE, entry_call

    namespace: dict = {}
    exec(f"def preprocessor{signature}:\n    pass\n\ndef main():\n    pass\n", namespace)
    function, args = entry_call(namespace.get, {**given, ENTRYPOINT_OVERRIDE: "preprocessor"})
    assert function is namespace["preprocessor"] and args == passed
    assert entry_call(namespace.get, given) == (namespace["main"], given)  # no override: main, as given
    with pytest.raises(ValueError, match="preprocessor function is missing"):
        entry_call({}.get, {ENTRYPOINT_OVERRIDE: "preprocessor"})


def test_a_flow_steps_job_carries_none_of_the_command_line(run_wac, repo):
    # The flow's host is forked before the CLI is imported (see test_executor): a step sees what it imports.
    code = 'import sys\n\n\ndef main():\n    return [m for m in ("click", "rich", "typer") if m in sys.modules]\n'
    path = write_flow(repo, "f/t/modules", [step("a", code)])
    assert result_of(run_wac("flow", "preview", path, "-s", "--env", "current", cwd=repo)) == []
