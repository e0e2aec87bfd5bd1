"""An item's sharing (`extra_perms: {owner: write}`) made as the repo says, as `wmill sync push` does it:
grant what the file lists and the workspace lacks (or has otherwise), revoke what the workspace has
and the file does not. A file without `extra_perms` leaves the workspace's sharing alone; entries that
are not true/false are ignored (and the owner they name is never revoked)."""

from __future__ import annotations

from typing import Any

from .client import WindmillClient


def sync_acls(client: WindmillClient, kind: str, path: str, local: Any, remote: Any) -> int:
    """Make the workspace's sharing of one item the file's; the number of calls made."""
    if local is None or not isinstance(local, dict):
        return 0
    wanted = {owner: write for owner, write in local.items() if isinstance(write, bool)}
    ignored = set(local) - set(wanted)
    current = {owner: write for owner, write in (remote if isinstance(remote, dict) else {}).items()
               if isinstance(write, bool)}
    grants = [(owner, write) for owner, write in wanted.items() if current.get(owner) is not write]
    revokes = [owner for owner in current if owner not in wanted and owner not in ignored]
    for owner, write in grants:
        client.grant(kind, path, owner, write)
    for owner in revokes:
        client.revoke(kind, path, owner)
    return len(grants) + len(revokes)
