"""The scheduler: drives the runs it holds a lease on, from what the store records.

Rounds and tasks record their own outcomes; the loop only reads what is
recorded and acts on it (start the next round, start queued tasks, wake a
sleep, answer or time out an approval, kill a task past its timeout). So
resuming after a crash is the same loop: interrupted work is queued again,
finished work stays finished.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import calls, lease, recording, run_limits, waits
from .fakes import run_fake
from .hosts import HostKey, HostPool, HostProcess
from .job_env import contextual_env
from .loading import ScriptLoadError, import_roots, resolve_target
from .processes import Proc, Processes
from .recording import signing_key
from .store import TERMINAL, Event, JobStore, new_id

POLL_SECONDS = 0.25
MAX_SPARES = 16  # children a host keeps forked ahead, at most (each holds a store connection)


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
    # task name or task_script path -> a callable or value answering it in this process (see fakes.py)
    fakes: dict[str, Any] = field(default_factory=dict)
    # `drive` returns "suspended" when a run waits for an approval nobody answers, instead of waiting
    stop_unanswered: bool = False
    # with skip_sleeps: a run's jobs read the wall clock as late as the sleeps it skipped (see clock.py)
    virtual_clock: bool = False
    call_flow: calls.FlowCaller | None = None  # the run a flow job starts (see calls.py); None: flow jobs fail


@dataclass
class Run:
    """A run this scheduler holds: its in-flight round and what it has seen."""

    id: str
    round: Proc | None = None
    asked: str | None = None  # the approval key its answerer was asked about
    answer: Any = None  # what the answerer said (a decision, True: asking, None: nobody)
    event_seq: int = 0
    args: str = "{}"
    order: tuple = ()  # (-priority, created_at): which run gets a free worker first
    path: str | None = None  # its Windmill path
    user: str | None = None  # who started it


class Scheduler:
    """Drives runs of one job store: `drive(run)` for one, `serve()` for all that arrive."""

    def __init__(self, store_path: Path, settings: Settings | None = None) -> None:
        self.store_path = store_path
        self._store: JobStore | None = None
        self.settings = settings or Settings()
        self.owner = lease.current_owner()
        self.selector = selectors.DefaultSelector()
        # A host forks from this process while that is safe: one thread, no job store connection yet.
        self.hosts = HostPool(self.selector, str(store_path), self.settings.python_path,
                              may_fork=lambda: self._store is None and threading.active_count() == 1,
                              spares=min(self.settings.workers, MAX_SPARES))
        self.runs: dict[str, Run] = {}
        self.procs = Processes(lambda: self.store, self.selector, self._output, self._proc_done, self._proc_switched)
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        self.selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._renewed = self._polled = time.monotonic()
        # Runs something may have happened to (a child ended, a wake-up): only they are looked at
        # again, so a loop driving many runs does not re-read all of them on every event.
        self._changed: set[str] = set()
        self._poll_all = True
        self._tasks_waiting = False  # queued tasks wait for a free worker
        self._waiting_rounds: set[str] = set()  # queued runs that wait for a free round slot
        self._limited: set[str] = set()  # runs that wait for a slot of their concurrency limit
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
        row = self.store.row(run_id)
        self.runs[run_id] = Run(run_id, args=row["args"], order=(-row["priority"], row["created_at"]),
                                path=row["windmill_path"], user=row["created_by"])

    def drive(self, run_id: str) -> str:
        """Run to the end (waiting out sleeps and approvals); returns the final status (or "suspended": see
        `Settings.stop_unanswered`)."""
        if run_id not in self.runs:
            self.adopt(run_id)
        try:
            while True:
                changed = self._take_changes()
                if changed:
                    for called in changed & set(self.runs) - {run_id}:  # runs that flow jobs of this one started
                        if self._advance(self.runs[called]) == "suspended":
                            return "suspended"
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
                changed = self._take_changes()
                for run in sorted((self.runs[r] for r in changed if r in self.runs), key=lambda r: r.order):
                    self._advance(run)
                if changed:
                    self._start_tasks()
                self._tick()
        finally:
            self.stop(requeue=True)

    def _mark(self, run_id: str) -> None:
        self._changed.add(run_id)

    def _take_changes(self) -> set[str]:
        """The runs to look at now (all of them after a quiet poll interval or a wake-up)."""
        if self._poll_all:
            self._poll_all = False
            self._changed.clear()
            return set(self.runs)
        changed, self._changed = self._changed, set()
        return changed

    def submit(self, run_id: str) -> None:
        """Drive `run_id` (created with this scheduler's owner as lease holder), from any thread."""
        with self._submit_lock:
            self._submitted.append(run_id)
        self._signal(b"s")

    def writing_output(self, job_id: str) -> bool:
        """Whether a child of this scheduler may still have output of `job_id` on its way to the store
        (its end may already be recorded); safe from any thread."""
        return self.procs.writing_output(job_id)

    def wake(self) -> None:
        """Look at every run again now (thread-safe: an answer, a cancel)."""
        self._signal(b"!")

    def _signal(self, what: bytes) -> None:
        if self._wake_w < 0:
            return
        try:
            os.write(self._wake_w, what)
        except BlockingIOError:
            pass

    def stop(self, requeue: bool) -> None:
        """Kill what runs; with `requeue`, what it was doing starts over on the next take."""
        if self._store is not None:
            self.procs.stop_all(requeue)
        self.hosts.close()
        if self._store is None:
            return
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
                self._mark(run_id)

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
                self._mark(row["id"])

    def _advance(self, run: Run) -> str | None:
        """Act on what the store says of `run`; its final status once it is over."""
        row = self.store.row(run.id)
        if self.settings.on_event is not None:
            self._feed_events(run)
        status = row["status"]
        if status in TERMINAL:
            if any(p.run_id == run.id for p in self.procs):
                return None  # canceled: its processes are being killed
            self._release(run)
            caller = calls.answer(self.store, row)
            if caller is not None:
                self._mark(caller)
            return status
        if status == "queued" and run.round is None:
            self._start_round(run, row)
        elif status == "sleeping":
            if waits.sleeping(self.store, self.settings, run, row):
                self._mark(run.id)  # its next round starts now, not at the next poll
        elif status == "approval":
            if waits.approval(self.store, self.settings, run, row):
                self._mark(run.id)
            elif self.settings.stop_unanswered and run.answer is None:
                return "suspended"
        return None

    def _release(self, run: Run) -> None:
        for host in self.hosts.hosts.values():
            if run.id in host.sent_seq:
                host.forget(run.id)
        lease.release(self.store, self.owner, [run.id])
        self.runs.pop(run.id, None)
        self._limited.discard(run.id)
        self._changed |= self._limited  # a concurrency slot may have freed

    def _feed_events(self, run: Run) -> None:
        for seq, event in self.store.events_since(run.id, run.event_seq):
            run.event_seq = seq
            self.settings.on_event(event)

    # -- rounds and tasks ----------------------------------------------------------------
    def _start_round(self, run: Run, row) -> None:
        if self.procs.rounds() >= max(1, self.settings.workers):
            self._waiting_rounds.add(run.id)  # looked at again when a round ends
            return
        token = new_id()
        first_with_limit = row["started_at"] is None and row["concurrency_key"] is not None
        started = recording.start_round(self.store, run.id, token, self.owner, limited=first_with_limit)
        if started == "limited":
            self._limited.add(run.id)  # looked at again when a run ends here, or at the next poll
        if started != "started":
            return
        self._limited.discard(run.id)
        try:
            host = self._root_host(row)
        except ScriptLoadError as exc:  # its host cannot even start: the run fails, the others go on
            error = {"error": {"name": "ScriptLoadError", "message": exc.message}}
            recording.persist_outcome(self.store, run.id, token, {"type": "error", "error": error}, time.time())
            self._mark(run.id)
            return
        proc = Proc(run.id, run.id, "round", "workflow", host, token)
        proc.may_continue = self._free_task_slots() > 0 and not self._tasks_waiting and not self.settings.fakes
        run.round = self._fork(host, proc, row, run.args)

    def _free_task_slots(self) -> int:
        return self.settings.workers - self.procs.task_slots_held()

    def _start_tasks(self) -> None:
        self._tasks_waiting = False
        free = self._free_task_slots()
        if not self.runs:
            return
        rows = self.store.db.execute(
            "SELECT j.* FROM jobs j JOIN jobs r ON r.id=j.root_id WHERE j.status='queued' AND j.parent_id IS NOT NULL"
            " AND r.lease_owner=? ORDER BY j.priority DESC, j.created_at", (self.owner,)).fetchall()
        chosen: list = []
        for row in rows:
            if len(chosen) >= free:
                self._tasks_waiting = True
                break
            if row["root_id"] in self.runs and run_limits.task_may_start(self.store, row, chosen, time.time()):
                chosen.append(row)
        tokens = {row["id"]: new_id() for row in chosen}
        started = recording.start_tasks(self.store, tokens) if tokens else set()  # a batch: one transaction
        for row in chosen:
            if row["id"] in started:
                self._launch_task(row, tokens[row["id"]])

    def _launch_task(self, row, token: str) -> None:
        """A started task to its fake, or to a child of its host."""
        if row["target"] in self.settings.fakes and row["kind"] in ("task", "script"):
            run_fake(self.store, row, token, self.settings.fakes[row["target"]])
            self._mark(row["root_id"])
            return
        options = json.loads(row["options"])
        run = self.runs[row["root_id"]]
        try:
            if row["kind"] == "flow":
                self._drive_called(calls.start(self.store, row, self.settings.call_flow, self.owner))
                return
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
            self._mark(row["root_id"])
            return
        proc = Proc(row["id"], row["root_id"], row["kind"], row["step_key"], host, token, options.get("timeout"))
        self._fork(host, proc, row, args)

    def _drive_called(self, run_id: str) -> None:
        with contextlib.suppress(lease.RunBusy):  # another live process drives it: it answers the flow job
            if run_id not in self.runs:
                self.adopt(run_id)
            self._mark(run_id)

    def _fork(self, host: HostProcess, proc: Proc, row, args: str) -> Proc:
        root_id = row["root_id"]
        since = host.sent_seq.get(root_id, 0)
        delta = [[r["key"], r["value"], r["alloc_index"], r["seq"]] for r in self.store.steps_since(root_id, since)]
        if delta:
            host.sent_seq[root_id] = delta[-1][3]
        message = {"kind": proc.kind, "job": proc.job_id, "root": root_id, "token": proc.token,
                   "continue": proc.may_continue, "store": str(self.store_path), "args": args,
                   "key": row["step_key"], "target": row["target"], "checkpoint_seq": row["checkpoint_seq"],
                   "since": since, "delta": delta, "env": self._env(row)}
        if self.settings.virtual_clock and self.settings.skip_sleeps:
            message["clock"] = waits.skipped_seconds(self.store, root_id)
        if proc.kind == "round" and json.loads(row["options"] or "{}").get("preprocess"):
            message["preprocess"] = True  # a plain script's `preprocessor` first, as a trigger's run applies it
        self.procs.add(proc)
        host.fork(message, lambda pid, fd: self.procs.forked(proc, pid, fd))
        return proc

    def _env(self, row) -> dict[str, str]:
        from .. import _urls

        run = self.runs.get(row["root_id"]) or Run(row["root_id"])
        env = contextual_env(row, run.path, run.user)
        env[_urls.ENV_SIGNING_KEY] = signing_key(self.store, row["workspace"]).hex()
        env.update(self.settings.job_env(row))
        return env

    # -- waiting ---------------------------------------------------------------------------------
    def _tick(self) -> None:
        """Wait for something to happen: output, a child's end, a wake-up, a deadline."""
        self._wait(self.procs.deadline(time.monotonic() + POLL_SECONDS))
        self.procs.enforce_timeouts()
        now = time.monotonic()
        self.procs.logs.flush_due(now)
        if now - self._polled >= POLL_SECONDS:  # sleeps, answers and cancels only show in the store
            self._polled, self._poll_all = now, True
            self.procs.kill_canceled()
        if now - self._renewed > lease.RENEW_SECONDS:
            lease.renew(self.store, self.owner)
            self._renewed = self._polled = time.monotonic()

    def _wait(self, deadline: float) -> None:
        for key, _ in self.selector.select(max(0.0, deadline - time.monotonic())):
            source = key.data
            if source is None:
                if b"!" in os.read(self._wake_r, 4096):
                    self._poll_all = True
            elif isinstance(source, Proc):
                self.procs.read(source)
            elif not self.hosts.handle(source, self.procs.exited):
                self.procs.host_gone(source)

    def _output(self, proc: Proc, text: str) -> None:
        self.settings.on_log(proc.job_id, proc.label, text)

    def _proc_switched(self, proc: Proc) -> None:
        run = self.runs.get(proc.run_id)
        if run is not None and run.round is proc:
            run.round = None

    def _proc_done(self, proc: Proc) -> None:
        self._proc_switched(proc)
        self._mark(proc.run_id)
        if proc.is_round and self._waiting_rounds:
            self._changed |= self._waiting_rounds
            self._waiting_rounds = set()
