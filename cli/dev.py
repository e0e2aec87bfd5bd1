"""`wac dev`: watch the repo and, on every save that matters, run the script or flow again (or, with no
target, lint what changed and say which metadata went stale).

A run is `wac script preview` / `wac flow preview` in a process of its own (sleeps fast-forwarded), so a
save that comes while one runs cancels it first: its process group is killed and its run canceled in
the job store. One line per run: time, path, status, duration, the compact result or the first error.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from .files import read_text
from .flows.definition import SUFFIXES as FLOW_SUFFIXES
from .local_runs import store_location

IGNORED_PARTS = {".wac", ".git", "__pycache__", "node_modules"}


@dataclass
class Target:
    """What `wac dev` runs: a script or a flow folder, with the preview's arguments."""

    path: Path
    root: Path
    data: str | None
    extra: tuple[str, ...] = ()

    @property
    def is_flow(self) -> bool:
        return self.path.is_dir() and self.path.name.endswith(FLOW_SUFFIXES)

    @property
    def shown(self) -> str:
        return self.path.relative_to(self.root).as_posix()

    def command(self) -> list[str]:
        kind = "flow" if self.is_flow else "script"
        data = ["-d", self.data] if self.data is not None else []
        return [sys.executable, "-m", "wac.cli", kind, "preview", self.shown, *data, "-s", "--skip-sleeps",
                "--await-approvals", *self.extra]

    def check_ahead(self) -> None:
        """What a script's preview checks before it runs (lint, schema, the packages it needs), computed in this
        long-lived process, whose parser stays loaded, into the caches the preview reads: after a save, the
        preview then starts without loading the parser (~0.3 s). A problem found here is left to the preview
        to report."""
        if self.is_flow:
            return
        from .analysis import analyze
        from .local_runs import resolve_script
        from .project import find_root, wac_dir
        from .script_pins import cache_requirements

        try:
            script = resolve_script(self.path)
            root = find_root(script.parent)
            analyze(script, read_text(script), root)
            cache_requirements(script, root, wac_dir(root) / "cache")
        except Exception:  # an unreadable, half-written or misplaced script: the preview says what is wrong
            pass

    def watched(self) -> Callable[[Path], bool]:
        """Whether a changed file is one a run depends on (recomputed per save: imports change)."""
        args_file = Path(self.data[1:]).resolve() if self.data and self.data.startswith("@") and self.data != "@-" \
            else None
        if self.is_flow:
            folder = self.path.resolve()
            return lambda path: path == args_file or folder in path.parents or path.suffix == ".py"
        from .script_pins import imported_files

        try:
            files = imported_files(self.path, self.root)
        except Exception:  # an unreadable or half-written script: its own save is what matters
            files = {self.path.resolve()}
        return lambda path: path in files or path == args_file


def ignored(path: Path) -> bool:
    return bool(IGNORED_PARTS.intersection(path.parts))


@dataclass
class Attempt:
    """One preview process."""

    process: subprocess.Popen
    started: float
    canceled: bool = False


class Runner:
    """Runs the target in the background, one run at a time; a new run cancels the one in flight."""

    def __init__(self, target: Target, emit: Callable[[dict], None], started: Callable[[], None]) -> None:
        self.target = target
        self.emit = emit
        self.started = started
        self.lock = threading.Lock()
        self.current: Attempt | None = None
        self.thread: threading.Thread | None = None

    def run(self) -> None:
        self.cancel()
        attempt = Attempt(subprocess.Popen(self.target.command(), cwd=self.target.root, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                                           start_new_session=True), time.time())
        with self.lock:
            self.current = attempt
        self.started()
        self.thread = threading.Thread(target=self._report, args=(attempt,), daemon=True)
        self.thread.start()

    def cancel(self) -> None:
        """Stop the run in flight (its process group, then its run in the store)."""
        with self.lock:
            attempt, self.current = self.current, None
        if attempt is None or attempt.process.poll() is not None:
            return
        attempt.canceled = True
        try:
            os.killpg(attempt.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        attempt.process.wait()
        self._cancel_unfinished(attempt.started)

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()

    def _report(self, attempt: Attempt) -> None:
        out, err = attempt.process.communicate()
        took = time.time() - attempt.started
        if attempt.canceled:
            self.emit(entry(self.target.shown, "canceled", "a newer save runs instead", took))
        else:
            self.emit(entry(self.target.shown, *outcome(attempt.process.returncode, out, err), took))

    def _cancel_unfinished(self, since: float) -> None:
        from wac.sdk.engine import open_store

        path = store_location(self.target.root)
        if not path.is_file():
            return
        store = open_store(path, create=False)
        try:
            for run in store.runs(limit=5):
                if run.created_at >= since - 1 and not run.finished:
                    store.cancel(run.id, "superseded by a newer save (wac dev)", by="wac dev")
        finally:
            store.close()


def outcome(code: int, out: str, err: str) -> tuple[str, str]:
    """(status, what to show) of a finished preview process."""
    lines = [text for text in out.strip().splitlines() if text.strip()]
    if not lines:  # stopped before running: a lint finding or a mistake, as `error: ...`
        first = next((text for text in err.splitlines() if text.startswith("error: ")), err.strip()[:200])
        return "not run", first.removeprefix("error: ")
    result = lines[-1]
    if code == 0:
        return "success", result
    try:
        error = json.loads(result).get("error") or {}
        return "failure", f"{error.get('name', 'Error')}: {error.get('message', '')}"
    except (ValueError, AttributeError):
        return "failure", result


def entry(path: str, status: str, shown: str, seconds: float) -> dict:
    """One run as the terminal line and the page show it."""
    return {"time": f"{datetime.now():%H:%M:%S}", "path": path, "status": status, "duration": f"{seconds:.2f}s",
            "shown": shown}


def line(run: dict) -> str:
    return "  ".join((run["time"], run["path"], run["status"], run["duration"], run["shown"]))


def relevant(changes: Iterable[tuple[object, str]], watched: Callable[[Path], bool]) -> bool:
    return any(watched(Path(path).resolve()) for _, path in changes if not ignored(Path(path)))


def watch_target(target: Target, emit: Callable[[str], None], stop: threading.Event | None = None,
                 port: int | None = 8001) -> None:
    """Run now and on every save that matters, until Ctrl-C (or `stop`); the live page on `port` (None: none)."""
    from watchfiles import watch

    from .dev_page import DevState

    state = DevState(target.shown, store_location(target.root))
    page = _page_server(state, port)
    where = f" · live page at {page.start()}" if page else ""

    def report(run: dict) -> None:
        state.add(run)
        emit(line(run))

    runner = Runner(target, report, state.run_started)
    emit(f"watching {target.shown}{where} (Ctrl-C stops)")
    runner.run()
    try:
        for changes in watch(target.root, watch_filter=lambda change, path: not ignored(Path(path)),
                             stop_event=stop, step=20, raise_interrupt=True):
            if relevant(changes, target.watched()):
                target.check_ahead()
                runner.run()
    except KeyboardInterrupt:
        pass
    finally:
        runner.cancel()
        if page:
            page.stop()


def _page_server(state, port: int | None):
    """The live page's server, on `port` or (taken) any free one; None without a page."""
    from .dev_page import PageServer

    if port is None:
        return None
    return PageServer(state, port if port == 0 or _free(port) else 0)


def _free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def watch_repo(root: Path, emit: Callable[[str], None], stop: threading.Event | None = None) -> None:
    """On every save: lint the changed Python files and say which items' metadata went stale."""
    from watchfiles import watch

    emit(f"watching {root} (Ctrl-C stops)")
    try:
        for changes in watch(root, watch_filter=lambda change, path: not ignored(Path(path)), stop_event=stop,
                             step=20, raise_interrupt=True):
            changed = sorted({Path(path) for _, path in changes if Path(path).is_file()})
            python = [str(path.relative_to(root)) for path in changed if path.suffix == ".py"]
            if python:
                emit(_wac(root, "lint", *python))
            emit(_wac(root, "generate-metadata", "--dry-run"))
    except KeyboardInterrupt:
        pass


def _wac(root: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "wac.cli", *args], cwd=root, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    return f"{datetime.now():%H:%M:%S}  wac {args[0]}\n" + (done.stdout + done.stderr).rstrip()
