"""Kill -9 the preview at random points, resume, and prove nothing completed ran twice."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

from conftest import REPO

KILL_POINTS = 24
KILLS_PER_RUN = 6
STEPS = 8


def start(project, *args):
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
    return subprocess.Popen([sys.executable, "-m", "wac.cli", *args], cwd=project, env=env,
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sigkill_at_random_points_never_reruns_completed_work(tmp_path, monkeypatch):
    project = tmp_path / "project"
    shutil.copytree(REPO / "tests" / "workflows", project)
    (project / ".git").mkdir()
    marks_path = tmp_path / "marks.txt"
    monkeypatch.setenv("WAC_TEST_MARKS", str(marks_path))
    rng = random.Random(1234)
    kills, runs = 0, []
    while kills < KILL_POINTS:
        proc = start(project, "script", "preview", "f/t/crashy.py", "-d", json.dumps({"n": STEPS}), "-s")
        runs.append(_new_run(project, runs))
        for index in range(KILLS_PER_RUN):
            # The first kill lands in the run (it exists now); resumes start up in ~0.3 s first.
            time.sleep(rng.uniform(0.0, 0.4) if index == 0 else rng.uniform(0.25, 0.8))
            if proc.poll() is not None:
                break
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            kills += 1
            proc = start(project, "job", "resume", runs[-1], "-s")
        assert proc.wait(timeout=60) == 0, proc.stderr.read()
    conn = sqlite3.connect(project / ".wac" / "jobs.db")
    expected_total = sum(range(STEPS)) * 2
    for run_id in runs:
        status, result = conn.execute("SELECT status, result FROM jobs WHERE id=?", (run_id,)).fetchone()
        assert status == "success" and json.loads(result) == expected_total
    marks = [line.split() for line in marks_path.read_text().splitlines()]
    assert kills >= KILL_POINTS
    for run_id in runs:
        started, ended = conn.execute("SELECT created_at, completed_at FROM jobs WHERE id=?", (run_id,)).fetchone()
        run_marks = [m for m in marks if started <= float(m[2]) <= ended]
        for kind, key, at, _pid, _run in run_marks:
            # The checkpoint row is written once, when the task or step first completed.
            row = conn.execute("SELECT created_at FROM steps WHERE job_id=? AND key=?", (run_id, key)).fetchone()
            assert row is not None, (kind, key)
            assert float(at) <= row[0], f"{kind} {key} ran again after it had completed (run {run_id})"
        successes = conn.execute("SELECT step_key, COUNT(*) FROM jobs WHERE parent_id=? AND status='success'"
                                 " GROUP BY step_key", (run_id,)).fetchall()
        assert len(successes) == STEPS and all(count == 1 for _, count in successes)


def _new_run(project, known: list[str]) -> str:
    """The id of the run a just-started preview creates (polling until it exists)."""
    for _ in range(200):
        try:
            conn = sqlite3.connect(project / ".wac" / "jobs.db")
            row = conn.execute("SELECT id FROM jobs WHERE parent_id IS NULL ORDER BY created_at DESC").fetchone()
            if row and row[0] not in known:
                return row[0]
        except sqlite3.OperationalError:
            pass
        time.sleep(0.02)
    raise AssertionError("the preview never created its run")

