"""Kill -9 `wac server` at random moments, restart it, and prove nothing is lost, half-made or done twice."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import threading
import time

import httpx

from conftest import WORKFLOWS, RunningServer
from test_server_api import finished

RUNS = 5
UNITS = 6
KILLS = 6
WS = "/w/local"


def test_kill_9_at_random_moments_then_restart(tmp_path, monkeypatch):
    marks_path = tmp_path / "marks.txt"
    monkeypatch.setenv("WAC_TEST_MARKS", str(marks_path))
    data = tmp_path / "data"
    server = RunningServer(data, tmp_path)
    for name in ("crashy", "marker"):
        body = {"path": f"f/t/{name}", "summary": "", "content": (WORKFLOWS / "f" / "t" / f"{name}.py").read_text(),
                "language": "python3"}
        assert server.client.post(f"{WS}/scripts/create", json=body).status_code == 201
    runs = [server.client.post(f"{WS}/jobs/run/p/f/t/crashy", json={"n": UNITS}).text for _ in range(RUNS)]
    acknowledged: list[str] = []
    rng = random.Random(7)
    for kill in range(KILLS):
        writer = _VersionWriter(server, acknowledged, kill)
        writer.start()
        time.sleep(rng.uniform(0.2, 0.9))
        os.killpg(server.process.pid, signal.SIGKILL)  # the server, its hosts and every job process
        server.process.wait()
        writer.join()
        server = RunningServer(data, tmp_path)
    try:
        for run_id in runs:
            job = finished(server.client, run_id, timeout=120)
            assert job["success"] and job["result"] == 2 * sum(range(UNITS)), job
    finally:
        server.stop()
    store = sqlite3.connect(data / "jobs.db")
    marks = [line.split() for line in marks_path.read_text().splitlines()]
    for run_id in runs:
        counts = store.execute("SELECT step_key, COUNT(*) FROM jobs WHERE parent_id=? AND status='success'"
                               " GROUP BY step_key", (run_id,)).fetchall()
        assert len(counts) == UNITS and all(count == 1 for _, count in counts)
        recorded = dict(store.execute("SELECT key, created_at FROM steps WHERE job_id=?", (run_id,)).fetchall())
        for _kind, key, at, _pid, run in marks:
            if run == run_id and key in recorded:
                assert float(at) <= recorded[key], f"{key} ran again after it had completed"
    versions = sqlite3.connect(data / "server.db").execute(
        "SELECT hash, content FROM scripts WHERE path LIKE 'f/crash/%'").fetchall()
    stored = {content for _hash, content in versions}
    assert set(acknowledged) <= stored  # every version the server said it created is there, whole
    assert all(content.startswith("def main():") and content.endswith("\n") for content in stored)


class _VersionWriter(threading.Thread):
    """Creates script versions until the server dies under it."""

    def __init__(self, server: RunningServer, acknowledged: list[str], kill: int) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(base_url=server.url + "api/", timeout=5,
                                   headers={"Authorization": f"Bearer {server.token}"})
        self.acknowledged, self.kill = acknowledged, kill

    def run(self) -> None:
        for i in range(1000):
            content = f"def main():\n    return {self.kill * 1000 + i}\n"
            body = {"path": f"f/crash/s{self.kill}_{i}", "summary": "", "content": content, "language": "python3"}
            try:
                if self.client.post(f"{WS}/scripts/create", json=body).status_code == 201:
                    self.acknowledged.append(content)
            except httpx.HTTPError:
                return
