"""A run's timeline as text: one row per task, cache hit, sleep and approval.

Names, start, duration and status are never cut; the bar only gets the width
that is left, and goes when there is too little (narrow terminal or a pipe).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .terminal import Style

MIN_BAR = 10
MAX_BAR = 40
STATUS_COLORS = {"success": "32", "failure": "31", "canceled": "31", "cached": "36"}
WAIT_ENDS = {"woke", "approved", "rejected", "approval_timeout"}


@dataclass
class Row:
    name: str
    start: float
    end: float | None
    status: str
    depth: int = 0  # a flow loop's iterations sit under the loop's row


def rows_of(store, run_id: str) -> tuple[list[Row], float, float]:
    """Timeline rows of a run, with its start and end times."""
    run = store.job(run_id)
    start = run.started_at or run.created_at
    rows = [Row(job.step_key or "", job.started_at, job.completed_at, job.status)
            for job in store.tree(run_id) if job.parent_id is not None and job.started_at]
    waits: dict[str, Row] = {}
    for event in store.events(run_id):
        if event.kind == "cache_hit":
            rows.append(Row(event.key or "workflow", event.at, event.at, "cached"))
        elif event.kind in ("sleep", "approval"):
            waits[event.key or ""] = Row(f"{event.key} ({event.kind})", event.at, None, "waiting")
            rows.append(waits[event.key or ""])
        elif event.kind in WAIT_ENDS and (event.key or "") in waits:
            row = waits.pop(event.key or "")
            row.end, row.status = event.at, {"woke": "done", "approval_timeout": "timeout"}.get(event.kind, event.kind)
    rows.sort(key=lambda r: r.start)
    if run.script_path.endswith("flow.py") or run.options.get("raw_flow"):  # a flow: draw its loops
        from .flows.layout import flow_value, shaped

        value = flow_value(run.script_path, run.options)
        if value is not None:
            rows = shaped(rows, value, _loop_row)
    end = max([run.completed_at or time.time()] + [r.end or 0 for r in rows])
    return rows, start, end


def _loop_row(name: str, members: list[Row]) -> Row:
    """A loop's own row: from its first iteration's start to its last's end, failed if one failed."""
    statuses = {m.status for m in members}
    status = ("failure" if "failure" in statuses else "running" if any(m.end is None for m in members)
              else "success" if statuses <= {"success", "cached"} else sorted(statuses)[0])
    ends = [m.end for m in members]
    return Row(name, min(m.start for m in members), None if None in ends else max(ends), status)


def render_timeline(store, run_id: str, style: Style, columns: int) -> str:
    rows, start, end = rows_of(store, run_id)
    if not rows:
        return ""
    span = max(end - start, 1e-6)
    name_width = max(len("step"), *(len(r.name) + 2 * r.depth for r in rows))
    status_width = max(len("status"), *(len(r.status) for r in rows))
    fixed = name_width + 2 + 9 + 2 + 8 + 2 + status_width + 2
    bar_width = min(MAX_BAR, columns - fixed) if style.live else 0
    if bar_width < MIN_BAR:
        bar_width = 0
    header = f"{'step'.ljust(name_width)}  {'start':>9}  {'duration':>8}  {'status'}"
    lines = ["Timeline", header]
    for row in rows:
        duration = (row.end or end) - row.start
        status = style.paint(row.status.ljust(status_width), STATUS_COLORS.get(row.status, "33"))
        name = "  " * row.depth + row.name
        line = f"{name.ljust(name_width)}  {f'+{row.start - start:.2f}s':>9}  {f'{duration:.2f}s':>8}  {status}"
        if bar_width:
            lead = int((row.start - start) / span * bar_width)
            width = max(1, int(duration / span * bar_width))
            line += "  " + " " * lead + style.paint("█" * min(width, bar_width - lead), STATUS_COLORS.get(row.status, "33"))
        lines.append(line.rstrip())
    return "\n".join(lines) + "\n"
