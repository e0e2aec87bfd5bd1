"""The workspace archive (`GET .../workspaces/tarball`) in the layout the `wmill` CLI reads.

Files only (a zip with directory entries makes the CLI recurse until it runs
out of memory), or a tar when `archive_type=tar`. Per script `<path>.<ext>`
and `<path>.script.json`; per existing folder `f/<x>/folder.meta.json`.
"""

from __future__ import annotations

import io
import json
import tarfile
import time
import zipfile

from .scripts import archive_metadata, extension
from .workspace_db import WorkspaceDB


def workspace_files(db: WorkspaceDB, workspace: str) -> dict[str, str]:
    files: dict[str, str] = {}
    for name, fields in db.folders(workspace):
        files[f"f/{name}/folder.meta.json"] = json.dumps(fields, indent=2)
    for row in db.heads(workspace):
        files[f"{row['path']}.{extension(row['language'])}"] = row["content"]
        files[f"{row['path']}.script.json"] = json.dumps(archive_metadata(row), indent=2)
    return files


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
