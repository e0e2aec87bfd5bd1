"""Flows on `wac server`: the real `wmill flow run` and `wmill flow preview` run them there and get the result
`wac flow preview` gives; `jobs_u/get` shows the flow status `wmill` follows step by step."""

from __future__ import annotations

import json
import shutil

from conftest import FIXTURES, result_of
from test_server_api import finished
from test_server_interop import WMILL, needs_cli, wmill
from test_sync import wac

MIXED = FIXTURES / "mixed" / "committed"
DAY = '{"day": "2026-12-01"}'


def _pushed(tmp_path, server):
    repo = tmp_path / "repo"
    shutil.copytree(MIXED, repo)
    (repo / ".git").mkdir()
    assert wac("sync", "push", "--yes", cwd=repo, server=server).returncode == 0
    return repo


def test_a_deployed_flow_runs_with_its_status_step_by_step(tmp_path, wac_server):
    _pushed(tmp_path, wac_server)
    client = wac_server.client
    answer = client.post("w/local/jobs/run_wait_result/f/f/etl/daily", json=json.loads(DAY))
    assert answer.status_code == 200, answer.text
    assert answer.json()["title"] == "ETL report" and len(answer.json()["rows"]) == 2
    run_id = client.post("w/local/jobs/run/f/f/etl/notify", json={"count": 500}).text
    job = client.get(f"w/local/jobs_u/get/{run_id}").json()
    assert job["job_kind"] == "flow" and job["raw_flow"]["modules"][0]["id"] == "pick"
    finished(client, run_id)  # within a time limit, not a count of polls (a slow machine took longer than 200)
    job = client.get(f"w/local/jobs_u/get/{run_id}").json()
    assert job["type"] == "CompletedJob" and job["success"] and job["result"] == "500 rows!"
    (pick,) = job["flow_status"]["modules"]
    assert pick["id"] == "pick" and pick["type"] == "Success" and pick["flow_jobs"]  # the branch's step ran
    assert client.post("w/local/jobs/run/f/f/etl/nope", json={}).status_code == 404


@needs_cli
def test_wmill_flow_run_and_preview_through_the_server_match_a_local_preview(run_wac, tmp_path, wac_server):
    repo = _pushed(tmp_path, wac_server)
    local = result_of(run_wac("flow", "preview", "f/etl/daily.flow", "-d", DAY, "-s", cwd=repo))
    ran = wmill("flow", "run", "f/etl/daily", "-d", DAY, "-s", cwd=repo, server=wac_server)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert json.loads(ran.stdout.strip().splitlines()[-1]) == local
    previewed = wmill("flow", "preview", "f/etl/daily.flow", "-d", DAY, "-s", cwd=repo, server=wac_server)
    assert previewed.returncode == 0, previewed.stdout + previewed.stderr
    assert json.loads(previewed.stdout.strip().splitlines()[-1]) == local


def test_wac_flow_run_follows_a_deployed_flow_step_by_step(tmp_path, wac_server):
    repo = _pushed(tmp_path, wac_server)
    ran = wac("flow", "run", "f/etl/daily.flow", "-d", DAY, cwd=repo, server=wac_server)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "====== per_row (iteration 1) ======\nrow: bob" in ran.stdout
    assert json.loads(ran.stdout[ran.stdout.index("{"):])["title"] == "ETL report"
    missing = wac("flow", "run", "f/etl/daily", "-d", "{}", cwd=repo, server=wac_server)
    assert missing.returncode == 2 and "missing required argument `day`" in missing.stderr
    nowhere = wac("flow", "run", "f/etl/nope", cwd=repo, server=wac_server)
    assert nowhere.returncode == 1 and "flow f/etl/nope is not deployed" in nowhere.stderr


def test_early_return_answers_a_waiting_caller_with_that_steps_result_while_the_flow_goes_on(wac_server):
    import time

    client = wac_server.client

    def step(step_id, code):
        return {"id": step_id, "value": {"type": "rawscript", "language": "python3", "content": code,
                                         "input_transforms": {}}}

    value = {"modules": [step("ack", "def main():\n    return {'accepted': True}\n"),
                         step("work", "import time\n\ndef main():\n    time.sleep(3)\n    return 'done'\n")],
             "early_return": "ack"}
    created = client.post("w/local/flows/create", json={"path": "f/x/hook", "summary": "", "value": value})
    assert created.status_code == 201
    started = time.monotonic()
    answer = client.post("w/local/jobs/run_wait_result/f/f/x/hook", json={})
    assert answer.status_code == 200 and answer.json() == {"accepted": True}
    assert time.monotonic() - started < 2.5  # before `work` ended
    run_id = client.get("w/local/jobs/list").json()[0]["id"]
    assert finished(client, run_id)["result"] == "done"  # and the flow went on to its end


LOGGED = "def main(n: int, log: str):\n    open(log, 'a').write(f'{n}\\n')\n    return n * 10\n"
N_AND_LOG = {name: {"type": "javascript", "expr": f"flow_input.{name}"} for name in ("n", "log")}
CACHED_FLOW = {"modules": [{"id": "a", "value": {"type": "rawscript", "language": "python3", "content": LOGGED,
                                                 "input_transforms": N_AND_LOG}}], "cache_ttl": 600}


def test_a_deployed_flows_cache_and_a_deployed_scripts_cache_answer_repeated_runs(wac_server, tmp_path):
    client = wac_server.client
    log = tmp_path / "ran.txt"
    flow = {"path": "f/x/cached", "summary": "", "value": CACHED_FLOW}
    assert client.post("w/local/flows/create", json=flow).status_code == 201
    script = {"path": "f/x/cached_script", "summary": "", "description": "", "content": LOGGED, "language": "python3",
              "schema": {}, "cache_ttl": 600}
    assert client.post("w/local/scripts/create", json=script).status_code == 201
    answers = [client.post(f"w/local/jobs/run_wait_result/{kind}/f/x/{name}", json={"n": n, "log": str(log)}).json()
               for kind, name in (("f", "cached"), ("p", "cached_script")) for n in (1, 1, 2)]
    assert answers == [10, 10, 20, 10, 10, 20]
    assert log.read_text().split() == ["1", "2", "1", "2"]  # each repeated run answered from its cache


def test_a_called_flow_runs_with_its_own_cache_from_a_flow_and_from_task_flow(wac_server, tmp_path):
    client = wac_server.client
    log = tmp_path / "ran.txt"
    call = {"type": "flow", "path": "f/x/inner", "input_transforms": N_AND_LOG}
    for path, value in (("f/x/inner", CACHED_FLOW), ("f/x/outer", {"modules": [{"id": "call", "value": call}]})):
        created = client.post("w/local/flows/create", json={"path": path, "summary": "", "value": value})
        assert created.status_code == 201
    caller = ("from wmill import task_flow, workflow\n\n\n@workflow\nasync def main(n: int, log: str):\n"
              "    return await task_flow('f/x/inner')(n=n, log=log) + 1\n")
    script = {"path": "f/x/caller", "summary": "", "description": "", "content": caller, "language": "python3",
              "schema": {}}
    assert client.post("w/local/scripts/create", json=script).status_code == 201
    answers = [client.post(f"w/local/jobs/run_wait_result/{kind}", json={"n": n, "log": str(log)}).json()
               for kind, n in (("f/f/x/outer", 1), ("f/f/x/outer", 1), ("p/f/x/caller", 1), ("p/f/x/caller", 2))]
    assert answers == [10, 10, 11, 21]
    assert log.read_text().split() == ["1", "2"]  # the called flow's cache answered every repeated call
    listed = client.get("w/local/jobs/list").json()
    assert sum(1 for job in listed if job.get("script_path") == "f/x/inner") == 4  # one run per call


def test_jobs_on_the_server_read_its_resources_and_variables(wac_server):
    client = wac_server.client
    for route, body in (("variables", {"path": "f/x/host", "value": "db.internal", "is_secret": False,
                                       "description": ""}),
                        ("variables", {"path": "f/x/key", "value": "c2VjcmV0", "is_secret": True, "description": ""}),
                        ("resources", {"path": "f/x/db", "value": {"host": "$var:f/x/host", "port": 5432},
                                       "resource_type": "postgresql"})):
        assert client.post(f"w/local/{route}/create", json=body).status_code == 201
    assert client.get("w/local/variables/get_value/f/x/host").json() == "db.internal"
    assert client.get("w/local/resources/get_value/f/x/db").json() == {"host": "$var:f/x/host", "port": 5432}
    assert client.get("w/local/resources/get_value_interpolated/f/x/db").json() == {"host": "db.internal",
                                                                                   "port": 5432}
    assert client.get("w/local/variables/get_value/f/x/key").status_code == 400
    code = ("import wmill\n\n\ndef main(db: dict, secret: bool = False):\n"
            "    if secret:\n        return wmill.get_variable('f/x/key')\n"
            "    return [db['host'], wmill.get_variable('f/x/host'), wmill.get_resource('f/x/db')['port']]\n")
    script = {"path": "f/x/reads", "summary": "", "description": "", "content": code, "language": "python3",
              "schema": {}}
    assert client.post("w/local/scripts/create", json=script).status_code == 201
    answer = client.post("w/local/jobs/run_wait_result/p/f/x/reads", json={"db": "$res:f/x/db"})
    assert answer.json() == ["db.internal", "db.internal", 5432]
    secret = client.post("w/local/jobs/run_wait_result/p/f/x/reads", json={"db": {}, "secret": True})
    assert "f/x/key is a secret" in secret.text
    step = {"id": "a", "value": {"type": "rawscript", "language": "python3", "content": "def main(db, port):\n"
                                 "    return [db['host'], port]\n", "input_transforms": {
                                     "db": {"type": "static", "value": "$res:f/x/db"},
                                     "port": {"type": "javascript", "expr": "resource('f/x/db').port + 1"}}}}
    flow = {"path": "f/x/reads_flow", "summary": "", "value": {"modules": [step]}}
    assert client.post("w/local/flows/create", json=flow).status_code == 201
    assert client.post("w/local/jobs/run_wait_result/f/f/x/reads_flow", json={}).json() == ["db.internal", 5433]


def test_a_deployed_flows_preprocessor_runs_first_for_an_api_run_but_not_for_a_preview(wac_server, tmp_path):
    """Windmill's rule: `jobs/run/f` applies the preprocessor step (unless `skip_preprocessor=true`) with the
    run's input and `wm_trigger`; its object result is the flow's input from then on; previews never run it."""
    client = wac_server.client
    inline = ("def preprocessor(wm_trigger: dict, order: str, unused: int = 3):\n"
              "    return {'id': order.upper(), 'via': wm_trigger['kind']}\n")
    script = ("def preprocessor(order: str):\n    return f'{order}!'\n\n\ndef main():\n    return 'not me'\n")
    assert client.post("w/local/scripts/create", json={"path": "f/x/pre", "summary": "", "description": "",
                                                        "content": script, "language": "python3",
                                                        "schema": {}}).status_code == 201
    echo = {"id": "show", "value": {"type": "rawscript", "language": "python3",
                                    "content": "def main(flow: dict):\n    return flow\n",
                                    "input_transforms": {"flow": {"type": "javascript", "expr": "flow_input"}}}}
    pre = {"id": "preprocessor", "value": {"type": "rawscript", "language": "python3", "content": inline,
                                           "input_transforms": {}}}
    by_path = {"id": "preprocessor", "value": {"type": "script", "path": "f/x/pre", "input_transforms": {}}}
    for path, module in (("f/x/inline", pre), ("f/x/by_path", by_path)):
        value = {"modules": [echo], "preprocessor_module": module}
        created = client.post("w/local/flows/create", json={"path": path, "summary": "", "value": value})
        assert created.status_code == 201

    def run(path, query=""):
        answer = client.post(f"w/local/jobs/run_wait_result/f/{path}{query}", json={"order": "o1"})
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert run("f/x/inline") == {"id": "O1", "via": "webhook"}
    if WMILL.exists():  # the real `wmill flow run` gets the same
        ran = wmill("flow", "run", "f/x/inline", "-d", '{"order": "o1"}', "-s", cwd=tmp_path, server=wac_server)
        assert json.loads(ran.stdout.strip().splitlines()[-1]) == {"id": "O1", "via": "webhook"}, ran.stdout
    assert run("f/x/by_path") == {"value": "o1!"}  # a result that is not an object is wrapped
    assert run("f/x/inline", "?skip_preprocessor=true") == {"order": "o1"}
    run_id = client.post("w/local/jobs/run/f/f/x/inline", json={"order": "o2"}).text
    job = finished(client, run_id)
    assert job["result"] == {"id": "O2", "via": "webhook"}
    status = client.get(f"w/local/jobs_u/get/{run_id}").json()["flow_status"]
    assert status["preprocessor_module"]["type"] == "Success" and status["modules"][0]["type"] == "Success"
    preview = client.post("w/local/jobs/run/preview_flow", json={
        "value": {"modules": [echo], "preprocessor_module": pre}, "args": {"order": "o3"}}).text
    assert finished(client, preview)["result"] == {"order": "o3"}


def test_a_deployed_scripts_preprocessor_shapes_mains_arguments_for_an_api_run(wac_server):
    """A script with `has_preprocessor` (generate-metadata sets it): its `preprocessor` gets the run's arguments
    and `wm_trigger`, and main takes its own parameters from what it returns; `skip_preprocessor` skips it."""
    client = wac_server.client
    code = ("def preprocessor(wm_trigger: dict, raw: str):\n    return {'name': raw.title(), 'via': wm_trigger['kind']}\n"
            "\n\ndef main(name: str = 'nobody', via: str = 'direct'):\n    return f'{name} ({via})'\n")
    for path, flagged in (("f/x/greet", True), ("f/x/plain", False)):
        script = {"path": path, "summary": "", "description": "", "content": code, "language": "python3",
                  "schema": {}, **({"has_preprocessor": True} if flagged else {})}
        assert client.post("w/local/scripts/create", json=script).status_code == 201
    assert client.get("w/local/scripts/get/p/f/x/greet").json()["has_preprocessor"] is True

    def run(path, body, query=""):
        answer = client.post(f"w/local/jobs/run_wait_result/p/{path}{query}", json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert run("f/x/greet", {"raw": "ada"}) == "Ada (webhook)"
    assert run("f/x/greet", {"name": "bob"}, "?skip_preprocessor=true") == "bob (direct)"
    assert run("f/x/plain", {"name": "cy"}) == "cy (direct)"  # no has_preprocessor: main alone


OUTER = """summary: Outer
value:
  modules:
    - id: notify
      value:
        type: flow
        path: f/etl/notify
        input_transforms:
          count: {type: javascript, expr: flow_input.count}
    - id: report
      value:
        type: script
        path: f/lib/report
        input_transforms:
          rows: {type: javascript, expr: "[{name: results.notify}]"}
  failure_module:
    id: failure
    value: {type: script, path: hub/1/slack/send, input_transforms: {}}
schema: {type: object, properties: {count: {type: integer}}}
"""


@needs_cli
def test_wmill_runs_a_flow_that_calls_a_flow_through_the_server_as_a_local_preview_does(run_wac, tmp_path,
                                                                                        wac_server):
    repo = _pushed(tmp_path, wac_server)
    (repo / "f/etl/outer.flow").mkdir()
    (repo / "f/etl/outer.flow/flow.yaml").write_text(OUTER)
    assert wac("sync", "push", "--yes", cwd=repo, server=wac_server).returncode == 0
    preview = ("flow", "preview", "f/etl/outer.flow", "-d", '{"count": 500}', "-s", "--env", "current")
    local = result_of(run_wac(*preview, cwd=repo))
    assert local == {"title": "Daily report", "rows": [{"name": "500 rows!"}]}
    quiet = wmill("flow", "run", "f/etl/outer", "-d", '{"count": 500}', "-s", cwd=repo, server=wac_server)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert json.loads(quiet.stdout.strip().splitlines()[-1]) == local
    followed = wmill("flow", "run", "f/etl/outer", "-d", '{"count": 500}', cwd=repo, server=wac_server)
    assert followed.returncode == 0, followed.stdout + followed.stderr
    assert "notify" in followed.stdout and "report" in followed.stdout


def test_flow_preview_remote_runs_the_deployed_scripts_and_flows_a_flow_calls_by_path(tmp_path, wac_server):
    repo = _pushed(tmp_path, wac_server)
    (repo / "f/etl/outer.flow").mkdir()
    (repo / "f/etl/outer.flow/flow.yaml").write_text(OUTER)
    report = repo / "f/lib/report.py"
    report.write_text(report.read_text().replace('"title": title', '"title": "local " + title'))
    shout = repo / "f/etl/notify.flow/shout.inline_script.py"
    shout.write_text(shout.read_text().replace("rows!", "local rows!"))
    preview = ("flow", "preview", "f/etl/outer.flow", "-d", '{"count": 500}', "-s", "--env", "current")
    local = wac(*preview, cwd=repo)
    assert local.returncode == 0, local.stderr
    assert json.loads(local.stdout) == {"title": "local Daily report", "rows": [{"name": "500 local rows!"}]}
    deployed = wac(*preview, "--remote", cwd=repo, server=wac_server)
    assert deployed.returncode == 0, deployed.stderr
    assert json.loads(deployed.stdout) == {"title": "Daily report", "rows": [{"name": "500 rows!"}]}
    (repo / "f/etl/outer.flow/flow.yaml").write_text(OUTER.replace("f/lib/report", "f/lib/unpushed"))
    missing = wac(*preview, "--remote", cwd=repo, server=wac_server)
    assert missing.returncode != 0 and missing.stdout == ""
    assert "step 'report' calls script 'f/lib/unpushed', not deployed in workspace local" in missing.stderr
    assert "Traceback" not in missing.stderr and "wac sync push" in missing.stderr
