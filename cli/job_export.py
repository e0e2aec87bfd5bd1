"""`wac job export`: a run's history (its checkpoint, JSON) from the local store or a workspace, for
`wac.testing.replay` to check new code against."""

from __future__ import annotations

from typing import Any

from wac.sdk.engine import history_of_status

from .errors import InvalidInput
from .local_runs import find_run


def local_history(store, ref: str) -> dict[str, Any]:
    """The history of a run of the local job store (by id or prefix)."""
    return store.history(find_run(store, ref).id)


def remote_history(client, job_id: str) -> dict[str, Any]:
    """The history of a workspace's WAC job, from its `workflow_as_code_status` (Windmill's API)."""
    job = client.fetch_json(f"{client.ws}/jobs_u/get/{job_id}")
    if job is None:
        raise InvalidInput(f"no job {job_id} in the workspace", "give a job's full id (`wmill job list`)")
    status = client.job_update(job_id, running=False, log_offset=0).get("workflow_as_code_status")
    if not isinstance(status, dict) or "_checkpoint" not in status:
        raise InvalidInput(f"job {job_id} is not a workflow-as-code run (it has no checkpoint)",
                           "export a run of a script whose main is a @workflow")
    state = "success" if job.get("success") is True else "failure" if job.get("success") is False else "running"
    return history_of_status(status, job.get("script_path"), job.get("args"), state)
