"""The ASGI application: routes, Windmill-style errors, a request size limit, the engine's lifetime."""

from __future__ import annotations

import contextlib

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from . import (apps_api, flows_api, items_api, jobs_api, native_triggers_api, pages, scripts_api, values_api,
               workspace_admin_api, workspace_api, workspace_page)
from .errors import ApiError
from .state import ServerState


def build_app(server: ServerState) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        server.start()
        try:
            yield
        finally:
            server.stop()

    app = Starlette(
        routes=[*workspace_api.ROUTES, *workspace_admin_api.ROUTES, *scripts_api.ROUTES, *apps_api.ROUTES,
                *values_api.ROUTES, *items_api.ROUTES, *native_triggers_api.ROUTES, *flows_api.ROUTES, *jobs_api.ROUTES,
                *pages.ROUTES, *workspace_page.ROUTES],
        exception_handlers={ApiError: _api_error, 404: _not_found, 405: _not_allowed},
        lifespan=lifespan,
    )
    app.state.server = server
    return BodyLimit(app, server.config.max_body)


async def _api_error(request: Request, exc: ApiError) -> Response:
    return PlainTextResponse(exc.text, status_code=exc.status)


async def _not_found(request: Request, exc: Exception) -> Response:
    return PlainTextResponse(f"Not found: {request.url.path}", status_code=404)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return PlainTextResponse(f"Method not allowed: {request.method} {request.url.path}", status_code=405)


class BodyLimit:
    """Refuse request bodies over `limit` bytes (413), counted as they arrive."""

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await PlainTextResponse(f"Payload too large: the limit is {self.limit} bytes", 413)(scope, receive, send)
            return
        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise ApiError(413, f"Payload too large: the limit is {self.limit} bytes")
            return message

        await self.app(scope, limited_receive, send)
