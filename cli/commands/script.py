"""`wac script preview PATH`: run a local script on the bundled executor."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ._shared import (ApprovalValueOption, ApproveOption, ApproverOption, RejectOption, SilentOption,
                      SkipSleepsOption, StoreOption, WorkersOption, finish, run_options)

app = typer.Typer(no_args_is_help=True, help="Run scripts: locally (preview).")


@app.command("preview")
def preview(
    path: Path = typer.Argument(..., help="The script to run, e.g. f/examples/etl.py"),
    data: Optional[str] = typer.Option(None, "-d", "--data", metavar="JSON",
                                       help="Arguments of main(): JSON, @file or @- (stdin)."),
    silent: bool = SilentOption,
    workers: Optional[int] = WorkersOption,
    skip_sleeps: bool = SkipSleepsOption,
    approve: bool = ApproveOption,
    reject: bool = RejectOption,
    approval_value: Optional[str] = ApprovalValueOption,
    approver: Optional[str] = ApproverOption,
    store: Optional[Path] = StoreOption,
) -> None:
    """Run a script locally with Windmill's checkpoint/replay semantics."""
    from ..args import parse_data
    from ..local_runs import preview as run_preview
    from ..run_view import RunView

    view = RunView(silent=silent)
    options = run_options(workers=workers, skip_sleeps=skip_sleeps, approve=approve, reject=reject,
                          approval_value=approval_value, approver=approver, store=store)
    finish(view, run_preview(path, parse_data(data), options, view))
