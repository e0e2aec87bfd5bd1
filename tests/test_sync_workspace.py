"""Settings, encryption key, users and groups (wmill.yaml's includeSettings/Key/Users/Groups), judged by
the real `wmill` CLI: the same requests for a push, the same files from a pull, nothing left to change."""

from __future__ import annotations

import json
import shutil

from conftest import FIXTURES
from recording_proxy import RecordingProxy
from test_server_interop import needs_cli, wmill
from test_sync import changes, files, wac
from test_sync_kinds import pull_with_both, two_servers  # noqa: F401  (two_servers: a fixture)

ADMIN = FIXTURES / "workspace_admin"
ROUTES = ("/workspaces/edit_", "/workspaces/change_workspace_color", "/workspaces/critical_alerts", "/workspaces/operator",
          "/workspaces/encryption_key", "/workspaces/add_user", "/users/", "/groups/", "/acls/")


def _writes(proxy: RecordingProxy) -> list[tuple[str, str, str]]:
    return [(r["method"], r["path"], json.dumps(r["body"], sort_keys=True)) for r in proxy.requests
            if r["method"] in ("POST", "DELETE") and any(route in r["path"] for route in ROUTES)]


def _repo(tmp_path, name):
    shutil.copytree(ADMIN, tmp_path / name)
    return tmp_path / name


@needs_cli
def test_push_and_pull_of_the_workspace_itself_are_wmills(tmp_path, two_servers):  # noqa: F811
    (via_wmill, via_wac), (wmill_proxy, wac_proxy), (wmill_server, wac_server) = two_servers
    theirs, ours = _repo(tmp_path, "theirs"), _repo(tmp_path, "ours")
    assert wmill("sync", "push", "--yes", cwd=theirs, server=via_wmill).returncode == 0
    done = wac("sync", "push", "--yes", "--delete", cwd=ours, server=via_wac)
    assert done.returncode == 0, done.stdout + done.stderr
    reference = _writes(wmill_proxy)
    assert ("POST", "/api/w/local/workspaces/encryption_key", json.dumps(
        {"new_key": (ADMIN / "encryption_key.yaml").read_text().strip(), "skip_reencrypt": False},
        sort_keys=True)) in reference
    assert ("DELETE", "/api/w/local/users/delete/admin", "null") in reference  # no file: removed, as wmill does
    assert sorted(_writes(wac_proxy)) == sorted(reference)
    assert "encryption_key" in done.stdout and (ADMIN / "encryption_key.yaml").read_text().strip() not in done.stdout
    assert changes(wmill("sync", "push", "--dry-run", cwd=ours, server=via_wac)) == []
    assert "0 changes" in wac("sync", "push", "--dry-run", cwd=ours, server=via_wac).stdout
    by_wmill, by_wac = pull_with_both(tmp_path, via_wac, ADMIN / "wmill.yaml")
    assert files(by_wac) == files(by_wmill)
    assert files(by_wac)["groups/deployers.group.yaml"] == (ADMIN / "groups/deployers.group.yaml").read_bytes()


def test_without_delete_the_workspace_keeps_its_other_users(tmp_path, wac_server):
    repo = _repo(tmp_path, "repo")
    pushed = wac("sync", "push", "--yes", cwd=repo, server=wac_server)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert "only in the workspace, kept" in pushed.stdout
    users = {u["username"]: u for u in wac_server.client.get("w/local/users/list").json()}
    assert set(users) == {"admin", "alice", "bob"} and users["bob"]["operator"] is True
    group = wac_server.client.get("w/local/groups/get/deployers").json()
    assert group["members"] == ["bob", "alice"] and group["extra_perms"] == {"u/alice": True}
    settings = wac_server.client.get("w/local/workspaces/get_settings").json()
    assert settings["color"] == "#2f8f5b" and settings["operator_settings"]["groups"] is False
    key = repo / "encryption_key.yaml"
    key.write_text(key.read_text().replace("Q", "R"))
    shown = wac("sync", "push", "--dry-run", "--show-diffs", cwd=repo, server=wac_server)
    assert "~ encryption_key encryption_key.yaml" in shown.stdout and key.read_text().strip() not in shown.stdout
    assert "  + RWxvY*****" in shown.stdout
    (repo / "users/bob@example.com.user.yaml").write_text("disabled: true\nrole: developer\nusername: bob\n")
    assert wac("sync", "push", "--yes", cwd=repo, server=wac_server).returncode == 0
    bob = wac_server.client.get("w/local/users/get/bob").json()
    assert (bob["operator"], bob["is_admin"], bob["disabled"]) == (False, False, True)


@needs_cli
def test_workspace_dependencies_sync_and_pulls_hash_with_them_as_wmill(tmp_path, wac_server):
    """dependencies/ files are pushed as wmill pushes them, and a pull records each pulled script's hash
    with the dependency files that apply to it (its language's default, or the ones it names)."""
    repo = tmp_path / "repo"
    (repo / "dependencies").mkdir(parents=True)
    (repo / "f/etl").mkdir(parents=True)
    (repo / "wmill.yaml").write_text("defaultTs: bun\nincludes:\n  - f/**\n")
    (repo / "dependencies/requirements.in").write_text("requests==2.32.3\n")
    (repo / "dependencies/ml.requirements.in").write_text("numpy==2.1.0\n")
    (repo / "dependencies/package.json").write_text('{\n  "dependencies": {}\n}\n')
    (repo / "f/etl/plain.py").write_text("def main():\n    return 1\n")
    (repo / "f/etl/named.py").write_text("# requirements: ml\n\ndef main():\n    return 2\n")
    (repo / "f/etl/hello.ts").write_text("export async function main() {\n  return 3\n}\n")
    pushed = wac("sync", "push", "--yes", cwd=repo, server=wac_server)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    latest = wac_server.client.get("w/local/workspace_dependencies/get_latest/python3", params={"name": "ml"}).json()
    assert latest["content"] == "numpy==2.1.0\n"
    assert changes(wmill("sync", "push", "--dry-run", cwd=repo, server=wac_server)) == []
    by_wmill, by_wac = tmp_path / "by-wmill", tmp_path / "by-wac"
    for folder in (by_wmill, by_wac):
        folder.mkdir()
        shutil.copy(repo / "wmill.yaml", folder / "wmill.yaml")
    assert wmill("sync", "pull", "--yes", cwd=by_wmill, server=wac_server).returncode == 0
    assert wac("sync", "pull", "--yes", cwd=by_wac, server=wac_server).returncode == 0
    assert files(by_wac) == files(by_wmill)
    (repo / "dependencies/ml.requirements.in").unlink()
    gone = wac("sync", "push", "--yes", "--delete", cwd=repo, server=wac_server)
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert wac_server.client.get("w/local/workspace_dependencies/get_latest/python3",
                                 params={"name": "ml"}).status_code == 404
