"""`wac` and the real `wmill` CLI side by side: same requests for a push, same files from a pull,
and profiles either tool writes work in the other. Skipped without node and npm."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from conftest import EXAMPLES, RunningServer
from recording_proxy import RecordingProxy
from test_server_interop import WMILL, needs_cli, wmill
from test_sync import files, wac

WRITES = ("POST", "DELETE")


@pytest.fixture
def two_servers(tmp_path):
    """One server (behind a recording proxy) for each tool."""
    servers = [RunningServer(tmp_path / f"data-{tool}", tmp_path) for tool in ("wmill", "wac")]
    proxies = [RecordingProxy(server.url) for server in servers]
    yield list(zip(servers, proxies))
    for proxy in proxies:
        proxy.close()
    for server in servers:
        server.stop()


class Via:
    """A server reached through its proxy (what the tools are pointed at)."""

    def __init__(self, server: RunningServer, proxy: RecordingProxy) -> None:
        self.url, self.token = proxy.url, server.token


def _repo(tmp_path, name):
    target = tmp_path / name
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns(".wac"))
    return target


def _script_bodies(proxy: RecordingProxy) -> dict[str, dict]:
    return {r["body"]["path"]: r["body"] for r in proxy.requests if r["path"].endswith("/scripts/create")}


def _calls(proxy: RecordingProxy, methods=("GET", *WRITES)) -> set[tuple[str, str]]:
    """The item calls (lookups and writes) a push made."""
    return {(r["method"], r["path"]) for r in proxy.requests if r["method"] in methods
            and ("/scripts/" in r["path"] or "/folders/" in r["path"])}


@needs_cli
def test_a_push_sends_the_requests_wmill_sends(tmp_path, two_servers):
    (wmill_server, wmill_proxy), (wac_server, wac_proxy) = two_servers
    theirs, ours = _repo(tmp_path, "theirs"), _repo(tmp_path, "ours")
    assert wmill("sync", "push", "--yes", cwd=theirs, server=Via(wmill_server, wmill_proxy)).returncode == 0
    assert wac("sync", "push", "--yes", cwd=ours, server=Via(wac_server, wac_proxy)).returncode == 0
    assert _calls(wac_proxy) == _calls(wmill_proxy)
    mine, reference = _script_bodies(wac_proxy), _script_bodies(wmill_proxy)
    assert mine.keys() == reference.keys() and len(mine) == 12
    for path, body in reference.items():
        assert list(mine[path]) == list(body), path  # same keys, in the same order
        assert mine[path] == body, path
    folder = [r["body"] for r in wac_proxy.requests if r["path"].endswith("/folders/create")]
    assert folder == [r["body"] for r in wmill_proxy.requests if r["path"].endswith("/folders/create")]

    for repo in (theirs, ours):
        with (repo / "f/examples/steps.py").open("a") as handle:
            handle.write("# one more line\n")
    wmill_proxy.requests.clear()
    wac_proxy.requests.clear()
    wmill("sync", "push", "--yes", "--message", "why", cwd=theirs, server=Via(wmill_server, wmill_proxy))
    wac("sync", "push", "--yes", "--message", "why", cwd=ours, server=Via(wac_server, wac_proxy))
    mine, reference = _script_bodies(wac_proxy), _script_bodies(wmill_proxy)
    assert set(mine) == {"f/examples/steps"}
    update, expected = mine["f/examples/steps"], reference["f/examples/steps"]
    assert update.pop("parent_hash") and expected.pop("parent_hash")  # each server's own hash
    assert list(update) == list(expected) and update == expected


@needs_cli
def test_a_pull_writes_the_files_wmill_writes(tmp_path, wac_server):
    source = _repo(tmp_path, "source")
    assert wac("sync", "push", "--yes", cwd=source, server=wac_server).returncode == 0
    by_wmill, by_wac = tmp_path / "by-wmill", tmp_path / "by-wac"
    for folder in (by_wmill, by_wac):
        folder.mkdir()
        shutil.copy(source / "wmill.yaml", folder / "wmill.yaml")
    pulled = wmill("sync", "pull", "--yes", cwd=by_wmill, server=wac_server)
    assert pulled.returncode == 0, pulled.stdout
    assert wac("sync", "pull", "--yes", cwd=by_wac, server=wac_server).returncode == 0
    assert files(by_wac) == files(by_wmill)  # every byte, wmill-lock.yaml included


@needs_cli
def test_profiles_work_in_both_tools(tmp_path, wac_server):
    config = tmp_path / "config"
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "NO_COLOR": "1"}
    added = wac("workspace", "add", "by-wac", "local", wac_server.url, "--token", wac_server.token, cwd=home)
    assert added.returncode == 0, added.stderr
    who = subprocess.run([str(WMILL), "workspace", "whoami", "--config-dir", str(config)], capture_output=True,
                         text=True, stdin=subprocess.DEVNULL, env=env, timeout=120)
    assert '"username": "admin"' in who.stdout and "by-wac" in who.stdout
    assert wac("workspace", "remove", "by-wac", cwd=home).returncode == 0
    subprocess.run([str(WMILL), "workspace", "add", "by-wmill", "local", wac_server.url, "--token", wac_server.token,
                    "--config-dir", str(config)], capture_output=True, stdin=subprocess.DEVNULL, env=env, timeout=120,
                   check=True)
    listed = wac("workspace", "list", cwd=home)
    assert "* by-wmill" in listed.stdout and wac_server.token not in listed.stdout
    assert "Active: by-wmill" in wac("workspace", "whoami", cwd=home).stdout
