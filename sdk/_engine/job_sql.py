"""The statements of a job's own transactions (a round dispatching the task it goes on as, a task completing,
a step recorded), named once: recording.py runs them, and a forked child compiles them while it waits for its
job (`JOB_SQL`, see db.prepare_statements), so the job's clock does not pay for compiling them."""

from __future__ import annotations

from .db import TRANSACTION_SQL
from .store import STORE_SQL

ADD_EVENT = "INSERT INTO events(job_id, at, kind, key, detail) VALUES (?,?,?,?,?)"
LAST_SEQ = "SELECT COALESCE(MAX(seq), 0) FROM steps WHERE job_id=?"
ADD_STEP = ("INSERT OR IGNORE INTO steps(job_id, key, value, alloc_index, child_job_id, seq, created_at)"
            " SELECT ?, ?, ?, ?, ?, COALESCE(MAX(seq), 0) + 1, ? FROM steps WHERE job_id=?")  # the next seq
# a step() call's result and timing, recorded only while `run_token` is the round's (else nothing changes)
ADD_TIMED_STEP = ("INSERT OR IGNORE INTO steps(job_id, key, value, alloc_index, seq, created_at, detail)"
                  " SELECT ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM steps WHERE job_id=?), ?, ?"
                  " WHERE EXISTS (SELECT 1 FROM jobs WHERE id=? AND run_token=?)")
ADD_TASK = ("INSERT INTO jobs(id, parent_id, root_id, workspace, kind, origin, script_path, project_root, python,"
            " source_hash, target, step_key, args, options, status, priority, tag, concurrency_key, checkpoint_seq,"
            " alloc_index, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
ADD_PENDING_TASK = "INSERT INTO pending(job_id, key, child_job_id, kind, alloc_index) VALUES (?,?,?,?,?)"
ROUND_ENDS = "UPDATE jobs SET status=?, run_token=NULL WHERE id=?"
TASK_STARTS = "UPDATE jobs SET status='running', run_token=?, started_at=?, attempt=attempt+1 WHERE id=?"
FINISH = "UPDATE jobs SET status=?, result=?, completed_at=?, run_token=NULL WHERE id=?"
PENDING_DONE = "DELETE FROM pending WHERE job_id=? AND key=?"
TASKS_LEFT = "SELECT COUNT(*) FROM pending WHERE job_id=? AND kind='task'"
PARENT_WAKES = "UPDATE jobs SET status=? WHERE id=? AND status=?"
JOB_SQL = TRANSACTION_SQL + STORE_SQL + (  # in the order a job runs them: a partly prepared child gains most
    LAST_SEQ, ADD_TASK, ADD_PENDING_TASK, ADD_EVENT, ROUND_ENDS, TASK_STARTS, FINISH, ADD_STEP, PENDING_DONE,
    TASKS_LEFT, PARENT_WAKES, ADD_TIMED_STEP)
