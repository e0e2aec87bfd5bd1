"""Starting the server: bind, say how to connect, serve until Ctrl-C, stop cleanly."""

from __future__ import annotations

import errno
import socket
import sys
from pathlib import Path

from ..errors import InvalidInput
from .setup import announce, locate, prepare, withdraw
from .state import ServerConfig, ServerState


def serve(*, host: str, port: int, workspace: str, data: Path | None, workers: int,
          python: str | None = None) -> None:
    import uvicorn

    from .app import build_app
    from .scripts import check_workspace_id

    check_workspace_id(workspace)
    sock = _bind(host, port)  # first: a bad address or a busy port leaves nothing behind
    try:
        location = locate(data)
        db, token = prepare(location, workspace)
    except BaseException:
        sock.close()
        raise
    url = f"http://{_display_host(host)}:{sock.getsockname()[1]}/"
    config = ServerConfig(location.data_dir, location.store_path, url, workers, python or sys.executable)
    state = ServerState(config, db)
    _greet(url, workspace, token, location)
    announce(location, url, workspace)
    app_config = uvicorn.Config(build_app(state), log_level="warning", access_log=False, lifespan="on")
    try:
        uvicorn.Server(app_config).run(sockets=[sock])
    finally:
        withdraw(location)
        sock.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle off (TCP_NODELAY) only on TCP-protocol sockets, and with
    # it on every response waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            hint = "another server may be running there; pass another --port (or --port 0 for any)"
        elif exc.errno in (errno.EACCES, errno.EPERM):
            hint = "ports below 1024 need privileges; pass --port 8000 (or --port 0 for any)"
        else:
            hint = "pass an address of this machine with --host, e.g. 127.0.0.1 (the default) or 0.0.0.0"
        raise InvalidInput(f"cannot listen on {host}:{port}: {exc.strerror}", hint) from None
    sock.listen(2048)
    return sock


def _display_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _greet(url: str, workspace: str, token: str | None, location) -> None:
    shown = token or "(see `wac server token`)"
    lines = [f"wac server: workspace `{workspace}` at {url}", f"  data: {location.data_dir}",
             f"  runs: {url} (sign in with the token)"]
    if token:
        lines.append(f"  token: {token}   (printed once; `wac server token` shows it again)")
    lines += ["Connect the wmill CLI or wac to it:",
              f"  wmill workspace add {workspace} {workspace} {url} --token {shown}",
              f"  wac workspace add {workspace} {workspace} {url} --token {shown}",
              "Ctrl-C stops it."]
    sys.stderr.write("\n".join(lines) + "\n")
    sys.stderr.flush()
