"""Sync of a repo of every kind (fixtures/mixed: flows, resources, variables, a schedule, a trigger,
folders, scripts in four languages), judged by the real `wmill` CLI: the same requests for a push, the
same files from a pull, and nothing left to change after either tool acted. Skipped without node."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, RunningServer
from recording_proxy import RecordingProxy
from test_server_interop import WMILL, needs_cli, wmill
from test_sync import changes, files, wac
from test_sync_interop import Via

MIXED = FIXTURES / "mixed" / "committed"
ITEM_ROUTES = ("/folders/", "/apps/", "/acls/", "/variables/", "/resources/", "/flows/", "/schedules/", "/http_triggers/")


def _repo(tmp_path, name):
    target = tmp_path / name
    shutil.copytree(MIXED, target)
    return target


def _item_writes(proxy: RecordingProxy) -> list[tuple[str, str, str]]:
    """(method, path, body) of every write about a non-script item, sorted."""
    return sorted((r["method"], r["path"], json.dumps(r["body"], sort_keys=True)) for r in proxy.requests
                  if r["method"] in ("POST", "DELETE") and any(route in r["path"] for route in ITEM_ROUTES))


def pull_with_both(tmp_path, server, config=MIXED / "wmill.yaml"):
    """`wmill sync pull` and `wac sync pull` of `server` into two empty folders (with `config`): both folders."""
    by_wmill, by_wac = tmp_path / "by-wmill", tmp_path / "by-wac"
    for folder in (by_wmill, by_wac):
        folder.mkdir()
        shutil.copy(config, folder / "wmill.yaml")
    assert wmill("sync", "pull", "--yes", cwd=by_wmill, server=server).returncode == 0
    pulled = wac("sync", "pull", "--yes", cwd=by_wac, server=server)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    return by_wmill, by_wac


@pytest.fixture
def two_servers(tmp_path):
    servers = [RunningServer(tmp_path / f"data-{tool}", tmp_path) for tool in ("wmill", "wac")]
    proxies = [RecordingProxy(server.url) for server in servers]
    yield [Via(server, proxy) for server, proxy in zip(servers, proxies)], proxies, servers
    for proxy in proxies:
        proxy.close()
    for server in servers:
        server.stop()


@needs_cli
def test_push_sends_what_wmill_sends_and_leaves_nothing_to_change(tmp_path, two_servers):
    (via_wmill, via_wac), (wmill_proxy, wac_proxy), (wmill_server, wac_server) = two_servers
    theirs, ours = _repo(tmp_path, "theirs"), _repo(tmp_path, "ours")
    pushed = wmill("sync", "push", "--yes", cwd=theirs, server=via_wmill)
    assert pushed.returncode == 0, pushed.stdout
    done = wac("sync", "push", "--yes", cwd=ours, server=via_wac)
    assert done.returncode == 0, done.stdout + done.stderr
    reference = _item_writes(wmill_proxy)
    # 3 folders, a resource type, a variable, a resource, 2 flows, an app and its sharing, a schedule, a trigger
    assert len(reference) == 12
    assert _item_writes(wac_proxy) == reference
    # the real wmill sees what its own round trip leaves, and no more
    after_wmill = changes(wmill("sync", "push", "--dry-run", cwd=theirs, server=via_wmill))
    after_wac = changes(wmill("sync", "push", "--dry-run", cwd=ours, server=via_wac))
    assert after_wac == after_wmill
    assert all(".script." in line for line in after_wac)  # only the empty-lock churn of scripts
    assert "0 changes to apply" in wac("sync", "push", "--dry-run", cwd=ours, server=via_wac).stdout \
        or all(".script." in line for line in changes(wac("sync", "push", "--dry-run", cwd=ours, server=via_wac)))


@needs_cli
def test_pull_writes_the_files_wmill_writes(tmp_path, two_servers):
    (via_wmill, via_wac), _, _ = two_servers
    assert wac("sync", "push", "--yes", cwd=_repo(tmp_path, "source"), server=via_wac).returncode == 0
    by_wmill, by_wac = pull_with_both(tmp_path, via_wac)
    assert files(by_wac) == files(by_wmill)  # every byte, flows' inline files and wmill-lock.yaml included
    assert "f/etl/daily.flow/clean.inline_script.py" in files(by_wac)
    assert changes(wmill("sync", "push", "--dry-run", cwd=by_wac, server=via_wac)) == []


@needs_cli
@pytest.mark.parametrize("flags", [("--yes",), ("--yes", "--json-output")])
def test_a_pull_with_nothing_to_pull_writes_what_wmill_writes(tmp_path, wac_server, flags):
    """Even with nothing to pull, wmill starts wmill-lock.yaml (but not when printing JSON)."""
    by_wmill, by_wac = tmp_path / "by-wmill", tmp_path / "by-wac"
    for folder in (by_wmill, by_wac):
        folder.mkdir()
        shutil.copy(MIXED / "wmill.yaml", folder / "wmill.yaml")
    assert wmill("sync", "pull", *flags, cwd=by_wmill, server=wac_server).returncode == 0
    assert wac("sync", "pull", *flags, cwd=by_wac, server=wac_server).returncode == 0
    assert files(by_wac) == files(by_wmill)


@needs_cli
def test_a_pull_whose_includes_leave_metadata_out_writes_what_wmill_writes(tmp_path, wac_server):
    """wmill.yaml includes the script file only: wmill's pull still writes default metadata beside it."""
    config = 'includes:\n  - "f/a/job.py"\n'
    source = tmp_path / "source"
    (source / "f/a").mkdir(parents=True)
    (source / "wmill.yaml").write_text(config)
    (source / "f/a/job.py").write_text("def main(n: int = 1):\n    return n\n")
    assert wac("sync", "push", "--yes", cwd=source, server=wac_server).returncode == 0
    by_wmill, by_wac = tmp_path / "by-wmill", tmp_path / "by-wac"
    for folder in (by_wmill, by_wac):
        folder.mkdir()
        (folder / "wmill.yaml").write_text(config)
    assert wmill("sync", "pull", "--yes", cwd=by_wmill, server=wac_server).returncode == 0
    assert wac("sync", "pull", "--yes", cwd=by_wac, server=wac_server).returncode == 0
    assert "f/a/job.script.yaml" in files(by_wmill)
    assert files(by_wac) == files(by_wmill)


def test_secrets_stay_out_of_the_sync_and_the_output(tmp_path, wac_server):
    repo = _repo(tmp_path, "repo")
    secret = (repo / "f/etl/api_key.variable.yaml").read_text()
    plan = wac("sync", "push", "--dry-run", "--json-output", cwd=repo, server=wac_server)
    paths = [c["path"] for c in json.loads(plan.stdout)["changes"]]
    assert "f/etl/batch_size.variable.yaml" in paths and "f/etl/api_key.variable.yaml" not in paths
    assert "not-a-real-secret" not in plan.stdout + plan.stderr and "not-a-real-secret" in secret


def test_switches_leave_kinds_out(tmp_path, wac_server):
    repo = _repo(tmp_path, "repo")
    text = (repo / "wmill.yaml").read_text().replace("includeSchedules: true", "includeSchedules: false")
    (repo / "wmill.yaml").write_text(text + "skipVariables: true\n")
    plan = wac("sync", "push", "--dry-run", "--json-output", cwd=repo, server=wac_server)
    paths = [c["path"] for c in json.loads(plan.stdout)["changes"]]
    assert not any(p.endswith((".schedule.yaml", ".variable.yaml")) for p in paths)
    assert "f/etl/hook.http_trigger.yaml" in paths


def test_a_flow_round_trips_and_a_remote_edit_is_not_overwritten(tmp_path, wac_server):
    repo = _repo(tmp_path, "repo")
    assert wac("sync", "push", "--yes", cwd=repo, server=wac_server).returncode == 0
    flow = wac_server.client.get("w/local/flows/get/f/etl/daily").json()
    assert flow["value"]["modules"][1]["value"]["content"].startswith("from f.lib.helper import normalize")
    flow["summary"] = "Edited in the UI"
    body = {k: v for k, v in flow.items() if k not in ("workspace_id",)}
    assert wac_server.client.post("w/local/flows/update/f/etl/daily", json=body).status_code == 200
    with open(repo / "f/etl/daily.flow/clean.inline_script.py", "a") as handle:
        handle.write("\n# local edit\n")
    pushed = wac("sync", "push", "--yes", cwd=repo, server=wac_server)
    assert pushed.returncode == 1
    assert "f/etl/daily.flow" in pushed.stdout and "changed in the workspace" in pushed.stdout
    assert wac_server.client.get("w/local/flows/get/f/etl/daily").json()["summary"] == "Edited in the UI"


def test_deletions_need_delete_and_then_go(tmp_path, wac_server):
    repo = _repo(tmp_path, "repo")
    assert wac("sync", "push", "--yes", cwd=repo, server=wac_server).returncode == 0
    shutil.rmtree(repo / "f/etl/notify.flow")
    (repo / "f/etl/nightly.schedule.yaml").unlink()
    kept = wac("sync", "push", "--yes", cwd=repo, server=wac_server)
    assert "2 item(s) only in the workspace, kept" in kept.stdout
    assert wac_server.client.get("w/local/flows/get/f/etl/notify").status_code == 200
    gone = wac("sync", "push", "--yes", "--delete", cwd=repo, server=wac_server)
    assert gone.returncode == 0, gone.stdout
    assert wac_server.client.get("w/local/flows/get/f/etl/notify").status_code == 404
    assert wac_server.client.get("w/local/schedules/get/f/etl/nightly").status_code == 404


@pytest.mark.parametrize("breaks, says", [
    (lambda repo: (repo / "f/etl/nightly.schedule.yaml").write_text(
        (repo / "f/etl/nightly.schedule.yaml").read_text().replace("0 0 3 * * *", "0 0 25 * * *")),
     "f/etl/nightly.schedule.yaml: invalid cron expression '0 0 25 * * *': hours"),
    (lambda repo: (repo / "f/etl/warehouse.resource.yaml").write_text(
        (repo / "f/etl/warehouse.resource.yaml").read_text().replace("postgresql", "postgress")),
     "resource type 'postgress' does not exist in the workspace (nor as a .resource-type.yaml in the repo): "
     "did you mean 'postgresql'?"),
    (lambda repo: (repo / "f/etl/sub").mkdir() or (repo / "f/etl/sub/folder.meta.yaml").write_text("summary: x\n"),
     "f/etl/sub/folder.meta.yaml: Windmill refuses the path 'etl': folders do not nest"),
    (lambda repo: (repo / "f/etl/daily.flow/clean.inline_script.py").unlink(),
     "cannot push flow f/etl/daily: missing inline script file(s): clean.inline_script.py"),
    (lambda repo: (repo / "f/etl/board.app/count_rows.inline_script.py").unlink(),
     "cannot push app f/etl/board: missing inline script file(s): count_rows.inline_script.py"),
    (lambda repo: (repo / "f/etl/notify.flow/flow.yaml").write_text("summary: [broken\n"),
     "f/etl/notify.flow/flow.yaml: invalid YAML"),
])
def test_a_bad_item_stops_the_push_before_anything_is_sent(tmp_path, wac_server, breaks, says):
    repo = _repo(tmp_path, "repo")
    breaks(repo)
    for args in (("--dry-run",), ("--yes",)):
        refused = wac("sync", "push", *args, cwd=repo, server=wac_server)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        error = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
        assert len(error) == 1 and says in error[0] and "Traceback" not in refused.stderr
    assert wac_server.client.get("w/local/folders/get/etl").status_code == 404  # nothing was sent


def test_what_the_workspace_adds_or_renames_is_not_taken_for_an_edit_there(tmp_path, wac_server):
    """The server fills in defaults (`has_permissioned_as`) and a pull names inline files its own way:
    the next push still shows those as changes, as wmill does, but holds nothing back as edited there."""
    repo = _repo(tmp_path, "repo")
    schedule = repo / "f/etl/nightly.schedule.yaml"
    schedule.write_text(schedule.read_text().replace("no_flow_overlap", "has_permissioned_as: false\nno_flow_overlap"))
    flow = repo / "f/etl/notify.flow"
    (flow / "shout.inline_script.py").rename(flow / "my_shout.py")
    (flow / "flow.yaml").write_text((flow / "flow.yaml").read_text().replace("shout.inline_script.py", "my_shout.py"))
    assert wac("sync", "push", "--yes", cwd=repo, server=wac_server).returncode == 0
    again = wac("sync", "push", "--yes", cwd=repo, server=wac_server)
    assert again.returncode == 0 and "changed in the workspace" not in again.stdout, again.stdout
    assert wac("sync", "push", "--dry-run", cwd=repo, server=wac_server).returncode == 0


def test_an_app_round_trips_its_sharing_and_goes_with_delete(tmp_path, wac_server):
    repo = _repo(tmp_path, "repo")
    assert wac("sync", "push", "--yes", cwd=repo, server=wac_server).returncode == 0
    app = wac_server.client.get("w/local/apps/get/p/f/etl/board").json()
    assert app["extra_perms"] == {"g/etl": True} and app["policy"]["execution_mode"] == "publisher"
    assert sorted(app["policy"]["triggerables_v2"]) == [
        "a:rawscript/" + hashlib.sha256((repo / "f/etl/board.app/count_rows.inline_script.py").read_bytes()).hexdigest(),
        "bg_0:rawscript/" + hashlib.sha256(b"return ctx.username").hexdigest(),
        "c:script/f/lib/report", "c_0:flow/f/etl/notify"]
    assert app["policy"]["triggerables_v2"][next(k for k in app["policy"]["triggerables_v2"] if k.startswith("a:"))] \
        == {"static_inputs": {"limit": 10, "warehouse": "$res:f/etl/warehouse"},
            "one_of_inputs": {"day": ["2026-11-30", "2026-12-01"]}, "allow_user_resources": ["warehouse"]}
    board = repo / "f/etl/board.app/app.yaml"
    board.write_text(board.read_text().replace("g/etl: true", "g/ops: false"))
    assert wac("sync", "push", "--yes", cwd=repo, server=wac_server).returncode == 0
    assert wac_server.client.get("w/local/apps/get/p/f/etl/board").json()["extra_perms"] == {"g/ops": False}
    shutil.rmtree(repo / "f/etl/board.app")
    kept = wac("sync", "push", "--yes", cwd=repo, server=wac_server)
    assert "1 item(s) only in the workspace, kept" in kept.stdout
    assert wac("sync", "push", "--yes", "--delete", cwd=repo, server=wac_server).returncode == 0
    assert wac_server.client.get("w/local/apps/get/p/f/etl/board").status_code == 404


def test_a_raw_app_is_kept_by_the_server_pulled_by_wac_and_pushed_by_wmill(tmp_path, wac_server):
    app = {"path": "f/etl/portal", "summary": "Portal", "policy": {"execution_mode": "anonymous"},
           "value": {"runnables": {}, "files": {"/index.tsx": "export default 1\n"}}}
    created = wac_server.client.post("w/local/apps/create_raw",
                                     files={"app": (None, json.dumps(app)), "js": (None, "(()=>{})();"),
                                            "css": (None, "")})
    assert created.status_code == 201, created.text
    assert wac_server.client.get("w/local/apps/get/p/f/etl/portal").json()["summary"] == "Portal"
    repo = tmp_path / "repo"
    repo.mkdir()
    pulled = wac("sync", "pull", "--yes", cwd=repo, server=wac_server)
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert (repo / "f/etl/portal.raw_app/index.tsx").read_text() == "export default 1\n"
    assert "public: true" in (repo / "f/etl/portal.raw_app/raw_app.yaml").read_text()
    (repo / "f/etl/portal.raw_app/index.tsx").write_text("export default 2\n")
    pushed = wac("sync", "push", "--yes", cwd=repo, server=wac_server, PATH=_without_wmill())
    assert pushed.returncode == 0 and "Left alone (1 raw_app file(s))" in pushed.stdout, pushed.stdout
    assert "Raw apps need bundling: install the wmill CLI" in pushed.stdout
    assert wac_server.client.delete("w/local/apps/delete/f/etl/portal").status_code == 200
    assert wac_server.client.delete("w/local/apps/delete/f/etl/portal").status_code == 200  # as Windmill: no 404


def _without_wmill() -> str:
    """PATH without a `wmill` command on it."""
    return os.pathsep.join(d for d in os.environ["PATH"].split(os.pathsep) if not (Path(d) / "wmill").exists())


def _raw_app_repo(repo: Path) -> Path:
    """A repo with one raw app (a frontend calling one inline Python runnable); its folder."""
    app = repo / "f/etl/portal.raw_app"
    (app / "backend").mkdir(parents=True)
    (app / "node_modules").mkdir()  # present: wmill bundles offline instead of running npm install
    (repo / "wmill.yaml").write_text("defaultTs: bun\nincludes:\n  - f/**\n")
    (app / "raw_app.yaml").write_text("summary: Portal\nextra_perms:\n  g/etl: true\n")
    (app / "package.json").write_text('{\n  "dependencies": {}\n}\n')
    (app / "index.tsx").write_text('import { backend } from "./wmill";\n\nexport const go = () => backend.count({ n: 1 });\n')
    (app / "index.css").write_text("#root { color: teal; }\n")
    (app / "backend/count.yaml").write_text("type: inline\nfields:\n  n:\n    value: 1\n")
    (app / "backend/count.py").write_text("def main(n: int):\n    return n + 1\n")
    (app / "backend/open_flow.yaml").write_text("type: flow\npath: f/etl/daily\nfields:\n  day:\n    expr: ctx.date\n"
                                                "    allowUserResources: true\n")
    return app


@needs_cli
def test_wmill_pushes_and_pulls_a_raw_app_through_the_server(tmp_path, wac_server):
    repo = tmp_path / "repo"
    app = _raw_app_repo(repo)
    pushed = wmill("sync", "push", "--yes", cwd=repo, server=wac_server)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    stored = wac_server.client.get("w/local/apps/get/p/f/etl/portal").json()
    assert stored["extra_perms"] == {"g/etl": True} and "count" in stored["value"]["runnables"]
    assert changes(wmill("sync", "push", "--dry-run", cwd=repo, server=wac_server)) == []
    back = tmp_path / "back"
    back.mkdir()
    shutil.copy(repo / "wmill.yaml", back / "wmill.yaml")
    assert wmill("sync", "pull", "--yes", cwd=back, server=wac_server).returncode == 0
    for name in ("raw_app.yaml", "index.tsx", "index.css", "backend/count.py", "backend/count.yaml"):
        assert (back / "f/etl/portal.raw_app" / name).read_text() == (app / name).read_text(), name
    ours = tmp_path / "ours"
    ours.mkdir()
    shutil.copy(repo / "wmill.yaml", ours / "wmill.yaml")
    assert wac("sync", "pull", "--yes", cwd=ours, server=wac_server).returncode == 0
    assert files(ours) == files(back)  # the raw app's files as wmill writes them


NATIVE = "f/etl/daily.flow.ext42.nextcloud_native_trigger.yaml"
NATIVE_TEXT = "is_flow: true\nscript_path: f/etl/daily\nservice_config:\n  event: file_created\nsummary: New files\n"


@needs_cli
def test_a_native_trigger_is_pushed_as_wmill_pushes_it_and_pulled_under_the_services_id(tmp_path, two_servers):
    """The service names a native trigger when it is created: wac server plays it (ids 1, 2, ...)."""
    (via_wmill, via_wac), (wmill_proxy, wac_proxy), _ = two_servers
    theirs, ours = _repo(tmp_path, "theirs"), _repo(tmp_path, "ours")
    for repo in (theirs, ours):
        (repo / NATIVE).write_text(NATIVE_TEXT)
    assert wmill("sync", "push", "--yes", cwd=theirs, server=via_wmill).returncode == 0
    done = wac("sync", "push", "--yes", cwd=ours, server=via_wac)
    assert done.returncode == 0, done.stdout + done.stderr

    def native(proxy):
        return [(r["method"], r["path"], r["body"]) for r in proxy.requests if "/native_triggers/" in r["path"]]

    assert native(wac_proxy) == native(wmill_proxy)
    assert [(m, p.rsplit("/", 2)[-2:]) for m, p, _ in native(wac_proxy)] == [("GET", ["get", "ext42"]),
                                                                          ("POST", ["nextcloud", "create"])]
    by_wmill, by_wac = pull_with_both(tmp_path, via_wac)
    assert files(by_wac) == files(by_wmill)
    assert (by_wac / "f/etl/daily.flow.1.nextcloud_native_trigger.yaml").read_text() == (
        "summary: New files\nexternal_id: '1'\nis_flow: true\nscript_path: f/etl/daily\nservice_config:\n"
        "  event: file_created\nservice_name: nextcloud\n")
    assert not any("native_trigger" in line for line in changes(wmill("sync", "push", "--dry-run", cwd=by_wac,
                                                                            server=via_wac)))


def test_a_native_trigger_edit_updates_it_and_a_delete_needs_delete(tmp_path, wac_server):
    repo = _repo(tmp_path, "repo")
    (repo / NATIVE).write_text(NATIVE_TEXT)
    assert wac("sync", "push", "--yes", cwd=repo, server=wac_server).returncode == 0
    (repo / NATIVE).unlink()  # the service named it 1: work from the pulled file, as with Windmill
    assert wac("sync", "pull", "--yes", cwd=repo, server=wac_server).returncode == 0
    pulled = repo / "f/etl/daily.flow.1.nextcloud_native_trigger.yaml"
    pulled.write_text(pulled.read_text().replace("New files", "Renamed"))
    assert wac("sync", "push", "--yes", cwd=repo, server=wac_server).returncode == 0
    api = wac_server.client
    assert api.get("w/local/native_triggers/nextcloud/get/1").json()["summary"] == "Renamed"
    pulled.unlink()
    assert wac("sync", "push", "--yes", cwd=repo, server=wac_server).returncode == 0
    assert api.get("w/local/native_triggers/nextcloud/get/1").status_code == 200  # kept without --delete
    assert wac("sync", "push", "--yes", "--delete", cwd=repo, server=wac_server).returncode == 0
    assert api.get("w/local/native_triggers/nextcloud/get/1").status_code == 404



@needs_cli
def test_a_scripts_sharing_is_granted_as_wmill_grants_it_and_pulled_back(tmp_path, two_servers):
    (via_wmill, via_wac), (wmill_proxy, wac_proxy), (_, wac_server) = two_servers
    theirs, ours = _repo(tmp_path, "theirs"), _repo(tmp_path, "ours")
    for repo in (theirs, ours):
        meta = repo / "f/lib/helper.script.yaml"
        meta.write_text(meta.read_text() + "extra_perms:\n  g/ops: false\n  u/ana: true\n")
    assert wmill("sync", "push", "--yes", cwd=theirs, server=via_wmill).returncode == 0
    done = wac("sync", "push", "--yes", cwd=ours, server=via_wac)
    assert done.returncode == 0, done.stdout + done.stderr

    def script_acls(proxy):
        return sorted((r["path"], json.dumps(r["body"], sort_keys=True)) for r in proxy.requests
                      if "/acls/" in r["path"] and "/script/" in r["path"])

    assert script_acls(wac_proxy) == script_acls(wmill_proxy) and len(script_acls(wac_proxy)) == 2
    assert wac_server.client.get("w/local/scripts/get/p/f/lib/helper").json()["extra_perms"] == {
        "g/ops": False, "u/ana": True}
    by_wmill, by_wac = pull_with_both(tmp_path, via_wac)
    assert files(by_wac) == files(by_wmill)
    assert "u/ana: true" in (by_wac / "f/lib/helper.script.yaml").read_text()
    assert changes(wmill("sync", "push", "--dry-run", cwd=ours, server=via_wac)) == changes(
        wmill("sync", "push", "--dry-run", cwd=theirs, server=via_wmill))


def _raw_app_writes(proxy: RecordingProxy) -> list[tuple[str, str, dict | None]]:
    """(method, path, the `app` part) of each raw app and sharing write."""
    found = []
    for r in proxy.requests:
        if r["method"] == "POST" and ("/apps/" in r["path"] or "/acls/" in r["path"]):
            part = re.search(r'name="app"\r\n\r\n(.*?)\r\n--', r["body"], re.S) if isinstance(r["body"], str) else None
            found.append((r["method"], r["path"], json.loads(part.group(1)) if part else r["body"]))
    return found


@needs_cli
def test_wac_pushes_a_raw_app_as_wmill_does_with_wmills_bundler(tmp_path, two_servers):
    """The `app` part, routes and sharing as the real `wmill sync push` sends them; the bundle is wmill's own
    (`wmill app bundle`); after wac's push and after an edit, the real wmill sees no raw app change."""
    (via_wmill, via_wac), (wmill_proxy, wac_proxy), (wmill_server, wac_server) = two_servers
    theirs, ours = tmp_path / "theirs", tmp_path / "ours"
    for repo in (theirs, ours):
        _raw_app_repo(repo)
    with_wmill = f"{WMILL.parent}{os.pathsep}{os.environ['PATH']}"
    assert wmill("sync", "push", "--yes", cwd=theirs, server=via_wmill).returncode == 0
    done = wac("sync", "push", "--yes", cwd=ours, server=via_wac, PATH=with_wmill)
    assert done.returncode == 0 and "Created new raw_app f/etl/portal" in done.stdout, done.stdout + done.stderr
    writes = _raw_app_writes(wac_proxy)
    assert writes == _raw_app_writes(wmill_proxy)
    assert [path.split("/w/local/")[1] for _, path, _ in writes] == ["apps/create_raw", "acls/add/raw_app/f/etl/portal"]
    bundles = [server.client.get("w/local/apps/get/p/f/etl/portal").json() for server in (wmill_server, wac_server)]
    assert bundles[0]["value"] == bundles[1]["value"] and bundles[0]["policy"] == bundles[1]["policy"]

    def raw_app_changes():
        left = changes(wmill("sync", "push", "--dry-run", cwd=ours, server=via_wac))
        return [line for line in left if "raw_app" in line]

    assert raw_app_changes() == []
    (ours / "f/etl/portal.raw_app/index.tsx").write_text('export const two = 2;\n')
    (ours / "f/etl/portal.raw_app/backend/count.py").write_text("def main(n: int):\n    return n + 2\n")
    again = wac("sync", "push", "--yes", cwd=ours, server=via_wac, PATH=with_wmill)
    assert again.returncode == 0 and "Updated raw_app f/etl/portal" in again.stdout, again.stdout + again.stderr
    assert any(r["path"].endswith("/apps/update_raw/f/etl/portal") for r in wac_proxy.requests)
    assert raw_app_changes() == []
