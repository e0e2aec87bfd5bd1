"""A run's events (its live timeline, `wac job show`, the pages) are read by index: the work is the run's,
not the whole store's, however many runs a long-used store holds. Counted in SQLite VM steps, not time."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from wac.sdk._engine import recording
from wac.sdk._engine.recording import RunSpec
from wac.sdk._engine.store import JobStore

OTHER_RUNS = 300


def vm_steps(db: sqlite3.Connection, read) -> tuple[int, object]:
    """How many SQLite VM instructions `read()` took (counted in hundreds), and what it returned."""
    counted = [0]

    def tick() -> int:
        counted[0] += 1
        return 0

    db.set_progress_handler(tick, 100)
    try:
        result = read()
    finally:
        db.set_progress_handler(None, 0)
    return counted[0], result


def a_run(store: JobStore, events: int) -> str:
    run_id = recording.create_run(store, RunSpec("f/x/y.py", {}))
    with store.transaction():
        for i in range(events):
            recording.add_event(store, run_id, "step", f"s{i}")
    return run_id


def test_a_runs_events_cost_the_same_in_a_small_and_a_long_used_store(tmp_path: Path):
    store = JobStore(tmp_path / "jobs.db")
    fresh = a_run(store, 5)
    small_since, fresh_events = vm_steps(store.db, lambda: store.events_since(fresh, 0))
    small_all, _ = vm_steps(store.db, lambda: store.events(fresh))
    for _ in range(OTHER_RUNS):  # a long-used store: many runs before ours, one interleaved with it
        a_run(store, 10)
    ours = a_run(store, 5)
    a_run(store, 10)
    with store.transaction():
        recording.add_event(store, ours, "step", "late")

    steps_since, since = vm_steps(store.db, lambda: store.events_since(ours, 0))
    steps_all, events = vm_steps(store.db, lambda: store.events(ours))

    assert [event.key for _, event in since] == [None, "s0", "s1", "s2", "s3", "s4", "late"]
    assert [event for _, event in since] == events and len(fresh_events) == 6
    # the other runs' 3,000+ events are not read: at most what the one interleaved run adds
    assert steps_since <= small_since + 40 and steps_all <= small_all + 10, (small_since, steps_since, steps_all)


def test_a_store_from_before_the_index_gets_it_on_open(tmp_path: Path):
    path = tmp_path / "jobs.db"
    JobStore(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP INDEX events_job")
    db.execute("ALTER TABLE steps DROP COLUMN detail")  # added by a later migration
    db.execute("PRAGMA user_version=3")
    db.commit()
    db.close()
    store = JobStore(path)
    assert store.db.execute("SELECT 1 FROM sqlite_master WHERE name='events_job'").fetchone()


def test_step_calls_timings_kept_on_their_rows_read_as_events_beside_an_older_stores(tmp_path: Path):
    """A store from before steps kept their timing (version 4) gets the column on open; its runs' `step` events
    still read, and a new step() call's timing reads as an event where it fell, from its one row."""
    path = tmp_path / "jobs.db"
    JobStore(path).close()
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE steps DROP COLUMN detail")
    db.execute("PRAGMA user_version=4")
    db.commit()
    db.close()
    store = JobStore(path)
    run_id = recording.create_run(store, RunSpec("f/x/y.py", {}))
    with store.transaction():
        recording.add_event(store, run_id, "step", "old", {"duration_ms": 1})
    token = "t1"
    store.db.execute("UPDATE jobs SET status='running', run_token=? WHERE id=?", (token, run_id))
    assert recording.record_step(store, run_id, token, "new", {"v": 1}, 0, {"duration_ms": 2})
    with store.transaction():
        recording.add_event(store, run_id, "woke", "later")
    events = [(e.kind, e.key, e.detail) for e in store.events(run_id)]
    assert events[1:] == [("step", "old", {"duration_ms": 1}), ("step", "new", {"duration_ms": 2}),
                          ("woke", "later", None)], events
    assert dict(store.iter_step_values(run_id)) == {"new": {"v": 1}}
    assert store.db.execute("SELECT COUNT(*) FROM events WHERE kind='step'").fetchone()[0] == 1  # one row a step


def test_a_stale_round_records_no_step(tmp_path: Path):
    store = JobStore(tmp_path / "jobs.db")
    run_id = recording.create_run(store, RunSpec("f/x/y.py", {}))
    store.db.execute("UPDATE jobs SET status='running', run_token='current' WHERE id=?", (run_id,))
    assert not recording.record_step(store, run_id, "taken-over", "s", 1, 0, {})
    assert recording.record_step(store, run_id, "current", "s", 1, 0, {})
    assert recording.record_step(store, run_id, "current", "s", 2, 0, {})  # recorded once: the first value stays
    assert not recording.record_step(store, "no-such-run", "current", "s", 1, 0, {})
    assert dict(store.iter_step_values(run_id)) == {"s": 1}
