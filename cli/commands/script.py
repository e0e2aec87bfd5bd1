"""`wac script preview PATH`: run a local script on the bundled executor."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..run_commands import EnvChoice
from ._shared import (ApprovalValueOption, ApproveOption, ApproverOption, AwaitApprovalsOption, BaseUrlOption,
                      ConfigDirOption, EnvOption, FindLinksOption, IndexUrlOption, NoIndexOption,
                      ProfileOption, RejectOption, ResourceOption, SilentOption, SkipSleepsOption, StoreOption,
                      TokenOption, VariableOption, WorkersOption, remote_target)


app = typer.Typer(no_args_is_help=True, help="Run scripts: locally (preview) or deployed in a workspace (run).")
DataOption = typer.Option(None, "-d", "--data", metavar="JSON", help="Arguments of main(): JSON, @file or @- (stdin).")


@app.command("preview")
def preview(
    path: Path = typer.Argument(..., help="The script to run, e.g. f/examples/etl.py"),
    data: Optional[str] = DataOption,
    silent: bool = SilentOption,
    workers: Optional[int] = WorkersOption,
    skip_sleeps: bool = SkipSleepsOption,
    approve: bool = ApproveOption,
    await_approvals: bool = AwaitApprovalsOption,
    reject: bool = RejectOption,
    approval_value: Optional[str] = ApprovalValueOption,
    approver: Optional[str] = ApproverOption,
    store: Optional[Path] = StoreOption,
    env: EnvChoice = EnvOption,
    index_url: Optional[str] = IndexUrlOption,
    find_links: Optional[List[str]] = FindLinksOption,
    no_index: bool = NoIndexOption,
    variables: Optional[List[str]] = VariableOption,
    resources: Optional[List[str]] = ResourceOption,
) -> None:
    """Run a script locally with Windmill's checkpoint/replay semantics."""
    from ..run_commands import script_preview

    script_preview(path, data, silent, workers=workers, skip_sleeps=skip_sleeps, approve=approve, reject=reject,
                   approval_value=approval_value, approver=approver, store=store, env=env, index_url=index_url,
                   find_links=find_links, no_index=no_index, await_approvals=await_approvals,
                   variables=variables, resources=resources)


@app.command("run")
def run(
    path: str = typer.Argument(..., help="The deployed script: f/x/y, or its local file f/x/y.py"),
    data: Optional[str] = DataOption,
    silent: bool = SilentOption,
    tag: Optional[str] = typer.Option(None, "--tag", metavar="TAG", help="Worker tag to run the job on."),
    workspace: Optional[str] = ProfileOption, base_url: Optional[str] = BaseUrlOption,
    token: Optional[str] = TokenOption, config_dir: Optional[Path] = ConfigDirOption,
) -> None:
    """Run a deployed script in the workspace, stream its logs, print its result."""
    from ..args import parse_data
    from ..project import remote_path
    from ..remote.client import WindmillClient
    from ..remote.remote_run import run as run_remote

    args = parse_data(data)
    target = remote_target(workspace, base_url, token, config_dir)
    with WindmillClient(target) as client:
        code = run_remote(client, remote_path(path.replace("\\", "/").removeprefix("./")), args, tag=tag,
                          silent=silent)
    if code:
        raise typer.Exit(code)
