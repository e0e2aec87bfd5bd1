"""The workspace page (`/workspace`): what the workspace holds, by kind, as a sync deployed it."""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..kinds import KINDS
from .http import state_of
from .pages import _signed_in, html_page

NAV = "<p><a href='/'>Runs</a> · <a href='/workspace'>Workspace</a></p>"


def workspace(request: Request) -> Response:
    who = _signed_in(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    db = state_of(request).db
    sections = [("script", [(row["path"], row["language"]) for row in db.heads(who.workspace)])]
    for name, kind in KINDS.items():
        sections.append((name, [(path, _summary(value)) for _, path, value in db.items(who.workspace, name)]))
    body = [f"{NAV}<h1>Workspace · {escape(who.workspace)}</h1>"]
    for name, entries in sections:
        if not entries:
            continue
        rows = "".join(f"<tr><td><code>{escape(path)}</code></td><td>{escape(detail)}</td></tr>"
                       for path, detail in entries)
        body.append(f"<h2 id='{escape(name)}'>{escape(name.replace('_', ' '))}s ({len(entries)})</h2>"
                    f"<table>{rows}</table>")
    if len(body) == 1:
        body.append("<p>Nothing deployed yet: <code>wac sync push</code> or <code>wmill sync push</code>.</p>")
    return html_page("Workspace", "".join(body))


def _summary(value: dict) -> str:
    for key in ("summary", "description", "resource_type", "schedule", "route_path", "display_name"):
        if isinstance(value.get(key), str) and value[key]:
            return value[key]
    return ""


ROUTES = [Route("/workspace", workspace)]
