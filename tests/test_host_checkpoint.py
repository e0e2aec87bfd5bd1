"""A host's forked checkpoint copies: a stale spare catches up from the store before replaying."""

from __future__ import annotations

from wac.sdk._engine import recording
from wac.sdk._engine.host import Checkpoint
from wac.sdk._engine.store import JobStore
from wac.sdk.engine import RunSpec


def test_a_spare_forked_before_the_latest_rows_reads_them_from_the_store(tmp_path):
    jobs = JobStore(tmp_path / "jobs.db", create=True)
    run_id = recording.create_run(jobs, RunSpec(str(tmp_path / "wf.py"), {}))
    with jobs.transaction():
        for i, key in enumerate(["unit", "stamp", "unit_2", "stamp_2"]):
            recording.add_step(jobs, run_id, key, i, None)
    rows = [list(r) for r in jobs.steps_since(run_id, 0)]
    # The host applied rows 1-2 for an earlier job, then forked this spare before applying rows 3-4
    # (sent with a job that ended at once); this job's delta is what came after: none yet.
    stale = Checkpoint()
    stale.apply(rows[:2])
    stale.catch_up(since=4, delta=[], read_since=lambda seq: jobs.steps_since(run_id, seq))
    assert stale.values == {"unit": 0, "stamp": 1, "unit_2": 2, "stamp_2": 3}
    # An up-to-date copy takes the delta only, and never reads the store.
    fresh = Checkpoint()
    fresh.apply(rows[:2])
    fresh.catch_up(since=2, delta=rows[2:], read_since=lambda seq: (_ for _ in ()).throw(AssertionError(seq)))
    assert fresh.values == stale.values and fresh.max_seq == 4
