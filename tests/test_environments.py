"""Preview runs a script in an environment holding exactly its locked packages (offline wheels)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from wheels import build_wheel

SCRIPT = '''import importlib.util

import tinypkg{pin}
from wmill import task, workflow


@task
async def version() -> str:
    return tinypkg.__version__


@workflow
async def main():
    return {{"body": tinypkg.__version__, "task": await version(),
             "wac_packages_visible": importlib.util.find_spec("typer") is not None}}
'''
STDLIB_ONLY = "from wmill import step, workflow\n\n\n@workflow\nasync def main():\n    return await step('x', lambda: 1)\n"


@pytest.fixture
def wheels(tmp_path):
    folder = tmp_path / "wheels"
    for version in ("1.0.0", "2.0.0"):
        build_wheel(folder, "tinypkg", version)
    build_wheel(folder, "wmill", "1.850.0")
    return folder


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "repo"
    (root / "f" / "x").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
    (root / "f/x/one.py").write_text(SCRIPT.format(pin="  # pin: tinypkg==1.0.0"))
    (root / "f/x/two.py").write_text(SCRIPT.format(pin="  # pin: tinypkg==2.0.0"))
    return root


def preview(run_wac, repo, script, *extra):
    return run_wac("script", "preview", script, "-s", *extra, cwd=repo)


def offline(wheels):
    return ("--no-index", "--find-links", str(wheels))


def runs(run_wac, repo):
    """Runs in the repo's job store (none when a preview never got as far as making one)."""
    if not (repo / ".wac" / "jobs.db").exists():
        return []
    return json.loads(run_wac("job", "list", "--json", cwd=repo).stdout)


def envs(run_wac, repo):
    return json.loads(run_wac("env", "list", "--json", cwd=repo).stdout)


def test_each_script_sees_its_own_pinned_version_and_not_wacs_packages(run_wac, repo, wheels):
    one = preview(run_wac, repo, "f/x/one.py", *offline(wheels))
    two = preview(run_wac, repo, "f/x/two.py", *offline(wheels))
    assert json.loads(one.stdout) == {"body": "1.0.0", "task": "1.0.0", "wac_packages_visible": False}, one.stderr
    assert json.loads(two.stdout) == {"body": "2.0.0", "task": "2.0.0", "wac_packages_visible": False}, two.stderr
    # the lock's `wmill` comes too: the real package serves what wac's SDK does not (see test_flow_envs)
    assert sorted(e["packages"] for e in envs(run_wac, repo)) == [["tinypkg==1.0.0", "wmill==1.850.0"],
                                                                  ["tinypkg==2.0.0", "wmill==1.850.0"]]


def test_an_environment_is_made_once_then_reused_offline(run_wac, repo, wheels):
    first = run_wac("script", "preview", "f/x/one.py", *offline(wheels), cwd=repo)
    assert "Creating an environment for f/x/one: tinypkg==1.0.0" in first.stderr
    for wheel in wheels.iterdir():
        wheel.unlink()  # nothing left to install from: the cached lock and environment must do
    again = run_wac("script", "preview", "f/x/one.py", *offline(wheels), cwd=repo)
    assert again.returncode == 0, again.stderr
    assert "Creating an environment" not in again.stderr
    assert len(envs(run_wac, repo)) == 1


def test_an_up_to_date_lock_is_what_gets_installed(run_wac, repo, wheels, tmp_path):
    only_old = tmp_path / "old-wheels"
    build_wheel(only_old, "tinypkg", "1.0.0")
    build_wheel(only_old, "wmill", "1.850.0")
    (repo / "f/x/two.py").unlink()
    (repo / "f/x/free.py").write_text(SCRIPT.format(pin=""))
    generated = run_wac("generate-metadata", "--yes", *offline(only_old), cwd=repo)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    lock = (repo / "f/x/free.script.lock").read_text()
    assert "tinypkg==1.0.0" in lock
    locked = preview(run_wac, repo, "f/x/free.py", *offline(wheels))
    assert json.loads(locked.stdout)["body"] == "1.0.0"  # the lock, though 2.0.0 is available now
    (repo / "f/x/free.py").write_text(SCRIPT.format(pin="") + "\n# edited\n")
    fresh = preview(run_wac, repo, "f/x/free.py", *offline(wheels))
    assert json.loads(fresh.stdout)["body"] == "2.0.0"  # stale: resolved as generate-metadata would
    assert (repo / "f/x/free.script.lock").read_text() == lock  # and nothing written to the repo


def test_a_version_that_does_not_exist_fails_before_anything_runs(run_wac, repo, wheels):
    (repo / "f/x/bad.py").write_text(SCRIPT.format(pin="  # pin: tinypkg==9.9.9"))
    result = preview(run_wac, repo, "f/x/bad.py", *offline(wheels))
    assert result.returncode == 1
    [error, hint] = result.stderr.strip().splitlines()
    assert error.startswith("error: cannot lock the packages of f/x/bad.py:") and "tinypkg==9.9.9" in error
    assert hint.startswith("hint:") and "--find-links" in hint
    assert runs(run_wac, repo) == []


def test_a_lock_that_cannot_be_installed_fails_with_the_installers_reason(run_wac, repo, wheels):
    (repo / "f/x/gone.py").write_text(SCRIPT.format(pin=""))
    assert run_wac("generate-metadata", "--yes", *offline(wheels), cwd=repo).returncode == 0
    lock = repo / "f/x/gone.script.lock"
    lock.write_text(lock.read_text().replace("tinypkg==2.0.0", "tinypkg==7.0.0"))  # as if yanked
    result = preview(run_wac, repo, "f/x/gone.py", *offline(wheels))
    assert result.returncode == 1
    [error, hint] = result.stderr.strip().splitlines()
    assert error.startswith("error: cannot install the script's packages:") and "tinypkg==7.0.0" in error
    assert "--env current" in hint
    assert runs(run_wac, repo) == []
    assert envs(run_wac, repo) == []


def test_current_env_and_stdlib_only_scripts_make_no_environment(run_wac, repo, wheels):
    (repo / "f/x/plain.py").write_text(STDLIB_ONLY)
    # wmill's own dependencies in its lock (as in every WAC script's) are not the script's: wac's SDK runs it.
    (repo / "f/x/plain.script.lock").write_text("# py: 3.11\nhttpx==0.28.1\nwmill==1.850.0\n")
    assert json.loads(preview(run_wac, repo, "f/x/plain.py", *offline(wheels)).stdout) == 1
    current = preview(run_wac, repo, "f/x/one.py", "--env", "current")
    assert current.returncode == 1 and "No module named 'tinypkg'" in current.stderr
    assert envs(run_wac, repo) == []


def test_prune(run_wac, repo, wheels):
    preview(run_wac, repo, "f/x/one.py", *offline(wheels))
    refused = run_wac("env", "prune", cwd=repo)
    assert refused.returncode == 2 and "--older-than" in refused.stderr
    assert run_wac("env", "prune", "--older-than", "1d", cwd=repo).stdout.startswith("Removed 0 environment(s)")
    assert run_wac("env", "prune", "--all", cwd=repo).stdout.startswith("Removed 1 environment(s)")
    assert envs(run_wac, repo) == []


VERSION_TASK = '''import tinypkg
from wmill import task, workflow


@task
async def version() -> str:
    return tinypkg.__version__


@workflow
async def main():
    return {"body": tinypkg.__version__, "task": await version()}
'''


def test_deployed_scripts_run_with_their_locks_packages_on_wac_server(tmp_path, monkeypatch, wheels):
    """As on a worker: each deployed script's lock, in an environment shared with previews."""
    from conftest import RunningServer
    from test_server_api import WS, deploy

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("UV_FIND_LINKS", str(wheels))  # the server's installer reads its sources from uv's env
    monkeypatch.setenv("UV_NO_INDEX", "1")
    server = RunningServer(tmp_path / "server-data", tmp_path)
    try:
        client = server.client
        for version in ("1.0.0", "2.0.0"):
            deploy(client, f"f/x/v{version[0]}", VERSION_TASK, lock=f"# py: 3.11\ntinypkg=={version}\nwmill==1.850.0\n")
            answer = client.post(f"{WS}/jobs/run_wait_result/p/f/x/v{version[0]}", json={})
            assert answer.json() == {"body": version, "task": version}, answer.text
        deploy(client, "f/x/missing", VERSION_TASK, lock="tinypkg==7.0.0\n")
        refused = client.post(f"{WS}/jobs/run/p/f/x/missing", json={})
        assert refused.status_code == 400 and "tinypkg==7.0.0" in refused.text
    finally:
        server.stop()
    listed = subprocess.run([sys.executable, "-m", "wac.cli", "env", "list", "--json"], capture_output=True, text=True)
    assert sorted(e["packages"] for e in json.loads(listed.stdout)) == [["tinypkg==1.0.0", "wmill==1.850.0"],
                                                                        ["tinypkg==2.0.0", "wmill==1.850.0"]]
