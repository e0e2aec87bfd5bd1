"""`wac server` stores and serves every kind behind Windmill's routes and answers."""

from __future__ import annotations

import pytest

from test_server_interop import needs_cli, wmill

SCHEDULE = {"path": "f/etl/nightly", "schedule": "0 0 3 * * *", "timezone": "UTC", "script_path": "f/etl/run",
            "is_flow": False, "enabled": True, "args": {}}


@pytest.mark.parametrize("route, body, item", [
    ("resources", {"path": "f/x/db", "value": {"host": "h"}, "resource_type": "postgresql", "description": None},
     "f/x/db"),
    ("variables", {"path": "f/x/v", "value": "1", "is_secret": False, "description": ""}, "f/x/v"),
    ("schedules", SCHEDULE, "f/etl/nightly"),
    ("http_triggers", {"path": "f/x/hook", "script_path": "f/x/s", "is_flow": False, "route_path": "hook",
                       "http_method": "post"}, "f/x/hook"),
    ("flows", {"path": "f/x/flow", "summary": "s", "value": {"modules": []}, "schema": {}}, "f/x/flow"),
    ("resources/type", {"name": "my_type", "schema": {}, "description": ""}, "my_type"),
    ("folders", {"name": "team", "owners": []}, "team"),
])
def test_every_kind_round_trips_through_its_routes(wac_server, route, body, item):
    api = wac_server.client
    assert api.get(f"w/local/{route}/exists/{item}").json() is False
    assert api.post(f"w/local/{route}/create", json=body).status_code in (200, 201)
    got = api.get(f"w/local/{route}/get/{item}").json()
    assert {k: v for k, v in got.items() if k in body} == body or route == "folders"
    assert api.post(f"w/local/{route}/create", json=body).status_code == 400  # exists already
    assert api.get(f"w/local/{route}/exists/{item}").json() is True
    assert item in [entry.get("path", entry.get("name")) for entry in api.get(f"w/local/{route}/list").json()]
    assert api.delete(f"w/local/{route}/delete/{item}").status_code == 200
    missing = api.get(f"w/local/{route}/get/{item}")
    assert missing.status_code == 404 and missing.text.startswith("Not found: ")


def test_native_triggers_are_named_by_the_service_the_server_plays(wac_server):
    api = wac_server.client
    base = "w/local/native_triggers/nextcloud"
    body = {"script_path": "f/x/s", "is_flow": False, "service_config": {"event": "x"}, "summary": "s"}
    assert [api.post(f"{base}/create", json=body).json() for _ in range(2)] == [{"external_id": "1"},
                                                                                 {"external_id": "2"}]
    got = api.get(f"{base}/get/1").json()
    assert {k: got[k] for k in ("external_id", "service_name", *body)} == {
        "external_id": "1", "service_name": "nextcloud", **body}
    assert api.post(f"{base}/update/1", json={**body, "summary": "t"}).status_code == 200
    assert api.get(f"{base}/get/1").json()["summary"] == "t"
    assert [t["external_id"] for t in api.get(f"{base}/list").json()] == ["1", "2"]
    assert api.delete(f"{base}/delete/2").status_code == 200
    assert api.get(f"{base}/get/2").status_code == 404
    assert api.post(f"{base}/create", json={"script_path": "f/x/s"}).status_code == 422
    assert api.post("w/local/native_triggers/dropbox/create", json=body).status_code == 400
    archived = wac_server.client.get("w/local/workspaces/tarball", params={"include_triggers": "true",
                                                                          "archive_type": "tar"})
    assert b"f/x/s.script.1.nextcloud_native_trigger.json" in archived.content


def test_bad_bodies_are_refused_as_windmill_refuses_them(wac_server):
    api = wac_server.client
    missing = api.post("w/local/schedules/create", json={"path": "f/x/s", "schedule": "0 0 * * *"})
    assert missing.status_code == 422 and "missing field `timezone`" in missing.text
    cron = api.post("w/local/schedules/create", json={**SCHEDULE, "schedule": "0 0 25 * * *"})
    assert cron.status_code == 400 and "invalid cron expression" in cron.text and "hours" in cron.text
    flow = api.post("w/local/flows/create", json={"path": "f/x/f", "summary": "", "value": {}})
    assert flow.status_code == 422 and "modules" in flow.text
    bad_path = api.post("w/local/variables/create", json={"path": "nope", "value": "", "is_secret": False,
                                                          "description": ""})
    assert bad_path.status_code == 400
    assert api.post("w/local/variables/update/f/x/none", json={"value": "1"}).status_code == 404


def test_a_schedule_is_enabled_through_its_own_route(wac_server):
    api = wac_server.client
    assert api.post("w/local/schedules/create", json=SCHEDULE).status_code == 201
    assert api.post("w/local/schedules/setenabled/f/etl/nightly", json={"enabled": False}).status_code == 200
    assert api.get("w/local/schedules/get/f/etl/nightly").json()["enabled"] is False


def test_a_variable_update_keeps_its_secrecy(wac_server):
    api = wac_server.client
    api.post("w/local/variables/create", json={"path": "f/x/k", "value": "x", "is_secret": True, "description": ""})
    api.post("w/local/variables/update/f/x/k", json={"value": "y", "description": "d"})
    got = api.get("w/local/variables/get/f/x/k").json()
    assert got["is_secret"] is True and got["value"] == "y"
    archive = api.get("w/local/workspaces/tarball", params={"archive_type": "tar", "skip_secrets": "true"})
    assert b"f/x/k.variable.json" not in archive.content


def test_raw_script_by_path_takes_the_file_extension(wac_server):
    api = wac_server.client
    body = {"path": "f/x/hello", "summary": "", "description": "", "content": "def main():\n    return 1\n",
            "language": "python3"}
    assert api.post("w/local/scripts/create", json=body).status_code == 201
    assert api.get("w/local/scripts/raw/p/f/x/hello.py").text == body["content"]
    assert api.get("w/local/scripts/raw/p/f/x/hello").text == body["content"]
    assert api.get("w/local/scripts/raw/p/f/x/nope.py").status_code == 404


@needs_cli
def test_wmill_job_list_reads_the_runs(tmp_path, wac_server):
    body = {"path": "f/x/hello", "summary": "", "description": "", "content": "def main():\n    return 1\n",
            "language": "python3"}
    wac_server.client.post("w/local/scripts/create", json=body)
    run = wac_server.client.post("w/local/jobs/run_wait_result/p/f/x/hello", json={})
    assert run.status_code == 200
    listed = wmill("job", "list", "--json", cwd=tmp_path, server=wac_server)
    assert listed.returncode == 0, listed.stdout
    assert '"script_path":"f/x/hello"' in listed.stdout.replace(" ", "")


def test_a_deployed_script_in_another_language_is_refused_with_the_reason(wac_server):
    body = {"path": "f/x/hi", "summary": "", "description": "", "content": "echo hi\n", "language": "bash"}
    assert wac_server.client.post("w/local/scripts/create", json=body).status_code == 201
    refused = wac_server.client.post("w/local/jobs/run/p/f/x/hi", json={})
    assert refused.status_code == 400
    assert "f/x/hi is a bash script: wac server runs Python scripts" in refused.text
