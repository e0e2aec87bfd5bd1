"""Forked children as the scheduler sees them: their output, their end, their crash.

A child has ended when its outcome is recorded and its output is drained; a
child that dies without recording one (killed, crashed, `os._exit`) gets a
failure recorded for it, guarded by its run token like any outcome.
"""

from __future__ import annotations

import codecs
import os
import selectors
import signal
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from . import recording
from .channel import CONTINUE_MARKER
from .held_logs import HeldLogs
from .hosts import HostProcess
from .loading import ScriptLoadError
from .store import JobStore

EXIT_GRACE_SECONDS = 1.0  # after exit, how long grandchildren may keep the output pipe open


@dataclass
class Proc:
    """One forked round or task."""

    job_id: str
    run_id: str
    kind: str  # round | task | script
    label: str
    host: HostProcess
    token: str
    timeout: float | None = None
    started: float = field(default_factory=time.monotonic)
    pid: int | None = None
    fd: int | None = None
    decoder: Any = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace"))
    eof: bool = False
    exit_code: int | None = None
    exited_at: float | None = None
    timed_out: bool = False
    may_continue: bool = False  # a round allowed to go on as the one task it dispatches
    held: str = ""  # output held back: it may be the start of a continuation marker

    @property
    def is_round(self) -> bool:
        return self.kind == "round"

    @property
    def holds_task_slot(self) -> bool:
        return not self.is_round or self.may_continue


def kill_group(pid: int | None) -> None:
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def describe_exit(code: int) -> str:
    return f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"


def outcome_recorded(store: JobStore, proc: Proc) -> bool:
    state = store.status(proc.job_id)
    return state is None or state[0] != "running" or state[1] != proc.token


def record_crash(store: JobStore, proc: Proc) -> None:
    """The child ended without recording its outcome: record the failure for it."""
    what = "the workflow round" if proc.is_round else "the task process"
    error = {"error": {"name": "ProcessError", "message": f"{what} {describe_exit(proc.exit_code or 0)}"}}
    if proc.is_round:
        recording.persist_outcome(store, proc.job_id, proc.token, {"type": "error", "error": error}, time.time())
    else:
        recording.complete_task(store, proc.job_id, proc.token, False, error)


def record_timeout(store: JobStore, proc: Proc) -> None:
    kill_group(proc.pid)
    proc.timed_out = True
    error = {"error": {"name": "TimeoutError", "message": f"task timed out after {proc.timeout:g}s"}}
    recording.complete_task(store, proc.job_id, proc.token, False, error)


def read_output(proc: Proc) -> str | None:
    """Text the child wrote since the last read; None at end of output."""
    try:
        data = os.read(proc.fd, 1 << 16)
    except BlockingIOError:
        return ""
    except OSError:
        data = b""
    if data:
        return proc.decoder.decode(data)
    proc.eof = True
    return proc.decoder.decode(b"", final=True) or None


def split_continuation(proc: Proc, text: str) -> tuple[str, list[str] | None, str]:
    """(output before a continuation marker, the marker's fields, output after it)."""
    text, proc.held = proc.held + text, ""
    start = text.find(CONTINUE_MARKER)
    if start < 0:
        for size in range(min(len(CONTINUE_MARKER) - 1, len(text)), 0, -1):
            if CONTINUE_MARKER.startswith(text[-size:]):
                proc.held, text = text[-size:], text[:-size]
                break
        return text, None, ""
    end = text.find("\n", start)
    if end < 0:
        proc.held = text[start:]
        return text[:start], None, ""
    return text[:start], text[start + len(CONTINUE_MARKER):end].split(" ", 3), text[end + 1:]


class Processes:
    """The forked children in flight: their output, their ends, their crashes and timeouts.

    `on_output(proc, text)` gets everything a child writes; `on_done(proc)` is told
    once a child is over (its outcome recorded, or a failure recorded for it);
    `on_switched(proc)` when a round went on as the task it dispatched.
    """

    def __init__(self, store: Callable[[], JobStore], selector: selectors.BaseSelector,
                 on_output: Callable[[Proc, str], None], on_done: Callable[[Proc], None],
                 on_switched: Callable[[Proc], None]) -> None:
        self._store = store
        self.selector = selector
        self.on_output, self.on_done, self.on_switched = on_output, on_done, on_switched
        self.by_job: dict[str, Proc] = {}
        self.by_pid: dict[int, Proc] = {}
        self.logs = HeldLogs(store)

    def __iter__(self) -> Iterator[Proc]:
        return iter(list(self.by_job.values()))

    def __bool__(self) -> bool:
        return bool(self.by_job)

    def rounds(self) -> int:
        return sum(1 for p in self.by_job.values() if p.is_round)

    def task_slots_held(self) -> int:
        return sum(1 for p in self.by_job.values() if p.holds_task_slot)

    def add(self, proc: Proc) -> None:
        self.by_job[proc.job_id] = proc

    def forked(self, proc: Proc, pid: int, fd: int) -> None:
        if self.by_job.get(proc.job_id) is not proc:  # stopped while the host was forking
            kill_group(pid)
            os.close(fd)
            return
        proc.pid, proc.fd = pid, fd
        self.by_pid[pid] = proc
        self.selector.register(fd, selectors.EVENT_READ, proc)

    def read(self, proc: Proc) -> None:
        text = read_output(proc)
        if proc.may_continue:
            before, marker, after = split_continuation(proc, text or "")
            if proc.eof:
                before, proc.held = before + proc.held, ""
            self._output(proc, before)
            if marker is not None:
                self._switch(proc, *marker)
                self._output(proc, after)
        else:
            self._output(proc, text)
        if proc.eof:
            self._close_output(proc)
            self._settle(proc)

    def _output(self, proc: Proc, text: str | None) -> None:
        if text:
            self.on_output(proc, text)
            self.logs.add(proc.job_id, text)

    def writing_output(self, job_id: str) -> bool:
        """Whether output of `job_id` may still be on its way to the store."""
        return job_id in self.by_job or self.logs.holds(job_id)

    def _switch(self, proc: Proc, job_id: str, token: str, timeout: str, key: str) -> None:
        """The round went on as the task it dispatched: from here its output and end are the task's (what came
        before stays the round's, written with its next batch)."""
        self.on_switched(proc)
        del self.by_job[proc.job_id]
        proc.job_id, proc.kind, proc.label, proc.token = job_id, "task", key, token
        proc.timeout = None if timeout == "-" else float(timeout)
        proc.started, proc.may_continue = time.monotonic(), False
        self.by_job[job_id] = proc

    def exited(self, pid: int, code: int) -> None:
        proc = self.by_pid.pop(pid, None)
        if proc is None:
            return
        proc.exit_code, proc.exited_at = code, time.monotonic()
        kill_group(pid)  # anything it left behind, still holding its output open
        if proc.eof:
            self._settle(proc)

    def _settle(self, proc: Proc) -> None:
        """The child is done when its outcome is recorded; one that died without one fails."""
        if self.by_job.get(proc.job_id) is not proc:
            return
        store = self._store()
        if not outcome_recorded(store, proc):
            if proc.exit_code is None:
                return  # wait for the host to report how it ended
            record_crash(store, proc)
        if proc.may_continue:  # it may have started its task and died before saying so
            recording.requeue_orphans(store, proc.run_id, set(self.by_job))
        self.forget(proc)

    def forget(self, proc: Proc) -> None:
        self.logs.flush(proc.job_id)
        self.by_job.pop(proc.job_id, None)
        if proc.fd is not None:
            self._close_output(proc)
        self.on_done(proc)

    def _close_output(self, proc: Proc) -> None:
        self.selector.unregister(proc.fd)
        os.close(proc.fd)
        proc.fd = None

    def host_gone(self, host: HostProcess) -> None:
        """A host that died (or could not load its script) takes its children's work with it."""
        for proc in [p for p in self.by_job.values() if p.host is host]:
            if proc.pid is None:  # never forked: the host failed before
                self._fail_unforked(proc, host.error)
            elif proc.exit_code is None:
                proc.exit_code, proc.exited_at = -9, time.monotonic()
                if proc.eof:
                    self._settle(proc)

    def _fail_unforked(self, proc: Proc, error: ScriptLoadError | None) -> None:
        detail = {"name": "ScriptLoadError", "message": error.message if error else "the host process exited"}
        if error is not None and error.path:
            detail["stack"] = f'  File "{error.path}", line {error.line}' if error.line else error.path
        if proc.is_round:
            recording.persist_outcome(self._store(), proc.job_id, proc.token,
                                      {"type": "error", "error": {"error": detail}}, time.time())
        else:
            recording.complete_task(self._store(), proc.job_id, proc.token, False, {"error": detail})
        self.forget(proc)

    def deadline(self, default: float) -> float:
        for proc in self.by_job.values():
            if proc.timeout and not proc.timed_out:
                default = min(default, proc.started + proc.timeout)
        return self.logs.deadline(default)

    def enforce_timeouts(self) -> None:
        now = time.monotonic()
        for proc in self:
            if proc.pid is None:
                continue
            if proc.timeout and not proc.timed_out and now - proc.started >= proc.timeout:
                record_timeout(self._store(), proc)
            elif proc.exited_at is not None and now - proc.exited_at > EXIT_GRACE_SECONDS and proc.fd is not None:
                proc.eof = True  # what it left behind still holds its output: stop waiting for it
                self._close_output(proc)
                self._settle(proc)

    def kill_canceled(self) -> None:
        for proc in self:
            if proc.pid is not None and (self._store().status(proc.job_id) or ("canceled",))[0] == "canceled":
                kill_group(proc.pid)

    def stop_all(self, requeue: bool) -> None:
        """Kill every child; with `requeue`, what they were doing starts over on the next take."""
        procs = list(self.by_job.values())
        for proc in procs:
            kill_group(proc.pid)
        self.logs.flush_all()
        if requeue and procs:
            recording.requeue_interrupted(self._store(), [p.job_id for p in procs])
        for proc in procs:
            self.forget(proc)
