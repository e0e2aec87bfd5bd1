"""Shared helpers: repo paths, the oracle fixtures, and running the real `wac`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
EXAMPLES = REPO / "examples"


def oracle_cases() -> list[dict]:
    """One entry per reference `parse_python` run (fixtures/schema/parse.jsonl)."""
    lines = (FIXTURES / "schema" / "parse.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def strict_equal(a, b) -> bool:
    """JSON equality that tells True from 1 (Python's == does not)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(strict_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b))
    return a == b


@pytest.fixture
def run_wac(tmp_path):
    """Run the installed `wac` command in a subprocess (default cwd: a temp dir)."""

    def run(*args: str, cwd: Path | None = None, input: str | None = None) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
        # Lock tests resolve from their own wheel folder only: no user pip config; state kept outside
        # a repo goes to the test's own folder, not the user's.
        env.update(COLUMNS="200", NO_COLOR="1", PIP_CONFIG_FILE=os.devnull, XDG_STATE_HOME=str(tmp_path / "state"))
        return subprocess.run(
            [sys.executable, "-m", "wac.cli", *args],
            cwd=cwd or tmp_path, env=env, input=input, capture_output=True, text=True, timeout=120,
        )

    return run


WORKFLOWS = REPO / "tests" / "workflows"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A Windmill repo holding the test workflows (tests/workflows), with marks and a flag file."""
    import shutil

    target = tmp_path / "project"
    shutil.copytree(WORKFLOWS, target)
    (target / ".git").mkdir()
    monkeypatch.setenv("WAC_TEST_MARKS", str(tmp_path / "marks.txt"))
    monkeypatch.setenv("WAC_TEST_FLAG", str(tmp_path / "flag"))
    return target


def marks(tmp_path) -> list[list[str]]:
    """Side effects recorded by tests/workflows/f/t/marker.py, one list per line."""
    path = tmp_path / "marks.txt"
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


def result_of(run):
    """The JSON result a successful `wac ... -s` printed."""
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout)


def store_db(project):
    """The project's job store, read directly (tests look at what was recorded)."""
    import sqlite3

    conn = sqlite3.connect(project / ".wac" / "jobs.db")
    conn.row_factory = sqlite3.Row
    return conn


def start_wac(project, *args):
    """`wac ...` as a background process in its own session (to be killed by tests)."""
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
    return subprocess.Popen([sys.executable, "-m", "wac.cli", *args], cwd=project, env=env,
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(predicate, timeout: float = 30.0, what: str = "condition"):
    """Poll until `predicate()` is truthy (returning it); fail after `timeout` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception:  # the store may not exist yet, or be mid-write
            value = None
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class RunningServer:
    """A `wac server` subprocess on 127.0.0.1 (an ephemeral port) with its token."""

    def __init__(self, data: Path | None, cwd: Path, *extra: str) -> None:
        """`data` None: the server finds its place itself (the repo's .wac/ when `cwd` is in one)."""
        import re
        import time

        self.data = data or cwd / ".wac" / "server"
        env = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
        where = ["--data", str(data)] if data is not None else []
        self.process = subprocess.Popen([sys.executable, "-m", "wac.cli", "server", "--port", "0", *where, *extra],
                                        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, start_new_session=True)
        first = self.process.stderr.readline()
        match = re.search(r"at (http://\S+/)", first)
        assert match, first + self.process.stderr.read()
        self.url = match.group(1)
        self.greeting = first
        while "Ctrl-C stops it." not in self.greeting:
            line = self.process.stderr.readline()
            assert line, self.greeting
            self.greeting += line
        self.token = subprocess.run([sys.executable, "-m", "wac.cli", "server", "token", "--data", str(self.data)],
                                    capture_output=True, text=True, check=True, env=env).stdout.strip()
        import httpx

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "api/version", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        self.client = httpx.Client(base_url=self.url + "api/", timeout=30,
                                   headers={"Authorization": f"Bearer {self.token}"})

    def stop(self) -> None:
        import signal

        self.client.close()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)  # Ctrl-C: a clean stop
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture
def wac_server(tmp_path):
    server = RunningServer(tmp_path / "server-data", tmp_path)
    yield server
    server.stop()
