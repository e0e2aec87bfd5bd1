"""The state transitions of a run, each one transaction in the job store.

Forked rounds and tasks record their own outcome (as a Windmill worker
does), guarded by the run token they were started with, so an outcome is
recorded at most once and a stale process can never overwrite a newer one.
The scheduler only reads what is recorded, and acts on it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

from .._failures import encode, failure_record
from .._urls import approval_resume_id
from . import run_limits
from .clock import wall
from .job_sql import (ADD_EVENT, ADD_PENDING_TASK, ADD_STEP, ADD_TASK, ADD_TIMED_STEP, FINISH, LAST_SEQ,
                      PARENT_WAKES, PENDING_DONE, ROUND_ENDS, TASK_STARTS, TASKS_LEFT)
from .store import TERMINAL, JobStore, new_id

WAITING, QUEUED, RUNNING = "waiting", "queued", "running"
TIMED_OUT_APPROVAL = {"value": None, "approver": None, "approved": False}
DEFAULT_APPROVAL_TIMEOUT = 1800


@dataclass
class RunSpec:
    """What a new run executes and who sees it."""

    script_path: str
    args: dict[str, Any]
    project_root: str | None = None
    workspace: str = "local"
    origin: str = "preview"
    windmill_path: str | None = None
    script_hash: str | None = None
    source_hash: str | None = None
    python: str | None = None
    priority: int = 0
    tag: str | None = None
    created_by: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


def add_event(store: JobStore, job_id: str, kind: str, key: str | None = None, detail: Any = None,
              at: float | None = None) -> None:
    store.db.execute(ADD_EVENT,
                     (job_id, wall() if at is None else at, kind, key,
                      None if detail is None else encode(detail)))


def add_step(store: JobStore, job_id: str, key: str, value: Any, alloc_index: int | None,
             child_job_id: str | None = None) -> bool:
    """Record a completed step once; False when the key was already recorded."""
    cursor = store.db.execute(ADD_STEP, (job_id, key, encode(value), alloc_index, child_job_id, wall(), job_id))
    return cursor.rowcount == 1


def record_step(store: JobStore, job_id: str, token: str, key: str, value: Any, index: int, timing: Any) -> bool:
    """A `step()` call's result and timing (its `step` event), one statement; False for a stale round."""
    with store.transaction() as db:
        row = (job_id, key, encode(value), index, job_id, wall(), encode(timing), job_id, token)
        return db.execute(ADD_TIMED_STEP, row).rowcount == 1 or (store.status(job_id) or (None, None))[1] == token


def create_run(store: JobStore, spec: RunSpec, lease_owner: str | None = None, called_by: str | None = None) -> str:
    """A new queued run; taken by `lease_owner` at once when given (a preview drives its own run). With
    `cache_ttl` in its options and a fresh result of the same code and arguments, it is over at once.
    `called_by`: the flow job it answers (see calls.py)."""
    job_id = new_id()
    options = dict(spec.options)
    cache_key = run_limits.cache_key(options, spec.script_path, spec.source_hash, spec.args)
    if cache_key:
        options["cache_key"] = cache_key
    concurrency = run_limits.concurrency_key(options, spec.windmill_path or spec.script_path, spec.args,
                                             spec.workspace)
    with store.transaction() as db:
        now = wall()
        db.execute(
            "INSERT INTO jobs(id, root_id, workspace, kind, origin, script_path, project_root, windmill_path,"
            " script_hash, source_hash, python, args, options, status, priority, tag, created_by, lease_owner,"
            " concurrency_key, called_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (job_id, job_id, spec.workspace, "workflow", spec.origin, spec.script_path, spec.project_root,
             spec.windmill_path, spec.script_hash, spec.source_hash, spec.python, encode(spec.args),
             encode(options), QUEUED, spec.priority, spec.tag, spec.created_by, lease_owner, concurrency, called_by,
             now))
        add_event(store, job_id, "queued")
        hit = run_limits.cached(store, cache_key, now) if cache_key else None
        if hit is not None:
            db.execute("UPDATE jobs SET status='success', result=?, started_at=?, completed_at=? WHERE id=?",
                       (hit[0], now, now, job_id))
            add_event(store, job_id, "cache_hit", None, {"expires_at": hit[1]})
            add_event(store, job_id, "success")
    return job_id


_START = ("UPDATE jobs SET status='running', run_token=?, started_at=COALESCE(started_at, ?),"
          " attempt=attempt+1 WHERE id=? AND status='queued'")


def start_round(store: JobStore, job_id: str, token: str, owner: str, limited: bool = False) -> str:
    """A run's next round: queued -> running under `token`, by the run's lease holder (`owner`) only.
    "started"; "taken" when someone else got there first; "limited" when the run (`limited`: one with a
    concurrency limit) has not started yet and its limit is full (it stays queued)."""
    with store.transaction() as db:
        now = wall()
        row = store.row(job_id) if limited else None
        if row is not None and row["started_at"] is None and not run_limits.slot_free(store, row, now):
            if not db.execute("SELECT 1 FROM events WHERE job_id=? AND kind='concurrency_limited'",
                              (job_id,)).fetchone():  # said once: it waits until a slot frees
                limit = json.loads(row["options"])["concurrent_limit"]
                add_event(store, job_id, "concurrency_limited", None, {"key": row["concurrency_key"], "limit": limit})
            return "limited"
        started = db.execute(_START + " AND lease_owner=?", (token, now, job_id, owner)).rowcount == 1
        return "started" if started else "taken"


def start_tasks(store: JobStore, tokens: dict[str, str]) -> set[str]:
    """queued -> running for tasks (job id -> token), in one transaction: those no one else got first."""
    started = set()
    with store.transaction() as db:
        now = wall()
        for job_id, token in tokens.items():
            if db.execute(_START, (token, now, job_id)).rowcount == 1:
                started.add(job_id)
                row = store.row(job_id)
                add_event(store, job_id, "started", row["step_key"], {"tag": row["tag"]} if row["tag"] else None)
    return started


def persist_outcome(store: JobStore, job_id: str, token: str, outcome: dict[str, Any], now: float) -> bool:
    """Record a round's outcome before anything acts on it; False for a stale round."""
    kind = outcome["type"]
    with store.transaction():
        row = store.status(job_id)
        if row is None or row[0] != RUNNING or row[1] != token:
            return False  # canceled or taken over meanwhile: this round no longer counts
        if kind == "complete":
            _finish(store, job_id, "success", outcome.get("result"))
        elif kind == "error":
            _finish(store, job_id, "failure", outcome["error"])
        elif kind == "dispatch":
            _dispatch(store, job_id, outcome["steps"], now)
        elif kind == "sleep":
            _suspend(store, job_id, outcome, "sleep", "sleeping", now + outcome["seconds"])
        elif kind == "approval":
            timeout = outcome.get("timeout") or DEFAULT_APPROVAL_TIMEOUT
            _suspend(store, job_id, outcome, "approval", "approval", now + timeout)
            _use_banked_resume(store, job_id, outcome["key"])
        return True


def _finish(store: JobStore, job_id: str, status: str, result: Any) -> None:
    now = wall()
    store.db.execute(FINISH, (status, encode(result), now, job_id))
    add_event(store, job_id, status)
    if status == "success":
        run_limits.remember(store, json.loads(store.row(job_id)["options"]), result, now)


def _suspend(store: JobStore, job_id: str, outcome: dict[str, Any], kind: str, status: str, wake_at: float) -> None:
    detail = {k: v for k, v in outcome.items() if k not in ("type", "key", "index") and v is not None}
    store.db.execute("INSERT OR REPLACE INTO pending(job_id, key, kind, alloc_index, detail) VALUES (?,?,?,?,?)",
                     (job_id, outcome["key"], kind, outcome.get("index"), encode(detail)))
    store.db.execute("UPDATE jobs SET status=?, wake_at=?, run_token=NULL WHERE id=?", (status, wake_at, job_id))
    add_event(store, job_id, kind, outcome["key"], {**detail, "until": wake_at})


def _dispatch(store: JobStore, parent_id: str, steps: list[dict[str, Any]], now: float) -> list[str]:
    """Queue the dispatched tasks (cache hits are recorded at once); the new jobs' ids."""
    keys = [s["key"] for s in steps]
    if len(set(keys)) != len(keys):
        _finish(store, parent_id, "failure", {"error": {"name": "WacError",
                "message": "each task call must produce a unique key"}})
        return []
    parent = store.row(parent_id)
    checkpoint_seq = store.db.execute(LAST_SEQ, (parent_id,)).fetchone()[0]
    queued: list[str] = []
    for step in steps:
        options = {k: v for k, v in step.items()
                   if k not in ("name", "script", "args", "key", "dispatch_type", "index")}
        cache_key = _cache_key(parent, step) if step.get("cache_ttl") else None
        if cache_key and _cache_hit(store, parent_id, step, cache_key, now):
            continue
        kind = {"inline": "task", "script": "script", "flow": "flow"}.get(step["dispatch_type"], "task")
        concurrency = step.get("concurrency_key") or (step["script"] if step.get("concurrent_limit") else None)
        child_id = new_id()
        store.db.execute(ADD_TASK, (
            child_id, parent_id, parent["root_id"], parent["workspace"], kind, "child", parent["script_path"],
            parent["project_root"], parent["python"], parent["source_hash"],
            step["name"] if kind == "task" else step["script"], step["key"], encode(step["args"]),
            encode({**options, "cache_key": cache_key}), QUEUED, step.get("priority") or 0, step.get("tag"),
            concurrency, checkpoint_seq, step.get("index"), wall()))
        store.db.execute(ADD_PENDING_TASK, (parent_id, step["key"], child_id, "task", step.get("index")))
        add_event(store, child_id, "queued", step["key"])
        queued.append(child_id)
    store.db.execute(ROUND_ENDS, (WAITING if queued else QUEUED, parent_id))
    return queued


def dispatch_and_start(store: JobStore, job_id: str, token: str, step: dict[str, Any], now: float,
                       task_token: str) -> str | None:
    """A round continues as the one task it dispatched: record the dispatch and start
    the task in one transaction; the task's id, or None if this round no longer counts."""
    with store.transaction() as db:
        row = store.status(job_id)
        if row is None or row[0] != RUNNING or row[1] != token:
            return None
        created = _dispatch(store, job_id, [step], now)
        if not created:
            return None
        db.execute(TASK_STARTS, (task_token, wall(), created[0]))
        add_event(store, created[0], "started", step["key"])
        return created[0]


def _cache_key(parent, step: dict[str, Any]) -> str:
    """`@task` results are keyed on step key + workflow input; task_script on its arguments."""
    if step["dispatch_type"] == "inline":
        material = [parent["script_path"], step["key"], json.loads(parent["args"])]
    else:
        material = [step["script"], step["args"]]
    return hashlib.sha256(encode(material).encode()).hexdigest()


def _cache_hit(store: JobStore, parent_id: str, step: dict[str, Any], cache_key: str, now: float) -> bool:
    hit = store.db.execute("SELECT value, expires_at FROM cache WHERE key=? AND expires_at>?",
                           (cache_key, now)).fetchone()
    if hit is None:
        return False
    add_step(store, parent_id, step["key"], json.loads(hit[0]), step.get("index"))
    add_event(store, parent_id, "cache_hit", step["key"], {"expires_at": hit[1], "target": step["name"]})
    return True


def complete_task(store: JobStore, job_id: str, token: str | None, success: bool, value: Any) -> bool:
    """Record a child's end once (guarded by its run token) and wake its parent.

    A root job started as a plain script (no parent) just finishes.
    """
    with store.transaction() as db:
        job = store.row(job_id)
        if job is None or job["status"] != RUNNING or (token is not None and job["run_token"] != token):
            return False
        status = "success" if success else "failure"
        db.execute(FINISH, (status, encode(value), wall(), job_id))
        add_event(store, job_id, status, job["step_key"])
        _report_to_parent(store, job, success, value)
        return True


def _report_to_parent(store: JobStore, job, success: bool, value: Any) -> None:
    parent_id = job["parent_id"]
    if parent_id is None:
        return
    record = value if success else failure_record(job["step_key"], job["id"], value)
    add_step(store, parent_id, job["step_key"], record, job["alloc_index"], job["id"])
    store.db.execute(PENDING_DONE, (parent_id, job["step_key"]))
    options = json.loads(job["options"])
    if success and options.get("cache_key"):
        store.db.execute("INSERT OR REPLACE INTO cache(key, value, expires_at) VALUES (?,?,?)",
                         (options["cache_key"], encode(value), wall() + options["cache_ttl"]))
    remaining = store.db.execute(TASKS_LEFT, (parent_id,)).fetchone()[0]
    if remaining == 0:
        store.db.execute(PARENT_WAKES, (QUEUED, parent_id, WAITING))


def resolve_wait(store: JobStore, job_id: str, key: str, value: Any, event: str, detail: Any = None) -> bool:
    """End a sleep or approval: record its value and queue the next round."""
    with store.transaction():
        return _resolve_wait(store, job_id, key, value, event, detail)


def _resolve_wait(store: JobStore, job_id: str, key: str, value: Any, event: str, detail: Any) -> bool:
    row = store.db.execute("SELECT alloc_index FROM pending WHERE job_id=? AND key=?", (job_id, key)).fetchone()
    if row is None:
        return False
    add_step(store, job_id, key, value, row[0])
    store.db.execute(PENDING_DONE, (job_id, key))
    store.db.execute("UPDATE jobs SET status=?, wake_at=NULL WHERE id=?", (QUEUED, job_id))
    add_event(store, job_id, event, key, detail)
    return True


def answer_approval(store: JobStore, job_id: str, approved: bool, value: Any, approver: str | None,
                    key: str | None = None) -> str | None:
    """Answer the approval a run waits for; the key answered, or None if none waits."""
    with store.transaction():
        pending = _pending_approval(store, job_id)
        if pending is None or (key is not None and pending != key):
            return None
        decision = {"value": value, "approver": approver or "anonymous", "approved": bool(approved)}
        _resolve_wait(store, job_id, pending, decision, "approved" if approved else "rejected", decision)
        return pending


def _pending_approval(store: JobStore, job_id: str) -> str | None:
    row = store.db.execute("SELECT key FROM pending WHERE job_id=? AND kind='approval'", (job_id,)).fetchone()
    return None if row is None else row[0]


class ResumeRejected(Exception):
    """A resume URL that cannot be used (already used, or the run is over)."""


def resume_by_url(store: JobStore, job_id: str, resume_id: int, approved: bool, value: Any,
                  approver: str | None) -> str | None:
    """A signed resume/cancel URL was used: answer the pending approval, or bank it for the next one.

    URLs bound to a step (`get_approval_urls`) only answer that step. Returns
    the key answered, or None when banked.
    """
    with store.transaction() as db:
        status = db.execute("SELECT status FROM jobs WHERE id=?", (job_id,)).fetchone()
        if status is None:
            raise ResumeRejected(f"job {job_id} not found")
        if status[0] in TERMINAL:
            raise ResumeRejected(f"job {job_id} has already ended ({status[0]})")
        try:
            db.execute("INSERT INTO resumes(job_id, resume_id, approved, approver, value, created_at)"
                       " VALUES (?,?,?,?,?,?)", (job_id, resume_id, int(approved), approver, encode(value), wall()))
        except Exception as exc:
            if "UNIQUE" in str(exc):
                raise ResumeRejected("resume request already sent") from None
            raise
        pending = _pending_approval(store, job_id)
        if pending is not None and _resume_fits(store, job_id, resume_id, pending):
            _consume_resume(store, job_id, resume_id, pending)
            return pending
        return None


def _resume_fits(store: JobStore, job_id: str, resume_id: int, key: str) -> bool:
    """A step-bound id answers only its own step; a random one answers whichever approval waits."""
    if resume_id == approval_resume_id(key):
        return True
    minted = store.db.execute("SELECT 1 FROM approval_urls WHERE job_id=? AND resume_id=?",
                              (job_id, resume_id)).fetchone()
    return minted is None


def record_minted(store: JobStore, job_id: str, key: str) -> None:
    """URLs were minted for approval `key` (`get_approval_urls`): they answer that step only."""
    with store.transaction() as db:
        db.execute("INSERT OR IGNORE INTO approval_urls(job_id, key, resume_id) VALUES (?,?,?)",
                   (job_id, key, approval_resume_id(key)))


def _use_banked_resume(store: JobStore, job_id: str, key: str) -> None:
    rows = store.db.execute("SELECT resume_id FROM resumes WHERE job_id=? AND consumed_by IS NULL ORDER BY created_at",
                            (job_id,)).fetchall()
    for (resume_id,) in rows:
        if _resume_fits(store, job_id, resume_id, key):
            _consume_resume(store, job_id, resume_id, key)
            return


def _consume_resume(store: JobStore, job_id: str, resume_id: int, key: str) -> None:
    row = store.db.execute("SELECT approved, approver, value FROM resumes WHERE job_id=? AND resume_id=?",
                           (job_id, resume_id)).fetchone()
    store.db.execute("UPDATE resumes SET consumed_by=? WHERE job_id=? AND resume_id=?", (key, job_id, resume_id))
    decision = {"value": json.loads(row["value"]), "approver": row["approver"] or "anonymous",
                "approved": bool(row["approved"])}
    _resolve_wait(store, job_id, key, decision, "approved" if decision["approved"] else "rejected", decision)


def cancel(store: JobStore, job_id: str, reason: str | None = None, by: str | None = None) -> tuple[bool, str]:
    """Cancel a job (a run cancels its tasks too): (whether it was canceled now, its status)."""
    with store.transaction() as db:
        job = store.row(job_id)
        if job is None:
            return False, "missing"
        if job["status"] in TERMINAL:
            return False, job["status"]
        error = {"error": {"name": "Canceled", "message": f"Job canceled: {reason or 'unexplicited reasons'}"
                           + (f" by {by}" if by else "")}}
        ids = [job_id]
        if job["parent_id"] is None:
            ids += [other for other in _open_jobs(store, job_id) if other != job_id]
        ids += _called_runs_jobs(store, ids)
        now = wall()
        for target in ids:
            db.execute("UPDATE jobs SET status='canceled', result=?, completed_at=?, run_token=NULL WHERE id=?",
                       (encode(error), now, target))
            add_event(store, target, "canceled", None, {"reason": reason} if reason else None)
        if job["parent_id"] is not None:  # a single task: its parent reads the failure
            _report_to_parent(store, job, False, error)
        return True, "canceled"


def _open_jobs(store: JobStore, run_id: str) -> list[str]:
    return [r[0] for r in store.db.execute("SELECT id FROM jobs WHERE root_id=? AND status NOT IN"
                                           " ('success','failure','canceled')", (run_id,))]


def _called_runs_jobs(store: JobStore, ids: list[str]) -> list[str]:
    """The open jobs of the runs that the jobs `ids` called (`task_flow`), and of the runs those called."""
    found: list[str] = []
    while ids:
        marks = ",".join("?" * len(ids))
        runs = [r[0] for r in store.db.execute(f"SELECT id FROM jobs WHERE called_by IN ({marks})", ids)]
        ids = [job for run in runs for job in _open_jobs(store, run)]
        found += ids
    return found


def requeue_orphans(store: JobStore, run_id: str, known: set[str]) -> None:
    """Tasks of the run marked running that no process of ours runs (a round that started its task, then died
    before saying so) start over; not flow jobs, which wait for their run without a process."""
    rows = store.db.execute("SELECT id FROM jobs WHERE root_id=? AND status='running' AND parent_id IS NOT NULL"
                            " AND kind<>'flow'", (run_id,)).fetchall()
    orphans = [r[0] for r in rows if r[0] not in known]
    if orphans:
        requeue_interrupted(store, orphans)


def requeue_interrupted(store: JobStore, job_ids: list[str]) -> None:
    """Work whose process was stopped before it recorded an outcome starts over."""
    with store.transaction() as db:
        for job_id in job_ids:
            changed = db.execute("UPDATE jobs SET status='queued', run_token=NULL WHERE id=? AND status='running'",
                                 (job_id,)).rowcount
            if changed:
                add_event(store, job_id, "interrupted", store.row(job_id)["step_key"])


def append_log(store: JobStore, job_id: str, text: str, size: int) -> int:
    """Add a chunk of a job's output; `size` is its UTF-16 length. Returns the new log size."""
    with store.transaction() as db:
        db.execute("UPDATE jobs SET log_size=log_size+? WHERE id=?", (size, job_id))
        end = db.execute("SELECT log_size FROM jobs WHERE id=?", (job_id,)).fetchone()[0]
        db.execute("INSERT INTO logs(job_id, text, end_offset) VALUES (?,?,?)", (job_id, text, end))
        return end


def signing_key(store: JobStore, workspace: str) -> bytes:
    """The workspace's key for resume URLs (created on first use, shared by every process)."""
    name = f"signing_key:{workspace}"
    value = store.meta(name)
    if value is None:
        with store.transaction() as db:
            db.execute("INSERT OR IGNORE INTO meta(name, value) VALUES (?, ?)", (name, os.urandom(32).hex()))
        value = store.meta(name)
    return bytes.fromhex(value)
