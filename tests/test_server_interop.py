"""The unmodified `wmill` CLI (npm windmill-cli 1.819) and SDK (wmill 1.850) against `wac server`.

Skipped without node and npm (the CLI is installed once into ~/.cache/reference-wmill,
as shared/tools/reference-wmill/run.sh does); the SDK test needs PyPI once for its venv.
"""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, RunningServer

CLI_VERSION = "1.819.0"
CLI_HOME = Path(os.environ.get("REFERENCE_WMILL_HOME", Path.home() / ".cache" / "reference-wmill"))
WMILL = CLI_HOME / "node_modules" / ".bin" / "wmill"
SDK_VENV = Path.home() / ".cache" / "wac-wmill-1.850.0"
# The CLI writes a module script back in folder layout, so a flat copy churns on every push (contract §6).
FLAT_LAYOUT_CHURN = {"- script f/examples/modules_flat__mod/script.lock", "- script f/examples/modules_flat__mod/script.py",
                     "- script f/examples/modules_flat__mod/script.yaml", "+ script f/examples/modules_flat.py",
                     "+ script f/examples/modules_flat.script.lock", "+ script f/examples/modules_flat.script.yaml"}


def _install_cli() -> bool:
    if WMILL.exists():
        return True
    if not shutil.which("npm"):
        return False
    CLI_HOME.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", f"windmill-cli@{CLI_VERSION}"],
                          cwd=CLI_HOME, capture_output=True, text=True, timeout=600)
    return done.returncode == 0 and WMILL.exists()


needs_cli = pytest.mark.skipif(not shutil.which("node") or not _install_cli(), reason="needs node and npm")


def wmill(*args: str, cwd: Path, server: RunningServer) -> subprocess.CompletedProcess:
    flags = ["--base-url", server.url, "--workspace", "local", "--token", server.token]
    done = subprocess.run([str(WMILL), *args, *flags], cwd=cwd, capture_output=True, text=True, timeout=180,
                          stdin=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
    done.stdout = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
    return done


@pytest.fixture
def server(tmp_path):
    running = RunningServer(tmp_path / "server-data", tmp_path)
    yield running
    running.stop()


@needs_cli
def test_workspace_add_and_whoami(server, tmp_path):
    config = tmp_path / "config"
    base = [str(WMILL), "workspace"]
    env = {**os.environ, "NO_COLOR": "1"}
    added = subprocess.run([*base, "add", "mine", "local", server.url, "--token", server.token, "--config-dir",
                            str(config)], capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env, timeout=120)
    assert added.returncode == 0 and "Added workspace mine for local" in added.stdout + added.stderr
    profile = json.loads((config / "windmill" / "remotes.ndjson").read_text())
    assert profile == {"name": "mine", "remote": server.url, "workspaceId": "local", "token": server.token}
    who = subprocess.run([*base, "whoami", "--config-dir", str(config)], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, env=env, timeout=120)
    assert '"username": "admin"' in who.stdout and "Active: mine" in re.sub(r"\x1b\[[0-9;]*m", "", who.stdout)


@needs_cli
def test_push_pull_run_and_preview_the_examples(server, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES, repo)
    first = wmill("sync", "push", "--yes", cwd=repo, server=server)
    assert first.returncode == 0 and "changes pushed to the remote workspace" in first.stdout, first.stdout
    second = wmill("sync", "push", "--dry-run", cwd=repo, server=server)
    changes = {line for line in second.stdout.splitlines() if re.match(r"^[+~-] script ", line)}
    assert changes == FLAT_LAYOUT_CHURN, second.stdout

    pulled = tmp_path / "pulled"
    pulled.mkdir()
    (pulled / "wmill.yaml").write_text((repo / "wmill.yaml").read_text())
    pull = wmill("sync", "pull", "--yes", cwd=pulled, server=server)
    assert pull.returncode == 0 and "changes applied locally" in pull.stdout, pull.stdout
    ours, theirs = _files(repo / "f"), _files(pulled / "f")
    flat = {p for p in ours | theirs if p.startswith("examples/modules_flat")}
    assert ours - flat == theirs - flat
    assert all(filecmp.cmp(repo / "f" / p, pulled / "f" / p, shallow=False) for p in ours - flat)

    run = wmill("script", "run", "f/examples/quickstart", "-d", '{"n": 3}', cwd=repo, server=server)
    assert run.returncode == 0 and "--- WAC: fetch_data ---" in run.stdout and "Job Completed" in run.stdout
    assert '"count": 3' in run.stdout
    silent = wmill("script", "run", "f/examples/basics", "-d", "{}", "-s", cwd=repo, server=server)
    assert silent.stdout.strip().splitlines()[-1] == "16"
    missing = wmill("script", "run", "f/examples/nope", "-d", "{}", cwd=repo, server=server)
    assert missing.returncode == 1 and "Script 'f/examples/nope' not found" in missing.stdout
    preview = wmill("script", "preview", "f/examples/basics.py", "-d", "{}", cwd=repo, server=server)
    assert preview.returncode == 0 and "Preview completed" in preview.stdout and "16" in preview.stdout


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def _sdk_python() -> Path | None:
    python = SDK_VENV / "bin" / "python"
    if not python.exists():
        created = subprocess.run([sys.executable, "-m", "venv", str(SDK_VENV)], capture_output=True)
        installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "wmill==1.850.0"], capture_output=True,
                                   timeout=600) if created.returncode == 0 else created
        if installed.returncode != 0:
            shutil.rmtree(SDK_VENV, ignore_errors=True)
            return None
    return python


CHILD = "def main(x: int = 1):\n    return x * 10\n"
PARENT = '''import time

import wmill


def main():
    direct = wmill.run_script_by_path("f/sdk/child", args={"x": 2})
    job_id = wmill.run_script_by_path_async("f/sdk/child", args={"x": 3})
    while wmill.get_job_status(job_id) != "COMPLETED":
        time.sleep(0.05)
    return {"direct": direct, "async": wmill.get_result(job_id), "urls": sorted(wmill.get_resume_urls())}
'''


@needs_cli
def test_the_wmill_sdk_inside_a_job(tmp_path):
    python = _sdk_python()
    if python is None:
        pytest.skip("could not install wmill==1.850.0 (needs PyPI once)")
    server = RunningServer(tmp_path / "data", tmp_path, "--python", str(python))
    try:
        repo = tmp_path / "repo"
        (repo / "f" / "sdk").mkdir(parents=True)
        (repo / "wmill.yaml").write_text('includes:\n  - "f/**"\n')
        (repo / "f" / "sdk" / "child.py").write_text(CHILD)
        (repo / "f" / "sdk" / "parent.py").write_text(PARENT)
        assert wmill("sync", "push", "--yes", cwd=repo, server=server).returncode == 0
        run = wmill("script", "run", "f/sdk/parent", "-s", cwd=repo, server=server)
        assert json.loads(run.stdout.strip().splitlines()[-1]) == {
            "direct": 20, "async": 30, "urls": ["approvalPage", "cancel", "resume"]}
    finally:
        server.stop()
