"""The state transitions of a run, each one transaction in the job store.

Used by forked round/task processes (which record their own outcome, as a
Windmill worker does) and by the scheduler (timeouts, crashes, approvals).
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from .store import JobStore, dumps, new_id

WAITING = "waiting"
QUEUED = "queued"


def persist_outcome(store: JobStore, job_id: str, outcome: dict[str, Any], now: float) -> None:
    """Record a round's outcome before the scheduler acts on it."""
    kind = outcome["type"]
    with store.transaction() as db:
        if db.execute("SELECT status FROM jobs WHERE id=?", (job_id,)).fetchone()[0] != "running":
            return  # canceled meanwhile: the round's outcome no longer matters
        if kind == "complete":
            _finish(store, job_id, "success", outcome.get("result"))
        elif kind == "error":
            _finish(store, job_id, "failure", outcome["error"])
        elif kind == "dispatch":
            _dispatch(store, job_id, outcome["steps"], now)
        elif kind == "sleep":
            _suspend(store, job_id, outcome, "sleep", "sleeping", now + outcome["seconds"])
        elif kind == "approval":
            _suspend(store, job_id, outcome, "approval", "approval", now + (outcome.get("timeout") or 1800))


def _finish(store: JobStore, job_id: str, status: str, result: Any) -> None:
    store.db.execute("UPDATE jobs SET status=?, result=?, completed_at=? WHERE id=?",
                     (status, dumps(result), time.time(), job_id))
    store.add_event(job_id, status)


def _suspend(store: JobStore, job_id: str, outcome: dict[str, Any], kind: str, status: str,
             wake_at: float) -> None:
    detail = {k: v for k, v in outcome.items() if k not in ("type", "key", "index")}
    store.db.execute("INSERT OR REPLACE INTO pending(job_id, key, kind, alloc_index, detail) VALUES (?,?,?,?,?)",
                     (job_id, outcome["key"], kind, outcome.get("index"), dumps(detail)))
    store.db.execute("UPDATE jobs SET status=?, wake_at=? WHERE id=?", (status, wake_at, job_id))
    store.add_event(job_id, kind, outcome["key"], detail)


def _dispatch(store: JobStore, parent_id: str, steps: list[dict[str, Any]], now: float) -> None:
    keys = [s["key"] for s in steps]
    if len(set(keys)) != len(keys):
        _finish(store, parent_id, "failure", {"error": {"name": "WacError",
                "message": "each task call must produce a unique key"}})
        return
    parent = store.job(parent_id)
    parent_args = json.loads(parent["args"])
    waiting = 0
    for step in steps:
        options = {k: step[k] for k in step if k not in ("name", "script", "args", "key", "dispatch_type", "index")}
        cache_key = _cache_key(parent, step, parent_args) if step.get("cache_ttl") else None
        if cache_key:
            hit = store.db.execute("SELECT value FROM cache WHERE key=? AND expires_at>?",
                                   (cache_key, now)).fetchone()
            if hit is not None:
                store.add_step(parent_id, step["key"], json.loads(hit[0]), step.get("index"))
                store.add_event(parent_id, "cache_hit", step["key"])
                continue
        child_id = new_id()
        kind = "task" if step["dispatch_type"] == "inline" else step["dispatch_type"]
        concurrency = step.get("concurrency_key") or (step["script"] if step.get("concurrent_limit") else None)
        store.db.execute(
            "INSERT INTO jobs(id, parent_id, root_id, kind, script_path, target, step_key, args, options, status,"
            " priority, tag, concurrency_key, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (child_id, parent_id, parent["root_id"], kind, parent["script_path"],
             step["name"] if kind == "task" else step["script"], step["key"], dumps(step["args"]),
             dumps({**options, "cache_key": cache_key}), QUEUED, step.get("priority") or 0,
             step.get("tag"), concurrency, time.time()))
        store.db.execute("INSERT INTO pending(job_id, key, child_job_id, kind, alloc_index) VALUES (?,?,?,?,?)",
                         (parent_id, step["key"], child_id, "task", step.get("index")))
        store.add_event(child_id, "queued", step["key"])
        waiting += 1
    store.db.execute("UPDATE jobs SET status=? WHERE id=?", (WAITING if waiting else QUEUED, parent_id))


def _cache_key(parent, step: dict[str, Any], parent_args: dict[str, Any]) -> str:
    """`@task` results are keyed on step key + workflow input; task_script on its arguments."""
    if step["dispatch_type"] == "inline":
        material = [parent["script_path"], step["key"], parent_args]
    else:
        material = [step["script"], step["args"]]
    return hashlib.sha256(dumps(material).encode()).hexdigest()


def complete_task(store: JobStore, job_id: str, run_token: str, success: bool, value: Any) -> bool:
    """Record a child's end once (guarded by its run token) and wake its parent."""
    with store.transaction() as db:
        job = store.job(job_id)
        if job is None or job["run_token"] != run_token or job["status"] != "running":
            return False
        status = "success" if success else "failure"
        db.execute("UPDATE jobs SET status=?, result=?, completed_at=? WHERE id=?",
                   (status, dumps(value), time.time(), job_id))
        store.add_event(job_id, status, job["step_key"])
        parent_id = job["parent_id"]
        if parent_id is None:
            return True
        record = value if success else _failure_record(job, value)
        store.add_step(parent_id, job["step_key"], record, None, job_id)
        db.execute("DELETE FROM pending WHERE job_id=? AND key=?", (parent_id, job["step_key"]))
        options = json.loads(job["options"])
        if success and options.get("cache_key"):
            db.execute("INSERT OR REPLACE INTO cache(key, value, expires_at) VALUES (?,?,?)",
                       (options["cache_key"], dumps(value), time.time() + options["cache_ttl"]))
        remaining = db.execute("SELECT COUNT(*) FROM pending WHERE job_id=? AND kind='task'", (parent_id,)).fetchone()[0]
        if remaining == 0:
            db.execute("UPDATE jobs SET status=? WHERE id=? AND status=?", (QUEUED, parent_id, WAITING))
        return True


def _failure_record(job, error: Any) -> dict[str, Any]:
    """Windmill's one failure shape for a failed child."""
    inner = error.get("error") if isinstance(error, dict) else None
    inner = inner if isinstance(inner, dict) else {"name": "Error", "message": str(error)}
    message = inner.get("message") or f"WAC step '{job['step_key']}' failed"
    return {"__wmill_error": True, "message": message, "step_key": job["step_key"],
            "child_job_id": job["id"], "result": {"error": inner}}


def resolve_wait(store: JobStore, job_id: str, key: str, value: Any, event: str, detail: Any = None) -> bool:
    """End a sleep or approval: record its value and queue the next round."""
    with store.transaction() as db:
        row = db.execute("SELECT alloc_index FROM pending WHERE job_id=? AND key=?", (job_id, key)).fetchone()
        if row is None:
            return False
        store.add_step(job_id, key, value, row[0])
        db.execute("DELETE FROM pending WHERE job_id=? AND key=?", (job_id, key))
        db.execute("UPDATE jobs SET status=?, wake_at=NULL WHERE id=?", (QUEUED, job_id))
        store.add_event(job_id, event, key, detail)
        return True
