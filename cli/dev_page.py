"""`wac dev`'s live page (`/dev`): the runs since `wac dev` started, and the latest one drawn as a run page
draws it (timeline, logs, result or error) or its lint finding, with Approve/Reject while it waits for an
approval; updated without reloading (server-sent events tell the page something changed; it then reads
`/dev/state`).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .server.pages import RENDER_RUN, html_page, run_json


@dataclass
class DevState:
    """What the page shows: one entry per run line, and a version that changes with each."""

    target: str
    store_path: Path
    started: float = field(default_factory=time.time)
    entries: list[dict] = field(default_factory=list)
    version: int = 0
    running: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, entry: dict) -> None:
        """A run ended (or was canceled, or did not start)."""
        with self.lock:
            self.entries.append(entry)
            self.running = False
            self.version += 1

    def run_started(self) -> None:
        with self.lock:
            self.running = True
            self.version += 1

    def touch(self) -> None:
        with self.lock:
            self.version += 1


PAGE_SCRIPT = RENDER_RUN + """
async function refresh() {
  const state = await (await fetch('/dev/state')).json();
  document.getElementById('runs').innerHTML = state.entries.slice().reverse().map(e =>
    `<tr><td>${esc(e.time)}</td><td class="${esc(e.status.replace(' ', '-'))}">${esc(e.status)}</td>
     <td>${esc(e.duration)}</td><td><code>${esc(e.shown)}</code></td></tr>`).join('');
  const last = state.entries[state.entries.length - 1];
  const lint = last && last.status === 'not run' ? `<h2>Lint</h2><pre id=lint>${esc(last.shown)}</pre>` : '';
  const asks = state.run && !state.run.finished && state.run.waiting.includes('approval')
    ? `<p><button class=approve id=approve onclick="answer(true)">Approve</button>
       <button id=reject onclick="answer(false)">Reject</button></p>` : '';
  document.getElementById('latest').innerHTML = lint + asks
    + (state.run ? renderRun(state.run) : '<p>Waiting for a run…</p>');
  if (state.running || (state.run && !state.run.finished)) setTimeout(refresh, 300);
}
async function answer(approved) {
  const state = await (await fetch('/dev/state')).json();
  await fetch('/dev/answer', {method: 'POST', headers: {'Content-Type': 'application/json'},
                              body: JSON.stringify({id: state.run.id, approved})});
  refresh();
}
new EventSource('/dev/events').onmessage = () => refresh();
refresh();
"""


def app(state: DevState) -> Starlette:
    """The page's routes over `state` (and the repo's local job store for the latest run)."""

    def page(request: Request) -> Response:
        return html_page(f"wac dev {state.target}", f"<h1>wac dev <code>{state.target}</code></h1>"
                                                    "<div id=latest>Loading…</div><h2>Runs</h2><table id=runs></table>",
                         PAGE_SCRIPT)

    def state_json(request: Request) -> Response:
        with state.lock:
            entries, running = list(state.entries), state.running
        return JSONResponse({"entries": entries, "running": running, "run": _latest_run(state)})

    async def events(request: Request) -> Response:
        async def stream():
            seen = -1
            while not await request.is_disconnected():
                if state.version != seen:
                    seen = state.version
                    yield f"data: {json.dumps({'version': seen})}\n\n"
                await asyncio.sleep(0.1)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    async def answer(request: Request) -> Response:
        body = await request.json()
        answered = _answer(state, str(body.get("id")), bool(body.get("approved")))
        state.touch()
        return JSONResponse({"answered": answered}, status_code=200 if answered else 409)

    return Starlette(routes=[Route("/dev", page), Route("/dev/state", state_json), Route("/dev/events", events),
                             Route("/dev/answer", answer, methods=["POST"])])


def _answer(state: DevState, run_id: str, approved: bool) -> str | None:
    """Answer the approval the run waits for, as `wac job approve` does; the step key answered."""
    from wac.sdk.engine import open_store

    from .local_runs import approver_name

    store = open_store(state.store_path, create=False)
    try:
        return store.answer_approval(run_id, approved, None, approver_name(None))
    finally:
        store.close()


def _latest_run(state: DevState) -> dict | None:
    """The newest run of the repo's local store since `wac dev` started, as a run page draws it."""
    from wac.sdk.engine import open_store

    if not state.store_path.is_file():
        return None
    store = open_store(state.store_path, create=False)
    try:
        runs = [run for run in store.runs(limit=1) if run.created_at >= state.started - 1]
        return run_json(store, runs[0]) if runs else None
    finally:
        store.close()


class PageServer:
    """The page on 127.0.0.1:`port` (0: any free port), served from a background thread."""

    def __init__(self, state: DevState, port: int) -> None:
        import uvicorn

        config = uvicorn.Config(app(state), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> str:
        """Start serving; the page's URL."""
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise OSError("the page's port is taken")
            time.sleep(0.02)
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        return f"http://{host}:{port}/dev"

    def stop(self) -> None:
        self.server.should_exit = True
