"""What every request handler shares: the workspace records, the job store, the engine thread."""

from __future__ import annotations

import hashlib
import hmac
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from wac.sdk.engine import Job, RunSpec, Scheduler, Settings, Store, open_store

from ..flows.calls import flow_caller, workspace_flows
from .files import JobFiles
from .workspace_db import WorkspaceDB

SERVER_ORIGINS = ("api", "api_preview")
JOB_TOKEN_PREFIX = "wacjob."


@dataclass
class ServerConfig:
    data_dir: Path
    store_path: Path
    url: str
    workers: int
    python: str = sys.executable
    max_body: int = 50 * 1024 * 1024

    @property
    def locked_envs(self) -> bool:
        """Deployed scripts run in their lock's environment unless --python named one interpreter for all."""
        return self.python == sys.executable


class Finished:
    """Wakes request threads waiting for a run to end (run_wait_result, pages)."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._generation = 0

    def notify(self) -> None:
        with self._condition:
            self._generation += 1
            self._condition.notify_all()

    @property
    def generation(self) -> int:
        return self._generation

    def wait_after(self, generation: int, timeout: float) -> None:
        """Wait for a notification later than `generation` (read before looking, so none is missed)."""
        with self._condition:
            self._condition.wait_for(lambda: self._generation != generation, timeout)


class ServerState:
    def __init__(self, config: ServerConfig, db: WorkspaceDB) -> None:
        self.config = config
        self.db = db
        self.files = JobFiles(config.data_dir)
        self.secret = _secret(config.data_dir / "job-secret")
        self.finished = Finished()
        self._local = threading.local()
        self._stop = threading.Event()
        self.scheduler: Scheduler | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run_engine, name="wac-engine", daemon=True)

    # -- the engine --------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()
        self._ready.wait(30)

    def stop(self) -> None:
        self._stop.set()
        if self.scheduler is not None:
            self.scheduler.wake()
        self._thread.join(30)

    def _run_engine(self) -> None:
        flows = workspace_flows(lambda workspace, path: (self.db.item(workspace, "flow", path) or {}).get("value"),
                                self.config.data_dir / "flows")
        settings = Settings(workers=self.config.workers, job_env=self._job_env, on_event=self._on_event,
                            python=self.config.python, call_flow=flow_caller(flows))
        self.scheduler = Scheduler(self.config.store_path, settings)
        self._ready.set()
        try:
            self.scheduler.serve(self._stop, SERVER_ORIGINS)
        finally:
            self.scheduler.close()

    def _on_event(self, event) -> None:
        if event.kind in ("success", "failure", "canceled", "approval", "sleep"):
            self.finished.notify()

    def submit(self, spec: RunSpec) -> str:
        """Create a run and hand it to the engine at once."""
        run_id = self.store().create_run(spec, lease_owner=self.scheduler.owner)
        self.scheduler.submit(run_id)
        return run_id

    def wake(self) -> None:
        if self.scheduler is not None:
            self.scheduler.wake()

    def store(self) -> Store:
        """This thread's connection to the job store."""
        store = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.config.store_path)
            self._local.store = store
        return store

    # -- job tokens --------------------------------------------------------------------------------
    def job_token(self, job_id: str) -> str:
        """A token a job's own code uses to call this workspace (`WM_TOKEN`), never stored."""
        return JOB_TOKEN_PREFIX + job_id + "." + hmac.new(self.secret, job_id.encode(), hashlib.sha256).hexdigest()

    def job_of_token(self, token: str) -> str | None:
        if not token.startswith(JOB_TOKEN_PREFIX):
            return None
        job_id, _, mac = token[len(JOB_TOKEN_PREFIX):].rpartition(".")
        expected = hmac.new(self.secret, job_id.encode(), hashlib.sha256).hexdigest()
        return job_id if hmac.compare_digest(mac, expected) else None

    def _job_env(self, row) -> dict[str, str]:
        url = self.config.url.rstrip("/")
        return {"WM_TOKEN": self.job_token(row["id"]), "BASE_INTERNAL_URL": url, "WM_BASE_URL": url}

    def job(self, job_id: str) -> Job | None:
        """The job as clients see it: not ended until all its output is in the store (Windmill's
        clients stop reading logs once a job is completed)."""
        job = self.store().job(job_id)
        if job is not None and job.finished and self.scheduler is not None \
                and self.scheduler.writing_output(job_id):
            return job._replace(status="running", completed_at=None)
        return job

    def wait_finished(self, job_id: str, timeout: float) -> Any:
        """The job once it ended (or as it is when `timeout` passes)."""
        def ended(store) -> tuple[bool, Any]:
            job = self.job(job_id)
            return job is None or job.finished, job

        return self.wait_for(ended, timeout)

    def wait_for(self, check: Callable[[Any], tuple[bool, Any]], timeout: float) -> Any:
        """`check(store)` -> (done, value), asked as jobs end (and twice a second) until done or `timeout`
        passes; the last value."""
        deadline = time.monotonic() + timeout
        while True:
            generation = self.finished.generation
            done, value = check(self.store())
            left = deadline - time.monotonic()
            if done or left <= 0:
                return value
            self.finished.wait_after(generation, min(0.5, left))


def _secret(path: Path) -> bytes:
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = os.urandom(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret.hex())
    return secret
