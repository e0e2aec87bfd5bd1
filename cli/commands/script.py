"""`wac script preview PATH`: run a local WAC script on the bundled executor."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..output import Output
from .job import drive, finish, run_settings

app = typer.Typer(no_args_is_help=True, help="Run scripts: locally (preview).")


@app.command("preview")
def preview(
    path: Path = typer.Argument(..., help="The script, e.g. f/examples/etl.py"),
    data: Optional[str] = typer.Option(None, "-d", "--data", help="Arguments: JSON, @file or @- (stdin)."),
    silent: bool = typer.Option(False, "-s", "--silent", help="Print only the result JSON."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Tasks run at once (default: CPU count)."),
    skip_sleeps: bool = typer.Option(False, "--skip-sleeps", help="Fast-forward durable sleeps."),
    isolate_rounds: bool = typer.Option(False, "--isolate-rounds", help="Fork each workflow round from a fresh import (slower; module globals reset every round, as on a worker)."),
    approve: bool = typer.Option(False, "--approve", help="Approve every approval step."),
    reject: bool = typer.Option(False, "--reject", help="Reject every approval step."),
    approval_value: Optional[str] = typer.Option(None, "--approval-value", help="JSON form value for approvals."),
    store: Optional[Path] = typer.Option(None, "--store", envvar="WAC_STORE", help="Job store (default .wac/jobs.db)."),
) -> None:
    """Run a workflow locally with Windmill's checkpoint/replay semantics."""
    from ..args import parse_data
    from ..preview import executor, prepare
    from ..run_view import RunView

    out = Output()
    args = parse_data(data)
    prepared = prepare(path, args, store)
    for finding in prepared.warnings:
        if not silent:
            out.err.print(f"[yellow]warning:[/] {finding.path}:{finding.line} {finding.code} {finding.message}")
    view = RunView(out, silent=silent)
    settings = run_settings(out, view, approve=approve, reject=reject, approval_value=approval_value,
                            silent=silent, skip_sleeps=skip_sleeps, isolate_rounds=isolate_rounds, workers=workers)
    runner = executor(prepared, settings)
    root_id = runner.create_run(args)
    if not silent:
        out.err.print(f"[dim]Running {path} as job {root_id}[/]")
    finish(out, view, runner, root_id, drive(out, runner, root_id))
