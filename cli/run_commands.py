"""The bodies of the local-run commands (`script preview`, `flow preview`, `job resume`), free of typer: the
typer commands call them, and so does the quick path a preview takes when its command line is a plain one."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any, List, Optional


class EnvChoice(str, Enum):
    locked = "locked"
    current = "current"


def run_options(*, workers: Optional[int], skip_sleeps: bool, approve: bool, reject: bool,
                approval_value: Optional[str], approver: Optional[str], store: Optional[Path],
                env: EnvChoice = EnvChoice.locked, index_url: Optional[str] = None,
                find_links: Optional[List[str]] = None, no_index: bool = False, await_approvals: bool = False,
                variables: Optional[List[str]] = None, resources: Optional[List[str]] = None):
    from .args import given_items
    from .local_runs import RunOptions
    from .script_pins import Resolution

    return RunOptions(workers=workers, skip_sleeps=skip_sleeps, approve=approve, reject=reject,
                      approval_value=approval_value, approver=approver, store=store, env=env.value,
                      resolution=Resolution(index_url, tuple(find_links or ()), no_index),
                      await_approvals=await_approvals, variables=given_items("--var", variables or [], False),
                      resources=given_items("--resource", resources or [], True))


def finish(view, outcome) -> None:
    """Show how the run ended and exit with its code (0 success, 1 otherwise)."""
    from .errors import FAILED

    if outcome.already_ended and not view.silent:
        view.note_already_ended(outcome.run_id, outcome.status)
    view.render_end(outcome.store, outcome.run_id)
    if outcome.status != "success":
        raise SystemExit(FAILED)


def script_preview(path: Path, data: Optional[str], silent: bool, **run: Any) -> None:
    """`wac script preview`: check the script, run it locally, show how it ended."""
    from .args import parse_data
    from .local_runs import preview
    from .run_view import RunView

    view = RunView(silent=silent)
    options = run_options(**run)
    finish(view, preview(path, parse_data(data), options, view))


def flow_preview(path: Path, data: Optional[str], silent: bool, step: Optional[str], deployed=None,
                 **run: Any) -> None:
    """`wac flow preview`: run the repo's flow locally (`deployed`: steps that call by path run the
    workspace's scripts and flows)."""
    from wac.sdk.engine import fork_host_early

    fork_host_early(("wac.cli.flows.driver",))  # the run's host starts now, while the flow is read and checked
    from .args import parse_data
    from .flows.runner import preview_flow
    from .run_view import RunView

    view = RunView(silent=silent)
    options = run_options(**run)
    finish(view, preview_flow(path, parse_data(data), options, view, step=step, deployed=deployed))
