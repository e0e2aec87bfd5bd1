"""The scheduler's side of host processes: one per (interpreter, script, source).

A host is started in the interpreter the job must run in, imports the script,
and forks children on request. Fork requests made while it starts are queued
and sent once it reports ready.
"""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .channel import Channel
from .loading import ScriptLoadError

HOST_MODULE = "wac.sdk._engine.host"
IDLE_SECONDS = 300.0


@dataclass(frozen=True)
class HostKey:
    python: str
    script: str
    project_root: str
    source_hash: str | None = None


Forked = Callable[[int, int], None]  # (pid, output fd)


@dataclass
class HostProcess:
    """A running (or starting) host and what the scheduler has sent it."""

    key: HostKey
    process: subprocess.Popen
    channel: Channel
    state: str = "starting"  # starting | ready | failed
    error: ScriptLoadError | None = None
    workflow: bool = False
    queued: list[tuple[dict[str, Any], Forked]] = field(default_factory=list)
    waiting: dict[int, Forked] = field(default_factory=dict)  # request id -> callback
    sent_seq: dict[str, int] = field(default_factory=dict)  # run -> last checkpoint row sent
    last_used: float = field(default_factory=time.monotonic)
    next_id: int = 0

    def fork(self, message: dict[str, Any], on_forked: Forked) -> None:
        self.last_used = time.monotonic()
        if self.state == "ready":
            self._send(message, on_forked)
        else:
            self.queued.append((message, on_forked))

    def _send(self, message: dict[str, Any], on_forked: Forked) -> None:
        self.next_id += 1
        self.waiting[self.next_id] = on_forked
        self.channel.send({**message, "op": "fork", "id": self.next_id})

    def forget(self, run_id: str) -> None:
        self.sent_seq.pop(run_id, None)
        if self.state == "ready":
            try:
                self.channel.send({"op": "forget", "root": run_id})
            except OSError:
                pass  # the host is gone; so is what it knew


class HostPool:
    """Hosts by key; `handle` processes what a host's socket says."""

    def __init__(self, selector: selectors.BaseSelector,
                 python_path: Callable[[str], dict[str, str]] | None = None) -> None:
        self.selector = selector
        self.hosts: dict[HostKey, HostProcess] = {}
        # extra environment for a host in another interpreter (where `wac.sdk` must be found)
        self.python_path = python_path or (lambda python: {})

    def get(self, key: HostKey) -> HostProcess:
        host = self.hosts.get(key)
        if host is None or host.process.poll() is not None:
            host = self._spawn(key)
        return host

    def _spawn(self, key: HostKey) -> HostProcess:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = {**os.environ, **self.python_path(key.python)}
        try:
            process = subprocess.Popen([key.python, "-m", HOST_MODULE, str(theirs.fileno()), key.script,
                                        key.project_root], pass_fds=(theirs.fileno(),), env=env,
                                       stdin=subprocess.DEVNULL, cwd=key.project_root)
        except OSError as exc:
            ours.close()
            raise ScriptLoadError(f"cannot start {key.python}: {exc.strerror}") from None
        finally:
            theirs.close()
        host = HostProcess(key, process, Channel(ours))
        self.hosts[key] = host
        self.selector.register(host.channel, selectors.EVENT_READ, host)
        return host

    def handle(self, host: HostProcess, on_exit: Callable[[int, int], None]) -> bool:
        """Read what the host said; False when it is gone."""
        try:
            messages = host.channel.receive()
        except OSError:
            messages = None
        if messages is None:
            self.drop(host)
            if host.state == "starting":
                host.state = "failed"
                host.error = ScriptLoadError(f"the host for {host.key.script} exited before loading it"
                                             f" (exit code {host.process.wait()})", host.key.script)
            return False
        for message, fd in messages:
            op = message["op"]
            if op == "ready":
                host.state, host.workflow = "ready", message.get("workflow", False)
                for queued, callback in host.queued:
                    host._send(queued, callback)
                host.queued.clear()
            elif op == "load_error":
                host.state = "failed"
                host.error = ScriptLoadError(message["message"], message.get("path"), message.get("line"))
            elif op == "forked":
                host.waiting.pop(message["id"])(message["pid"], fd)
            elif op == "exited":
                on_exit(message["pid"], message["code"])
        return True

    def wait_ready(self, host: HostProcess, timeout: float = 120.0) -> None:
        """Block until the host has loaded the script; ScriptLoadError if it could not."""
        import select

        deadline = time.monotonic() + timeout
        while host.state == "starting" and time.monotonic() < deadline:
            ready, _, _ = select.select([host.channel], [], [], max(0.0, deadline - time.monotonic()))
            if ready:
                self.handle(host, lambda pid, code: None)
        if host.state == "failed":
            raise host.error
        if host.state != "ready":
            raise ScriptLoadError(f"loading {host.key.script} took more than {timeout:.0f}s", host.key.script)

    def drop(self, host: HostProcess) -> None:
        try:
            self.selector.unregister(host.channel)
        except (KeyError, ValueError):
            pass
        if self.hosts.get(host.key) is host:
            del self.hosts[host.key]
        host.channel.close()
        if host.process.poll() is None:
            host.process.kill()
        host.process.wait()

    def close_idle(self, busy: set[HostKey]) -> None:
        now = time.monotonic()
        for host in list(self.hosts.values()):
            if host.key not in busy and now - host.last_used > IDLE_SECONDS:
                self.drop(host)

    def close(self) -> None:
        for host in list(self.hosts.values()):
            self.drop(host)

