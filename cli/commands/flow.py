"""`wac flow preview PATH`: run a repo's flow locally, every step a job of the bundled executor."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..run_commands import EnvChoice
from ._shared import (ApprovalValueOption, ApproveOption, ApproverOption, AwaitApprovalsOption, BaseUrlOption,
                      ConfigDirOption, EnvOption, FindLinksOption, IndexUrlOption, NoIndexOption,
                      ProfileOption, RejectOption, ResourceOption, SilentOption, SkipSleepsOption, StoreOption,
                      TokenOption, VariableOption, WorkersOption, remote_target)

app = typer.Typer(no_args_is_help=True, help="Run flows locally, as Windmill's workers run them.")


@app.command("preview")
def preview(
    path: Path = typer.Argument(..., help="The flow's folder, e.g. f/etl/daily.flow"),
    data: Optional[str] = typer.Option(None, "-d", "--data", metavar="JSON",
                                       help="The flow's input: JSON, @file or @- (stdin)."),
    silent: bool = SilentOption,
    workers: Optional[int] = WorkersOption,
    skip_sleeps: bool = SkipSleepsOption,
    approve: bool = ApproveOption,
    await_approvals: bool = AwaitApprovalsOption,
    reject: bool = RejectOption,
    approval_value: Optional[str] = ApprovalValueOption,
    approver: Optional[str] = ApproverOption,
    store: Optional[Path] = StoreOption,
    step: Optional[str] = typer.Option(None, "--step", metavar="ID",
                                       help="Run this one step alone, -d being its own inputs."),
    env: EnvChoice = EnvOption,
    index_url: Optional[str] = IndexUrlOption,
    find_links: Optional[List[str]] = FindLinksOption,
    no_index: bool = NoIndexOption,
    variables: Optional[List[str]] = VariableOption,
    resources: Optional[List[str]] = ResourceOption,
    remote: bool = typer.Option(False, "--remote", help="Steps that call a script or flow by path run the "
                                "workspace's deployed one (as `wmill flow preview --remote`), not the repo's."),
    workspace: Optional[str] = ProfileOption, base_url: Optional[str] = BaseUrlOption,
    token: Optional[str] = TokenOption, config_dir: Optional[Path] = ConfigDirOption,
) -> None:
    """Run a flow locally: inline Python and Bash steps, the repo's scripts and flows, loops and branches."""
    from ..run_commands import flow_preview

    def preview_with(deployed=None) -> None:
        flow_preview(path, data, silent, step, deployed, workers=workers, skip_sleeps=skip_sleeps, approve=approve,
                     reject=reject, approval_value=approval_value, approver=approver, store=store, env=env,
                     index_url=index_url, find_links=find_links, no_index=no_index,
                     await_approvals=await_approvals, variables=variables, resources=resources)

    if not remote:
        preview_with()
        return
    from ..flows.deployed import DeployedSteps
    from ..remote.client import WindmillClient

    with WindmillClient(remote_target(workspace, base_url, token, config_dir)) as client:
        preview_with(DeployedSteps(client))


@app.command("run")
def run(
    path: str = typer.Argument(..., help="The deployed flow: f/x/y, or its local folder f/x/y.flow"),
    data: Optional[str] = typer.Option(None, "-d", "--data", metavar="JSON",
                                       help="The flow's input: JSON, @file or @- (stdin)."),
    silent: bool = SilentOption,
    tag: Optional[str] = typer.Option(None, "--tag", metavar="TAG", help="Worker tag to run the flow on."),
    workspace: Optional[str] = ProfileOption, base_url: Optional[str] = BaseUrlOption,
    token: Optional[str] = TokenOption, config_dir: Optional[Path] = ConfigDirOption,
) -> None:
    """Run a deployed flow in the workspace, print each step's logs as it ends, then the result."""
    from ..args import parse_data
    from ..flows.definition import SUFFIXES
    from ..remote.client import WindmillClient
    from ..remote.remote_run import run_flow

    args = parse_data(data)
    target = remote_target(workspace, base_url, token, config_dir)
    remote = path.replace("\\", "/").removeprefix("./").rstrip("/").removesuffix("/flow.yaml")
    for suffix in SUFFIXES:
        remote = remote.removesuffix(suffix)
    with WindmillClient(target) as client:
        code = run_flow(client, remote, args, tag=tag, silent=silent)
    if code:
        raise typer.Exit(code)
