"""The scheduler: runs a root job to its end, or to an approval it cannot answer.

It is driven by the job store alone: rounds and tasks record their own
outcomes, and the loop only looks at what is recorded. So `resume` after a
crash is the same loop: interrupted work is queued again, finished work stays.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import _urls
from . import recording
from .children import Child, LineWriter, RoundSpec, TaskSpec, decode_lines, fork_child, run_round, run_task
from .host import entry_point, load_module, prepare_imports, source_hash
from .store import TERMINAL, JobStore, dumps, new_id

Decision = dict  # {"approved": bool, "value": Any, "approver": str}
APPROVAL = "approval"
POLL_SECONDS = 0.5


class SourceChanged(Exception):
    """The script changed since the run started: resuming could mis-map step keys."""


@dataclass
class Settings:
    """How to run: worker count, sleeps, approvals and where output goes."""

    workers: int = os.cpu_count() or 1
    skip_sleeps: bool = False
    # Rounds run in the scheduler (fast; module globals persist between rounds)
    # unless isolated, which forks each round from the freshly imported script.
    isolate_rounds: bool = False
    approve: Callable[[str, dict[str, Any]], Decision | None] = lambda key, detail: None
    on_log: Callable[[str, str], None] = lambda label, line: None
    on_sleep: Callable[[str, float], None] = lambda key, seconds: None
    workspace: str = _urls.DEFAULT_WORKSPACE
    base_url: str = _urls.DEFAULT_BASE_URL


@dataclass
class _Checkpoint:
    completed: dict[str, Any] = field(default_factory=dict)
    order: dict[int, str] = field(default_factory=dict)
    seq: int = 0


class Executor:
    """Runs one script's jobs from a job store."""

    def __init__(self, store_path: Path, script: Path, project_root: Path, settings: Settings) -> None:
        self.store_path = store_path
        self.store = JobStore(store_path)
        self.script = script.resolve()
        self.project_root = project_root.resolve()
        self.settings = settings
        self.children: dict[int, Child] = {}
        self.selector = selectors.DefaultSelector()
        self.checkpoint = _Checkpoint()
        self.round: Child | None = None
        self.module = None

    def create_run(self, args: dict[str, Any]) -> str:
        job_id = new_id()
        with self.store.transaction():
            self.store.db.execute(
                "INSERT INTO jobs(id, root_id, kind, script_path, args, status, source_hash, created_at)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (job_id, job_id, "workflow", str(self.script), dumps(args), "queued",
                 source_hash(self.script), time.time()))
            self.store.add_event(job_id, "queued")
        return job_id

    def run(self, root_id: str, *, allow_changed_source: bool = False) -> str:
        """Drive the run; returns its final status, or `approval` when it must wait."""
        root = self.store.job(root_id)
        if not allow_changed_source and root["source_hash"] != source_hash(self.script):
            raise SourceChanged(root_id)
        self._load()
        self._recover(root_id)
        os.environ.update({_urls.ENV_WORKSPACE: self.settings.workspace,
                           _urls.ENV_BASE_URL: self.settings.base_url,
                           _urls.ENV_SIGNING_KEY: self._signing_key()})
        try:
            while True:
                root = self.store.job(root_id)
                status = root["status"]
                if status in TERMINAL and not self.children:
                    return status
                if status == "canceled":
                    self._kill_all()
                    continue
                if status == "queued" and self.round is None:
                    if self._start_round(root):
                        continue  # ran in place: its outcome is already recorded
                elif status == "sleeping" and self.round is None and self._sleep_or_wake(root):
                    continue
                elif status == APPROVAL and self.round is None and not self.children:
                    if not self._answer_approval(root):
                        return APPROVAL
                    continue
                self._start_tasks(root_id)
                self._wait(self._next_deadline(root))
        finally:
            self._kill_all()

    # -- setup --------------------------------------------------------------
    def _load(self) -> None:
        if self.module is None:
            prepare_imports(self.project_root)
            self.module = load_module(self.script, self.project_root)

    def _recover(self, root_id: str) -> None:
        """After a crash: work that was running when the previous process died starts over."""
        with self.store.transaction() as db:
            for job in db.execute("SELECT * FROM jobs WHERE root_id=? AND status='running'", (root_id,)).fetchall():
                db.execute("UPDATE jobs SET status='queued', run_token=NULL WHERE id=?", (job["id"],))
                self.store.add_event(job["id"], "interrupted", job["step_key"])

    def _signing_key(self) -> str:
        with self.store.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE name='signing_key'").fetchone()
            if row is None:
                key = os.urandom(32).hex()
                db.execute("INSERT INTO meta(name, value) VALUES ('signing_key', ?)", (key,))
                return key
            return row[0]

    # -- rounds ---------------------------------------------------------------
    def _start_round(self, root) -> bool:
        """Start a round; True when it already ran in place (not isolated)."""
        with self.store.transaction() as db:
            db.execute("UPDATE jobs SET status='running', started_at=COALESCE(started_at, ?) WHERE id=?",
                       (time.time(), root["id"]))
        self._refresh_checkpoint(root["id"])
        spec = RoundSpec(self.store_path, root["id"], self.script, self.project_root, entry_point(self.module),
                         json.loads(root["args"]), self.checkpoint.completed, self.checkpoint.order, time.time())
        os.environ[_urls.ENV_JOB_ID] = root["id"]
        if self.settings.isolate_rounds:
            self.round = self._fork(root["id"], "workflow", lambda: run_round(spec))
            return False
        lines: list[str] = []
        writer = LineWriter(lines.append)
        with contextlib.redirect_stdout(writer), contextlib.redirect_stderr(writer):
            run_round(spec, self.store)
        writer.close_lines()
        self._log_lines(root["id"], "workflow", lines)
        return True

    def _refresh_checkpoint(self, root_id: str) -> None:
        for row in self.store.steps_since(root_id, self.checkpoint.seq):
            self.checkpoint.completed[row["key"]] = json.loads(row["value"])
            if row["alloc_index"] is not None:
                self.checkpoint.order[row["alloc_index"]] = row["key"]
            self.checkpoint.seq = row["seq"]

    # -- tasks ----------------------------------------------------------------
    def _start_tasks(self, root_id: str) -> None:
        free = self.settings.workers - sum(1 for c in self.children.values() if c is not self.round)
        if free <= 0:
            return
        queued = self.store.db.execute(
            "SELECT * FROM jobs WHERE root_id=? AND parent_id IS NOT NULL AND status='queued'"
            " ORDER BY priority DESC, created_at", (root_id,)).fetchall()
        for job in queued:
            if free <= 0:
                break
            if self._start_task(job):
                free -= 1

    def _start_task(self, job) -> bool:
        options = json.loads(job["options"])
        if not self._concurrency_allows(job, options):
            return False
        token = new_id()
        with self.store.transaction() as db:
            started = db.execute(
                "UPDATE jobs SET status='running', run_token=?, started_at=?, attempt=attempt+1"
                " WHERE id=? AND status='queued'", (token, time.time(), job["id"])).rowcount
            if started:
                self.store.add_event(job["id"], "started", job["step_key"], {"tag": job["tag"]} if job["tag"] else None)
        if not started:
            return False
        spec = TaskSpec(self.store_path, job["id"], token, job["kind"], job["target"], json.loads(job["args"]),
                        self.script, self.project_root, self.module)
        os.environ[_urls.ENV_JOB_ID] = job["id"]
        self._fork(job["id"], job["step_key"], lambda: run_task(spec), token, options.get("timeout"))
        return True

    def _concurrency_allows(self, job, options: dict[str, Any]) -> bool:
        limit = options.get("concurrent_limit")
        if not limit:
            return True
        window = options.get("concurrency_time_window_s")
        if window:
            since = time.time() - window
            count = self.store.db.execute(
                "SELECT COUNT(*) FROM jobs WHERE concurrency_key=? AND (status='running' OR started_at>?)",
                (job["concurrency_key"], since)).fetchone()[0]
        else:
            count = self.store.db.execute("SELECT COUNT(*) FROM jobs WHERE concurrency_key=? AND status='running'",
                                          (job["concurrency_key"],)).fetchone()[0]
        return count < limit

    # -- waits ------------------------------------------------------------------
    def _sleep_or_wake(self, root) -> bool:
        """Wake the run when its sleep is over (or skipped); True when it woke."""
        pending = self.store.pending(root["id"])
        if not pending:
            return False
        key = pending[0]["key"]
        remaining = root["wake_at"] - time.time()
        if self.settings.skip_sleeps or remaining <= 0:
            detail = {"skipped_s": round(max(remaining, 0), 3)} if self.settings.skip_sleeps else None
            return recording.resolve_wait(self.store, root["id"], key, True, "woke", detail)
        self.settings.on_sleep(key, remaining)
        return False

    def _answer_approval(self, root) -> bool:
        pending = self.store.pending(root["id"])
        if not pending:
            return True
        row = pending[0]
        if time.time() >= root["wake_at"]:
            timed_out = {"value": None, "approver": None, "approved": False}
            return recording.resolve_wait(self.store, root["id"], row["key"], timed_out, "approval_timeout")
        decision = self.settings.approve(row["key"], json.loads(row["detail"]))
        if decision is None:
            return False
        value = {"value": decision.get("value"), "approver": decision.get("approver") or "anonymous",
                 "approved": bool(decision.get("approved"))}
        return recording.resolve_wait(self.store, root["id"], row["key"], value,
                                      "approved" if value["approved"] else "rejected", value)

    def _next_deadline(self, root) -> float:
        deadline = time.monotonic() + POLL_SECONDS
        if root["status"] == "sleeping" and root["wake_at"] and not self.settings.skip_sleeps:
            deadline = min(deadline, time.monotonic() + max(0.0, root["wake_at"] - time.time()))
        for child in self.children.values():
            if child.timeout:
                deadline = min(deadline, child.started + child.timeout)
        return deadline

    # -- child processes -------------------------------------------------------
    def _fork(self, job_id: str, label: str, body, token: str | None = None, timeout: float | None = None) -> Child:
        child = fork_child(job_id, label, body, token, timeout)
        self.children[child.pid] = child
        self.selector.register(child.output_fd, selectors.EVENT_READ, child)
        return child

    def _wait(self, deadline: float) -> None:
        if not self.children:
            time.sleep(max(0.0, min(deadline - time.monotonic(), POLL_SECONDS)))
            return
        for key, _ in self.selector.select(max(0.0, deadline - time.monotonic())):
            child: Child = key.data
            data = os.read(child.output_fd, 65536)
            if data:
                self._log(child, decode_lines(child, data))
            else:
                self._reap(child)
        self._enforce_timeouts()

    def _log(self, child: Child, lines: list[str]) -> None:
        self._log_lines(child.job_id, child.label, lines)

    def _log_lines(self, job_id: str, label: str, lines: list[str]) -> None:
        if not lines:
            return
        for line in lines:
            self.settings.on_log(label, line)
        with self.store.transaction():
            self.store.append_logs(job_id, lines)

    def _reap(self, child: Child) -> None:
        if child.buffer:
            self._log(child, [child.buffer.decode("utf-8", "replace")])
            child.buffer = b""
        self.selector.unregister(child.output_fd)
        os.close(child.output_fd)
        _, status = os.waitpid(child.pid, 0)
        del self.children[child.pid]
        code = os.waitstatus_to_exitcode(status)
        if child is self.round:
            self.round = None
            if self.store.job(child.job_id)["status"] == "running":
                error = {"error": {"name": "ProcessError", "message": f"workflow round exited with code {code}"}}
                recording.persist_outcome(self.store, child.job_id, {"type": "error", "error": error}, time.time())
        elif child.run_token:
            error = {"error": {"name": "ProcessError", "message": f"task process exited with code {code}"}}
            recording.complete_task(self.store, child.job_id, child.run_token, False, error)

    def _enforce_timeouts(self) -> None:
        now = time.monotonic()
        for child in list(self.children.values()):
            if child.timeout and now - child.started >= child.timeout and child.run_token:
                _kill_group(child.pid)
                error = {"error": {"name": "TimeoutError", "message": f"task timed out after {child.timeout}s"}}
                recording.complete_task(self.store, child.job_id, child.run_token, False, error)
                child.run_token = None  # its exit is no longer news

    def _kill_all(self) -> None:
        for child in list(self.children.values()):
            _kill_group(child.pid)
            self._reap(child)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
