"""Request plumbing shared by the routes: who is calling, JSON in and out, errors.

A token belongs to one workspace: a workspace's admin token (sent as
`Authorization: Bearer`, or as the `token` cookie the pages set), or a job
token a running job got as `WM_TOKEN`. Anything else is 401.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from .errors import ApiError, not_authorized, not_found
from .state import ServerState

ADMIN = {"email": "admin@wac.local", "username": "admin", "login_type": "password", "super_admin": True,
         "verified": True, "first_time_user": False, "role_source": "manual", "disabled": False}


@dataclass
class Caller:
    workspace: str
    job_id: str | None = None  # set when the token is a job's own

    @property
    def username(self) -> str:
        return "admin"


def state_of(request: Request) -> ServerState:
    return request.app.state.server


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get("token")


def caller(request: Request) -> Caller:
    """The caller's workspace, from its token; 401 without a valid one."""
    token = token_of(request)
    if not token:
        raise not_authorized("missing token: send `Authorization: Bearer <token>`")
    server = state_of(request)
    job_id = server.job_of_token(token)
    if job_id is not None:
        job = server.store().job(job_id)
        if job is None:
            raise not_authorized("the job this token was issued to does not exist")
        return Caller(job.workspace, job_id)
    workspace = server.db.token_workspace(token)
    if workspace is None:
        raise not_authorized("invalid token")
    return Caller(workspace)


def in_workspace(request: Request) -> Caller:
    """The caller, who must belong to the workspace named in the path."""
    who = caller(request)
    if request.path_params.get("ws") != who.workspace:
        raise not_authorized(f"this token is not valid for workspace {request.path_params.get('ws')}")
    return who


def with_body(handler: Callable[[Request, Any], Response]) -> Callable:
    """An endpoint that reads the JSON body, then runs `handler(request, body)` in the thread pool:
    handlers use SQLite and may wait, which must never happen on the event loop."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        body = _parsed(await request.body())
        return await run_in_threadpool(handler, request, body)

    return endpoint


def _parsed(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, "Bad request: the body is not valid JSON") from None


def triggered(request: Request, args: dict[str, Any], has_preprocessor: bool) -> dict[str, Any] | None:
    """A deployed runnable's arguments when its preprocessor applies, as Windmill pushes the run (through the
    API, unless `?skip_preprocessor=true`): with `wm_trigger` saying what started it (a webhook); else None."""
    if not has_preprocessor or request.query_params.get("skip_preprocessor", "").lower() == "true":
        return None
    return {**args, "wm_trigger": args.get("wm_trigger") or {"kind": "webhook"}}


def text(value: str, status: int = 200) -> Response:
    return PlainTextResponse(value, status_code=status)


def json_answer(value: Any, status: int = 200) -> Response:
    """JSON (booleans too: a `text/plain` `false` would read as a truthy string to the CLI)."""
    return JSONResponse(value, status_code=status)


def job_of(request: Request, who: Caller, job_id: str):
    job = state_of(request).job(job_id)
    if job is None or job.workspace != who.workspace:
        raise not_found(f"Job {job_id} not found")
    return job


WAIT_SECONDS = 900.0


def finished_answer(request: Request, run_id: str) -> Response:
    """`run_wait_result`'s answer: the run's result once it ended (500 if it failed or took too long)."""
    return result_answer(state_of(request).wait_finished(run_id, WAIT_SECONDS), run_id)


def result_answer(job, run_id: str) -> Response:
    """A waited-for job's result (500 if it failed, or had not ended when the wait gave up)."""
    if not job.finished:
        raise ApiError(500, f"Internal: job {run_id} did not finish within {WAIT_SECONDS:.0f}s")
    return json_answer(job.result, 200 if job.status == "success" else 500)
