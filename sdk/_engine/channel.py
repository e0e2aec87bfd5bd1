"""Messages between the scheduler and a host: JSON lines over a Unix socket,
with file descriptors (a child's output pipe) passed alongside (SCM_RIGHTS)."""

from __future__ import annotations

import json
import os
import socket
from collections import deque
from typing import Any

MAX_FDS = 64
# A round that goes on as the task it dispatched writes this line on its output
# (then the task's id, run token, timeout and key): what follows is the task's.
CONTINUE_MARKER = "\x1eWAC:continue "


class Channel:
    """One end of a scheduler <-> host socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buffer = b""
        self._fds: deque[int] = deque()

    def fileno(self) -> int:
        return self.sock.fileno()

    def send(self, message: dict[str, Any], fds: tuple[int, ...] = ()) -> None:
        data = json.dumps({**message, "fds": len(fds)} if fds else message, separators=(",", ":")).encode() + b"\n"
        if not fds:
            self.sock.sendall(data)
            return
        sent = socket.send_fds(self.sock, [data], list(fds))
        if sent < len(data):
            self.sock.sendall(data[sent:])

    def receive(self) -> list[tuple[dict[str, Any], list[int]]] | None:
        """Messages available now (each with the fds it carries); None at end of stream."""
        data, fds, _, _ = socket.recv_fds(self.sock, 1 << 16, MAX_FDS)
        if not data and not fds:
            return None
        self._fds.extend(fds)
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        messages = []
        for line in lines:
            message = json.loads(line)
            messages.append((message, [self._fds.popleft() for _ in range(message.get("fds", 0))]))
        return messages

    def close(self) -> None:
        self.sock.close()
        while self._fds:
            try:
                os.close(self._fds.popleft())
            except OSError:
                pass
