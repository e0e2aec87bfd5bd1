"""Which process drives a run: a lease on the run's row (owner + expiry).

The owner is `host:pid:start-time`, so a lease whose process is gone (killed,
crashed) is free at once on this machine, without waiting for it to expire;
the expiry only matters for an owner on another machine. Taking a lease
re-queues whatever the previous owner had running: its processes died with
it, and nothing they did not record happened.
"""

from __future__ import annotations

import os
import socket
import time

from . import recording
from .store import JobStore

LEASE_SECONDS = 30.0
RENEW_SECONDS = 10.0


class RunBusy(Exception):
    """Another live process drives the run."""

    def __init__(self, run_id: str, owner: str) -> None:
        self.run_id, self.owner = run_id, owner
        self.pid = owner.split(":")[1] if owner.count(":") >= 2 else "?"
        super().__init__(f"run {run_id[:8]} is being run by another wac process (pid {self.pid})")


def _start_time(pid: int) -> str:
    """The process's start time (Linux), to tell a reused pid from the original."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return ""


_HOST = socket.gethostname()


def current_owner() -> str:
    pid = os.getpid()
    return f"{_HOST}:{pid}:{_start_time(pid)}"


def owner_alive(owner: str) -> bool | None:
    """True/False for an owner on this machine; None when it is elsewhere (use the expiry)."""
    host, _, rest = owner.partition(":")
    if host != _HOST:
        return None
    pid_text, _, started = rest.partition(":")
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    return not started or _start_time(pid) in ("", started)


def take(store: JobStore, run_id: str, owner: str) -> None:
    """Hold `run_id` for `owner`, recovering it from a dead owner; RunBusy if a live one holds it."""
    with store.transaction() as db:
        row = db.execute("SELECT lease_owner, lease_expires FROM jobs WHERE id=?", (run_id,)).fetchone()
        current = row["lease_owner"] if row else None
        if current and current != owner and _held(current, row["lease_expires"]):
            raise RunBusy(run_id, current)
        db.execute("UPDATE jobs SET lease_owner=?, lease_expires=? WHERE id=?",
                   (owner, time.time() + LEASE_SECONDS, run_id))
        interrupted = [r[0] for r in db.execute("SELECT id FROM jobs WHERE root_id=? AND status='running'", (run_id,))]
        for job_id in interrupted:
            db.execute("UPDATE jobs SET status='queued', run_token=NULL WHERE id=?", (job_id,))
            recording.add_event(store, job_id, "interrupted", store.row(job_id)["step_key"])


def _held(owner: str, expires: float | None) -> bool:
    alive = owner_alive(owner)
    return alive if alive is not None else bool(expires and expires > time.time())


def free(owner: str | None, expires: float | None) -> bool:
    """Whether a run with this lease can be taken now."""
    return not owner or not _held(owner, expires)


def renew(store: JobStore, owner: str) -> None:
    with store.transaction() as db:
        db.execute("UPDATE jobs SET lease_expires=? WHERE lease_owner=? AND parent_id IS NULL",
                   (time.time() + LEASE_SECONDS, owner))


def release(store: JobStore, owner: str, run_ids: list[str] | None = None) -> None:
    with store.transaction() as db:
        if run_ids is None:
            db.execute("UPDATE jobs SET lease_owner=NULL, lease_expires=NULL WHERE lease_owner=?", (owner,))
        else:
            for run_id in run_ids:
                db.execute("UPDATE jobs SET lease_owner=NULL, lease_expires=NULL WHERE id=? AND lease_owner=?",
                           (run_id, owner))
