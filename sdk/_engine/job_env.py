"""The contextual variables a Windmill worker sets in every job's environment (empty when they do not apply):
scripts read them, and a Bash step with `set -u` stops on one that is missing."""

from __future__ import annotations

from typing import Any

CONTEXT_VARIABLES = ("WM_WORKSPACE", "WM_TOKEN", "WM_EMAIL", "WM_USERNAME", "WM_BASE_URL", "WM_JOB_ID",
                     "WM_SCHEDULED_FOR", "WM_JOB_PATH", "WM_FLOW_JOB_ID", "WM_ROOT_FLOW_JOB_ID", "WM_FLOW_PATH",
                     "WM_SCHEDULE_PATH", "WM_PERMISSIONED_AS", "WM_STATE_PATH", "WM_FLOW_STEP_ID", "WM_OBJECT_PATH",
                     "WM_OIDC_JWT")


def contextual_env(row: Any, run_path: str | None, user: str | None) -> dict[str, str]:
    """A job's contextual variables as a worker sets them; a task is a step of its run's workflow or flow."""
    env = dict.fromkeys(CONTEXT_VARIABLES, "")
    env.update(WM_JOB_ID=row["id"], WM_ROOT_FLOW_JOB_ID=row["root_id"], WM_WORKSPACE=row["workspace"],
               WM_JOB_PATH=row["windmill_path"] or "", WM_USERNAME=user or "", WM_WORKER_GROUP="default",
               WM_PERMISSIONED_AS=f"u/{user}" if user else "")
    if row["parent_id"] is not None:
        step = row["target"] or row["step_key"] or ""
        env.update(WM_FLOW_JOB_ID=row["parent_id"], WM_FLOW_PATH=run_path or "", WM_FLOW_STEP_ID=step,
                   WM_STATE_PATH=f"{run_path}/{step}_user" if run_path else "")
    elif row["windmill_path"]:
        env["WM_STATE_PATH"] = f"{row['windmill_path']}/user"
    return env


# What differs between a round's job and the task it goes on as in the same process
STEP_VARIABLES = ("WM_JOB_ID", "WM_JOB_PATH", "WM_FLOW_JOB_ID", "WM_FLOW_PATH", "WM_FLOW_STEP_ID", "WM_STATE_PATH")


def step_env(round_env: Any, task_id: str, name: str, key: str) -> dict[str, str]:
    """The variables that change when a round (environment `round_env`) goes on as its task `task_id`."""
    row = {"id": task_id, "root_id": round_env.get("WM_ROOT_FLOW_JOB_ID", ""), "workspace": "", "windmill_path": None,
           "parent_id": round_env.get("WM_JOB_ID", ""), "target": name, "step_key": key}
    env = contextual_env(row, round_env.get("WM_JOB_PATH") or None, round_env.get("WM_USERNAME") or None)
    return {name: env[name] for name in STEP_VARIABLES}
