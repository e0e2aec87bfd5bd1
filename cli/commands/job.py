"""`wac job list|show|logs|resume|cancel|approve|prune|export`: runs in the local job store."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import List, Optional

import typer

from ..run_commands import finish, run_options
from ._shared import (ApprovalValueOption, ApproveOption, ApproverOption, BaseUrlOption, ConfigDirOption, JsonOption,
                      ProfileOption, RejectOption, ResourceOption, SilentOption, SkipSleepsOption, StoreOption,
                      TokenOption, VariableOption, WorkersOption, remote_target)

app = typer.Typer(no_args_is_help=True, help="Inspect and control local runs.")
RunArgument = typer.Argument(..., metavar="ID", help="A run's id, or the first characters of it.")


@app.command("list")
def list_runs(
    limit: int = typer.Option(30, "--limit", "-n", min=1, metavar="N", help="Show at most N runs (newest first)."),
    show_all: bool = typer.Option(False, "--all", help="Show every run."),
    json_output: bool = JsonOption,
    store: Optional[Path] = StoreOption,
) -> None:
    """Recent runs, newest first."""
    from ..job_views import print_run_list
    from ..local_runs import open_local_store
    from ..output import Output

    print_run_list(Output(json_mode=json_output), open_local_store(store), None if show_all else limit)


@app.command("show")
def show(ref: str = RunArgument, json_output: bool = JsonOption, store: Optional[Path] = StoreOption) -> None:
    """A run's arguments, status, what it waits for, its tasks, timeline and result."""
    from ..job_views import print_run
    from ..local_runs import open_local_store
    from ..output import Output

    db = open_local_store(store)
    print_run(Output(json_mode=json_output), db, _job(db, ref))


@app.command("logs")
def logs(
    ref: str = RunArgument,
    follow: bool = typer.Option(False, "--follow", "-f", help="Keep printing new output until the run ends."),
    store: Optional[Path] = StoreOption,
) -> None:
    """Output of a run and its tasks (or of one task)."""
    from ..job_views import stream_logs
    from ..local_runs import open_local_store

    db = open_local_store(store)
    stream_logs(db, _job(db, ref), follow, sys.stdout)


@app.command("resume")
def resume(
    ref: str = RunArgument,
    restart: bool = typer.Option(False, "--restart", help="Start over with the same arguments."),
    approve: bool = ApproveOption,
    reject: bool = RejectOption,
    approval_value: Optional[str] = ApprovalValueOption,
    approver: Optional[str] = ApproverOption,
    skip_sleeps: bool = SkipSleepsOption,
    workers: Optional[int] = WorkersOption,
    silent: bool = SilentOption,
    store: Optional[Path] = StoreOption,
    variables: Optional[List[str]] = VariableOption,
    resources: Optional[List[str]] = ResourceOption,
) -> None:
    """Continue a run from its checkpoint (after a crash, Ctrl-C, a sleep or an approval)."""
    from ..local_runs import resume as resume_run
    from ..run_view import RunView

    view = RunView(silent=silent)
    options = run_options(workers=workers, skip_sleeps=skip_sleeps, approve=approve, reject=reject,
                          approval_value=approval_value, approver=approver, store=store, variables=variables,
                          resources=resources)
    finish(view, resume_run(ref, options, view, restart=restart))


@app.command("cancel")
def cancel(
    ref: str = RunArgument,
    reason: Optional[str] = typer.Option(None, "--reason", help="Why, recorded with the run."),
    store: Optional[Path] = StoreOption,
) -> None:
    """Cancel a run and its tasks (a running preview stops them)."""
    from ..errors import Failed
    from ..local_runs import approver_name, open_local_store
    from ..output import Output

    db = open_local_store(store)
    job = _job(db, ref)
    canceled, status = db.cancel(job.id, reason, by=approver_name(None))
    if not canceled:
        raise Failed(f"run {job.id[:8]} already ended ({status}): nothing to cancel",
                     "`wac job list` shows the runs still going")
    Output().err_line(f"Canceled run {job.id}")


@app.command("approve")
def approve(
    ref: str = RunArgument,
    reject: bool = typer.Option(False, "--reject", help="Reject instead of approving."),
    value: Optional[str] = typer.Option(None, "--value", metavar="JSON", help="The approval form's value."),
    approver: Optional[str] = ApproverOption,
    key: Optional[str] = typer.Option(None, "--key", help="Only if this approval step is the one waiting."),
    store: Optional[Path] = StoreOption,
) -> None:
    """Answer the approval a run waits for (the run then continues wherever it is driven)."""
    from ..args import parse_json_option
    from ..errors import Failed
    from ..local_runs import approver_name, open_local_store
    from ..output import Output

    db = open_local_store(store)
    job = _job(db, ref)
    answered = db.answer_approval(job.id, not reject, parse_json_option(value, "--value"),
                                  approver_name(approver), key)
    if answered is None:
        raise Failed(f"run {job.id[:8]} is not waiting for {'approval ' + key if key else 'an approval'}"
                     f" (it is {job.status})", "`wac job show` tells what a run waits for")
    Output().err_line(f"{'Rejected' if reject else 'Approved'} step {answered} of run {job.id}")
    if not db.is_driven(job.id):
        Output().err_line(f"Continue it with `wac job resume {job.id[:8]}`")


@app.command("prune")
def prune(
    older_than: Optional[str] = typer.Option(None, "--older-than", metavar="AGE",
                                             help="Delete finished runs older than AGE (e.g. 7d, 12h, 30m)."),
    keep: Optional[int] = typer.Option(None, "--keep", min=0, metavar="N", help="Keep only the newest N finished runs."),
    store: Optional[Path] = StoreOption,
) -> None:
    """Delete finished runs with their tasks, logs and timelines (runs still going are kept)."""
    from ..args import parse_age
    from ..errors import InvalidInput
    from ..local_runs import open_local_store
    from ..output import Output

    if older_than is None and keep is None:
        raise InvalidInput("say which runs to delete", "e.g. `wac job prune --older-than 7d` or `--keep 100`")
    cutoff = time.time() - parse_age(older_than) if older_than else None
    count = open_local_store(store).prune(older_than=cutoff, keep=keep)
    Output().err_line(f"Deleted {count} finished run(s)")


@app.command("export")
def export(
    ref: str = typer.Argument(..., metavar="ID", help="A run's id (locally: or the first characters of it)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="FILE",
                                          help="Write the history to FILE (default: stdout)."),
    store: Optional[Path] = StoreOption,
    remote: bool = typer.Option(False, "--remote", help="A job of the workspace (wac server or Windmill), "
                                                          "not of the local store."),
    workspace: Optional[str] = ProfileOption, base_url: Optional[str] = BaseUrlOption,
    token: Optional[str] = TokenOption, config_dir: Optional[Path] = ConfigDirOption,
) -> None:
    """A run's history (its checkpoint, JSON), for `wac.testing.replay`: from the local store, or with
    --remote from a workspace's job."""
    import json

    from ..files import write_atomic
    from ..job_export import local_history, remote_history
    from ..local_runs import open_local_store

    if remote:
        from ..remote.client import WindmillClient

        with WindmillClient(remote_target(workspace, base_url, token, config_dir)) as client:
            history = remote_history(client, ref)
    else:
        history = local_history(open_local_store(store), ref)
    text = json.dumps(history, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)


def _job(db, ref: str):
    from ..local_runs import find_job

    return find_job(db, ref)
