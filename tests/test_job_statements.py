"""A forked child compiles its job's SQL while it waits for the job (db.prepare_statements): the job's own
transactions then compile nothing, and the warm-up runs no statement, takes no lock, and stops when the job
arrives. Compiles are counted with SQLite's authorizer, which it calls only while compiling."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from wac.sdk._engine import recording
from wac.sdk._engine.db import prepare_statements
from wac.sdk._engine.job_sql import JOB_SQL
from wac.sdk._engine.recording import RunSpec
from wac.sdk._engine.store import JobStore, new_id


@pytest.fixture
def round_running(tmp_path: Path):
    """A store with a run whose round is running under a token, as when the scheduler hands a child its job."""
    store = JobStore(tmp_path / "jobs.db")
    run_id = recording.create_run(store, RunSpec("f/x/y.py", {"n": 1}), lease_owner="scheduler")
    token = new_id()
    assert recording.start_round(store, run_id, token, "scheduler") == "started"
    return store, run_id, token


def counting_compiles(db: sqlite3.Connection) -> list:
    compiled: list = []
    db.set_authorizer(lambda *action: compiled.append(action) or sqlite3.SQLITE_OK)
    return compiled


def test_a_prepared_child_compiles_nothing_in_its_job(round_running):
    store, run_id, token = round_running
    child = JobStore(store.path, child=True)
    compiled = counting_compiles(child.db)
    prepare_statements(child.db, JOB_SQL, lambda: False)
    assert compiled and not child.db.in_transaction
    compiled.clear()

    assert recording.record_step(child, run_id, token, "one", 1, 0, {"duration_ms": 0})
    step = {"name": "add", "script": "", "args": {"n": 1}, "key": "add", "dispatch_type": "inline", "index": 1}
    task_id = recording.dispatch_and_start(child, run_id, token, step, time.time(), new_id())
    assert recording.complete_task(child, task_id, None, True, 2)

    # every statement of a step, the round's dispatch and the task's completion was ready, and a child's
    # transactions set no busy timeout (SQLite compiles such a PRAGMA each time it runs)
    assert compiled == []
    assert store.row(task_id)["status"] == "success" and store.row(run_id)["status"] == "queued"
    assert [(row["key"], row["value"]) for row in store.steps_since(run_id, 0)] == [("one", "1"), ("add", "2")]


def test_the_warm_up_runs_nothing_and_takes_no_lock(round_running):
    store, run_id, _ = round_running
    before = store.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    child = JobStore(store.path, child=True)
    prepare_statements(child.db, JOB_SQL, lambda: False)
    store.db.execute("PRAGMA busy_timeout=0")
    store.db.execute("BEGIN IMMEDIATE")  # the write lock is free at once
    store.db.execute("ROLLBACK")
    assert store.db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before
    assert store.row(run_id)["status"] == "running"


def test_the_warm_up_stops_when_the_job_arrives(round_running):
    store, _, _ = round_running
    child = JobStore(store.path, child=True)
    compiled = counting_compiles(child.db)
    asked: list[bool] = []

    def job_arrived() -> bool:  # after the first two statements (the transaction's BEGIN and COMMIT)
        asked.append(len(asked) >= 2)
        return asked[-1]

    prepare_statements(child.db, JOB_SQL, job_arrived)
    assert len(asked) == 3
    assert {action[0] for action in compiled} == {sqlite3.SQLITE_TRANSACTION}  # no table's statement


def test_a_child_waiting_on_a_store_its_scheduler_has_yet_to_upgrade_still_runs_its_job(tmp_path: Path):
    """The first preview after an upgrade of wac: a host's spare opens the store while the scheduler has not yet
    upgraded it, so a statement of the new layout does not compile then; the warm-up stops, the job runs."""
    path = tmp_path / "jobs.db"
    JobStore(path).close()
    old = sqlite3.connect(path)
    old.execute("ALTER TABLE steps DROP COLUMN detail")  # the layout before migration 5
    old.execute("PRAGMA user_version=4")
    old.commit()
    old.close()
    child = JobStore(path, child=True)
    prepare_statements(child.db, JOB_SQL, lambda: False)
    store = JobStore(path)  # the scheduler opens it: upgraded
    run_id = recording.create_run(store, RunSpec("f/x/y.py", {"n": 1}), lease_owner="scheduler")
    token = new_id()
    assert recording.start_round(store, run_id, token, "scheduler") == "started"
    assert recording.record_step(child, run_id, token, "one", 1, 0, {"duration_ms": 0})
    assert [(row["key"], row["value"]) for row in store.steps_since(run_id, 0)] == [("one", "1")]
