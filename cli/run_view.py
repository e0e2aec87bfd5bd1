"""How a run looks in the terminal: prefixed live logs, approvals, result and timeline."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from rich.markup import escape
from rich.prompt import Confirm, Prompt
from rich.table import Table

from wac.sdk._engine.store import JobStore

from .output import Output

_COLORS = ("cyan", "magenta", "green", "yellow", "blue", "bright_magenta", "bright_cyan", "bright_green")
BAR_WIDTH = 40


class RunView:
    """Callbacks for the executor plus the end-of-run rendering."""

    def __init__(self, out: Output, *, silent: bool = False) -> None:
        self.out = out
        self.silent = silent
        self._colors: dict[str, str] = {}
        self._last_sleep_note = 0.0

    def on_log(self, label: str, line: str) -> None:
        if self.silent or (label == "workflow" and (not line.strip() or line.startswith("--- WAC:"))):
            return
        color = self._colors.setdefault(label, _COLORS[len(self._colors) % len(_COLORS)])
        self.out.err.print(f"[{color}]{escape(label):>18.18}[/] │ {escape(line)}", soft_wrap=True)

    def on_sleep(self, key: str, seconds: float) -> None:
        now = time.monotonic()
        if self.silent or now - self._last_sleep_note < 1:
            return
        self._last_sleep_note = now
        self.out.err.print(f"[dim]{'sleep':>18} │ {key}: waking in {seconds:.0f}s "
                           "(--skip-sleeps to fast-forward)[/]")

    def render_end(self, store: JobStore, root_id: str) -> None:
        root = store.job(root_id)
        result = json.loads(root["result"]) if root["result"] else None
        if self.silent:
            sys.stdout.write(json.dumps(result) + "\n")
            return
        self.render_timeline(store, root_id)
        status = root["status"]
        color = "green" if status == "success" else "red"
        self.out.err.print(f"[bold {color}]Workflow {status}[/] [dim]({root_id})[/]")
        self.out.print_json(result)

    def render_timeline(self, store: JobStore, root_id: str) -> None:
        jobs = [j for j in store.iter_jobs(root_id) if j["parent_id"] is not None and j["started_at"]]
        root = store.job(root_id)
        start = root["started_at"] or root["created_at"]
        end = max([root["completed_at"] or time.time()] + [j["completed_at"] or 0 for j in jobs])
        span = max(end - start, 1e-6)
        table = Table(title="Timeline", show_edge=False, pad_edge=False, box=None)
        for name in ("step", "start", "duration", "status", ""):
            table.add_column(name, no_wrap=True)
        for job in jobs:
            offset = job["started_at"] - start
            duration = (job["completed_at"] or end) - job["started_at"]
            lead = int(offset / span * BAR_WIDTH)
            width = max(1, int(duration / span * BAR_WIDTH))
            color = {"success": "green", "failure": "red"}.get(job["status"], "yellow")
            tag = f" [dim]#{escape(job['tag'])}[/]" if job["tag"] else ""
            table.add_row(escape(job["step_key"] or "") + tag, f"+{offset:.2f}s", f"{duration:.2f}s",
                          f"[{color}]{job['status']}[/]", " " * lead + f"[{color}]{'█' * width}[/]")
        if jobs:
            self.out.err.print(table)


def ask_approval(out: Output, key: str, detail: dict[str, Any]) -> dict[str, Any] | None:
    """Ask in the terminal: approve or reject, and the form's fields."""
    out.err.print(f"[bold]Approval requested[/] for step [cyan]{escape(key)}[/]")
    approved = Confirm.ask("Approve?", default=True, console=out.err)
    value: dict[str, Any] = {}
    form = detail.get("form") or {}
    fields = form.get("properties", form) if isinstance(form, dict) else {}
    for name, spec in fields.items():
        if isinstance(spec, dict):
            choices = spec.get("enum")
            value[name] = Prompt.ask(f"  {name}", choices=choices, console=out.err)
    return {"approved": approved, "approver": "local", "value": value or None}
