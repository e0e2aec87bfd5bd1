"""`wac job list|show|logs|resume|cancel`: runs in the local job store."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import FAILED, WAITING_FOR_APPROVAL, InvalidInput
from ..output import Output
from ..project import find_root

if TYPE_CHECKING:  # the executor and run view load with the commands that use them
    from wac.sdk._engine.scheduler import Executor, Settings
    from wac.sdk._engine.store import JobStore

    from ..run_view import RunView


app = typer.Typer(no_args_is_help=True, help="Inspect and control local runs.")
StoreOption = typer.Option(None, "--store", envvar="WAC_STORE", help="Job store (default .wac/jobs.db).")


def _store(store: Optional[Path]) -> Path:
    from ..preview import store_path

    return store_path(find_root(Path.cwd()), store)


def _open(store: Optional[Path]) -> JobStore:
    from wac.sdk._engine.store import JobStore

    path = _store(store)
    if not path.is_file():
        raise InvalidInput(f"no job store at {path}", "run `wac script preview <script>` first")
    return JobStore(path)


def run_settings(out: Output, view: RunView, *, approve: bool, reject: bool, approval_value: Optional[str],
                 silent: bool, skip_sleeps: bool, isolate_rounds: bool, workers: Optional[int]) -> Settings:
    """Executor settings from the options `preview` and `resume` share."""
    settings = approval_policy(out, approve, reject, approval_value, silent)
    settings.on_log, settings.on_sleep = view.on_log, view.on_sleep
    settings.skip_sleeps, settings.isolate_rounds = skip_sleeps, isolate_rounds
    if workers:
        settings.workers = workers
    return settings


def approval_policy(out: Output, approve: bool, reject: bool, value: Optional[str], silent: bool) -> Settings:
    """Answer approvals from flags, by asking in a terminal, or not at all (the run suspends)."""
    from wac.sdk._engine.scheduler import Settings

    from ..run_view import ask_approval

    if approve and reject:
        raise InvalidInput("--approve and --reject exclude each other", "pick one")
    parsed = None
    if value is not None:
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            raise InvalidInput("--approval-value is not valid JSON", """e.g. --approval-value '{"reason": "ok"}'""") from None
    settings = Settings()
    if approve or reject or value is not None:
        decision = {"approved": not reject, "approver": "cli", "value": parsed}
        settings.approve = lambda key, detail: decision
    elif sys.stdin.isatty() and not silent:
        settings.approve = lambda key, detail: ask_approval(out, key, detail)
    return settings


def drive(out: Output, runner: Executor, root_id: str) -> str:
    """Run to the end; Ctrl-C stops the tasks and says how to pick the run up again."""
    try:
        return runner.run(root_id)
    except KeyboardInterrupt:
        out.err.print(f"[yellow]interrupted[/]: job {root_id} keeps its checkpoint")
        out.err.print(f"[dim]hint: continue with `wac job resume {root_id[:8]}`[/]")
        raise typer.Exit(130) from None


def finish(out: Output, view: RunView, runner: Executor, root_id: str, status: str) -> None:
    """Render the end of a run and exit with its code."""
    if status == "approval":
        key = runner.store.pending(root_id)[0]["key"]
        out.err.print(f"[yellow]Waiting for approval[/] of step [cyan]{escape(key)}[/] in job {root_id}")
        out.err.print(f"[dim]hint: resume with `wac job resume {root_id[:8]} --approve` (or --reject)[/]")
        raise typer.Exit(WAITING_FOR_APPROVAL)
    view.render_end(runner.store, root_id)
    if status != "success":
        raise typer.Exit(FAILED)


@app.command("list")
def list_jobs(json_output: bool = typer.Option(False, "--json"), store: Optional[Path] = StoreOption) -> None:
    """Recent runs, newest first."""
    out = Output(json_mode=json_output)
    rows = _open(store).roots()
    if json_output:
        out.print_json([_summary(r) for r in rows])
        return
    table = Table(box=None)
    for name in ("id", "script", "status", "created", "duration"):
        table.add_column(name)
    for row in rows:
        s = _summary(row)
        table.add_row(row["id"][:8], escape(s["script"]), s["status"], s["created"],
                      f"{s['duration_s']:.2f}s" if s["duration_s"] is not None else "")
    out.out.print(table)


@app.command("show")
def show(ref: str, json_output: bool = typer.Option(False, "--json"), store: Optional[Path] = StoreOption) -> None:
    """Status, result and timeline of a run (or a task)."""
    out = Output(json_mode=json_output)
    db = _open(store)
    job = _find(db, ref)
    children = [_summary(c) for c in db.children(job["id"])]
    if json_output:
        out.print_json({**_summary(job), "result": _json(job["result"]), "tasks": children,
                        "timeline": [dict(e) for e in db.events(job["root_id"])]})
        return
    from ..run_view import RunView

    out.out.print(f"[bold]{job['id']}[/]  {escape(Path(job['script_path']).name)}  {job['status']}")
    RunView(out).render_timeline(db, job["root_id"])
    out.print_json(_json(job["result"]))


@app.command("logs")
def logs(ref: str, follow: bool = typer.Option(False, "--follow", "-f"), store: Optional[Path] = StoreOption) -> None:
    """Logs of a run and its tasks (or of one task)."""
    from wac.sdk._engine.store import TERMINAL

    db = _open(store)
    job = _find(db, ref)
    ids = [job["id"]] + ([c["id"] for c in db.iter_jobs(job["id"]) if c["id"] != job["id"]]
                         if job["parent_id"] is None else [])
    seen = {i: 0 for i in ids}
    while True:
        for job_id in list(seen):
            for row in db.logs(job_id, seen[job_id]):
                label = db.job(job_id)["step_key"] or "workflow"
                sys.stdout.write(f"{label:>14.14} │ {row['text']}\n")
                seen[job_id] = row["seq"]
        if not follow or db.job(job["root_id"])["status"] in TERMINAL:
            return
        seen.update({c["id"]: 0 for c in db.iter_jobs(job["root_id"]) if c["id"] not in seen})
        time.sleep(0.2)


@app.command("resume")
def resume(
    ref: str,
    approve: bool = typer.Option(False, "--approve"),
    reject: bool = typer.Option(False, "--reject"),
    approval_value: Optional[str] = typer.Option(None, "--approval-value"),
    restart: bool = typer.Option(False, "--restart", help="Start over with the same arguments."),
    skip_sleeps: bool = typer.Option(False, "--skip-sleeps"),
    isolate_rounds: bool = typer.Option(False, "--isolate-rounds"),
    workers: Optional[int] = typer.Option(None, "--workers", min=1),
    silent: bool = typer.Option(False, "-s", "--silent"),
    store: Optional[Path] = StoreOption,
) -> None:
    """Continue a run from its checkpoint (after a crash, a sleep or an approval)."""
    from wac.sdk._engine.scheduler import Executor, SourceChanged
    from wac.sdk._engine.store import TERMINAL, JobStore

    from ..preview import prepare, resume_target, source_changed_error
    from ..run_view import RunView

    out = Output()
    path = _store(store)
    job = resume_target(path, ref)
    args = json.loads(job["args"])
    if job["status"] in TERMINAL and not restart:  # nothing left to do: show how it ended
        view = RunView(out, silent=silent)
        if not silent:
            out.err.print(f"[dim]job {job['id'][:8]} already ended ({job['status']}); --restart runs it again[/]")
        view.render_end(JobStore(path), job["id"])
        raise typer.Exit(0 if job["status"] == "success" else FAILED)
    prepared = prepare(Path(job["script_path"]), args, path)
    view = RunView(out, silent=silent)
    settings = run_settings(out, view, approve=approve, reject=reject, approval_value=approval_value,
                            silent=silent, skip_sleeps=skip_sleeps, isolate_rounds=isolate_rounds, workers=workers)
    runner = Executor(prepared.store, prepared.script, prepared.root, settings)
    root_id = runner.create_run(args) if restart else job["id"]
    try:
        status = drive(out, runner, root_id)
    except SourceChanged:
        raise source_changed_error(root_id) from None
    finish(out, view, runner, root_id, status)


@app.command("cancel")
def cancel(ref: str, store: Optional[Path] = StoreOption) -> None:
    """Cancel a run and its queued tasks; a running preview stops its tasks."""
    db = _open(store)
    job = _find(db, ref)
    with db.transaction() as conn:
        conn.execute("UPDATE jobs SET status='canceled', completed_at=? WHERE root_id=? AND status NOT IN"
                     " ('success','failure','canceled')", (time.time(), job["root_id"]))
        db.add_event(job["root_id"], "canceled")
    Output().out.print(f"Canceled {job['root_id']}")


def _find(db: JobStore, ref: str):
    from ..preview import RunNotFound

    matches = db.find_job(ref)
    if not matches:
        raise RunNotFound(ref)
    if len(matches) > 1:
        raise InvalidInput(f"`{ref}` matches {len(matches)} jobs", "give more characters of the id")
    return matches[0]


def _json(text: Optional[str]) -> Any:
    return json.loads(text) if text else None


def _summary(row) -> dict[str, Any]:
    started, ended = row["started_at"], row["completed_at"]
    return {"id": row["id"], "script": Path(row["script_path"]).name, "step_key": row["step_key"],
            "status": row["status"], "created": datetime.fromtimestamp(row["created_at"]).isoformat(timespec="seconds"),
            "duration_s": (ended - started) if started and ended else None, "tag": row["tag"],
            "attempt": row["attempt"]}
