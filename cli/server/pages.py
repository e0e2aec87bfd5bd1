"""Pages people look at: the runs, one run (timeline and live logs), and the approval page.

Plain server-rendered HTML with a little JavaScript that polls the JSON the
pages need. The runs pages need the workspace token (kept in a cookie after
signing in); the approval page is reached by its signed URL instead.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from html import escape
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from wac.sdk.engine import valid_url_signature

from ..timeline import rows_of
from .errors import ApiError
from .http import caller, state_of

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1d2330}
table{border-collapse:collapse;width:100%}td,th{padding:.35rem .6rem;border-bottom:1px solid #e3e6ec;text-align:left}
a{color:#2457c5;text-decoration:none}code,pre{font:12px ui-monospace,monospace}
pre{background:#f5f6f8;padding:.7rem;overflow:auto;max-height:24rem;white-space:pre-wrap}
.success{color:#137333}.failure,.canceled{color:#c5221f}.waiting,.queued,.running,.sleeping,.approval{color:#a65c00}
.bar{position:relative;height:.9rem;background:#eef0f4}.bar span{position:absolute;top:0;bottom:0;background:#6a8fe0}
.bar span.failure{background:#e0706a}.bar span.cached{background:#7ac2c8}
button{font:inherit;padding:.45rem 1.1rem;margin-right:.6rem;border-radius:4px;border:1px solid #8a94a8;cursor:pointer}
button.approve{background:#137333;color:white;border-color:#137333}input{font:inherit;padding:.3rem;width:20rem}
"""


def html_page(title: str, body: str, script: str = "") -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><html><head><meta charset=utf-8><title>{escape(title)} · wac</title>"
                        f"<style>{STYLE}</style></head><body>{body}<script>{script}</script></body></html>")


def _time(at: float | None) -> str:
    return datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M:%S") if at else ""


def _signed_in(request: Request):
    try:
        return caller(request)
    except ApiError:
        return None


def login_form(request: Request) -> Response:
    error = "<p class=failure>That token is not valid here.</p>" if request.query_params.get("failed") else ""
    return html_page("Sign in", f"<h1>wac server</h1>{error}<form method=post action=/login>"
                            "<p>Workspace token (<code>wac server token</code> prints it):</p>"
                            "<input type=password name=token autofocus> <button>Sign in</button></form>")


async def login(request: Request) -> Response:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    token = (form.get("token") or [""])[0]
    if await run_in_threadpool(state_of(request).db.token_workspace, token) is None:
        return RedirectResponse("/login?failed=1", status_code=303)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie("token", token, httponly=True, samesite="strict")
    return response


def runs(request: Request) -> Response:
    who = _signed_in(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    rows = []
    for job in state_of(request).store().runs(workspace=who.workspace, limit=200):
        duration = f"{job.duration:.2f}s" if job.duration is not None else ""
        rows.append(f"<tr><td class={escape(job.status)}>{escape(job.status)}</td>"
                    f"<td><a href='/run/{job.id}'>{escape(job.windmill_path or job.script_path)}</a></td>"
                    f"<td>{_time(job.started_at or job.created_at)}</td><td>{duration}</td>"
                    f"<td><code>{job.id[:8]}</code></td></tr>")
    table = "".join(rows) or "<tr><td colspan=5>No runs yet.</td></tr>"
    return html_page("Runs", "<p><a href='/'>Runs</a> · <a href='/workspace'>Workspace</a></p>"
                         f"<h1>Runs · {escape(who.workspace)}</h1><table><tr><th>status</th><th>script</th>"
                         f"<th>started</th><th>duration</th><th>id</th></tr>{table}</table>",
                 "setTimeout(() => location.reload(), 3000)")


def run_page(request: Request) -> Response:
    who = _signed_in(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    job = state_of(request).store().job(request.path_params["id"])
    if job is None or job.workspace != who.workspace:
        return html_page("Not found", "<h1>No such run</h1><p><a href='/'>All runs</a></p>")
    return html_page(f"Run {job.id[:8]}", f"<p><a href='/'>All runs</a></p><h1>{escape(job.windmill_path or '')}</h1>"
                                      "<div id=run>Loading…</div>", RUN_SCRIPT.replace("__RUN_ID__", json.dumps(job.id)))


RENDER_RUN = """
const esc = s => String(s).replace(/[&<>"']/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
function renderRun(data) {
  const span = Math.max(data.end - data.start, 1e-6);
  const bars = data.timeline.map(r => `<tr><td style="padding-left:${r.depth * 1.5}em">${esc(r.name)}</td>
    <td class="${esc(r.status)}">${esc(r.status)}</td>
    <td>${(r.end - r.start).toFixed(2)}s</td><td style="width:50%"><div class=bar><span class="${esc(r.status)}"
    style="left:${(r.start - data.start) / span * 100}%;width:${Math.max(0.5, (r.end - r.start) / span * 100)}%">
    </span></div></td></tr>`).join('');
  const logs = data.jobs.filter(j => j.logs).map(j => `<h3>${esc(j.label)}</h3><pre>${esc(j.logs)}</pre>`).join('');
  return `<p>Status: <b class="${esc(data.status)}" id=status>${esc(data.status)}</b>
    ${data.waiting ? '· ' + esc(data.waiting) : ''}</p><h2>Arguments</h2><pre>${esc(JSON.stringify(data.args, null, 2))}</pre>
    ${data.finished ? `<h2>${data.status === 'success' ? 'Result' : 'Error'}</h2>
    <pre id=result>${esc(JSON.stringify(data.result, null, 2))}</pre>` : ''}
    <h2>Timeline</h2><table id=timeline>${bars || '<tr><td>No tasks yet.</td></tr>'}</table><h2>Logs</h2>${logs}`;
}
"""
RUN_SCRIPT = RENDER_RUN + """
const id = __RUN_ID__;
async function refresh() {
  const data = await (await fetch('/run/' + id + '/data')).json();
  document.getElementById('run').innerHTML = renderRun(data);
  if (!data.finished) setTimeout(refresh, 500);
}
refresh();
"""


def run_json(store, job) -> dict:
    """What a run page draws: status, arguments, result, what it waits for, timeline rows, logs."""
    rows, start, end = rows_of(store, job.id)
    waits = store.waiting_for(job.id) if not job.finished else []
    waiting = ", ".join(f"waiting for {w['kind']} `{w['key']}`" for w in waits)
    if job.wake_at and waits:
        waiting += f" until {_time(job.wake_at)}"
    return {
        "id": job.id, "status": job.status, "finished": job.finished, "args": job.args, "result": job.result,
        "waiting": waiting, "start": start, "end": end,
        "timeline": [{"name": r.name, "status": r.status, "start": r.start, "end": r.end or time.time(),
                      "depth": r.depth} for r in rows],
        "jobs": [{"label": j.step_key or "workflow", "logs": store.log_text(j.id)} for j in store.tree(job.id)],
    }


def run_data(request: Request) -> Response:
    who = _signed_in(request)
    if who is None:
        raise ApiError(401, "Not authorized: sign in first")
    server = state_of(request)
    store, job = server.store(), server.job(request.path_params["id"])
    if job is None or job.workspace != who.workspace:
        raise ApiError(404, "Not found: no such run")
    return JSONResponse(run_json(store, job))


def approval_page(request: Request) -> Response:
    """What waits for approval, its form, Approve / Reject (posting to the signed URLs)."""
    server = state_of(request)
    store = server.store()
    workspace, job_id = request.path_params["ws"], request.path_params["id"]
    approver = request.query_params.get("approver") or None
    job = store.job(job_id)
    try:
        resume_id = int(request.path_params["resume_id"])
    except ValueError:
        resume_id = -1
    if job is None or job.workspace != workspace or not valid_url_signature(
            store.signing_key(workspace), job_id, resume_id, approver, request.path_params["signature"]):
        return html_page("Invalid link", "<h1>This approval link is not valid</h1>")
    waits = [w for w in store.waiting_for(job_id) if w["kind"] == "approval"]
    header = (f"<h1>Approval</h1><p>Run <code>{job_id}</code> of <b>{escape(job.windmill_path or '')}</b> "
              f"is <b class={escape(job.status)}>{escape(job.status)}</b>.</p>")
    if not waits:
        return html_page("Approval", header + "<p id=state>Nothing waits for approval in this run.</p>")
    detail = waits[0]["detail"] or {}
    fields = _form_fields(detail.get("form"))
    description = detail.get("description")
    text = description if isinstance(description, str) else json.dumps(description) if description else ""
    query = request.url.query
    suffix = f"/{job_id}/{resume_id}/{request.path_params['signature']}" + (f"?{query}" if query else "")
    body = (header + f"<p>Step <code>{escape(waits[0]['key'])}</code> waits"
            + (f" until {_time(job.wake_at)}" if job.wake_at else "") + ".</p>"
            + (f"<p>{escape(text)}</p>" if text else "")
            + "".join(f"<p><label>{escape(name)}<br><input name='{escape(name)}' class=field></label></p>"
                      for name in fields)
            + "<p><button class=approve id=approve>Approve</button><button id=reject>Reject</button></p>"
            + "<p id=state></p>")
    return html_page("Approval", body, APPROVAL_SCRIPT % (json.dumps(f"/api/w/{workspace}/jobs_u"), json.dumps(suffix)))


APPROVAL_SCRIPT = """
const base = %s, suffix = %s;
async function answer(kind) {
  const value = {};
  document.querySelectorAll('input.field').forEach(i => { if (i.value) value[i.name] = i.value; });
  const response = await fetch(base + '/' + kind + suffix, {method: 'POST', headers: {'Content-Type': 'application/json'},
                                                           body: JSON.stringify(value)});
  document.getElementById('state').textContent = response.ok
    ? (kind === 'resume' ? 'Approved: the run continues.' : 'Rejected: the run continues with approved=false.')
    : 'Could not answer: ' + await response.text();
  document.querySelectorAll('button').forEach(b => b.disabled = true);
}
document.getElementById('approve').onclick = () => answer('resume');
document.getElementById('reject').onclick = () => answer('cancel');
"""


def _form_fields(form) -> list[str]:
    if not isinstance(form, dict):
        return []
    fields = form.get("properties", form)
    return [name for name, spec in fields.items() if isinstance(spec, dict)] if isinstance(fields, dict) else []


ROUTES = [
    Route("/", runs),
    Route("/login", login_form),
    Route("/login", login, methods=["POST"]),
    Route("/run/{id}", run_page),
    Route("/run/{id}/data", run_data),
    Route("/approve/{ws}/{id}/{resume_id}/{signature}", approval_page),
]
