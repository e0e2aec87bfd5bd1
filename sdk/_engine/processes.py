"""Forked children as the scheduler sees them: their output, their end, their crash.

A child has ended when its outcome is recorded and its output is drained; a
child that dies without recording one (killed, crashed, `os._exit`) gets a
failure recorded for it, guarded by its run token like any outcome.
"""

from __future__ import annotations

import codecs
import os
import signal
import time
from dataclasses import dataclass, field
from typing import Any

from . import recording
from .hosts import HostProcess
from .store import JobStore, utf16_len

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

    @property
    def is_round(self) -> bool:
        return self.kind == "round"


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


def store_output(store: JobStore, proc: Proc, text: str) -> None:
    recording.append_log(store, proc.job_id, text, utf16_len(text))
