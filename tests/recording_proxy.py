"""A recording HTTP proxy: forwards every request to a target and keeps (method, path, query, body).

Tests put it in front of `wac server` to compare what the real `wmill` CLI and
`wac` send for the same repo.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx


class RecordingProxy:
    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.requests: list[dict[str, Any]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                size = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(size) if size else b""
                parts = urlsplit(self.path)
                try:
                    parsed = json.loads(body) if body else None
                except ValueError:
                    parsed = body.decode("utf-8", "replace")
                proxy.requests.append({"method": self.command, "path": parts.path, "query": parts.query,
                                       "body": parsed})
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                answer = httpx.request(self.command, proxy.target + self.path, content=body, headers=headers,
                                       timeout=60)
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(key, value)
                self.send_header("content-length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PUT = do_DELETE = _forward

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def writes(self) -> list[dict[str, Any]]:
        """The requests that change the workspace."""
        return [r for r in self.requests if r["method"] != "GET" and not r["path"].endswith(
            ("/workspaces/exists", "/raw_temp/diff"))]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
