"""The scheduler's side of host processes: one per (interpreter, script, source).

A host is started in the interpreter the job must run in, imports the script,
and forks children on request. Fork requests made while it starts are queued
and sent once it reports ready.
"""

from __future__ import annotations

import hashlib
import json
import os
import selectors
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from . import early_host
from .channel import Channel
from .loading import SHIM_DIR, ScriptLoadError

if TYPE_CHECKING:
    import subprocess

HOST_MODULE = "wac.sdk._engine.host"
IDLE_SECONDS = 300.0
SDK_DIR = Path(__file__).resolve().parent.parent


def sdk_path(python: str) -> dict[str, str]:
    """Environment that lets another interpreter import `wac.sdk` (standard library only) as it is.

    A folder holding `wac/sdk` (a link to this package) goes on its PYTHONPATH.
    """
    if os.path.abspath(python) == os.path.abspath(sys.executable):  # venvs share a binary: do not resolve
        return {}
    digest = hashlib.sha256(str(SDK_DIR).encode()).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "wac" / "sdk-path" / digest
    link = base / "wac" / "sdk"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            link.symlink_to(SDK_DIR, target_is_directory=True)
        except FileExistsError:
            pass  # another process made it
    existing = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": os.pathsep.join([str(base), existing] if existing else [str(base)])}


def import_host_side() -> None:
    """Import what a forked host imports first (asyncio, the engine's side of a job) in this process now: a
    host forked from it later only loads its script (a test session forks one per run)."""
    from . import host  # noqa: F401


@dataclass(frozen=True)
class HostKey:
    python: str
    script: str
    project_root: str
    source_hash: str | None = None


Forked = Callable[[int, int], None]  # (pid, output fd)


class ForkedHost:
    """A host forked from the scheduler's own process, with the part of Popen's interface hosts use."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                pid, status = self.pid, 0
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        try:
            os.kill(self.pid, 9)
        except ProcessLookupError:
            pass

    def wait(self) -> int:
        if self.returncode is None:
            try:
                self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
            except ChildProcessError:
                self.returncode = 0
        return self.returncode


@dataclass
class HostProcess:
    """A running (or starting) host and what the scheduler has sent it."""

    key: HostKey
    process: subprocess.Popen | ForkedHost
    channel: Channel
    state: str = "starting"  # starting | ready | failed
    error: ScriptLoadError | None = None
    workflow: bool = False
    queued: list[tuple[dict[str, Any], Forked]] = field(default_factory=list)
    spares: list[tuple[int, int, int]] = field(default_factory=list)  # (pid, job pipe, output pipe)
    sent_seq: dict[str, int] = field(default_factory=dict)  # run -> last checkpoint row sent
    last_used: float = field(default_factory=time.monotonic)

    def fork(self, message: dict[str, Any], on_forked: Forked) -> None:
        """Run `message` in a spare child now, or as soon as one is ready."""
        self.last_used = time.monotonic()
        self.queued.append((message, on_forked))
        self.dispatch()

    def dispatch(self) -> None:
        while self.queued and self.spares:
            (message, on_forked), (pid, command_fd, output_fd) = self.queued.pop(0), self.spares.pop(0)
            data = json.dumps(message, separators=(",", ":")).encode()
            try:
                while data:
                    data = data[os.write(command_fd, data):]
            except OSError:
                pass  # it died meanwhile: its exit is reported, and its job is failed for it
            os.close(command_fd)
            on_forked(pid, output_fd)
            self.channel.send({"op": "used", "pid": pid, "root": message["root"], "delta": message["delta"]})

    def drop_spare(self, pid: int) -> bool:
        for spare in self.spares:
            if spare[0] == pid:
                self.spares.remove(spare)
                os.close(spare[1])
                os.close(spare[2])
                return True
        return False

    def forget(self, run_id: str) -> None:
        self.sent_seq.pop(run_id, None)
        if self.state == "ready":
            try:
                self.channel.send({"op": "forget", "root": run_id})
            except OSError:
                pass  # the host is gone; so is what it knew


def _fork_host(key: HostKey, ours: socket.socket, theirs: socket.socket, store_path: str) -> ForkedHost:
    """The host as a fork of this process: no interpreter start, `wac.sdk` already imported (what only a host
    needs, asyncio and the child's side, is imported after the fork, while this process goes on)."""
    from .loading import import_roots

    parent = os.getpid()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return ForkedHost(pid)
    code = 0
    try:
        ours.close()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.chdir(key.project_root.split(os.pathsep)[0])
        from . import host

        host.run(theirs, Path(key.script), import_roots(key.project_root), Path(store_path), parent)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


class HostPool:
    """Hosts by key; `handle` processes what a host's socket says."""

    def __init__(self, selector: selectors.BaseSelector, store_path: str,
                 python_path: Callable[[str], dict[str, str]] | None = None,
                 may_fork: Callable[[], bool] = lambda: False, spares: int = 1) -> None:
        self.selector = selector
        self.spares = spares  # children each host keeps forked ahead: the jobs it may be asked for at once
        self.store_path = store_path
        self.hosts: dict[HostKey, HostProcess] = {}
        # extra environment for a host in another interpreter (where `wac.sdk` must be found)
        self.python_path = python_path or sdk_path
        # whether this process may fork a host (no thread running, no job store connection open)
        self.may_fork = may_fork

    def get(self, key: HostKey) -> HostProcess:
        host = self.hosts.get(key)
        if host is None or host.process.poll() is not None:
            host = self._spawn(key)
        return host

    def _spawn(self, key: HostKey) -> HostProcess:
        folder = key.project_root.split(os.pathsep)[0]
        if not os.path.isdir(folder):  # else Popen would blame the interpreter ("No such file")
            raise ScriptLoadError(f"cannot start a host for {key.script}: its project folder {folder} does not exist")
        own = os.path.abspath(key.python) == os.path.abspath(sys.executable)
        early = early_host.take(key.script, key.project_root, self.store_path) if own else None
        if early is not None:  # forked ahead by this process, and told its script now
            return self._register(HostProcess(key, ForkedHost(early[0]), Channel(early[1])))
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            if own and self.may_fork():
                process: subprocess.Popen | ForkedHost = _fork_host(key, ours, theirs, self.store_path)
            else:  # another interpreter, or a process that may not fork: started afresh
                # (`subprocess` imported only then)
                import subprocess

                env = {**os.environ, **self.python_path(key.python)}
                process = subprocess.Popen([key.python, "-m", HOST_MODULE, str(theirs.fileno()), key.script,
                                            key.project_root, self.store_path], pass_fds=(theirs.fileno(),),
                                           env=env, stdin=subprocess.DEVNULL, cwd=folder)
        except OSError as exc:
            ours.close()
            raise ScriptLoadError(f"cannot start {key.python}: {exc.strerror}") from None
        finally:
            theirs.close()
        return self._register(HostProcess(key, process, Channel(ours)))

    def _register(self, host: HostProcess) -> HostProcess:
        if self.spares > 1:
            host.channel.send({"op": "spares", "count": self.spares})
        self.hosts[host.key] = host
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
        for message, fds in messages:
            op = message["op"]
            if op == "ready":
                host.state, host.workflow = "ready", message.get("workflow", False)
            elif op == "load_error":
                host.state = "failed"
                host.error = ScriptLoadError(message["message"], message.get("path"), message.get("line"))
            elif op == "spare":
                host.spares.append((message["pid"], *fds))
                host.dispatch()
            elif op == "exited" and not host.drop_spare(message["pid"]):
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
        while host.spares:
            host.drop_spare(host.spares[0][0])
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


def python_imports(python: str) -> dict[str, str]:
    """Environment variables with which interpreter `python` imports wac's SDK, and `import wmill` gets it
    (as in the engine's own hosts): for a process the caller starts itself."""
    path = sdk_path(python).get("PYTHONPATH", os.environ.get("PYTHONPATH"))
    return {"PYTHONPATH": os.pathsep.join([str(SHIM_DIR), path] if path else [str(SHIM_DIR)])}
