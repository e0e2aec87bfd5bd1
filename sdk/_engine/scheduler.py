"""The scheduler: drives the runs it holds a lease on, from what the store records.

Rounds and tasks record their own outcomes; the loop only reads what is
recorded and acts on it (start the next round, start queued tasks, wake a
sleep, answer or time out an approval, kill a task past its timeout). So
resuming after a crash is the same loop: interrupted work is queued again,
finished work stays finished.
"""

from __future__ import annotations

import json
import os
import selectors
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import lease, recording
from .hosts import HostKey, HostPool, HostProcess
from .loading import ScriptLoadError, import_roots, resolve_target
from .processes import (EXIT_GRACE_SECONDS, Proc, kill_group, outcome_recorded, read_output, record_crash,
                        record_timeout, split_continuation, store_output)
from .store import TERMINAL, Event, JobStore, new_id

POLL_SECONDS = 0.25


def _nothing(*_: Any) -> None:
    return None


@dataclass
class Settings:
    """How to run: worker count, waits, where output and events go, what jobs see."""

    workers: int = os.cpu_count() or 1
    skip_sleeps: bool = False
    # (run id, approval key, detail, deadline) -> a decision dict, True when
    # someone is being asked, or None when nobody will answer before the timeout
    on_approval: Callable[[str, str, dict, float], Any] = _nothing
    on_log: Callable[[str, str, str], None] = _nothing  # (job id, label, text)
    on_event: Callable[[Event], None] | None = None
    on_sleep: Callable[[str, str, float], None] = _nothing  # (run id, key, wake-up time)
    job_env: Callable[[Any], dict[str, str]] = lambda row: {}  # extra environment of a job
    python_path: Callable[[str], dict[str, str]] | None = None  # environment for another interpreter
    python: str = sys.executable


@dataclass
class Run:
    """A run this scheduler holds: its in-flight round and what it has seen."""

    id: str
    round: Proc | None = None
    asked: str | None = None
    event_seq: int = 0
    args: str = "{}"
    extras: dict[str, Any] = field(default_factory=dict)


class Scheduler:
    """Drives runs of one job store: `drive(run)` for one, `serve()` for all that arrive."""

    def __init__(self, store_path: Path, settings: Settings | None = None) -> None:
        self.store_path = store_path
        self._store: JobStore | None = None
        self.settings = settings or Settings()
        self.owner = lease.current_owner()
        self.selector = selectors.DefaultSelector()
        self.hosts = HostPool(self.selector, str(store_path), self.settings.python_path)
        self.runs: dict[str, Run] = {}
        self.procs: dict[str, Proc] = {}
        self.by_pid: dict[int, Proc] = {}
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        self.selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._renewed = time.monotonic()
        self._dirty = True  # something may have changed: look at the store again
        self._tasks_waiting = False  # queued tasks wait for a free worker
        self._submitted: list[str] = []  # runs handed over by other threads (`submit`)
        self._submit_lock = threading.Lock()

    @property
    def store(self) -> JobStore:
        """The scheduler's own connection, opened on first use (hosts can start before)."""
        if self._store is None:
            self._store = JobStore(self.store_path)
        return self._store

    def __enter__(self) -> "Scheduler":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- hosts ---------------------------------------------------------------------
    def host(self, script: str, project_root: str, python: str | None = None,
             source_hash: str | None = None) -> HostProcess:
        """The host for a script, started now if needed (it loads while the caller goes on)."""
        return self.hosts.get(HostKey(python or self.settings.python, script, project_root, source_hash))

    def wait_loaded(self, host: HostProcess) -> None:
        """Block until `host` has imported its script; ScriptLoadError if it could not."""
        self.hosts.wait_ready(host)

    def _root_host(self, row) -> HostProcess:
        roots = row["project_root"] or str(Path(row["script_path"]).parent)
        return self.host(row["script_path"], roots, row["python"], row["source_hash"])

    # -- driving runs ----------------------------------------------------------------
    def adopt(self, run_id: str) -> None:
        """Take the run's lease (RunBusy if a live process holds it) and start driving it."""
        lease.take(self.store, run_id, self.owner)
        self.runs[run_id] = Run(run_id, args=self.store.row(run_id)["args"])

    def drive(self, run_id: str) -> str:
        """Run to the end (waiting out sleeps and approvals); returns the final status."""
        if run_id not in self.runs:
            self.adopt(run_id)
        try:
            while True:
                if self._dirty:
                    self._dirty = False
                    status = self._advance(self.runs[run_id])
                    if status is not None:
                        return status
                    self._start_tasks()
                self._tick()
        except BaseException:
            self.stop(requeue=True)
            raise

    def serve(self, stop: threading.Event, origins: tuple[str, ...]) -> None:
        """Drive every run of the given origins that no live process drives, until `stop` is set."""
        adopted_at = 0.0
        try:
            while not stop.is_set():
                self._adopt_submitted()
                if time.monotonic() - adopted_at > POLL_SECONDS:
                    self._adopt_available(origins)
                    adopted_at = time.monotonic()
                if self._dirty:
                    self._dirty = False
                    for run in list(self.runs.values()):
                        self._advance(run)
                    self._start_tasks()
                self._tick()
        finally:
            self.stop(requeue=True)

    def submit(self, run_id: str) -> None:
        """Drive `run_id` (created with this scheduler's owner as lease holder), from any thread."""
        with self._submit_lock:
            self._submitted.append(run_id)
        self.wake()

    def wake(self) -> None:
        """Look at the store again now (thread-safe: a new run, an answer, a cancel)."""
        if self._wake_w < 0:
            return
        try:
            os.write(self._wake_w, b"!")
        except BlockingIOError:
            pass

    def stop(self, requeue: bool) -> None:
        """Kill what runs; with `requeue`, what it was doing starts over on the next take."""
        for proc in list(self.procs.values()):
            kill_group(proc.pid)
        if self._store is None:
            self.hosts.close()
            return
        if requeue and self.procs:
            recording.requeue_interrupted(self.store, [p.job_id for p in self.procs.values()])
        for proc in list(self.procs.values()):
            self._forget(proc)
        self.hosts.close()
        if self.runs:
            lease.release(self.store, self.owner, list(self.runs))
            self.runs.clear()

    def close(self) -> None:
        if self._wake_r < 0:
            return
        self.stop(requeue=True)
        self.selector.close()
        for fd in (self._wake_r, self._wake_w):
            os.close(fd)
        self._wake_r = self._wake_w = -1
        if self._store is not None:
            self._store.close()

    def _adopt_submitted(self) -> None:
        with self._submit_lock:
            submitted, self._submitted = self._submitted, []
        for run_id in submitted:
            if run_id not in self.runs:
                try:
                    self.adopt(run_id)
                except lease.RunBusy:
                    continue
                self._dirty = True

    def _adopt_available(self, origins: tuple[str, ...]) -> None:
        marks = ",".join("?" * len(origins))
        rows = self.store.db.execute(
            "SELECT id, lease_owner, lease_expires FROM jobs WHERE parent_id IS NULL AND status IN"
            f" ('queued','running','waiting','sleeping','approval') AND origin IN ({marks})"
            " ORDER BY priority DESC, created_at", origins).fetchall()
        for row in rows:
            if row["id"] not in self.runs and lease.free(row["lease_owner"], row["lease_expires"]):
                try:
                    self.adopt(row["id"])
                except lease.RunBusy:
                    continue
                self._dirty = True

    def _advance(self, run: Run) -> str | None:
        """Act on what the store says of `run`; its final status once it is over."""
        row = self.store.row(run.id)
        if self.settings.on_event is not None:
            self._feed_events(run)
        status = row["status"]
        if status in TERMINAL:
            if any(p.run_id == run.id for p in self.procs.values()):
                return None  # canceled: its processes are being killed
            self._release(run)
            return status
        if status == "queued" and run.round is None:
            self._start_round(run, row)
        elif status == "sleeping":
            self._sleeping(run, row)
        elif status == "approval":
            self._approval(run, row)
        return None

    def _release(self, run: Run) -> None:
        for host in self.hosts.hosts.values():
            if run.id in host.sent_seq:
                host.forget(run.id)
        lease.release(self.store, self.owner, [run.id])
        self.runs.pop(run.id, None)

    def _feed_events(self, run: Run) -> None:
        for seq, event in self.store.events_since(run.id, run.event_seq):
            run.event_seq = seq
            self.settings.on_event(event)

    # -- rounds and tasks ----------------------------------------------------------------
    def _start_round(self, run: Run, row) -> None:
        if sum(1 for p in self.procs.values() if p.is_round) >= max(1, self.settings.workers):
            return
        token = new_id()
        if not recording.start(self.store, run.id, token, owner=self.owner):
            return
        host = self._root_host(row)
        proc = Proc(run.id, run.id, "round", "workflow", host, token)
        proc.may_continue = self._free_task_slots() > 0 and not self._tasks_waiting
        run.round = self._fork(host, proc, row, run.args)

    def _free_task_slots(self) -> int:
        return self.settings.workers - sum(1 for p in self.procs.values() if p.holds_task_slot)

    def _start_tasks(self) -> None:
        self._tasks_waiting = False
        free = self._free_task_slots()
        if not self.runs:
            return
        rows = self.store.db.execute(
            "SELECT j.* FROM jobs j JOIN jobs r ON r.id=j.root_id WHERE j.status='queued' AND j.parent_id IS NOT NULL"
            " AND r.lease_owner=? ORDER BY j.priority DESC, j.created_at", (self.owner,)).fetchall()
        for row in rows:
            if free <= 0:
                self._tasks_waiting = True
                return
            if row["root_id"] in self.runs and self._concurrency_allows(row) and self._start_task(row):
                free -= 1

    def _start_task(self, row) -> bool:
        token = new_id()
        if not recording.start(self.store, row["id"], token):
            return False
        options = json.loads(row["options"])
        run = self.runs[row["root_id"]]
        try:
            if row["kind"] == "flow":
                raise ScriptLoadError(f"task_flow('{row['target']}') needs a Windmill workspace with that flow:"
                                      " wac runs scripts only")
            if row["kind"] == "script":
                roots = row["project_root"] or str(Path(row["script_path"]).parent)
                target = resolve_target(Path(row["script_path"]), import_roots(roots), row["target"])
                host = self.host(str(target), roots, row["python"])
                args = row["args"]
            else:
                host, args = self._root_host(row), run.args
        except ScriptLoadError as exc:
            error = {"error": {"name": "ScriptLoadError", "message": exc.message}}
            recording.complete_task(self.store, row["id"], token, False, error)
            return True
        proc = Proc(row["id"], row["root_id"], row["kind"], row["step_key"], host, token, options.get("timeout"))
        self._fork(host, proc, row, args)
        return True

    def _concurrency_allows(self, row) -> bool:
        options = json.loads(row["options"])
        limit = options.get("concurrent_limit")
        if not limit:
            return True
        query = "SELECT COUNT(*) FROM jobs WHERE concurrency_key=? AND (status='running'"
        params: list[Any] = [row["concurrency_key"]]
        if options.get("concurrency_time_window_s"):
            query += " OR started_at>?"
            params.append(time.time() - options["concurrency_time_window_s"])
        return self.store.db.execute(query + ")", params).fetchone()[0] < limit

    def _fork(self, host: HostProcess, proc: Proc, row, args: str) -> Proc:
        root_id = row["root_id"]
        since = host.sent_seq.get(root_id, 0)
        delta = [[r["key"], r["value"], r["alloc_index"], r["seq"]] for r in self.store.steps_since(root_id, since)]
        if delta:
            host.sent_seq[root_id] = delta[-1][3]
        message = {"kind": proc.kind, "job": proc.job_id, "root": root_id, "token": proc.token,
                   "continue": proc.may_continue,
                   "store": str(self.store_path), "args": args, "key": row["step_key"], "target": row["target"],
                   "checkpoint_seq": row["checkpoint_seq"], "delta": delta, "now": time.time(),
                   "env": self._env(row)}
        self.procs[proc.job_id] = proc
        host.fork(message, lambda pid, fd: self._forked(proc, pid, fd))
        return proc

    def _env(self, row) -> dict[str, str]:
        from .. import _urls

        env = {"WM_JOB_ID": row["id"], "WM_ROOT_FLOW_JOB_ID": row["root_id"], "WM_WORKSPACE": row["workspace"],
               _urls.ENV_SIGNING_KEY: signing_key(self.store, row["workspace"]).hex()}
        if row["windmill_path"]:
            env["WM_JOB_PATH"] = row["windmill_path"]
        env.update(self.settings.job_env(row))
        return env

    def _forked(self, proc: Proc, pid: int, fd: int) -> None:
        if self.procs.get(proc.job_id) is not proc:  # stopped while the host was forking
            kill_group(pid)
            os.close(fd)
            return
        proc.pid, proc.fd = pid, fd
        self.by_pid[pid] = proc
        self.selector.register(fd, selectors.EVENT_READ, proc)

    # -- waiting ---------------------------------------------------------------------------------
    def _tick(self) -> None:
        """Wait for something to happen: output, a child's end, a wake-up, a deadline."""
        if not self._wait(self._deadline()):
            self._dirty = True  # nothing arrived: poll the store (sleeps, answers, cancels)
            self._check_procs()
        if time.monotonic() - self._renewed > lease.RENEW_SECONDS:
            lease.renew(self.store, self.owner)
            self._renewed = time.monotonic()

    def _deadline(self) -> float:
        deadline = time.monotonic() + POLL_SECONDS
        for proc in self.procs.values():
            if proc.timeout and not proc.timed_out:
                deadline = min(deadline, proc.started + proc.timeout)
        return deadline

    def _wait(self, deadline: float) -> bool:
        events = self.selector.select(max(0.0, deadline - time.monotonic()))
        for key, _ in events:
            source = key.data
            if source is None:
                os.read(self._wake_r, 4096)
                self._dirty = True
            elif isinstance(source, Proc):
                self._read(source)
            elif not self.hosts.handle(source, self._exited):
                self._host_gone(source)
        return bool(events)

    def _host_gone(self, host: HostProcess) -> None:
        """A host that died (or could not load its script) takes its children's work with it."""
        for proc in [p for p in self.procs.values() if p.host is host]:
            if proc.pid is None:  # never forked: the host failed before
                reason = host.error.message if host.error else "the host process exited"
                self._fail_unforked(proc, reason, host.error)
            elif proc.exit_code is None:
                proc.exit_code, proc.exited_at = -9, time.monotonic()
                if proc.eof:
                    self._settle(proc)

    def _fail_unforked(self, proc: Proc, reason: str, error: ScriptLoadError | None) -> None:
        detail = {"name": "ScriptLoadError", "message": reason}
        if error is not None and error.path:
            detail["stack"] = f'  File "{error.path}", line {error.line}' if error.line else error.path
        if proc.is_round:
            recording.persist_outcome(self.store, proc.job_id, proc.token, {"type": "error", "error": {"error": detail}},
                                      time.time())
        else:
            recording.complete_task(self.store, proc.job_id, proc.token, False, {"error": detail})
        self._forget(proc)

    def _read(self, proc: Proc) -> None:
        text = read_output(proc)
        if proc.may_continue:
            before, marker, after = split_continuation(proc, text or "")
            if proc.eof:
                before, proc.held = before + proc.held, ""
            self._output(proc, before)
            if marker is not None:
                self._continued(proc, *marker)
                self._output(proc, after)
        else:
            self._output(proc, text)
        if proc.eof:
            self.selector.unregister(proc.fd)
            os.close(proc.fd)
            proc.fd = None
            self._settle(proc)

    def _output(self, proc: Proc, text: str | None) -> None:
        if text:
            store_output(self.store, proc, text)
            self.settings.on_log(proc.job_id, proc.label, text)

    def _continued(self, proc: Proc, job_id: str, token: str, timeout: str, key: str) -> None:
        """The round went on as the task it dispatched: from here its output and end are the task's."""
        run = self.runs.get(proc.run_id)
        if run is not None and run.round is proc:
            run.round = None
        del self.procs[proc.job_id]
        proc.job_id, proc.kind, proc.label, proc.token = job_id, "task", key, token
        proc.timeout = None if timeout == "-" else float(timeout)
        proc.started, proc.may_continue = time.monotonic(), False
        self.procs[job_id] = proc

    def _exited(self, pid: int, code: int) -> None:
        proc = self.by_pid.pop(pid, None)
        if proc is None:
            return
        proc.exit_code, proc.exited_at = code, time.monotonic()
        kill_group(pid)  # anything it left behind, still holding its output open
        if proc.eof:
            self._settle(proc)

    def _settle(self, proc: Proc) -> None:
        """The child is done when its outcome is recorded; one that died without one fails."""
        if self.procs.get(proc.job_id) is not proc:
            return
        if not outcome_recorded(self.store, proc):
            if proc.exit_code is None:
                return  # wait for the host to report how it ended
            record_crash(self.store, proc)
        if proc.may_continue:  # it may have started its task and died before saying so
            recording.requeue_orphans(self.store, proc.run_id, set(self.procs))
        self._forget(proc)
        self._dirty = True

    def _forget(self, proc: Proc) -> None:
        self.procs.pop(proc.job_id, None)
        if proc.fd is not None:
            self.selector.unregister(proc.fd)
            os.close(proc.fd)
            proc.fd = None
        run = self.runs.get(proc.run_id)
        if run is not None and run.round is proc:
            run.round = None

    def _check_procs(self) -> None:
        now = time.monotonic()
        for proc in list(self.procs.values()):
            if proc.pid is None:
                continue
            if proc.timeout and not proc.timed_out and now - proc.started >= proc.timeout:
                record_timeout(self.store, proc)
            elif proc.exited_at is not None and now - proc.exited_at > EXIT_GRACE_SECONDS and proc.fd is not None:
                proc.eof = True
                self.selector.unregister(proc.fd)
                os.close(proc.fd)
                proc.fd = None
                self._settle(proc)
            elif (self.store.status(proc.job_id) or ("canceled",))[0] == "canceled":
                kill_group(proc.pid)

    # -- sleeps and approvals --------------------------------------------------------------------
    def _sleeping(self, run: Run, row) -> None:
        pending = self.store.pending(run.id)
        if not pending:
            return
        key, remaining = pending[0]["key"], row["wake_at"] - time.time()
        if self.settings.skip_sleeps or remaining <= 0:
            detail = {"skipped_s": round(max(remaining, 0), 3)} if self.settings.skip_sleeps else None
            recording.resolve_wait(self.store, run.id, key, True, "woke", detail)
        else:
            self.settings.on_sleep(run.id, key, row["wake_at"])

    def _approval(self, run: Run, row) -> None:
        pending = [p for p in self.store.pending(run.id) if p["kind"] == "approval"]
        if not pending:
            return
        key, detail = pending[0]["key"], json.loads(pending[0]["detail"])
        if run.asked != key:
            run.asked = key
            run.extras["answer"] = self.settings.on_approval(run.id, key, detail, row["wake_at"])
            answer = run.extras["answer"]
            if isinstance(answer, dict):
                recording.answer_approval(self.store, run.id, answer.get("approved", True), answer.get("value"),
                                          answer.get("approver"), key)
                return
        nobody_asked = run.extras.get("answer") is None
        if time.time() >= row["wake_at"] or (self.settings.skip_sleeps and nobody_asked):
            recording.resolve_wait(self.store, run.id, key, recording.TIMED_OUT_APPROVAL, "approval_timeout")


def signing_key(store: JobStore, workspace: str) -> bytes:
    """The workspace's key for resume URLs (created on first use, shared by every process)."""
    name = f"signing_key:{workspace}"
    value = store.meta(name)
    if value is None:
        with store.transaction() as db:
            db.execute("INSERT OR IGNORE INTO meta(name, value) VALUES (?, ?)", (name, os.urandom(32).hex()))
        value = store.meta(name)
    return bytes.fromhex(value)
