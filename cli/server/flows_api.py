"""Flow runs on `wac server`: `jobs/run/f/<path>` (a deployed flow), `jobs/run/preview_flow` (a flow value
sent by `wmill flow preview`), and the flow status `jobs_u/get` shows for them, so the real `wmill flow
run` follows a run step by step. Flows run on the same driver as `wac flow preview`; their `script`
steps run the workspace's deployed scripts.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wac.sdk.engine import Job, RunSpec, run_options, source_hash

from ..flows.runner import subflows_of, without_preprocessor, write_run_module
from .errors import ApiError, bad_request, not_found
from .http import (WAIT_SECONDS, Caller, finished_answer, in_workspace, result_answer, state_of, text, triggered,
                   with_body)
from .scripts import check_path

FLOW_ORIGINS = {"api_flow": "flow", "api_flow_preview": "flowpreview"}


def _submit(request: Request, who: Caller, path: str, value: Any, args: dict[str, Any], origin: str,
            preprocess: bool = False) -> str:
    """Start a run of flow `value`; with `preprocess`, its preprocessor step first."""
    if not isinstance(value, dict) or not isinstance(value.get("modules"), list):
        raise ApiError(422, "Failed to deserialize the JSON body into the target type: value: missing field `modules`")
    server = state_of(request)
    ran = value if preprocess else without_preprocessor(value)  # as Windmill clears it from the flow status

    def deployed(called: str) -> dict[str, Any]:
        found = server.db.item(who.workspace, "flow", called)
        if found is None:
            raise not_found(f"Flow not found at path {called}")
        return found["value"]

    module = write_run_module(server.config.data_dir / "flows", path, ran, subflows_of(value, deployed))
    tree = server.files.tree(who.workspace)
    tree.mkdir(parents=True, exist_ok=True)  # a workspace with nothing deployed yet has no files
    options = {"raw_flow": value, **run_options(value, ["flow", path, ran])}
    if preprocess:
        options["preprocess"] = True
    spec = RunSpec(str(module), args, project_root=str(tree), workspace=who.workspace, origin=origin,
                   windmill_path=path, source_hash=source_hash(module), created_by=who.username,
                   tag=request.query_params.get("tag"), options=options)
    return server.submit(spec)


def _deployed(request: Request, who: Caller, body: Any) -> tuple[str, dict[str, Any]]:
    """The run of the deployed flow the path names, and the flow's value."""
    path = check_path(request.path_params["path"])
    flow = state_of(request).db.item(who.workspace, "flow", path)
    if flow is None:
        raise not_found(f"Flow not found at path {path}")
    value = flow.get("value")
    args = _object(body)
    preprocessed = triggered(request, args, isinstance(value, dict) and bool(value.get("preprocessor_module")))
    return _submit(request, who, path, value, preprocessed or args, "api_flow", preprocessed is not None), value


@with_body
def run_flow(request: Request, body: Any) -> Response:
    return text(_deployed(request, in_workspace(request), body)[0], 201)


@with_body
def run_flow_wait(request: Request, body: Any) -> Response:
    """The flow's result; with `early_return`, that step's result as soon as it has one (the flow goes on)."""
    run_id, value = _deployed(request, in_workspace(request), body)
    early = value.get("early_return") if isinstance(value, dict) else None
    if not early:
        return finished_answer(request, run_id)

    def answered(store) -> tuple[bool, Any]:
        step = next((job for job in store.children(run_id) if job.step_key == early and job.finished), None)
        run = store.job(run_id)
        if step is not None and step.status == "success":
            return True, step
        return run.finished, run

    return result_answer(state_of(request).wait_for(answered, WAIT_SECONDS), run_id)


@with_body
def preview_flow(request: Request, body: Any) -> Response:
    who = in_workspace(request)
    if not isinstance(body, dict):
        raise bad_request("a flow preview needs `value` (the flow) and `args`")
    path = check_path(body.get("path") or "u/admin/flow_preview")
    return text(_submit(request, who, path, body.get("value"), _object(body.get("args")), "api_flow_preview"), 201)


def _object(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_request("the arguments must be a JSON object")
    return value


def flow_fields(job: Job, children: list[Job]) -> dict[str, Any]:
    """What `jobs_u/get` adds for a flow run: its kind, its value, and a flow status built from its steps."""
    value = job.options.get("raw_flow") or {}
    status = {"step": 0, "modules": [_module_status(module, index, job, children)
                                     for index, module in enumerate(value.get("modules") or [])]}
    if job.options.get("preprocess"):
        status["preprocessor_module"] = _module_status(value["preprocessor_module"], -1, job, children)
    return {"job_kind": FLOW_ORIGINS[job.origin], "raw_flow": value, "is_flow_step": False, "flow_status": status}


def _module_status(module: dict[str, Any], index: int, job: Job, children: list[Job]) -> dict[str, Any]:
    step_id = module.get("id") or f"m{index}"
    own = [c for c in children if c.step_key == step_id or (c.step_key or "").startswith(f"{step_id}_")]
    inner = _inner_ids(module)
    flow_jobs = [c.id for c in children if c.step_key in inner or any((c.step_key or "").startswith(f"{i}_")
                                                                      for i in inner)]
    jobs = own or ([] if not flow_jobs else [c for c in children if c.id in flow_jobs])
    status = {"id": step_id, "type": _state(jobs, job)}
    if own:
        status["job"] = own[-1].id
    if flow_jobs:
        status.update(job=flow_jobs[-1], flow_jobs=flow_jobs)
    return status


def _state(jobs: list[Job], run: Job) -> str:
    if jobs and jobs[-1].status == "failure":
        return "Failure"
    if jobs and all(j.finished for j in jobs):
        return "Success" if run.finished or jobs[-1].status == "success" else "InProgress"
    if jobs:
        return "InProgress"
    return "Success" if run.finished else "WaitingForPriorSteps"


def _inner_ids(module: dict[str, Any]) -> set[str]:
    """The ids of the steps inside a loop or branch module."""
    value = module.get("value") or {}
    found: set[str] = set()
    lists = [value.get("modules") or [], value.get("default") or []]
    lists += [branch.get("modules") or [] for branch in value.get("branches") or []]
    for modules in lists:
        for inner in modules:
            if inner.get("id"):
                found.add(inner["id"])
            found |= _inner_ids(inner)
    return found


ROUTES = [
    Route("/api/w/{ws}/jobs/run/f/{path:path}", run_flow, methods=["POST"]),
    Route("/api/w/{ws}/jobs/run_wait_result/f/{path:path}", run_flow_wait, methods=["POST"]),
    Route("/api/w/{ws}/jobs/run/preview_flow", preview_flow, methods=["POST"]),
]
