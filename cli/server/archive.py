"""The workspace archive (`GET .../workspaces/tarball`) in the layout the `wmill` CLI reads.

Files only (a zip with directory entries makes the CLI recurse until it runs
out of memory), or a tar when `archive_type=tar`. Per script `<path>.<ext>`
and `<path>.script.json`; every other item as its kind names it
(`f/<x>/folder.meta.json`, `<path>.flow.json`, `<path>.schedule.json`, ...),
with the kinds and secrets the query asks for.
"""

from __future__ import annotations

import io
import json
import tarfile
import time
import zipfile

from ..kinds import KINDS, archive_json
from .scripts import archive_metadata, extension, sharing
from .workspace_admin_api import archived_settings
from .workspace_db import WorkspaceDB


def workspace_files(db: WorkspaceDB, workspace: str, query: dict[str, str] | None = None) -> dict[str, str]:
    query = query or {}
    files: dict[str, str] = {}
    if query.get("include_settings") == "true":
        files["settings.json"] = archive_json(archived_settings(db, workspace))
    for kind_name, path, value in db.items(workspace):
        if _included(kind_name, path, value, query):
            name, entry = KINDS[kind_name].archive_entry(path, value)
            files[name] = entry
    for row in db.heads(workspace):
        files[f"{row['path']}.{extension(row['language'])}"] = row["content"]
        files[f"{row['path']}.script.json"] = json.dumps(archive_metadata(row, sharing(db, workspace, row["path"])),
                                                         indent=2)
    return files


def _included(kind: str, path: str, value: dict, query: dict[str, str]) -> bool:
    """Whether the query's switches (`skip_variables`, `include_schedules`, ...) keep this item."""
    on = lambda name: query.get(name) == "true"  # noqa: E731
    if kind == "variable":
        return not on("skip_variables") and not (value.get("is_secret") and on("skip_secrets"))
    if kind == "resource":
        return not on("skip_resources")
    if kind == "resource-type":
        return not on("skip_resource_types")
    if kind == "schedule":
        return on("include_schedules")
    if kind.endswith("_trigger"):
        return on("include_triggers")
    if kind == "encryption_key":
        return on("include_key")
    if kind == "user":
        return on("include_users")
    if kind == "group":
        return on("include_groups") and path != "all"
    if kind == "settings":
        return False  # made above, with the workspace's name
    if kind == "workspace_dependencies":
        return query.get("include_workspace_dependencies") != "false"
    return kind in KINDS


def archive(files: dict[str, str], kind: str) -> bytes:
    buffer = io.BytesIO()
    if kind == "tar":
        with tarfile.open(fileobj=buffer, mode="w") as tar:
            for name, content in sorted(files.items()):
                data = content.encode("utf-8")
                info = tarfile.TarInfo(name)
                info.size, info.mtime = len(data), int(time.time())
                tar.addfile(info, io.BytesIO(data))
    else:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zip_file:
            for name, content in sorted(files.items()):
                zip_file.writestr(name, content)
    return buffer.getvalue()
