"""A host forked before its script is known, so its start-up overlaps the caller's own.

A preview spends its first tenths of a second reading and checking what it runs; the host it then forks
spends as long importing asyncio and the engine's child side (and, for a flow, the flow driver) before it
loads the script. `fork` starts that host at once, while the caller goes on; the caller's next host for
its own interpreter (`take`) is this one: it is sent the script, the project, the store and the caller's
environment as they are by then, and carries on as any host. One waits at a time; unused, it ends with
its caller (its socket closes).
"""

from __future__ import annotations

import importlib
import json
import os
import socket
import sys
import threading
from pathlib import Path

_waiting: tuple[int, socket.socket, int] | None = None  # (pid, our end of its socket, the pipe it is told by)


def fork(preload: tuple[str, ...] = ()) -> None:
    """Fork the host of this process's next run now; it imports what a host needs, and `preload`."""
    global _waiting
    if _waiting is not None or threading.active_count() > 1:  # no fork beside a running thread
        return
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    told_r, told_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        theirs.close()
        os.close(told_r)
        _waiting = (pid, ours, told_w)
        return
    code = 0
    try:
        ours.close()
        os.close(told_w)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        _serve_when_told(theirs, told_r, preload)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _serve_when_told(sock: socket.socket, told_fd: int, preload: tuple[str, ...]) -> None:
    from . import host
    from .loading import import_roots

    for name in preload:
        importlib.import_module(name)
    with os.fdopen(told_fd, "rb") as told_by:
        data = told_by.read()
    if not data:
        return  # the caller ended without needing a host
    told = json.loads(data)
    os.environ.clear()
    os.environ.update(told["env"])
    os.chdir(told["root"].split(os.pathsep)[0])
    host.run(sock, Path(told["script"]), import_roots(told["root"]), Path(told["store"]), told["parent"])


def take(script: str, project_root: str, store_path: str) -> tuple[int, socket.socket] | None:
    """The waiting host, told to host `script` (None when there is none, or it has gone)."""
    global _waiting
    waiting, _waiting = _waiting, None
    if waiting is None:
        return None
    pid, ours, told_w = waiting
    message = {"script": script, "root": project_root, "store": store_path, "env": dict(os.environ),
               "parent": os.getpid()}
    try:
        with os.fdopen(told_w, "wb") as told:
            told.write(json.dumps(message).encode())
    except OSError:  # it has gone
        ours.close()
        return None
    return pid, ours
