"""The harness: runs of a project's workflows and flows on the engine, in a job store of their own.

Durable sleeps return at once (`slept` adds them up); approvals take the answers given, in order, and a
run that waits with none left stops as `suspended`; fakes answer tasks in the test's own process.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wac.sdk.engine import (RunSpec, Scheduler, ScriptLoadError, Settings, Store, import_host_side, open_store,
                            source_hash, workspace_env)
from wac.sdk.engine import replay as replay_history

from wac.cli.flows.calls import flow_caller, repo_flow_lookup
from wac.cli.project import FLOW_SUFFIXES


@dataclass(frozen=True)
class TaskCall:
    """One task call of a run: its retries are attempts of the same call."""

    name: str
    key: str
    args: dict[str, Any]
    result: Any
    status: str
    attempts: int


@dataclass
class RunResult:
    """How a harness run ended, read back from its job store."""

    id: str
    status: str  # success | failure | suspended | canceled
    result: Any
    error: dict[str, Any] | None
    slept: float
    tasks: list[TaskCall]
    logs: str
    waiting_for: str | None
    _store: Store = field(repr=False)

    def history(self) -> dict[str, Any]:
        """The run's checkpoint, JSON-serialisable: what `replay` takes."""
        return self._store.history(self.id)


class Harness:
    """Runs a project's workflows (paths relative to `root`) with a job store in `state`."""

    _runs_in_process = 0  # across harnesses: a test session makes one per test

    def __init__(self, root: Path, state: Path) -> None:
        self.root = Path(root).resolve()
        self.state = Path(state)
        self.state.mkdir(parents=True, exist_ok=True)
        self._store: Store | None = None

    def run(self, path: str, args: dict[str, Any] | None = None, *, fakes: dict[str, Any] | None = None,
            approvals: list[Any] | None = None, resources: dict[str, Any] | None = None,
            variables: dict[str, str] | None = None) -> RunResult:
        """Run the workflow (or flow folder) at `path` to its end, or to an approval nobody answers.
        `resources`/`variables` (by path) serve `wmill.get_resource`/`get_variable` and `$res:`/`$var:`
        arguments."""
        script, windmill_path = self._runnable(path)
        if Harness._runs_in_process == 1:
            # A session of several runs: import a host's side here, once, so each later run's host (forked from this
            # process) only loads its script. A single run's host imports it itself, while this process goes on.
            import_host_side()
        Harness._runs_in_process += 1
        answers = list(approvals or [])
        workspace = self._workspace_file(resources or {}, variables or {})
        settings = Settings(skip_sleeps=True, virtual_clock=True, stop_unanswered=True, fakes=dict(fakes or {}),
                            on_approval=lambda run_id, key, detail, deadline: _decision(answers),
                            job_env=lambda row: workspace_env(str(workspace)),
                            call_flow=flow_caller(repo_flow_lookup(self.root)))
        digest = source_hash(script)
        with Scheduler(self.store_path, settings) as scheduler:
            host = scheduler.host(str(script), str(self.root), source_hash=digest)  # imports while the run is made
            spec = RunSpec(str(script), dict(args or {}), project_root=str(self.root), windmill_path=windmill_path,
                           source_hash=digest)
            run_id = self.store.create_run(spec, lease_owner=scheduler.owner)
            scheduler.wait_loaded(host)
            status = scheduler.drive(run_id)
        return _result(self.store, run_id, status)

    def replay(self, path: str, history: dict[str, Any]) -> None:
        """Replay a run's `history` against the code at `path`; NonDeterminism where it diverges."""
        replay(self.root / path, history, self.root)

    def _workspace_file(self, resources: dict[str, Any], variables: dict[str, str]) -> Path:
        """The file a run's jobs read resources and variables from (one per content)."""
        text = json.dumps({"resources": resources, "variables": variables}, sort_keys=True)
        path = self.state / f"workspace-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
        if not path.is_file():
            path.write_text(text, encoding="utf-8")
        return path

    @property
    def store_path(self) -> Path:
        return self.state / "jobs.db"

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.store_path)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def _runnable(self, path: str) -> tuple[Path, str]:
        """The file the engine hosts for `path`, and its Windmill path."""
        target = self.root / path
        if target.name == "flow.yaml":
            target = target.parent
        if target.is_dir() and target.name.endswith(FLOW_SUFFIXES):
            from wac.cli.flows.runner import flow_module

            return flow_module(target, self.root)
        if not target.is_file():
            raise FileNotFoundError(f"{path}: no such workflow under {self.root}")
        relative = target.relative_to(self.root).with_suffix("").as_posix()
        return target, relative


def replay(script: Path | str, history: dict[str, Any], root: Path | str | None = None) -> None:
    """Replay `history` (a `RunResult.history()`, or `wac job export`'s file) against `script`
    (its project `root`: the folder of `wmill.yaml` above it by default); NonDeterminism where it diverges."""
    script = Path(script).resolve()
    if root is None:
        from wac.cli.project import find_root

        root = find_root(script.parent)
    try:
        replay_history(script, Path(root).resolve(), history)
    except ScriptLoadError as exc:
        raise ImportError(f"{script}: {exc.message}") from None


def _decision(answers: list[Any]) -> dict[str, Any] | None:
    """The next answer, as the engine takes it (True/False: approved or not); None when none is left."""
    if not answers:
        return None
    answer = answers.pop(0)
    if isinstance(answer, bool):
        return {"approved": answer, "approver": _login()}
    return {"approved": answer.get("approved", True), "value": answer.get("value"),
            "approver": answer.get("approver") or _login()}


def _login() -> str:
    return os.environ.get("USER") or "tester"


def _result(store: Store, run_id: str, status: str) -> RunResult:
    run = store.job(run_id)
    runs = [run_id]  # and the runs its flow jobs started (a called flow), and theirs: the test sees them as one
    for each in runs:
        runs += [called.id for called in store.called_runs(each)]
    result = run.result if status != "suspended" else None
    error = result.get("error") if status == "failure" and isinstance(result, dict) else None
    slept = sum(e.detail.get("seconds", 0) for each in runs for e in store.events(each)
                if e.kind == "sleep" and e.job_id == each and isinstance(e.detail, dict))
    waiting = [w["key"] for each in runs for w in store.waiting_for(each)
               if w["kind"] == "approval"] if status == "suspended" else []
    logs = "".join(store.log_text(job.id) for each in runs for job in store.tree(each))
    return RunResult(run_id, status, result, error, slept, _calls(store.children(run_id)), logs,
                     waiting[0] if waiting else None, store)


def _calls(children: list) -> list[TaskCall]:
    """Task calls in call order, a call's retries (`key#2`, ...) folded into its attempts."""
    calls: dict[str, list] = {}
    for job in children:
        calls.setdefault((job.step_key or job.id).split("#")[0], []).append(job)
    return [TaskCall(name=jobs[0].target or key, key=key, args=jobs[-1].args, result=jobs[-1].result,
                     status=jobs[-1].status, attempts=len(jobs)) for key, jobs in calls.items()]
