"""What `wac job list|show|logs` print: runs, one run in detail, logs."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from typing import Any

from wac.sdk.engine import TERMINAL, Job

from .output import Output
from .terminal import Style
from .timeline import render_timeline


def summary(job: Job) -> dict[str, Any]:
    """A job as `--json` shows it."""
    return {"id": job.id, "script": job.windmill_path or job.script_path, "step_key": job.step_key,
            "status": job.status, "created": _time(job.created_at), "duration_s": job.duration, "tag": job.tag,
            "attempt": job.attempt}


def print_run_list(out: Output, store, limit: int | None) -> None:
    runs = store.runs(limit=limit)
    total = store.count_runs()
    if out.json_mode:
        out.print_json([summary(r) for r in runs])
        return
    if not runs:
        out.line("No runs yet: start one with `wac script preview <script>`")
        return
    rows = [(r.id[:8], r.windmill_path or r.script_path, r.status, _time(r.created_at),
             f"{r.duration:.2f}s" if r.duration is not None else "") for r in runs]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(HEADERS)]
    out.line("  ".join(h.ljust(w) for h, w in zip(HEADERS, widths)).rstrip())
    for row in rows:
        out.line("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    if len(runs) < total:
        out.line(f"(showing {len(runs)} of {total} runs: --limit N or --all for more)")


HEADERS = ("id", "script", "status", "created", "duration")


def print_run(out: Output, store, job: Job) -> None:
    waiting = store.waiting_for(job.id) if job.status in ("sleeping", "approval", "waiting") else []
    called = store.called_runs(job.id) if job.parent_id is None else []
    if out.json_mode:
        out.print_json({**summary(job), "args": job.args, "result": job.result, "waiting_for": waiting,
                        "tasks": [summary(c) for c in store.children(job.id)],
                        "called_runs": [summary(c) for c in called],
                        "timeline": [{"job_id": e.job_id, "at": e.at, "kind": e.kind, "key": e.key,
                                      "detail": e.detail} for e in store.events(job.root_id)]})
        return
    out.line(f"{job.id}  {job.windmill_path or job.script_path}  {job.status}")
    out.line(f"args: {json.dumps(job.args, ensure_ascii=False)}")
    for line in describe_wait(job, waiting):
        out.line(line)
    timeline = render_timeline(store, job.root_id, Style.for_stream(sys.stdout), 200)
    if timeline:
        out.line(timeline.rstrip("\n"))
    for run in called:  # a called flow's steps are in its own run
        out.line(f"called {run.windmill_path}: run {run.id[:8]} ({run.status}), see `wac job show {run.id[:8]}`")
    if job.finished:
        out.line("result:")
        out.print_json(job.result)


def describe_wait(job: Job, waiting: list[dict[str, Any]]) -> list[str]:
    """`waiting for approval of x until 12:00:00` and the like, for a run that waits."""
    until = f" until {_time(job.wake_at)}" if job.wake_at else ""
    lines = []
    for wait in waiting:
        if wait["kind"] == "approval":
            lines.append(f"waiting for approval of `{wait['key']}`{until} (answer: wac job approve {job.id[:8]})")
        elif wait["kind"] == "sleep":
            lines.append(f"sleeping (`{wait['key']}`){until}")
        else:
            lines.append(f"waiting for task `{wait['key']}`")
    return lines


def stream_logs(store, job: Job, follow: bool, stream) -> None:
    """Each job's output with its label; with `follow`, until the run ends."""
    tree = job.parent_id is None
    seen: dict[str, int] = {}
    partial: dict[str, str] = {}
    while True:
        jobs = store.tree(job.id) if tree else [store.job(job.id)]
        ended = not follow or store.job(job.root_id).status in TERMINAL
        for current in jobs:
            label = current.step_key or "workflow"
            text = partial.pop(current.id, "")
            for seq, chunk in store.logs(current.id, seen.get(current.id, 0)):
                seen[current.id] = seq
                text += chunk
            lines = text.split("\n")
            if lines[-1] and not ended:
                partial[current.id] = lines[-1]
            lines = lines[:-1] if not ended or not lines[-1] else lines
            stream.write("".join(f"{label} │ {line}\n" for line in lines))
        stream.flush()
        if ended:
            return
        time.sleep(0.2)


def _time(at: float | None) -> str:
    return datetime.fromtimestamp(at).isoformat(timespec="seconds") if at else ""
