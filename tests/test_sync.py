"""`wac sync push|pull` and `wac workspace` against a real `wac server` on 127.0.0.1."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, RunningServer

FLAT = "f/examples/modules_flat"


def wac(*args: str, cwd: Path, server: RunningServer | None = None, **env: str) -> subprocess.CompletedProcess:
    """`wac ...` with the server as target (env WAC_BASE_URL/WAC_WORKSPACE/WAC_TOKEN) and a private config dir."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("WAC_", "WMILL_"))}
    full.update(NO_COLOR="1", COLUMNS="200", WMILL_CONFIG_DIR=str(cwd.parent / "config"),
                XDG_STATE_HOME=str(cwd.parent / "state"))
    if server is not None:
        full.update(WAC_BASE_URL=server.url, WAC_WORKSPACE="local", WAC_TOKEN=server.token)
    full.update(env)
    return subprocess.run([sys.executable, "-m", "wac.cli", *args], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=180, stdin=subprocess.DEVNULL)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".wac" not in p.relative_to(root).parts}


def changes(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in done.stdout.splitlines() if line[:2] in ("+ ", "~ ", "- ")]


def deployed(server: RunningServer, path: str) -> dict | None:
    answer = server.client.get(f"w/local/scripts/get/p/{path}")
    return answer.json() if answer.status_code == 200 else None


def edit_remotely(server: RunningServer, path: str, extra: str) -> None:
    script = deployed(server, path)
    body = {k: script[k] for k in ("path", "summary", "description", "content", "language", "schema", "lock", "kind")}
    answer = server.client.post("w/local/scripts/create", json=dict(body, content=script["content"] + extra,
                                                                     parent_hash=script["hash"]))
    assert answer.status_code == 201, answer.text


@pytest.fixture
def repo(tmp_path):
    target = tmp_path / "repo"
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns(".wac"))
    return target


@pytest.fixture
def pushed(repo, wac_server):
    done = wac("sync", "push", "--yes", cwd=repo, server=wac_server)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_push_then_pull_into_an_empty_folder_gives_the_same_bytes(repo, wac_server, pushed, tmp_path):
    assert "Done! All 45 changes pushed to the remote workspace local" in pushed.stdout
    assert "Created new folder f/examples (" in pushed.stdout and "Created new script f/examples/steps (" in pushed.stdout
    pulled = tmp_path / "pulled"
    pulled.mkdir()
    shutil.copy(repo / "wmill.yaml", pulled / "wmill.yaml")
    done = wac("sync", "pull", "--yes", cwd=pulled, server=wac_server)
    assert done.returncode == 0 and "Done! All 45 changes applied locally" in done.stdout, done.stdout + done.stderr
    ours, theirs = ({p: data for p, data in files(root).items() if p.startswith("f/")} for root in (repo, pulled))
    flat = {p for p in ours.keys() | theirs.keys() if p.startswith(FLAT)}
    assert {p: ours[p] for p in ours.keys() - flat} == {p: theirs[p] for p in theirs.keys() - flat}
    # A module script comes back in folder layout, as wmill writes it; its hash covers that layout.
    assert f"{FLAT}__mod/script.py" in theirs and f"{FLAT}.py" not in theirs
    lock = (pulled / "wmill-lock.yaml").read_text()
    assert f"{FLAT}+__script_hash" in lock and lock.count("f/examples/") == (repo / "wmill-lock.yaml").read_text().count("f/examples/")
    again = wac("sync", "push", "--dry-run", cwd=pulled, server=wac_server)
    assert again.returncode == 0 and "remote (local) <- local: 0 changes to apply" in again.stdout, again.stdout


def test_a_second_push_changes_nothing_and_a_flat_module_script_converges(repo, wac_server, pushed):
    hashes = {p: deployed(wac_server, p)["hash"] for p in ("f/examples/steps", FLAT)}
    again = wac("sync", "push", "--yes", cwd=repo, server=wac_server)
    assert again.returncode == 0 and "0 changes to apply" in again.stdout and changes(again) == []
    assert {p: deployed(wac_server, p)["hash"] for p in hashes} == hashes


def test_an_edit_is_pushed_with_modules_locks_and_message(repo, wac_server, pushed):
    (repo / f"{FLAT}__mod" / "extract.py").write_text("def extract():\n    return [1]\n")
    done = wac("sync", "push", "--yes", "--message", "new extract", cwd=repo, server=wac_server)
    assert changes(done) == [f"~ script {FLAT}__mod/extract.py"] and done.returncode == 0, done.stdout
    script = deployed(wac_server, FLAT)
    assert script["modules"]["extract.py"]["content"] == "def extract():\n    return [1]\n"
    assert script["modules"]["extract.py"]["lock"] == (repo / f"{FLAT}__mod" / "extract.lock").read_text()
    assert script["deployment_message"] == "new extract"
    assert script["lock"] == (repo / f"{FLAT}.script.lock").read_text()


def test_a_remote_edit_is_not_overwritten_without_force(repo, wac_server, pushed):
    edit_remotely(wac_server, "f/examples/basics", "# edited in the workspace\n")
    with (repo / "f/examples/basics.py").open("a") as handle:
        handle.write("# edited in the repo\n")
    with (repo / "f/examples/steps.py").open("a") as handle:
        handle.write("# edited in the repo\n")
    done = wac("sync", "push", "--yes", cwd=repo, server=wac_server)
    assert done.returncode == 1, done.stdout
    assert "changed in the workspace since the last sync, skipped (--force overwrites them): f/examples/basics" in done.stdout
    assert deployed(wac_server, "f/examples/basics")["content"].endswith("# edited in the workspace\n")
    assert deployed(wac_server, "f/examples/steps")["content"].endswith("# edited in the repo\n")
    forced = wac("sync", "push", "--yes", "--force", cwd=repo, server=wac_server)
    assert forced.returncode == 0, forced.stdout
    assert deployed(wac_server, "f/examples/basics")["content"].endswith("# edited in the repo\n")


def test_a_pull_takes_a_remote_edit_and_then_push_has_nothing_to_do(repo, wac_server, pushed):
    lock_before = (repo / "wmill-lock.yaml").read_text()
    edit_remotely(wac_server, "f/examples/basics", "# edited in the workspace\n")
    pull = wac("sync", "pull", "--yes", cwd=repo, server=wac_server)
    assert changes(pull) == ["~ script f/examples/basics.py"] and pull.returncode == 0, pull.stdout
    assert (repo / "f/examples/basics.py").read_text().endswith("# edited in the workspace\n")
    lock = (repo / "wmill-lock.yaml").read_text()
    assert [a for a, b in zip(lock.splitlines(), lock_before.splitlines()) if a != b] == [
        line for line in lock.splitlines() if line.startswith("  f/examples/basics:")]
    check = wac("generate-metadata", "--check", cwd=repo)  # pull recorded the new hash, as `wmill sync pull` does
    assert check.returncode == 0 and "All metadata up-to-date" in check.stdout
    push = wac("sync", "push", "--dry-run", cwd=repo, server=wac_server)
    assert changes(push) == [] and "changed in the workspace" not in push.stdout


def test_a_local_edit_is_not_overwritten_by_pull_without_force(repo, wac_server, pushed):
    edit_remotely(wac_server, "f/examples/basics", "# edited in the workspace\n")
    with (repo / "f/examples/basics.py").open("a") as handle:
        handle.write("# edited in the repo\n")
    done = wac("sync", "pull", "--yes", cwd=repo, server=wac_server)
    assert done.returncode == 1 and "changed in the repo since the last sync" in done.stdout, done.stdout
    assert (repo / "f/examples/basics.py").read_text().endswith("# edited in the repo\n")


def test_without_a_record_push_behaves_as_wmill_and_says_so(repo, wac_server, pushed):
    shutil.rmtree(repo / ".wac" / "sync")
    edit_remotely(wac_server, "f/examples/basics", "# edited in the workspace\n")
    done = wac("sync", "push", "--dry-run", cwd=repo, server=wac_server)
    assert changes(done) == ["~ script f/examples/basics.py"]
    assert "No earlier sync with local on" in done.stdout


def test_deletions_need_delete(repo, wac_server, pushed):
    for name in ("steps.py", "steps.script.yaml", "steps.script.lock"):
        (repo / "f/examples" / name).unlink()
    kept = wac("sync", "push", "--yes", cwd=repo, server=wac_server)
    assert kept.returncode == 0 and "1 item(s) only in the workspace, kept (--delete archives them): f/examples/steps" \
        in kept.stdout, kept.stdout
    assert deployed(wac_server, "f/examples/steps") is not None
    archived = wac("sync", "push", "--yes", "--delete", cwd=repo, server=wac_server)
    assert "- script f/examples/steps.py" in archived.stdout and "Archived script f/examples/steps" in archived.stdout
    assert deployed(wac_server, "f/examples/steps") is None
    pulled_back = wac("sync", "pull", "--dry-run", cwd=repo, server=wac_server)
    assert changes(pulled_back) == []


def test_json_output_and_confirmation(repo, wac_server):
    plan = wac("sync", "push", "--dry-run", "--json-output", cwd=repo, server=wac_server)
    document = json.loads(plan.stdout)
    assert document["success"] is True and document["total"] == 45 == len(document["changes"])
    assert document["changes"][0] == {"type": "added", "path": "f/examples/folder.meta.yaml"}
    unconfirmed = wac("sync", "push", cwd=repo, server=wac_server)
    assert unconfirmed.returncode == 2 and "not applying without confirmation" in unconfirmed.stderr
    assert deployed(wac_server, "f/examples/steps") is None


def test_workspace_profiles_are_wmills_files(tmp_path, wac_server):
    home = tmp_path / "home"
    home.mkdir()
    added = wac("workspace", "add", "dev", "local", wac_server.url.rstrip("/"), "--token", wac_server.token, cwd=home)
    assert added.returncode == 0 and f"Added workspace dev for local on {wac_server.url}!" in added.stdout
    folder = tmp_path / "config" / "windmill"
    assert (folder / "remotes.ndjson").read_text() == json.dumps(
        {"name": "dev", "remote": wac_server.url, "workspaceId": "local", "token": wac_server.token},
        separators=(",", ":")) + "\n"
    assert (folder / "activeWorkspace").read_text() == "dev"
    assert oct((folder / "remotes.ndjson").stat().st_mode & 0o777) == "0o600"
    listed = wac("workspace", "list", cwd=home)
    assert "dev  local on " in listed.stdout and wac_server.token not in listed.stdout + listed.stderr
    who = wac("workspace", "whoami", cwd=home)
    assert '"username": "admin"' in who.stdout and "Active: dev" in who.stdout
    clash = wac("workspace", "add", "other", "local", wac_server.url, "--token", wac_server.token, cwd=home)
    assert clash.returncode == 2 and "already has the profile 'dev'" in clash.stderr
    assert wac("workspace", "remove", "dev", cwd=home).returncode == 0
    assert (folder / "remotes.ndjson").read_text() == "" and not (folder / "activeWorkspace").exists()


def test_clear_errors_for_bad_token_missing_workspace_and_no_server(repo, wac_server, tmp_path):
    bad = wac("sync", "push", "--dry-run", cwd=repo, server=wac_server, WAC_TOKEN="nope")
    assert bad.returncode == 1 and bad.stderr.startswith("error: not authorized by local on "), bad.stderr
    assert "Traceback" not in bad.stderr and "hint: the token is wrong or expired" in bad.stderr
    missing = wac("sync", "pull", "--dry-run", cwd=repo, server=wac_server, WAC_WORKSPACE="nope")
    assert missing.returncode == 1 and "error: not authorized by nope on" in missing.stderr, missing.stderr
    assert "or not valid in this workspace (check its id)" in missing.stderr
    added = wac("workspace", "add", "x", "nope", wac_server.url, "--token", wac_server.token, cwd=repo)
    assert added.returncode == 1 and "workspace 'nope' does not exist" in added.stderr
    assert not (tmp_path / "config" / "windmill" / "remotes.ndjson").exists()
    down = wac("sync", "push", "--dry-run", cwd=repo, WAC_BASE_URL="http://127.0.0.1:9", WAC_WORKSPACE="local",
               WAC_TOKEN="t")
    assert down.returncode == 1 and "error: cannot reach http://127.0.0.1:9/" in down.stderr, down.stderr
    nothing = wac("sync", "push", "--dry-run", cwd=repo)
    assert nothing.returncode == 2 and "no workspace given and no active profile" in nothing.stderr


def test_a_push_cut_by_a_dead_server_finishes_on_rerun_without_applying_twice(tmp_path):
    import signal
    import time

    repo = tmp_path / "many"
    (repo / "f" / "many").mkdir(parents=True)
    (repo / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    (repo / "f" / "many" / "folder.meta.yaml").write_text("display_name: many\nowners: []\nextra_perms: {}\nsummary: null\n")
    for i in range(60):
        (repo / "f" / "many" / f"s{i:02d}.py").write_text(f"def main():\n    return {i}\n")
    server = RunningServer(tmp_path / "data", tmp_path)
    port = server.url.rsplit(":", 1)[1].strip("/")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WAC_", "WMILL_"))}
    env.update(WAC_BASE_URL=server.url, WAC_WORKSPACE="local", WAC_TOKEN=server.token, NO_COLOR="1",
               WMILL_CONFIG_DIR=str(tmp_path / "config"))
    push = subprocess.Popen([sys.executable, "-m", "wac.cli", "sync", "push", "--yes", "--parallel", "1"], cwd=repo,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    created = 0
    while created < 20:
        line = push.stdout.readline()
        assert line, push.stderr.read()
        created += line.startswith("Created new script")
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()
    rest, errors = push.communicate(timeout=120)
    assert push.returncode == 1, rest + errors
    assert "item(s) were not pushed:" in rest and "cannot reach" in rest and "Re-run the push to finish" in rest
    assert "Traceback" not in errors
    time.sleep(0.2)
    server = RunningServer(tmp_path / "data", tmp_path, "--port", port)
    try:
        again = subprocess.run([sys.executable, "-m", "wac.cli", "sync", "push", "--yes"], cwd=repo, env=env,
                               capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stdout + again.stderr
        assert 0 < again.stdout.count("Created new script") <= 40
        versions = [deployed(server, f"f/many/s{i:02d}") for i in range(60)]
        assert all(v is not None and v["parent_hashes"] == [] for v in versions)  # each written once
        final = subprocess.run([sys.executable, "-m", "wac.cli", "sync", "push", "--dry-run"], cwd=repo, env=env,
                               capture_output=True, text=True, timeout=120)
        assert "0 changes to apply" in final.stdout
    finally:
        server.stop()


def test_stale_metadata_is_reported_or_regenerated_before_pushing(tmp_path, wac_server):
    repo = tmp_path / "repo"
    (repo / "f" / "demo").mkdir(parents=True)
    (repo / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    script = repo / "f" / "demo" / "auto.py"
    script.write_text("import json\n\n\ndef main(a: int = 1):\n    return json.dumps(a)\n")
    assert wac("generate-metadata", "--yes", cwd=repo).returncode == 0
    assert wac("sync", "push", "--yes", cwd=repo, server=wac_server).returncode == 0
    script.write_text('import json\n\n\ndef main(a: int = 1, b: str = "x"):\n    return json.dumps([a, b])\n')
    warned = wac("sync", "push", "--dry-run", cwd=repo, server=wac_server)
    assert "Stale scripts metadata found" in warned.stderr and "f/demo/auto (content changed)" in warned.stderr
    done = wac("sync", "push", "--yes", "--auto-metadata", cwd=repo, server=wac_server)
    assert done.returncode == 0 and "Stale" not in done.stderr, done.stdout + done.stderr
    assert "  b:" in (repo / "f/demo/auto.script.yaml").read_text()
    assert set(deployed(wac_server, "f/demo/auto")["schema"]["properties"]) == {"a", "b"}
    assert wac("generate-metadata", "--check", cwd=repo).returncode == 0
