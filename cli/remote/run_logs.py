"""A deployed run's output as `wac script preview` shows a local one: the workflow body's own lines
(without the replay protocol's `--- WAC: step ---` headers and `WM_WAC_STEP:` records) and each
task's lines as they come, prefixed with the task's name; over Windmill's job routes."""

from __future__ import annotations

import re
import sys
from typing import Any, Callable

from .client import WindmillClient

_HEADER = re.compile(r"^--- WAC: .* ---$")
_RECORD = "WM_WAC_STEP:"


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class _Lines:
    """Complete lines out of log chunks, with the replay protocol's lines left out."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self.emit = emit
        self._partial = ""
        self._blank = False  # a blank line held back: it goes with a header that may follow

    def feed(self, text: str, final: bool = False) -> None:
        *lines, self._partial = (self._partial + text).split("\n")
        if final and self._partial:
            lines.append(self._partial)
            self._partial = ""
        for line in lines:
            if _HEADER.match(line) or line.startswith(_RECORD):
                self._blank = False
                continue
            if self._blank:
                self.emit("")
            self._blank = line == ""
            if not self._blank:
                self.emit(line)
        if final and self._blank:
            self.emit("")
            self._blank = False


BODY = "workflow"


class RunLogs:
    """Follows one run: `poll()` prints what is new; `finish(logs)` prints what is left.

    A workflow's body lines are prefixed `workflow │`, its tasks' with their names, as in a preview;
    a plain script's lines are printed as they are."""

    def __init__(self, client: WindmillClient, job_id: str, *, workflow: bool,
                 write: Callable[[str], None] | None = None) -> None:
        self.client = client
        self.job_id = job_id
        self.write = write or _write
        self.offset = 0
        self.running = False
        self._width = len(BODY)
        self._body = _Lines(self._labelled(BODY) if workflow else (lambda line: self.write(line + "\n")))
        self._tasks: dict[str, dict[str, Any]] = {}  # id -> {offset, done, lines}

    def _labelled(self, label: str) -> Callable[[str], None]:
        return lambda line: self.write(f"{label.rjust(self._width)} │ {line}\n")

    def poll(self) -> tuple[bool, bool, bool]:
        """One round: (completed, printed something, running changed to False)."""
        update = self.client.job_update(self.job_id, self.running, self.offset)
        logs = update.get("new_logs") or ""
        self._body.feed(logs)
        self.offset += utf16_length(logs)
        paused = False
        if "running" in update and update["running"] != self.running:
            self.running = bool(update["running"])
            paused = not self.running
        printed = bool(logs) | self._follow_tasks()
        return bool(update.get("completed")), printed, paused

    def finish(self, logs: str) -> None:
        """The rest of the body's logs (from the completed job) and of every task."""
        tail = logs.encode("utf-16-le", "surrogatepass")[2 * self.offset:].decode("utf-16-le", "replace")
        self._follow_tasks()
        self._body.feed(tail, final=True)
        for task in self._tasks.values():
            task["lines"].feed("", final=True)

    def _follow_tasks(self) -> bool:
        printed = False
        for job in self.client.child_jobs(self.job_id):
            task = self._tasks.get(job.get("id"))
            if task is None:
                label = str(job.get("script_path") or job.get("id", "")[:8]).rsplit("/", 1)[-1]
                self._width = max(self._width, len(label))
                task = self._tasks[job["id"]] = {"offset": 0, "done": False, "lines": _Lines(self._labelled(label))}
            if task["done"]:
                continue
            update = self.client.job_update(job["id"], True, task["offset"])
            logs = update.get("new_logs") or ""
            task["lines"].feed(logs)
            task["offset"] += utf16_length(logs)
            task["done"] = bool(update.get("completed"))
            printed = printed or bool(logs)
        return printed


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()
