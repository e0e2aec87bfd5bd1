"""Script versions as Windmill keeps them: what a create accepts, and how a script reads back.

Rules of the real server's `create_script`: a new version names its parent
(or `auto_parent` takes the current head); the lineage is linear; a path
with a live head cannot be created again without a parent; `skip_if_noop`
answers the parent's hash when nothing changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
from typing import Any

from .errors import ApiError, bad_request
from .workspace_db import WorkspaceDB

# Keys of a create request that are about the request, not the script.
TRANSPORT_KEYS = {"path", "content", "language", "parent_hash", "auto_parent", "skip_draft_deletion",
                  "deployment_message", "modules", "draft_only", "is_template"}
REQUIRED_KEYS = ("path", "summary", "content", "language")
ALWAYS_KEYS = ("summary", "description", "schema", "lock", "kind")
SCRIPT_PERMS = "script_perms"  # the items-table kind of scripts' sharing
LANGUAGE_EXTENSIONS = {"python3": "py", "bun": "ts", "deno": "deno.ts", "nativets": "fetch.ts", "bash": "sh",
                       "postgresql": "pg.sql", "go": "go", "powershell": "ps1"}


WORKSPACE_ID = re.compile(r"^[a-z0-9_-]{1,50}$")


def check_workspace_id(workspace: str) -> str:
    """Workspace ids as Windmill allows them: lowercase letters, digits, `-` and `_`."""
    from ..errors import InvalidInput

    if not WORKSPACE_ID.match(workspace):
        raise InvalidInput(f"invalid workspace id {workspace!r}", "use lowercase letters, digits, - and _")
    return workspace


def check_path(path: str) -> str:
    """A path Windmill accepts (`wac.cli.kinds.windmill_path`); 400 otherwise."""
    from ..kinds.windmill_path import path_problem

    problem = path_problem(path)
    if problem:
        raise bad_request(f"Invalid path {path!r}: {problem}")
    return path


def create_version(db: WorkspaceDB, workspace: str, body: Any, created_by: str, skip_if_noop: bool) -> str:
    """Record a new version of a script (one transaction); its hash (the parent's for a no-op)."""
    if not isinstance(body, dict):
        raise ApiError(422, "Failed to deserialize the JSON body into the target type: expected a JSON object")
    for key in REQUIRED_KEYS:
        if not isinstance(body.get(key), str):
            raise ApiError(422, f"Failed to deserialize the JSON body into the target type: missing field `{key}`")
    path = check_path(body["path"])
    version = {"path": path, "content": body["content"], "language": body["language"], "fields": _fields(body),
               "modules": body.get("modules") or None, "deployment_message": body.get("deployment_message"),
               "created_by": created_by}
    with db.transaction() as conn:
        head = db.head(workspace, path)
        parent = head["hash"] if body.get("auto_parent") and head is not None else body.get("parent_hash")
        if parent is None and head is not None:
            raise bad_request(f"Path conflict for {path} with non-archived hash {head['hash']}")
        if parent is not None:
            if db.version(workspace, parent) is None:
                raise bad_request("The parent hash does not seem to exist")
            if skip_if_noop and head is not None and head["hash"] == parent and _same(head, version):
                return parent
            child = db.has_child(workspace, parent)
            if child is not None:
                raise bad_request(f"A script with hash {child} with same parent_hash has been found. However, "
                                  "the lineage must be linear: no 2 scripts can have the same parent")
        generation = conn.execute("SELECT COUNT(*) FROM scripts WHERE workspace=? AND path=?",
                                  (workspace, path)).fetchone()[0]
        version["parent_hash"] = parent
        version["hash"] = _hash(workspace, version, generation)
        if db.version(workspace, version["hash"]) is not None:
            raise bad_request("A script with same hash (hence same path, description, summary, content) already exists!")
        db.insert_version(conn, workspace, version)
    return version["hash"]


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    fields = {k: v for k, v in body.items() if k not in TRANSPORT_KEYS and v is not None}
    fields.setdefault("description", "")
    fields.setdefault("kind", "script")
    lock = fields.get("lock")
    if isinstance(lock, list):  # Windmill accepts a lock as a list of lines
        fields["lock"] = "\n".join(lock)
    return fields


def _same(head, version: dict[str, Any]) -> bool:
    return (head["content"] == version["content"] and head["language"] == version["language"]
            and json.loads(head["fields"]) == version["fields"]
            and (json.loads(head["modules"]) if head["modules"] else None) == version["modules"])


def _hash(workspace: str, version: dict[str, Any], generation: int) -> str:
    """16 hex characters (an i64, as Windmill's script hashes)."""
    material = json.dumps([workspace, generation, version["path"], version["parent_hash"], version["content"],
                           version["language"], version["fields"], version["modules"]], sort_keys=True)
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def sharing(db: WorkspaceDB, workspace: str, path: str) -> dict[str, bool]:
    """A script's sharing (`extra_perms`): one for all its versions, kept by path."""
    return (db.item(workspace, SCRIPT_PERMS, path) or {}).get("extra_perms") or {}


def script_json(row, workspace: str, perms: dict[str, bool] | None = None) -> dict[str, Any]:
    """A version as `GET scripts/get/p` answers it (fields that are null are left out, as the real server does)."""
    fields = json.loads(row["fields"])
    out: dict[str, Any] = {
        "workspace_id": workspace, "hash": row["hash"], "path": row["path"],
        "parent_hashes": [row["parent_hash"]] if row["parent_hash"] else [],
        "content": row["content"], "language": row["language"], "created_by": row["created_by"] or "admin",
        "created_at": datetime.fromtimestamp(row["created_at"], timezone.utc).isoformat(),
        "archived": bool(row["archived"]), "deleted": bool(row["deleted"]), "is_template": False,
        "extra_perms": perms or {}, "starred": False, "has_preprocessor": False, "is_draft": False,
    }
    out.update({k: v for k, v in fields.items() if v is not None})
    if row["modules"]:
        out["modules"] = json.loads(row["modules"])
    if row["deployment_message"]:
        out["deployment_message"] = row["deployment_message"]
    return out


def archive_metadata(row, perms: dict[str, bool] | None = None) -> dict[str, Any]:
    """The `.script.json` of a version in the workspace archive: what a pull writes as `.script.yaml`
    (with its sharing when it has any, as Windmill's archive keeps a script's)."""
    fields = json.loads(row["fields"])
    out = {key: fields.get(key) for key in ALWAYS_KEYS}
    out.update({k: v for k, v in fields.items() if k not in ALWAYS_KEYS and v is not None})
    if row["modules"]:
        out["modules"] = json.loads(row["modules"])
    if perms:
        out["extra_perms"] = perms
    return out


def extension(language: str) -> str:
    return LANGUAGE_EXTENSIONS.get(language, "py")
