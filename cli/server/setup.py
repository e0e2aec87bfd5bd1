"""Where a server keeps its data, its workspace tokens, and how previews find it.

Started inside a Windmill repo, the server lives in the repo's `.wac/`
(sharing the job store of `wac script preview`), and writes
`.wac/server.json` so previews mint resume URLs that point at it.
Elsewhere it lives in the per-user data folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InvalidInput
from ..files import write_atomic
from ..project import find_root, wac_dir

if TYPE_CHECKING:
    from .workspace_db import WorkspaceDB

SERVER_FILE = "server.json"


@dataclass
class Location:
    data_dir: Path
    store_path: Path
    project: Path | None


def locate(explicit: Path | None) -> Location:
    if explicit is not None:
        return Location(explicit, explicit / "jobs.db", None)
    root = find_root(Path.cwd())
    if (root / "wmill.yaml").is_file():
        folder = wac_dir(root)
        return Location(folder / "server", folder / "jobs.db", root)
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "wac" / "server"
    return Location(base, base / "jobs.db", None)


def token_file(data_dir: Path, workspace: str) -> Path:
    return data_dir / "tokens" / f"{workspace}.token"


def read_token(data_dir: Path, workspace: str) -> str | None:
    try:
        return token_file(data_dir, workspace).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def new_token(db: WorkspaceDB, data_dir: Path, workspace: str) -> str:
    """Make (or rotate) the workspace's admin token; kept in a 0600 file, stored hashed."""
    import secrets  # here: previews read this module (`known_server`) and make no token

    token = secrets.token_urlsafe(32)
    path = token_file(data_dir, workspace)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, token + "\n", mode=0o600)
    db.set_token(workspace, token)
    return token


def prepare(location: Location, workspace: str) -> tuple[WorkspaceDB, str | None]:
    """Open the server's records and make sure the workspace and its token exist.

    Returns the token when it was just created (the only time it is printed unasked).
    """
    try:
        location.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot create {location.data_dir}: {exc.strerror}", "choose another folder with --data")
    from .workspace_admin_api import seed  # Starlette: only for a server that starts
    from .workspace_db import WorkspaceDB

    db = WorkspaceDB(location.data_dir / "server.db")
    created = db.ensure_workspace(workspace)
    seed(db, workspace)
    if created or read_token(location.data_dir, workspace) is None:
        return db, new_token(db, location.data_dir, workspace)
    return db, None


def announce(location: Location, url: str, workspace: str) -> None:
    """Tell previews of this repo where the server is (its URL and workspace)."""
    if location.project is not None:
        write_atomic(wac_dir(location.project) / SERVER_FILE, json.dumps({"url": url, "workspace": workspace}))


def withdraw(location: Location) -> None:
    if location.project is not None:
        (wac_dir(location.project) / SERVER_FILE).unlink(missing_ok=True)


def known_server(root: Path) -> dict | None:
    """The server a repo's previews should point their URLs at, if one was started here."""
    try:
        return json.loads((root / ".wac" / SERVER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
