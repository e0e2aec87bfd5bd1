"""Options several commands share."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..run_commands import EnvChoice


StoreOption = typer.Option(None, "--store", envvar="WAC_STORE", metavar="PATH",
                           help="Job store file (default: .wac/jobs.db in the repo; env WAC_STORE).")
JsonOption = typer.Option(False, "--json", help="Print JSON for scripts and CI.")
SilentOption = typer.Option(False, "-s", "--silent", help="Print only the result JSON.")
WorkersOption = typer.Option(None, "--workers", min=1, metavar="N", help="Tasks run at once (default: CPU count).")
SkipSleepsOption = typer.Option(False, "--skip-sleeps",
                                help="Fast-forward durable sleeps and unanswered approvals' timeouts.")
ApproveOption = typer.Option(False, "--approve", help="Approve every approval step without asking.")
VariableOption = typer.Option(None, "--var", metavar="PATH=VALUE",
                              help="A variable for this run, over the repo's (a secret's value, say). Repeatable.")
ResourceOption = typer.Option(None, "--resource", metavar="PATH=JSON",
                              help="A resource for this run, over the repo's. Repeatable.")
AwaitApprovalsOption = typer.Option(False, "--await-approvals",
                                    help="Wait for approvals to be answered (`wac job approve`, a page) even when "
                                         "nobody is asked here and with --skip-sleeps, until their own timeout.")
RejectOption = typer.Option(False, "--reject", help="Reject every approval step without asking.")
ApprovalValueOption = typer.Option(None, "--approval-value", metavar="JSON",
                                   help="Form value sent with --approve/--reject, e.g. '{\"reason\": \"ok\"}'.")
ApproverOption = typer.Option(None, "--approver", metavar="NAME",
                              help="Name recorded as the approver (default: your login name).")

EnvOption = typer.Option(EnvChoice.locked, "--env",
                         help="locked: Python runs in an environment with exactly its locked packages, as on a "
                              "worker (made once, cached); current: wac's own environment.")
IndexUrlOption = typer.Option(None, "--index-url", metavar="URL", help="Package index for the script's packages.")
FindLinksOption = typer.Option(None, "--find-links", metavar="DIR",
                               help="Extra wheel folders or pages for the script's packages.")
NoIndexOption = typer.Option(False, "--no-index", help="Install from --find-links only (offline).")


ProfileOption = typer.Option(None, "--workspace", envvar="WAC_WORKSPACE", metavar="PROFILE",
                             help="Profile to use (with --base-url: the workspace id).")
BaseUrlOption = typer.Option(None, "--base-url", envvar="WAC_BASE_URL", metavar="URL",
                             help="Instance URL instead of a profile (needs --workspace and a token).")
TokenOption = typer.Option(None, "--token", metavar="TOKEN", help="API token (default: the profile's, or env WAC_TOKEN).")
ConfigDirOption = typer.Option(None, "--config-dir", metavar="DIR",
                               help="Folder holding windmill/remotes.ndjson, shared with wmill "
                                    "(default: $WMILL_CONFIG_DIR, else the OS config folder).")


def remote_target(workspace: Optional[str], base_url: Optional[str], token: Optional[str], config_dir: Optional[Path]):
    """The workspace a remote command talks to."""
    from ..remote.target import resolve

    return resolve(base_url, workspace, token, config_dir)
