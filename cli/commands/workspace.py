"""`wac workspace add|list|switch|remove|whoami`: profiles shared with `wmill`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from ._shared import BaseUrlOption, ConfigDirOption, JsonOption, ProfileOption, TokenOption, remote_target

app = typer.Typer(no_args_is_help=True, help="Workspace profiles (the same files `wmill workspace` uses).")


def _store(config_dir: Optional[Path]):
    from ..remote.profiles import ProfileStore, config_dir as folder

    return ProfileStore(folder(config_dir))


@app.command("add")
def add(
    name: str = typer.Argument(..., help="Profile name, e.g. prod."),
    workspace_id: str = typer.Argument(..., metavar="WORKSPACE_ID", help="The workspace's id on the instance."),
    remote: str = typer.Argument(..., metavar="URL", help="The instance, e.g. https://windmill.example.com/"),
    token: Optional[str] = TokenOption,
    force: bool = typer.Option(False, "--force", help="Replace a profile of the same workspace under another name."),
    config_dir: Optional[Path] = ConfigDirOption,
) -> None:
    """Check the workspace exists with this token, then save the profile and make it active."""
    import os

    from ..errors import InvalidInput
    from ..remote.client import RemoteError, WindmillClient
    from ..remote.profiles import Profile, check_profile_name, normalize_remote
    from ..remote.target import TOKEN_ENV, Target

    check_profile_name(name)
    url = normalize_remote(remote)
    token = token or os.environ.get(TOKEN_ENV)
    if not token:
        if not sys.stdin.isatty():
            raise InvalidInput("no token given", f"pass --token T (or set {TOKEN_ENV}); create one in the instance's "
                                                 "account settings")
        token = typer.prompt("Token", hide_input=True)
    with WindmillClient(Target(name, url, workspace_id, token)) as client:
        if not client.workspace_exists():
            known = ", ".join(client.workspace_ids()) or "none"
            raise RemoteError(f"workspace {workspace_id!r} does not exist on {url}",
                              f"workspaces this token can use: {known}")
    _store(config_dir).add(Profile(name, url, workspace_id, token), force=force)
    typer.echo(f"Added workspace {name} for {workspace_id} on {url}!")


@app.command("list")
def list_profiles(config_dir: Optional[Path] = ConfigDirOption, json_output: bool = JsonOption) -> None:
    """The profiles (tokens are never shown) and which one is active."""
    from ..output import Output

    store = _store(config_dir)
    profiles, active = store.all(), store.active_name()
    out = Output(json_mode=json_output)
    if json_output:
        out.print_json({"active": active, "profiles": [
            {"name": p.name, "remote": p.remote, "workspace_id": p.workspace_id} for p in profiles]})
        return
    if not profiles:
        out.line("No profiles yet: add one with `wac workspace add NAME WORKSPACE_ID URL --token T`.")
        return
    width = max(len(p.name) for p in profiles)
    for p in profiles:
        out.line(f"{'*' if p.name == active else ' '} {p.name:<{width}}  {p.workspace_id} on {p.remote}")
    out.line(f"Active: {active or 'none'}")


@app.command("switch")
def switch(name: str = typer.Argument(..., help="The profile to make active."),
           config_dir: Optional[Path] = ConfigDirOption) -> None:
    """Make a profile the active one."""
    store = _store(config_dir)
    store.switch(name)
    profile = store.get(name)
    typer.echo(f"Switched to workspace {name} ({profile.workspace_id} on {profile.remote})")


@app.command("remove")
def remove(name: str = typer.Argument(..., help="The profile to remove."),
           config_dir: Optional[Path] = ConfigDirOption) -> None:
    """Forget a profile (nothing changes on the instance)."""
    _store(config_dir).remove(name)
    typer.echo(f"Removed workspace profile {name}.")


@app.command("whoami")
def whoami(workspace: Optional[str] = ProfileOption, base_url: Optional[str] = BaseUrlOption,
           token: Optional[str] = TokenOption, config_dir: Optional[Path] = ConfigDirOption) -> None:
    """Who the token logs in as, on the active (or given) workspace."""
    import json

    from ..remote.client import WindmillClient

    target = remote_target(workspace, base_url, token, config_dir)
    with WindmillClient(target) as client:
        typer.echo(json.dumps(client.whoami(), indent=2))
    typer.echo(f"Active: {target.name} ({target.workspace} on {target.remote})")
