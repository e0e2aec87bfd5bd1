"""A host process: imports one script once, then forks a child per round or task.

Started by the scheduler in the script's own interpreter (`python -m
wac.sdk._engine.host FD SCRIPT ROOT`), it never opens the job store, so no
SQLite handle crosses a fork, and every child starts from the same freshly
imported module: module state never leaks from one round to the next, as on
a Windmill worker. It keeps each run's checkpoint in memory (the scheduler
sends what is new), so a round's replay reads no rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import gc
import io
import json
import os
import select
import signal
import socket
import sys
import traceback
from pathlib import Path
from typing import Any, Callable

from . import child, clock
from .channel import Channel
from .loading import ScriptLoadError, entry_point, import_roots, is_workflow, load_module, prepare_imports

PR_SET_PDEATHSIG = 1
SPARES = 1  # children kept forked and ready, until the scheduler asks for more (as many as its workers)


class Checkpoint:
    """A run's completed steps as the host knows them, with their order and sequence numbers."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.seqs: dict[str, int] = {}
        self.order: dict[int, str] = {}
        self.max_seq = 0

    def apply(self, rows: list[list[Any]]) -> None:
        for key, value, index, seq in rows:
            self.values[key] = json.loads(value)
            self.seqs[key] = seq
            if index is not None:
                self.order[index] = key
            self.max_seq = max(self.max_seq, seq)

    def catch_up(self, since: int, delta: list[list[Any]], read_since: Callable[[int], list]) -> None:
        """Apply the scheduler's `delta` (the rows after `since`); first read from the store the rows
        this copy lacks before `since`. A spare forked before its host applied an earlier job's rows
        (that job ended first, and this spare replaced it) would otherwise replay without them."""
        if self.max_seq < since:
            self.apply([list(row) for row in read_since(self.max_seq)])
        self.apply(delta)

    def upto(self, seq: int | None) -> tuple[dict[str, Any], dict[int, str]]:
        """The checkpoint as it was at `seq` (a task replays what its dispatch saw)."""
        if seq is None or seq >= self.max_seq:
            return self.values, self.order
        keys = {k for k, s in self.seqs.items() if s <= seq}
        return {k: self.values[k] for k in keys}, {i: k for i, k in self.order.items() if k in keys}


def die_with_parent() -> None:
    """Linux: exit when the parent does, so nothing outlives a killed scheduler."""
    try:
        _prctl()(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


@functools.cache
def _prctl() -> Callable[..., int]:
    """libc's prctl, looked up once (by the host: every child it forks has it)."""
    return ctypes.CDLL(None).prctl


class Host:
    def __init__(self, channel: Channel, script: Path, roots: list[Path], store: Path) -> None:
        self.channel = channel
        self.script = script
        self.roots = roots
        self.store = store
        self.module: Any = None
        self.workflow = False
        self.import_output = ""  # printed while importing: every job's log starts with it, as on a worker
        self.checkpoints: dict[str, Checkpoint] = {}
        self.children: set[int] = set()
        self.spares: set[int] = set()  # forked, announced, not yet used
        self.wanted_spares = SPARES
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)

    def load(self) -> bool:
        captured = io.StringIO()
        try:
            prepare_imports(self.script, self.roots)
            with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
                self.module = load_module(self.script, self.roots[0])
            entry_point(self.module)
            self.workflow = is_workflow(self.script.read_text(encoding="utf-8"))
        except ScriptLoadError as exc:
            self.channel.send({"op": "load_error", **exc.to_json()})
            return False
        self.import_output = captured.getvalue()
        self.channel.send({"op": "ready", "workflow": self.workflow})
        return True

    def serve(self) -> None:
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.set_wakeup_fd(self.wake_w)
        asyncio.get_event_loop_policy()  # made once here rather than by every child for its loop
        # Everything imported so far is shared with the children copy-on-write: keep the
        # garbage collector from walking (and so copying) it in every child.
        gc.freeze()
        self._top_up()
        while True:
            readable, _, _ = select.select([self.channel, self.wake_r], [], [])
            if self.channel in readable:  # first: a spare that was used and has ended is not an idle one
                try:
                    messages = self.channel.receive()
                except OSError:  # the scheduler went away
                    messages = None
                if messages is None:
                    return
                for message, _ in messages:
                    if message["op"] == "used":  # the scheduler gave a spare its job
                        self.spares.discard(message["pid"])
                        self.checkpoints.setdefault(message["root"], Checkpoint()).apply(message.get("delta") or [])
                        self._top_up()
                    elif message["op"] == "spares":  # jobs it may start at once: a batch never waits for forks
                        self.wanted_spares = max(SPARES, message["count"])
                        self._top_up()
                    elif message["op"] == "forget":
                        self.checkpoints.pop(message["root"], None)
            if self.wake_r in readable:
                os.read(self.wake_r, 4096)
                self._reap()

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.children.discard(pid)
            self.channel.send({"op": "exited", "pid": pid, "code": os.waitstatus_to_exitcode(status)})
            if pid in self.spares:  # died waiting for a job: keep one ready
                self.spares.discard(pid)
                self._top_up()

    def _top_up(self) -> None:
        while len(self.spares) < self.wanted_spares:
            self._prefork()

    def _prefork(self) -> None:
        """Fork the next child ahead of time and pass its job and output pipes to the scheduler."""
        command_r, command_w = os.pipe()
        output_r, output_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            self._spare(command_r, output_w, (command_w, output_r))
        os.close(command_r)
        os.close(output_w)
        self.children.add(pid)
        self.spares.add(pid)
        self.channel.send({"op": "spare", "pid": pid}, fds=(command_w, output_r))
        os.close(command_w)
        os.close(output_r)

    def _spare(self, command_fd: int, output_fd: int, others: tuple[int, ...]) -> None:
        """The spare's life: get ready while idle, then run the one job it is handed."""
        code = 1
        try:
            os.setpgid(0, 0)  # its own group: a timeout or cancel kills what it spawned too
            die_with_parent()
            signal.set_wakeup_fd(-1)
            for signum in (signal.SIGCHLD, signal.SIGINT):
                signal.signal(signum, signal.SIG_DFL)
            for fd in (*others, self.wake_r, self.wake_w):
                os.close(fd)
            self.channel.sock.close()
            os.dup2(output_fd, 1)
            os.dup2(output_fd, 2)
            os.close(output_fd)
            sys.stdout = os.fdopen(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
            sys.stderr = os.fdopen(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
            ready = child.prepare(self.store, lambda: bool(select.select([command_fd], [], [], 0)[0]),
                                  getattr(self.module, child.WARM_HOOK, None))
            with os.fdopen(command_fd, "rb") as command:
                data = command.read()
            if not data:
                return  # the host went away without a job for it
            message = json.loads(data)
            checkpoint = self.checkpoints.setdefault(message["root"], Checkpoint())
            checkpoint.catch_up(message.get("since", 0), message.get("delta") or [],
                                lambda seq: ready.job_store().steps_since(message["root"], seq))
            completed, order = checkpoint.upto(message.get("checkpoint_seq"))
            os.environ.update(message.get("env") or {})
            clock.advance(message.get("clock", 0), self.roots, [self.module])
            sys.stdout.write(self.import_output)
            code = child.run(message, self.module, self.workflow, completed, order, ready)
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
                os.close(1)  # the scheduler sees the end now, not after this process is torn down
                os.close(2)
            finally:
                os._exit(code)


def run(sock: socket.socket, script: Path, roots: list[Path], store: Path, parent: int) -> None:
    """A host's life: load the script, then serve fork requests until the scheduler goes away."""
    die_with_parent()
    if os.getppid() != parent:  # the scheduler died before the line above took effect
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the scheduler's to handle
    host = Host(Channel(sock), script, roots, store)
    if host.load():
        host.serve()


def main(argv: list[str]) -> None:
    run(socket.socket(fileno=int(argv[1])), Path(argv[2]), import_roots(argv[3]), Path(argv[4]), os.getppid())


if __name__ == "__main__":
    main(sys.argv)
