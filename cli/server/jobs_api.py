"""Job routes: run scripts (deployed or previewed), follow them, read results, cancel, resume.

Jobs run on the local engine; a WAC script's tasks are child jobs with their
parent. Resume and cancel URLs are signed (HMAC, checked in constant time)
and need no token.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wac.sdk.engine import (Job, ResumeRejected, RunSpec, approval_resume_id, checkpoint_status, run_options,
                            source_hash, url_signature, valid_url_signature)
from wac.sdk.engine import resume_urls as signed_urls

from .errors import bad_request, not_found
from .flows_api import FLOW_ORIGINS, flow_fields
from .http import Caller, finished_answer, in_workspace, job_of, json_answer, state_of, text, triggered, with_body
from .scripts import check_path

KINDS = {"api": "script", "api_preview": "preview", "preview": "preview", "child": "script", **FLOW_ORIGINS}


def _iso(at: float | None) -> str | None:
    return None if at is None else datetime.fromtimestamp(at, timezone.utc).isoformat()


def job_json(job: Job, logs: str | None = None) -> dict[str, Any]:
    """A job as `jobs_u/get` answers it: a QueuedJob, or a CompletedJob once it ended (nulls left out)."""
    out: dict[str, Any] = {
        "id": job.id, "workspace_id": job.workspace, "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at), "scheduled_for": _iso(job.created_at),
        "script_path": job.windmill_path or (job.step_key if job.parent_id else None), "script_hash": job.script_hash,
        "args": job.args, "job_kind": KINDS.get(job.origin or "", "script"), "language": "python3",
        "parent_job": job.parent_id or job.options.get("parent_job"), "root_job": job.root_id,
        "created_by": job.created_by or "admin", "permissioned_as": "u/admin", "email": "admin@wac.local",
        "tag": job.tag or "python3", "canceled": job.status == "canceled", "is_flow_step": False,
        "visible_to_owner": True, "logs": logs,
    }
    if job.finished:
        out.update(type="CompletedJob", success=job.status == "success", result=job.result,
                   duration_ms=int((job.duration or 0) * 1000))
    else:
        out.update(type="QueuedJob", running=job.started_at is not None)
    return {k: v for k, v in out.items() if v is not None}


def _args(request: Request, body: Any) -> dict[str, Any]:
    """The run's arguments: the JSON body, or `?payload=` on a GET."""
    if request.method == "GET":
        payload = request.query_params.get("payload")
        body = _decoded_payload(payload) if payload else {}
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise bad_request("the arguments must be a JSON object")
    return body


def _decoded_payload(payload: str) -> Any:
    """`?payload=`: base64 (standard or URL-safe) of a JSON value."""
    try:
        padded = payload.replace("-", "+").replace("_", "/") + "=" * (-len(payload) % 4)
        return json.loads(base64.b64decode(padded))
    except ValueError:
        raise bad_request("`payload` must be base64-encoded JSON") from None


def _deployed_run(request: Request, who: Caller, args: dict[str, Any]) -> str:
    server = state_of(request)
    path = check_path(request.path_params["path"])
    row = server.db.head(who.workspace, path)
    if row is None:
        raise not_found(f"Script not found at name {path}")
    if row["language"] != "python3":
        raise bad_request(f"{path} is a {row['language']} script: wac server runs Python scripts (WAC workflows "
                          "included); run the others on a Windmill instance (`wmill sync push` there)")
    script, roots = server.files.version(who.workspace, row)
    parent = request.query_params.get("parent_job") or who.job_id
    fields = json.loads(row["fields"])
    options = {**run_options(fields), **({"parent_job": parent} if parent else {})}
    preprocessed = triggered(request, args, bool(fields.get("has_preprocessor")))
    if preprocessed is not None:  # its `preprocessor` first, main's arguments from what it returns
        options["preprocess"], args = True, preprocessed
    spec = RunSpec(str(script), args, project_root=roots, workspace=who.workspace, origin="api",
                   windmill_path=path, script_hash=row["hash"], source_hash=source_hash(script), created_by=who.username,
                   tag=request.query_params.get("tag"), options=options,
                   python=_locked_python(server, fields.get("lock") or ""))
    return server.submit(spec)


def _locked_python(server, lock: str) -> str | None:
    """As on a worker, a deployed script runs with exactly its lock's packages: the interpreter of
    the environment holding them (made once, shared with previews), or None for the server's own."""
    from ..environments import ensure
    from ..errors import Failed
    from ..script_pins import Resolution, lock_pins, without_shimmed

    pins = lock_pins(lock)
    if not without_shimmed(pins) or not server.config.locked_envs:
        return None
    try:
        return str(ensure(pins, Resolution()))
    except Failed as exc:
        raise bad_request(exc.message) from None


@with_body
def run_by_path(request: Request, body: Any) -> Response:
    who = in_workspace(request)
    return text(_deployed_run(request, who, _args(request, body)), 201)


@with_body
def run_wait_result(request: Request, body: Any) -> Response:
    who = in_workspace(request)
    run_id = _deployed_run(request, who, _args(request, body))
    return finished_answer(request, run_id)


@with_body
def run_preview(request: Request, body: Any) -> Response:
    who = in_workspace(request)
    server = state_of(request)
    if not isinstance(body, dict) or not isinstance(body.get("content"), str):
        raise bad_request("a preview needs `content` (the script) and `args`")
    language = body.get("language") or "python3"
    if language != "python3":
        raise bad_request(f"wac server runs python3 scripts; this preview is {language}")
    path = body.get("path") or "u/admin/preview"
    script, roots = server.files.preview(who.workspace, check_path(path), language, body["content"],
                                         body.get("modules"))
    spec = RunSpec(str(script), body.get("args") or {}, project_root=roots, workspace=who.workspace,
                   origin="api_preview", windmill_path=path, source_hash=source_hash(script),
                   created_by=who.username, tag=body.get("tag"))
    return text(server.submit(spec), 201)


def get_job(request: Request) -> Response:
    who = in_workspace(request)
    job = job_of(request, who, request.path_params["id"])
    store = state_of(request).store()
    answer = job_json(job, store.log_text(job.id))
    if job.origin in FLOW_ORIGINS:
        answer.update(flow_fields(job, store.children(job.id)))
    return json_answer(answer)


def get_update(request: Request) -> Response:
    """New logs since a UTF-16 offset, and whether the job runs or ended."""
    who = in_workspace(request)
    job = job_of(request, who, request.path_params["id"])
    try:
        offset = int(request.query_params.get("log_offset") or 0)
    except ValueError:
        raise bad_request("log_offset must be a number") from None
    new_logs = state_of(request).store().log_text(job.id, offset)
    answer: dict[str, Any] = {"completed": job.finished, "new_logs": new_logs,
                              "log_offset": offset + len(new_logs.encode("utf-16-le")) // 2}
    running = job.started_at is not None and not job.finished
    if not job.finished and running != (request.query_params.get("running") == "true"):
        answer["running"] = running
    if job.kind == "workflow":  # its checkpoint, as Windmill's answer carries a WAC job's
        answer["workflow_as_code_status"] = checkpoint_status(state_of(request).store().history(job.id))
    return json_answer(answer)


def get_logs(request: Request) -> Response:
    who = in_workspace(request)
    job = job_of(request, who, request.path_params["id"])
    return text(state_of(request).store().log_text(job.id))


def completed_get(request: Request) -> Response:
    who = in_workspace(request)
    job = _completed(request, who)
    return json_answer(job_json(job, state_of(request).store().log_text(job.id)))


def completed_result(request: Request) -> Response:
    who = in_workspace(request)
    return json_answer(_completed(request, who).result)


def result_maybe(request: Request) -> Response:
    who = in_workspace(request)
    job = job_of(request, who, request.path_params["id"])
    return json_answer({"completed": job.finished, "result": job.result if job.finished else None,
                        "success": job.status == "success" if job.finished else None,
                        "started": job.started_at is not None})


def _completed(request: Request, who: Caller) -> Job:
    job = job_of(request, who, request.path_params["id"])
    if not job.finished:
        raise not_found(f"Job {job.id} is not completed yet")
    return job


@with_body
def cancel(request: Request, body: Any) -> Response:
    who = in_workspace(request)
    job = job_of(request, who, request.path_params["id"])
    reason = body.get("reason") if isinstance(body, dict) else None
    canceled, status = state_of(request).store().cancel(job.id, reason, by=who.username)
    if not canceled:
        raise not_found(f"Job {job.id} is not queued or running (it is {status})")
    state_of(request).wake()
    return text(f"Job {job.id} canceled")


def list_jobs(request: Request) -> Response:
    """Jobs of the workspace (none of kind `dependencies`: locks are made by `generate-metadata`)."""
    who = in_workspace(request)
    if "dependencies" in (request.query_params.get("job_kinds") or ""):
        return json_answer([])
    store = state_of(request).store()
    finished = request.url.path.endswith("/completed/list")
    statuses = ("success", "failure", "canceled") if finished else ("queued", "running", "waiting", "sleeping",
                                                                     "approval")
    return json_answer([job_json(j) for j in store.runs(workspace=who.workspace, statuses=statuses, limit=100)])


def all_jobs(request: Request) -> Response:
    """`GET jobs/list` (`wmill job list`): the workspace's runs, newest first (with `parent_job`: that
    run's tasks); `script_path_exact`, `success` and `running` filter them, `per_page` caps them (at most 100)."""
    who = in_workspace(request)
    query = request.query_params
    try:
        limit = min(max(int(query.get("per_page") or 30), 1), 100)
    except ValueError:
        raise bad_request("per_page must be a number") from None
    store = state_of(request).store()
    parent = query.get("parent_job")
    if parent:  # a run's tasks, oldest first
        found = [job for job in store.children(parent) if job.workspace == who.workspace]
    else:
        found = store.runs(workspace=who.workspace, limit=None, script=query.get("script_path_exact") or None)
    jobs = [job_json(job) for job in found]
    if query.get("success") in ("true", "false"):
        jobs = [j for j in jobs if j.get("success") is (query["success"] == "true")]
    if query.get("running") in ("true", "false"):
        jobs = [j for j in jobs if bool(j.get("running")) is (query["running"] == "true")]
    return json_answer(jobs[:limit])


def resume_urls(request: Request) -> Response:
    who = in_workspace(request)
    job = job_of(request, who, request.path_params["id"])
    resume_id = _resume_id(request.path_params["resume_id"])
    return json_answer(_urls(request, job, resume_id))


def approval_urls(request: Request) -> Response:
    """URLs bound to one approval step (`get_approval_urls`): they answer only that step."""
    who = in_workspace(request)
    job = job_of(request, who, request.path_params["id"])
    key = request.path_params["key"]
    state_of(request).store().record_minted(job.id, key)
    return json_answer(_urls(request, job, approval_resume_id(key)))


def job_signature(request: Request) -> Response:
    who = in_workspace(request)
    job = job_of(request, who, request.path_params["id"])
    key = state_of(request).store().signing_key(job.workspace)
    return text(url_signature(key, job.id, _resume_id(request.path_params["resume_id"]),
                              request.query_params.get("approver") or None))


def _urls(request: Request, job: Job, resume_id: int) -> dict[str, str]:
    server = state_of(request)
    return signed_urls(server.config.url, job.workspace, job.id, resume_id, server.store().signing_key(job.workspace),
                       request.query_params.get("approver") or None)


def _resume_id(text_value: str) -> int:
    try:
        value = int(text_value)
    except ValueError:
        raise bad_request("the resume id must be a number") from None
    if not 0 <= value < 2**32:
        raise bad_request("the resume id must fit in 32 bits")
    return value


@with_body
def resume_or_cancel(request: Request, body: Any) -> Response:
    """A signed resume (approve) or cancel (reject) URL: answers the approval the run waits for."""
    server = state_of(request)
    workspace, job_id = request.path_params["ws"], request.path_params["id"]
    resume_id = _resume_id(request.path_params["resume_id"])
    approver = request.query_params.get("approver") or None
    store = server.store()
    job = store.job(job_id)
    if job is None or job.workspace != workspace:
        raise not_found(f"Job {job_id} not found")
    if not valid_url_signature(store.signing_key(workspace), job_id, resume_id, approver,
                               request.path_params["signature"]):
        raise bad_request("Invalid signature")
    value = body if request.method == "POST" else _payload_value(request)
    approved = request.url.path.split("/jobs_u/", 1)[1].startswith("resume/")
    try:
        store.resume_by_url(job_id, resume_id, approved, value, approver)
    except ResumeRejected as exc:
        raise bad_request(str(exc)) from None
    server.wake()
    return Response(status_code=201)


def _payload_value(request: Request) -> Any:
    payload = request.query_params.get("payload")
    return _decoded_payload(payload) if payload else None


ROUTES = [
    Route("/api/w/{ws}/jobs/run/p/{path:path}", run_by_path, methods=["POST"]),
    Route("/api/w/{ws}/jobs/run_wait_result/p/{path:path}", run_wait_result, methods=["POST", "GET"]),
    Route("/api/w/{ws}/jobs/run/preview", run_preview, methods=["POST"]),
    Route("/api/w/{ws}/jobs_u/get/{id}", get_job),
    Route("/api/w/{ws}/jobs_u/getupdate/{id}", get_update),
    Route("/api/w/{ws}/jobs_u/get_logs/{id}", get_logs),
    Route("/api/w/{ws}/jobs_u/completed/get/{id}", completed_get),
    Route("/api/w/{ws}/jobs_u/completed/get_result/{id}", completed_result),
    Route("/api/w/{ws}/jobs_u/completed/get_result_maybe/{id}", result_maybe),
    Route("/api/w/{ws}/jobs_u/queue/cancel/{id}", cancel, methods=["POST"]),
    Route("/api/w/{ws}/jobs/list", all_jobs),
    Route("/api/w/{ws}/jobs/queue/list", list_jobs),
    Route("/api/w/{ws}/jobs/completed/list", list_jobs),
    Route("/api/w/{ws}/jobs/resume_urls/{id}/{resume_id}", resume_urls),
    Route("/api/w/{ws}/jobs/wac_approval_urls/{id}/{key}", approval_urls),
    Route("/api/w/{ws}/jobs/job_signature/{id}/{resume_id}", job_signature),
    Route("/api/w/{ws}/jobs_u/resume/{id}/{resume_id}/{signature}", resume_or_cancel, methods=["GET", "POST"]),
    Route("/api/w/{ws}/jobs_u/cancel/{id}/{resume_id}/{signature}", resume_or_cancel, methods=["GET", "POST"]),
]
