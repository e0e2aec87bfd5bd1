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
from .channel import CONTINUE_MARKER
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


def store_output(store: JobStore, proc: Proc, text: str) -> None:
    recording.append_log(store, proc.job_id, text, utf16_len(text))


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
