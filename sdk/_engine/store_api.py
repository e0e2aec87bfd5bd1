"""The job store as the engine's public API offers it (`wac.sdk.engine.Store`): reading runs and the few ways
to change them, over the private store, recording and pruning modules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import lease, pruning, recording
from .recording import RunSpec, signing_key
from .replay import history as _history
from .store import Event, Job, JobStore


class Store:
    """A job store: runs and their tasks, logs, timelines, and the few ways to change them."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        self._store = JobStore(path, create=create)

    def close(self) -> None:
        self._store.close()

    # -- reading -----------------------------------------------------------------------
    def job(self, job_id: str) -> Job | None:
        return self._store.job(job_id)

    def find(self, prefix: str, workspace: str | None = None) -> list[Job]:
        """Jobs whose id starts with `prefix` (ids may be shortened)."""
        return self._store.find(prefix, workspace)

    def runs(self, *, workspace: str | None = None, limit: int | None = 50, statuses: tuple[str, ...] = (),
             script: str | None = None, before: float | None = None) -> list[Job]:
        """Runs, newest first."""
        return self._store.runs(workspace=workspace, limit=limit, statuses=statuses, script=script, before=before)

    def count_runs(self, workspace: str | None = None) -> int:
        return self._store.count_runs(workspace)

    def children(self, job_id: str) -> list[Job]:
        return self._store.children(job_id)

    def called_runs(self, run_id: str) -> list[Job]:
        """The runs the run's flow jobs started (`task_flow`, a flow's `flow` step), oldest first."""
        return self._store.called_runs(run_id)

    def tree(self, run_id: str) -> list[Job]:
        """A run and all its tasks, oldest first."""
        return self._store.tree(run_id)

    def waiting_for(self, job_id: str) -> list[dict[str, Any]]:
        """What a run waits on: `{key, kind, detail}` per pending task, sleep or approval."""
        return self._store.waiting_for(job_id)

    def logs(self, job_id: str, after: int = 0) -> list[tuple[int, str]]:
        """Output chunks after chunk number `after`."""
        return self._store.logs(job_id, after)

    def log_text(self, job_id: str, offset: int = 0) -> str:
        """A job's output from a UTF-16 offset, as Windmill clients count."""
        return self._store.log_text(job_id, offset)

    def events(self, run_id: str) -> list[Event]:
        return self._store.events(run_id)

    def history(self, run_id: str) -> dict[str, Any]:
        """The run's checkpoint as JSON (what `replay` takes): its steps, their order, its input."""
        return _history(self._store, run_id)

    def is_driven(self, run_id: str) -> bool:
        """Whether a live process is driving the run now."""
        job = self._store.row(run_id)
        return job is not None and not lease.free(job["lease_owner"], job["lease_expires"])

    def signing_key(self, workspace: str) -> bytes:
        """The workspace's key for resume URLs."""
        return signing_key(self._store, workspace)

    # -- changing ---------------------------------------------------------------------------
    def create_run(self, spec: RunSpec, lease_owner: str | None = None) -> str:
        """A new queued run (held by `lease_owner` at once when given)."""
        return recording.create_run(self._store, spec, lease_owner)

    def cancel(self, job_id: str, reason: str | None = None, by: str | None = None) -> tuple[bool, str]:
        """Cancel a run (with its tasks) or one task: (whether it was canceled now, its status)."""
        return recording.cancel(self._store, job_id, reason, by)

    def answer_approval(self, run_id: str, approved: bool, value: Any = None, approver: str | None = None,
                        key: str | None = None) -> str | None:
        """Answer the approval a run waits for; the step key answered, or None if none waits."""
        return recording.answer_approval(self._store, run_id, approved, value, approver, key)

    def resume_by_url(self, run_id: str, resume_id: int, approved: bool, value: Any,
                      approver: str | None) -> str | None:
        """A signed resume/cancel URL was used (see `recording.resume_by_url`)."""
        return recording.resume_by_url(self._store, run_id, resume_id, approved, value, approver)

    def record_minted(self, run_id: str, key: str) -> None:
        recording.record_minted(self._store, run_id, key)

    def prune(self, *, older_than: float | None = None, keep: int | None = None) -> int:
        """Delete finished runs older than a time, or beyond the newest `keep`; how many."""
        return pruning.prune(self._store, older_than=older_than, keep=keep)


def open_store(path: Path, *, create: bool = True) -> Store:
    """Open the job store at `path` (StoreError with the path and a fix if it cannot be used)."""
    return Store(path, create=create)
