"""`wac script run PATH` and `wac flow run PATH`: run the deployed script or flow, follow its logs, print
its result.

The same calls as `wmill script run`: `jobs/run/p`, then `jobs_u/getupdate` with a log offset counted
in UTF-16 code units, then `completed/get`; and as `wmill flow run`: `jobs/run/f`, then the flow
status of `jobs_u/get`, each step's logs as it ends.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from ..args import check_args
from ..errors import FAILED, INTERRUPTED, Failed, InvalidInput
from .client import RemoteError, WindmillClient
from .run_logs import RunLogs

POLL_MIN, POLL_MAX = 0.05, 0.5


def check_runnable(client: WindmillClient, path: str, args: dict[str, Any]) -> dict[str, Any]:
    """The deployed script; fails early, with a clear message, when it is not deployed or args do not fit."""
    script = client.get_script(path)
    where = f"{client.target.workspace} on {client.target.remote}"
    if script is None or script.get("archived"):
        raise Failed(f"script {path} is not deployed in {where}",
                     "check the path, or deploy it with `wac sync push`")
    if script.get("lock_error_logs"):
        raise Failed(f"script {path} has a deployment error and cannot be run: {script['lock_error_logs']}",
                     "fix its dependencies and push again")
    problems = check_args(args, script.get("schema") or {}, star_kwargs=True)
    if problems:
        raise InvalidInput(f"{path}: {'; '.join(problems)}", """pass the arguments with -d '{"name": value}'""")
    return script


def run(client: WindmillClient, path: str, args: dict[str, Any], *, tag: str | None, silent: bool) -> int:
    """Run and follow the job; the exit code (0 success, 1 failed, 130 interrupted)."""
    script = check_runnable(client, path, args)
    job_id = client.run_script(path, args, tag)
    if not silent:
        _note(f"Job {job_id} queued on {client.target.workspace} ({client.target.remote}run/{job_id})")
    workflow = "@workflow" in (script.get("content") or "")
    follower = None if silent else RunLogs(client, job_id, workflow=workflow)
    try:
        if follower is not None:
            _stream(follower)
        done = _wait_completed(client, job_id)
    except KeyboardInterrupt:
        return _interrupted(client, job_id)
    if follower is not None:
        follower.finish(done.get("logs") or "")
    return _finished(done, silent)


def run_flow(client: WindmillClient, path: str, args: dict[str, Any], *, tag: str | None, silent: bool) -> int:
    """Run the deployed flow and follow it step by step; the exit code (0 success, 1 failed, 130 interrupted)."""
    from ..kinds import KINDS

    flow = client.get_item(KINDS["flow"].route, path)
    where = f"{client.target.workspace} on {client.target.remote}"
    if flow is None:
        raise Failed(f"flow {path} is not deployed in {where}", "check the path, or deploy it with `wac sync push`")
    problems = check_args(args, flow.get("schema") or {}, star_kwargs=False)
    if problems:
        raise InvalidInput(f"{path}: {'; '.join(problems)}", """pass the flow's input with -d '{"name": value}'""")
    params = {"tag": tag} if tag else None
    job_id = client.call("POST", f"{client.ws}/jobs/run/f/{path}", params=params, json=args, expect=201).text.strip()
    if not silent:
        _note(f"Job {job_id} queued on {client.target.workspace} ({client.target.remote}run/{job_id})")
    try:
        if not silent:
            _follow_steps(client, job_id)
        done = _wait_completed(client, job_id)
    except KeyboardInterrupt:
        return _interrupted(client, job_id)
    return _finished(done, silent)


def _follow_steps(client: WindmillClient, job_id: str) -> None:
    """Print each step's logs once it ended (loop iterations one by one), until the flow ends."""
    shown: set[str] = set()
    pause = POLL_MIN
    while True:
        job = client.fetch_json(f"{client.ws}/jobs_u/get/{job_id}") or {}
        for module in (job.get("flow_status") or {}).get("modules") or []:
            jobs = module.get("flow_jobs") or ([module["job"]] if module.get("job") else [])
            for number, step_job in enumerate(jobs):
                if step_job in shown or module.get("type") not in ("Success", "Failure") and number == len(jobs) - 1:
                    continue
                shown.add(step_job)
                label = module.get("id", "step") + (f" (iteration {number})" if module.get("flow_jobs") else "")
                sys.stdout.write(f"====== {label} ======\n")
                sys.stdout.write(client.call("GET", f"{client.ws}/jobs_u/get_logs/{step_job}").text)
        if job.get("type") == "CompletedJob":
            return
        time.sleep(pause)
        pause = min(POLL_MAX, pause * 1.5)


def _finished(done: dict[str, Any], silent: bool) -> int:
    """Print a finished job's result; its exit code."""
    result = done.get("result")
    text = json.dumps({} if result is None else result, ensure_ascii=False, indent=None if silent else 2)
    sys.stdout.write(text + "\n")
    if done.get("success") is False:
        error = result.get("error") if isinstance(result, dict) else None
        if not silent and isinstance(error, dict):
            _note(f"error: job failed: {error.get('name', 'Error')}: {error.get('message', '')}")
        return FAILED
    return 0


def _stream(follower: RunLogs) -> None:
    """Print the run's output as it comes, until the job completes."""
    pause = POLL_MIN
    while True:
        completed, printed, paused = follower.poll()
        if paused:
            _note("Job suspended, waiting for it to continue...")
        if completed:
            return
        pause = POLL_MIN if printed else min(POLL_MAX, pause * 1.5)
        time.sleep(pause)


def _wait_completed(client: WindmillClient, job_id: str) -> dict[str, Any]:
    pause = POLL_MIN
    while True:
        done = client.completed_job(job_id)
        if done is not None:
            return done
        time.sleep(pause)
        pause = min(POLL_MAX, pause * 1.5)


def _interrupted(client: WindmillClient, job_id: str) -> int:
    """Ctrl-C: in a terminal, ask whether to cancel the job; elsewhere leave it running."""
    import typer

    sys.stderr.write("\n")
    keep = f"job {job_id} keeps running in the workspace"
    if not sys.stdin.isatty():
        _note(keep)
        return INTERRUPTED
    try:
        cancel = typer.confirm(f"Cancel job {job_id} in the workspace?", default=True, err=True)
    except (KeyboardInterrupt, EOFError, typer.Abort):
        cancel = False
    if not cancel:
        _note(keep)
        return INTERRUPTED
    try:
        client.cancel_job(job_id, "canceled from wac (Ctrl-C)")
        _note(f"job {job_id} canceled")
    except RemoteError as exc:
        _note(f"could not cancel job {job_id}: {exc.message}")
    return INTERRUPTED


def _note(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
