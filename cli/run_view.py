"""How a local run looks in the terminal: prefixed live logs, waits, approvals, result, timeline.

Logs are written as they arrive, one write per chunk of output (no per-line
formatting library), with the full step key as prefix: nothing that tells two
tasks apart is ever cut. In a pipe or a narrow terminal everything is plain
text, one line per fact.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Callable, Iterator

from .timeline import render_timeline
from .terminal import Style

HIDDEN_PREFIXES = ("--- WAC:", "WM_WAC_STEP:")
PALETTE = ("36", "35", "32", "33", "34", "95", "96", "92")


class RunView:
    """Callbacks for the engine plus the end-of-run rendering."""

    def __init__(self, *, silent: bool = False, stream=None) -> None:
        self.silent = silent
        self.stream = stream or sys.stderr
        self.style = Style.for_stream(self.stream)
        self.interactive = not silent and sys.stdin.isatty() and self.stream.isatty()
        self._labels: dict[str, str] = {}
        self._colors: dict[str, str] = {}
        self._width = 8
        self._partial: dict[str, str] = {}
        self._live = ""  # the countdown line currently shown (terminal only)
        self._slept: set[str] = set()
        self._lock = threading.Lock()

    # -- engine callbacks ------------------------------------------------------------------
    def on_log(self, job_id: str, label: str, text: str) -> None:
        if self.silent:
            return
        lines = (self._partial.pop(job_id, "") + text).split("\n")
        if lines[-1]:
            self._partial[job_id] = lines[-1]
        lines = lines[:-1]
        if label == "workflow":
            lines = [line for line in lines if line.strip() and not line.startswith(HIDDEN_PREFIXES)]
        if lines:
            self._write_lines(job_id, label, lines)

    def flush_partial(self) -> None:
        for job_id, rest in list(self._partial.items()):
            self._write_lines(job_id, self._labels.get(job_id, "workflow"), [rest])
        self._partial.clear()

    def _write_lines(self, job_id: str, label: str, lines: list[str]) -> None:
        if len(label) > self._width:
            self._width = len(label)
        self._labels[job_id] = label
        color = self._colors.setdefault(label, PALETTE[len(self._colors) % len(PALETTE)])
        prefix = self.style.paint(label.rjust(self._width), color) + " │ "
        self._emit("".join(prefix + line + "\n" for line in lines))

    def on_event(self, event) -> None:
        if self.silent:
            return
        if event.kind == "cache_hit":
            until = datetime.fromtimestamp(event.detail["expires_at"]).strftime("%H:%M:%S")
            what = "the task did not run" if event.key else "nothing ran"
            self._note(event.key or "workflow", f"cache hit: result reused (cached until {until}), {what}")
        elif event.kind == "concurrency_limited":
            limit, key = event.detail["limit"], event.detail["key"]
            self._note("workflow", f"waiting: at most {limit} run(s) of {key} at once (concurrency limit)")
        elif event.kind == "interrupted":
            self._note(event.key or "workflow", "interrupted before it recorded an outcome: it runs again")
        elif event.kind == "approval_timeout":
            self._note(event.key or "", "approval timed out: continuing with approved=false")
        elif event.kind in ("approved", "rejected"):
            who = (event.detail or {}).get("approver") or "anonymous"
            self._note(event.key or "", f"{event.kind} by {who}")

    def on_sleep(self, run_id: str, key: str, wake_at: float) -> None:
        if self.silent:
            return
        remaining = max(0, wake_at - time.time())
        if self.style.live:
            line = self.style.dim(f"{'sleep'.rjust(self._width)} │ {key}: waking in {remaining:.0f}s "
                                  "(--skip-sleeps to fast-forward)")
            with self._lock:
                if line != self._live:
                    self.stream.write("\r\033[K" + line)
                    self.stream.flush()
                    self._live = line
        elif key not in self._slept:
            self._slept.add(key)
            until = datetime.fromtimestamp(wake_at).strftime("%H:%M:%S")
            self._note(key, f"sleeping {remaining:.0f}s, until {until} (--skip-sleeps to fast-forward)")

    def approval_requested(self, run_id: str, key: str, detail: dict[str, Any], deadline: float,
                           answer: Callable[[str, str, bool, Any], None]) -> bool | None:
        """Ask in a terminal (without holding up the run loop); otherwise say how to answer."""
        if self.silent:
            return None
        until = datetime.fromtimestamp(deadline).strftime("%H:%M:%S")
        self._note(key, f"waiting for approval until {until}; answer with `wac job approve {run_id[:8]}`"
                        " (or --reject), or from the approval page")
        if not self.interactive:
            return None
        threading.Thread(target=self._ask, args=(run_id, key, detail, answer), daemon=True).start()
        return True

    def _ask(self, run_id: str, key: str, detail: dict[str, Any], answer) -> None:
        from rich.console import Console
        from rich.prompt import Confirm, Prompt

        console = Console(stderr=True, highlight=False)
        approved = Confirm.ask(f"Approve step [cyan]{key}[/]?", default=True, console=console)
        value: dict[str, Any] = {}
        form = detail.get("form") or {}
        fields = form.get("properties", form) if isinstance(form, dict) else {}
        for name, spec in fields.items():
            if isinstance(spec, dict):
                value[name] = Prompt.ask(f"  {name}", choices=spec.get("enum"), console=console)
        answer(run_id, key, approved, value or None)

    # -- rendering -----------------------------------------------------------------------------
    def started(self, run_id: str, what: str) -> None:
        if not self.silent:
            self._emit(self.style.dim(f"Running {what} as job {run_id}") + "\n")

    @contextmanager
    def installing(self, what: str, pins: list[str]) -> Iterator[None]:
        """A spinner while a new environment is made (one line when not a terminal)."""
        shown = ", ".join(pins[:4]) + (f" and {len(pins) - 4} more" if len(pins) > 4 else "")
        text = f"Creating an environment for {what}: {shown}"
        if not self.style.live:
            if not self.silent:
                self._emit(self.style.dim(text) + "\n")
            yield
            return
        from rich.console import Console

        with Console(stderr=True, highlight=False).status(text):
            yield

    def note_already_ended(self, run_id: str, status: str) -> None:
        self._emit(self.style.dim(f"job {run_id[:8]} already ended ({status}); --restart runs it again") + "\n")

    def warnings(self, findings: list[Any]) -> None:
        if self.silent:
            return
        for f in findings:
            self._emit(self.style.paint("warning:", "33") + f" {f.path}:{f.line} {f.code} {f.message}\n")

    def render_end(self, store, run_id: str) -> None:
        """The timeline, the status line and the result (stdout)."""
        self.flush_partial()
        job = store.job(run_id)
        if self.silent:
            sys.stdout.write(json.dumps(job.result, ensure_ascii=False) + "\n")
            return
        import shutil  # here: a silent run (-s) never sizes the terminal

        timeline = render_timeline(store, run_id, self.style, shutil.get_terminal_size().columns)
        if timeline:
            self._emit(timeline)
        color = "32" if job.status == "success" else "31"
        self._emit(self.style.paint(f"Workflow {job.status}", color, bold=True) + self.style.dim(f" ({run_id})") + "\n")
        sys.stdout.write(json.dumps(job.result, indent=2, ensure_ascii=False) + "\n")

    def _note(self, label: str, text: str) -> None:
        self._emit(self.style.dim(f"{label.rjust(self._width)} │ {text}") + "\n")

    def _emit(self, text: str) -> None:
        with self._lock:
            if self._live:
                text = "\r\033[K" + text
                self._live = ""
            self.stream.write(text)
            self.stream.flush()

