"""Flow jobs: a `task_flow(path)` call, or a flow's `flow` step, runs the called flow as a run of its own, as
Windmill runs a subflow as a flow job: with that flow's own cache (`cache_ttl`), concurrency limit, rounds and
checkpoint. The flow job waits (running, without a process) until that run ends, then ends with its outcome.

The link is the called run's `called_by` (the flow job's id), written by the transaction that creates the run:
a flow job started again after a crash finds its run instead of starting a second one, and a run that ended
while nobody drove its caller answers the flow job when it starts again.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Callable

from . import recording
from .loading import ScriptLoadError
from .store import JobStore

# (flow path, arguments, the flow job's row) -> the run to start; ScriptLoadError when there is no such flow
FlowCaller = Callable[[str, dict[str, Any], Any], recording.RunSpec]


def start(store: JobStore, job, call_flow: FlowCaller | None, owner: str) -> str:
    """The run flow job `job` waits for: found again, or created now (held by `owner`)."""
    found = store.db.execute("SELECT id FROM jobs WHERE called_by=?", (job["id"],)).fetchone()
    if found is not None:
        return found[0]
    if call_flow is None:
        raise ScriptLoadError(f"task_flow('{job['target']}') needs a Windmill workspace with that flow: this run "
                              "cannot start flows")
    spec = call_flow(job["target"], json.loads(job["args"]), job)
    root = store.row(job["root_id"])
    spec = replace(spec, workspace=job["workspace"], origin=root["origin"], created_by=root["created_by"])
    return recording.create_run(store, spec, lease_owner=owner, called_by=job["id"])


def answer(store: JobStore, run) -> str | None:
    """Ended run `run` ends the flow job that called it with its outcome (once: while that job is running);
    the id of the caller's run, to look at again, or None."""
    if not run["called_by"]:
        return None
    caller = store.row(run["called_by"])
    value = None if run["result"] is None else json.loads(run["result"])
    if caller is None or not recording.complete_task(store, caller["id"], None, run["status"] == "success", value):
        return None
    return caller["root_id"]
