"""Which workspace a remote command talks to: flags, `WAC_TOKEN`, a profile, or the active one."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInput
from .profiles import ProfileStore, config_dir, normalize_remote

TOKEN_ENV = "WAC_TOKEN"


@dataclass(frozen=True)
class Target:
    """A workspace on an instance, and the token to use there."""

    name: str  # the profile name (the workspace id with --base-url)
    remote: str  # normalised, ends in `/`
    workspace: str
    token: str
    from_flags: bool = False

    @property
    def api(self) -> str:
        """Base of the API: the remote plus `api` (a path prefix is kept)."""
        return self.remote + "api"

    def describe(self) -> str:
        if self.from_flags:
            return f"workspace {self.workspace} on {self.remote} (--base-url given)"
        return f"profile {self.name!r}: workspace {self.workspace} on {self.remote}"


def resolve(base_url: str | None, workspace: str | None, token: str | None,
            config: Path | None) -> Target:
    """The target of a command, as `wmill` resolves it: `--base-url` needs `--workspace` and a token."""
    token = token or os.environ.get(TOKEN_ENV) or None
    store = ProfileStore(config_dir(config))
    if base_url:
        if not workspace or not token:
            raise InvalidInput("--base-url needs --workspace ID and a token",
                               f"add --workspace ID --token T (or set {TOKEN_ENV}), or use a profile")
        return Target(workspace, normalize_remote(base_url), workspace, token, from_flags=True)
    profile = store.get(workspace) if workspace else store.active()
    if profile is None:
        if workspace:
            raise store.unknown(workspace)
        raise InvalidInput("no workspace given and no active profile",
                           "add one with `wac workspace add NAME WORKSPACE_ID URL --token T`, "
                           "or pass --base-url URL --workspace ID --token T")
    token = token or profile.token
    if not token:
        raise InvalidInput(f"profile {profile.name!r} has no token",
                           f"pass --token T, set {TOKEN_ENV}, or re-add the profile with --token")
    return Target(profile.name, profile.remote, profile.workspace_id, token)
