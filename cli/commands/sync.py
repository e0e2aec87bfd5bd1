"""`wac sync push` / `wac sync pull`: the repo and a workspace, in either direction."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import List, Optional

import typer

from ._shared import BaseUrlOption, ConfigDirOption, ProfileOption, TokenOption, remote_target

app = typer.Typer(no_args_is_help=True, help="Sync the repo with a workspace (as `wmill sync`, but safer).")

YesOption = typer.Option(False, "--yes", help="Apply without asking.")
DryRunOption = typer.Option(False, "--dry-run", help="Show the changes; apply nothing.")
JsonOutputOption = typer.Option(False, "--json-output", help="Print {success, changes, total} as JSON.")
IncludesOption = typer.Option(None, "-i", "--includes", metavar="GLOBS", help="Globs overriding wmill.yaml includes.")
ExcludesOption = typer.Option(None, "-e", "--excludes", metavar="GLOBS", help="Globs overriding wmill.yaml excludes.")
ForceOption = typer.Option(False, "--force", help="Overwrite items changed on the other side since the last sync.")
ShowDiffsOption = typer.Option(False, "--show-diffs", help="Show a line diff under each edited file.")


@app.command("push")
def push(
    yes: bool = YesOption, dry_run: bool = DryRunOption, json_output: bool = JsonOutputOption,
    includes: Optional[List[str]] = IncludesOption, excludes: Optional[List[str]] = ExcludesOption,
    delete: bool = typer.Option(False, "--delete", help="Archive workspace scripts (and delete folders) "
                                                        "that are not in the repo."),
    force: bool = ForceOption,
    message: Optional[str] = typer.Option(None, "--message", help="Deployment message of every updated script."),
    parallel: int = typer.Option(8, "--parallel", min=1, metavar="N", help="Items pushed at once."),
    auto_metadata: bool = typer.Option(False, "--auto-metadata",
                                       help="Regenerate stale metadata of changed scripts first."),
    show_diffs: bool = ShowDiffsOption,
    workspace: Optional[str] = ProfileOption, base_url: Optional[str] = BaseUrlOption,
    token: Optional[str] = TokenOption, config_dir: Optional[Path] = ConfigDirOption,
) -> None:
    """Deploy the repo's changed scripts and folders to the workspace."""
    from ..remote.sync import stale_scripts
    from ..remote.sync_plan import PUSH

    session, report = _open(workspace, base_url, token, config_dir, includes, excludes, json_output, show_diffs)
    with session.client:
        plan = session.plan(PUSH, delete=delete, force=force)
        session.preflight(plan)
        changed = {c.item for c in plan.changes if c.kind == "script"}
        stale = stale_scripts(session.root, session.config, changed, regenerate=auto_metadata) if changed else []
        if auto_metadata and changed:
            plan = session.replan(PUSH, delete=delete, force=force)
        if stale and not json_output:
            what = "Metadata could not be regenerated" if auto_metadata else (
                "Stale scripts metadata found, you may want to update it with `wac generate-metadata` "
                "(or push with --auto-metadata)")
            report.out.err_line(f"{what}:")
            for line in stale:
                report.out.err_line(f"  {line}")
        report.plan(plan, session.version)
        if _stop_before_applying(report, plan, dry_run, yes, "to the remote"):
            return
        started = time.perf_counter()
        with report.progress(len({c.item for c in plan.changes})) as on_result:
            results, jobs = session.push(plan, message=message, force=force, parallel=parallel, on_result=on_result)
        report.pushed(plan, results, jobs, (time.perf_counter() - started) * 1000)
    if plan.conflicts or any(not r.ok for r in results):
        raise typer.Exit(1)


@app.command("pull")
def pull(
    yes: bool = YesOption, dry_run: bool = DryRunOption, json_output: bool = JsonOutputOption,
    includes: Optional[List[str]] = IncludesOption, excludes: Optional[List[str]] = ExcludesOption,
    delete: bool = typer.Option(False, "--delete", help="Delete local files of items not in the workspace."),
    force: bool = ForceOption, show_diffs: bool = ShowDiffsOption,
    workspace: Optional[str] = ProfileOption, base_url: Optional[str] = BaseUrlOption,
    token: Optional[str] = TokenOption, config_dir: Optional[Path] = ConfigDirOption,
) -> None:
    """Write the workspace's scripts and folders into the repo (and their wmill-lock.yaml hashes)."""
    from ..remote.sync_plan import PULL

    session, report = _open(workspace, base_url, token, config_dir, includes, excludes, json_output, show_diffs)
    with session.client:
        plan = session.plan(PULL, delete=delete, force=force)
        report.plan(plan, "")
        if _stop_before_applying(report, plan, dry_run, yes, "to your local files"):
            return
        filled = session.pull(plan, report.pull_change, fill_missing=not json_output)
        report.pulled(plan, filled)
    if plan.conflicts:
        raise typer.Exit(1)


def _open(workspace, base_url, token, config_dir, includes, excludes, json_output, show_diffs):
    from ..config import load_config
    from ..output import Output
    from ..project import find_root
    from ..remote.client import WindmillClient
    from ..remote.sync import Session
    from ..remote.sync_report import SyncReport

    root = find_root(Path.cwd())
    if not (root / "wmill.yaml").is_file() and not json_output:
        # as wmill: without wmill.yaml every Windmill file of the folder syncs, with no switch set
        sys.stderr.write(f"note: no wmill.yaml in {root} or above it: syncing every Windmill file here "
                         "(`wac init` writes one)\n")
    target = remote_target(workspace, base_url, token, config_dir)
    config = load_config(root, includes, excludes)
    report = SyncReport(Output(json_mode=json_output), target, json_mode=json_output, show_diffs=show_diffs)
    return Session(root, config, target, WindmillClient(target)), report


def _stop_before_applying(report, plan, dry_run: bool, yes: bool, where: str) -> bool:
    """True when nothing should be applied: a dry run, no changes, or the user said no."""
    from ..errors import InvalidInput

    if dry_run:
        report.dry_run(plan)
        return True
    if not plan.changes:
        return False
    if yes:
        return False
    if report.json_mode:
        raise InvalidInput("--json-output applies changes only with --yes", "add --yes, or --dry-run to only look")
    if not sys.stdin.isatty():
        raise InvalidInput("not applying without confirmation: stdin is not a terminal",
                           "pass --yes to apply, or --dry-run to only look")
    if typer.confirm(f"Do you want to apply these {len(plan.changes)} changes {where}?",
                                         default=True):
        return False
    raise typer.Exit(1)
