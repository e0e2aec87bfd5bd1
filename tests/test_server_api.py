"""`wac server`'s API over real HTTP: auth, scripts, the archive, jobs, logs, resume URLs."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import tarfile
import time
import zipfile

import httpx
import pytest

WS = "/w/local"
CHILD = "def main(x: int = 1):\n    print(f'child {x} 🐍')\n    return x * 10\n"
GATE = '''from wmill import task, wait_for_approval, workflow


@task
async def ship(env: str):
    return f"shipped {env}"


@workflow
async def main(env: str = "prod"):
    answer = await wait_for_approval(key="manager", timeout=600, form={"reason": {"type": "string"}})
    if not answer["approved"]:
        return {"rejected_by": answer["approver"], "value": answer["value"]}
    return await ship(env)
'''


def deploy(client: httpx.Client, path: str, content: str, **fields) -> str:
    body = {"path": path, "summary": "", "description": "", "content": content, "language": "python3",
            "kind": "script", "schema": {"type": "object", "properties": {}, "required": []}, "lock": "", **fields}
    answer = client.post(f"{WS}/scripts/create", params={"skip_if_noop": "true"}, json=body)
    assert answer.status_code == 201, answer.text
    return answer.text


def finished(client: httpx.Client, job_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = client.get(f"{WS}/jobs_u/completed/get/{job_id}")
        if answer.status_code == 200:
            return answer.json()
        assert answer.status_code == 404
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {json.dumps(client.get(f'{WS}/jobs_u/get/{job_id}').json())}")


def test_auth_and_workspace_isolation(wac_server):
    url = wac_server.url + "api/"
    assert httpx.get(url + "version").text == "CE v1.850.0"  # the one route without a token
    missing = httpx.get(url + "users/whoami")
    assert missing.status_code == 401 and missing.text.startswith("Not authorized: ")
    assert httpx.get(url + "users/whoami", headers={"Authorization": "Bearer nope"}).status_code == 401
    client = wac_server.client
    assert client.get("users/whoami").json()["username"] == "admin"
    assert client.post("workspaces/exists", json={"id": "local"}).json() is True
    answer = client.post("workspaces/exists", json={"id": "other"})
    assert answer.json() is False and answer.headers["content-type"].startswith("application/json")
    other = subprocess.run([sys.executable, "-m", "wac.cli", "server", "token", "--workspace", "other", "--data",
                            str(wac_server.data)], capture_output=True, text=True, check=True).stdout.strip()
    deploy(client, "f/demo/secret", CHILD)
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {other}"}) as intruder:
        assert intruder.get(f"{WS}/scripts/get/p/f/demo/secret").status_code == 401
        assert intruder.get("w/other/scripts/get/p/f/demo/secret").status_code == 404
        assert intruder.get("workspaces/list").json() == [{"id": "other", "name": "other"}]


def test_script_versions_follow_windmills_create_rules(wac_server):
    client = wac_server.client
    first = deploy(client, "f/demo/hello", CHILD)
    assert len(first) == 16 and int(first, 16) >= 0
    assert deploy(client, "f/demo/hello", CHILD, parent_hash=first) == first  # skip_if_noop: no new version
    body = {"path": "f/demo/hello", "summary": "", "content": "def main():\n    return 2\n", "language": "python3"}
    conflict = client.post(f"{WS}/scripts/create", json=body)
    assert conflict.status_code == 400 and conflict.text == f"Bad request: Path conflict for f/demo/hello with non-archived hash {first}"
    second = client.post(f"{WS}/scripts/create", json={**body, "parent_hash": first})
    assert second.status_code == 201
    stale = client.post(f"{WS}/scripts/create", json={**body, "content": "def main():\n    return 3\n",
                                                      "parent_hash": first})
    assert stale.status_code == 400 and "the lineage must be linear" in stale.text
    unknown = client.post(f"{WS}/scripts/create", json={**body, "parent_hash": "0" * 16})
    assert unknown.text == "Bad request: The parent hash does not seem to exist"
    third = client.post(f"{WS}/scripts/create", json={**body, "content": "x = 3\n", "auto_parent": True})
    assert third.status_code == 201
    script = client.get(f"{WS}/scripts/get/p/f/demo/hello").json()
    assert script["hash"] == third.text and script["parent_hashes"] == [second.text] and "envs" not in script
    assert [h["script_hash"] for h in client.get(f"{WS}/scripts/history/p/f/demo/hello").json()] == [
        third.text, second.text, first]
    assert client.get(f"{WS}/scripts/raw/p/f/demo/hello").text == "x = 3\n"
    assert client.get(f"{WS}/scripts/exists/p/f/demo/hello").json() is True
    assert client.get(f"{WS}/scripts/list_paths").json() == ["f/demo/hello"]
    missing = client.get(f"{WS}/scripts/get/p/f/demo/nope")
    assert missing.status_code == 404 and missing.text == "Not found: Script not found at name f/demo/nope"
    assert client.post(f"{WS}/scripts/archive/p/f/demo/hello").status_code == 200
    assert client.get(f"{WS}/scripts/get/p/f/demo/hello").status_code == 404
    assert client.get(f"{WS}/scripts/list_paths").json() == []


@pytest.mark.parametrize("path", ["../etc/passwd", "/abs/olute", "x/not/a/root", "f/..", "f/a/../b"])
def test_paths_must_be_windmill_item_paths(wac_server, path):
    body = {"path": path, "summary": "", "content": "x = 1\n", "language": "python3"}
    answer = wac_server.client.post(f"{WS}/scripts/create", json=body)
    assert answer.status_code == 400 and answer.text.startswith("Bad request: Invalid path")


def test_request_bodies_are_limited(wac_server):
    huge = {"path": "f/demo/big", "summary": "", "content": "x" * (60 * 1024 * 1024), "language": "python3"}
    answer = wac_server.client.post(f"{WS}/scripts/create", json=huge)
    assert answer.status_code == 413


def test_the_archive_holds_files_only_in_the_clis_layout(wac_server):
    client = wac_server.client
    client.post(f"{WS}/folders/create", json={"name": "demo", "display_name": "demo", "owners": [],
                                              "extra_perms": {}, "summary": None})
    deploy(client, "f/demo/hello", CHILD, lock="# py: 3.11\n")
    deploy(client, "f/demo/withmod", "def main():\n    return 1\n",
           modules={"helper.py": {"content": "X = 1\n", "language": "python3"}})
    answer = client.get(f"{WS}/workspaces/tarball", params={"archive_type": "zip"})
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        names = archive.namelist()
        assert all(not name.endswith("/") for name in names)  # no directory entries
        assert sorted(names) == ["f/demo/folder.meta.json", "f/demo/hello.py", "f/demo/hello.script.json",
                                 "f/demo/withmod.py", "f/demo/withmod.script.json"]
        meta = json.loads(archive.read("f/demo/hello.script.json"))
        assert meta == {"summary": "", "description": "", "schema": {"type": "object", "properties": {},
                        "required": []}, "lock": "# py: 3.11\n", "kind": "script"}
        assert json.loads(archive.read("f/demo/withmod.script.json"))["modules"]["helper.py"]["content"] == "X = 1\n"
    tar = client.get(f"{WS}/workspaces/tarball", params={"archive_type": "tar"})
    with tarfile.open(fileobj=io.BytesIO(tar.content)) as archive:
        assert "f/demo/hello.py" in archive.getnames()


def test_run_by_path_streams_logs_with_utf16_offsets_and_completes(wac_server):
    client = wac_server.client
    deploy(client, "f/demo/child", CHILD)
    job_id = client.post(f"{WS}/jobs/run/p/f/demo/child", json={"x": 4})
    assert job_id.status_code == 201 and job_id.headers["content-type"].startswith("text/plain")
    job = finished(client, job_id.text)
    assert job["type"] == "CompletedJob" and job["success"] is True and job["result"] == 40
    assert "child 4 🐍" in job["logs"]
    full = client.get(f"{WS}/jobs_u/getupdate/{job_id.text}", params={"running": "false", "log_offset": 0}).json()
    assert full["completed"] is True and "running" not in full
    offset = full["new_logs"].index("🐍") + 2  # the emoji is two UTF-16 units
    rest = client.get(f"{WS}/jobs_u/getupdate/{job_id.text}", params={"log_offset": offset}).json()
    assert rest["new_logs"] == full["new_logs"][full["new_logs"].index("🐍") + 1:]
    assert rest["log_offset"] == full["log_offset"]
    maybe = client.get(f"{WS}/jobs_u/completed/get_result_maybe/{job_id.text}").json()
    assert maybe == {"completed": True, "result": 40, "success": True, "started": True}
    assert client.get(f"{WS}/jobs_u/completed/get_result/{job_id.text}").json() == 40
    assert client.get(f"{WS}/jobs_u/get/{job_id.text}").json()["type"] == "CompletedJob"
    nope = client.post(f"{WS}/jobs/run/p/f/demo/nope", json={})
    assert nope.status_code == 404 and nope.text.startswith("Not found: ")


LATE_OUTPUT = """import subprocess

def main():
    print("early", flush=True)
    # a detached process that still holds the job's output: it writes after main has returned
    subprocess.Popen(["sh", "-c", "sleep 0.4; echo late"], start_new_session=True)
    return 1
"""


def test_a_job_is_completed_only_once_all_its_output_is_in_its_logs(wac_server):
    """Windmill's clients stop reading logs when a job is completed: no output may come after."""
    client = wac_server.client
    deploy(client, "f/demo/late", LATE_OUTPUT)
    job_id = client.post(f"{WS}/jobs/run/p/f/demo/late", json={}).text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        update = client.get(f"{WS}/jobs_u/getupdate/{job_id}", params={"log_offset": 0}).json()
        if update["completed"]:
            break
        time.sleep(0.02)
    assert update["completed"] and "early" in update["new_logs"] and "late" in update["new_logs"]
    assert "late" in finished(client, job_id)["logs"]


def test_run_wait_result_and_preview(wac_server):
    client = wac_server.client
    deploy(client, "f/demo/child", CHILD)
    assert client.post(f"{WS}/jobs/run_wait_result/p/f/demo/child", json={"x": 5}).json() == 50
    payload = base64.b64encode(json.dumps({"x": 6}).encode()).decode()
    assert client.get(f"{WS}/jobs/run_wait_result/p/f/demo/child", params={"payload": payload}).json() == 60
    preview = client.post(f"{WS}/jobs/run/preview", json={"content": CHILD, "path": "f/demo/draft",
                                                          "args": {"x": 7}, "language": "python3"})
    assert preview.status_code == 201 and finished(client, preview.text)["result"] == 70


def test_a_wac_script_runs_with_its_tasks_as_child_jobs(wac_server):
    client = wac_server.client
    deploy(client, "f/demo/flow", "from wmill import task, workflow\n\n\n@task\nasync def double(n: int):\n"
                                  "    return n * 2\n\n\n@workflow\nasync def main(n: int = 3):\n"
                                  "    return await double(await double(n))\n")
    run_id = client.post(f"{WS}/jobs/run/p/f/demo/flow", json={"n": 2}).text
    assert finished(client, run_id)["result"] == 8
    listed = client.get(f"{WS}/jobs/completed/list").json()
    assert [j["id"] for j in listed] == [run_id]


def test_signed_resume_urls_answer_an_approval(wac_server):
    client = wac_server.client
    deploy(client, "f/demo/gate", GATE)
    run_id = client.post(f"{WS}/jobs/run/p/f/demo/gate", json={}).text
    deadline = time.monotonic() + 30
    while client.get(f"{WS}/jobs_u/get/{run_id}").json().get("running") is not True and time.monotonic() < deadline:
        time.sleep(0.05)
    urls = client.get(f"{WS}/jobs/wac_approval_urls/{run_id}/manager", params={"approver": "ana"}).json()
    assert sorted(urls) == ["approvalPage", "cancel", "resume"] and urls["resume"].startswith(wac_server.url)
    forged = urls["resume"].rsplit("/", 1)[0] + "/" + "0" * 64 + "?approver=ana"
    assert httpx.post(forged, json={}).status_code == 400  # a wrong signature answers nothing
    while True:  # the run must reach the approval before the URL can answer it
        waits = client.get(f"{WS}/jobs_u/get/{run_id}").json()
        if time.monotonic() > deadline or waits["type"] == "CompletedJob":
            break
        answer = httpx.post(urls["resume"], json={"reason": "looks good"})  # no token needed: it is signed
        if answer.status_code == 201:
            break
        time.sleep(0.1)
    assert finished(client, run_id)["result"] == "shipped prod"
    again = httpx.post(urls["resume"], json={})
    assert again.status_code == 400


def test_cancel_a_queued_or_running_job(wac_server):
    client = wac_server.client
    deploy(client, "f/demo/slow", "import time\n\n\ndef main():\n    time.sleep(30)\n")
    job_id = client.post(f"{WS}/jobs/run/p/f/demo/slow", json={}).text
    assert client.post(f"{WS}/jobs_u/queue/cancel/{job_id}", json={"reason": "no need"}).status_code == 200
    job = finished(client, job_id, timeout=20)
    assert job["success"] is False and job["canceled"] is True
    assert "no need" in job["result"]["error"]["message"]
    assert client.post(f"{WS}/jobs_u/queue/cancel/{job_id}", json={}).status_code == 404


def test_a_server_and_a_resume_never_drive_the_same_run(project, run_wac):
    """In a repo, the server shares the job store with `wac job`: a run it drives cannot be resumed elsewhere."""
    from conftest import RunningServer

    server = RunningServer(None, project)
    try:
        deploy(server.client, "f/demo/gate", GATE)
        run_id = server.client.post(f"{WS}/jobs/run/p/f/demo/gate", json={}).text
        deadline = time.monotonic() + 30
        while server.client.get(f"{WS}/jobs_u/get/{run_id}").json().get("running") is not True:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        resume = run_wac("job", "resume", run_id[:8], cwd=project)
        assert resume.returncode == 1 and "is being run by another wac process" in resume.stderr
        listed = run_wac("job", "list", "--json", cwd=project)
        assert run_id in listed.stdout  # the same store: the CLI sees the server's runs
    finally:
        server.stop()
