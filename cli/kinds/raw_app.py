"""Raw apps: a folder `<path>.raw_app/` (`__raw_app`) holding a JavaScript frontend (any files),
`raw_app.yaml`, and `backend/` with one runnable per id (`<id>.yaml`, its code `<id>.<ext>` and lock).

A pull writes them as wmill does. A push is left to `wmill`: deploying a raw app means bundling its
frontend (npm install, esbuild), which wac, a Python tool, does not do; the plan says so."""

from __future__ import annotations

import copy
from typing import Any

from .app import extract_runnables, open_to
from .base import FolderItemKind, RenderContext
from .flow_modules import PathAssigner

BACKEND = "backend"
_NEVER_WRITTEN = ("/wmill.d.ts", "/AGENTS.md", "/DATATABLES.md")
PUSHED_BY = "wmill"  # see the module's docstring


class RawAppKind(FolderItemKind):
    name = "raw_app"
    order = 11
    pushed_by = PUSHED_BY

    def render(self, archived: dict[str, Any], remote_path: str, ctx: RenderContext) -> dict[str, str | dict]:
        app = copy.deepcopy(archived)
        folder = self.folder(remote_path, ctx.config)
        open_to(app)
        app.pop("custom_path", None)
        value = app.pop("value", None) or {}
        runnables = value.get("runnables") if isinstance(value.get("runnables"), dict) else {}
        for runnable in runnables.values():
            if isinstance(runnable, dict) and isinstance(runnable.get("fields"), dict):
                _as_written(runnable["fields"])
        assigner = PathAssigner(ctx.config.default_ts, raw=True)
        scripts = extract_runnables(value, assigner, lambda key, _: key, drop_schema=True)
        files: dict[str, str | dict] = {
            f"{folder}/{path.lstrip('/')}": text for path, text in (value.get("files") or {}).items()
            if isinstance(text, str) and not path.startswith("/sql_to_apply/") and path not in _NEVER_WRITTEN}
        files.update({f"{folder}/{BACKEND}/{name}": text for name, text in scripts})
        for runnable_id, runnable in runnables.items():
            files[f"{folder}/{BACKEND}/{runnable_id}.yaml"] = _backend_file(runnable)
        if value.get("data"):
            app["data"] = value["data"]
        files[f"{folder}/raw_app.yaml"] = app
        return files


def _as_written(fields: dict[str, Any]) -> None:
    """A runnable's fields as raw_app files hold them: static values and expressions without their type."""
    for name, field in list(fields.items()):
        if not isinstance(field, dict):
            continue
        if field.get("type") == "static":
            fields[name] = {"value": field["value"]} if "value" in field else {}
        elif field.get("type") == "javascript":
            fields[name] = {k: field[k] for k in ("expr", "allowUserResources") if k in field}
        elif field.get("type") == "user":
            del fields[name]


def _backend_file(runnable: Any) -> Any:
    """`backend/<id>.yaml`: the runnable but its code, typed `inline` or by what it runs."""
    if not isinstance(runnable, dict):
        return runnable
    if "inlineScript" in runnable:
        written = {"type": "inline", **{k: v for k, v in runnable.items() if k not in ("inlineScript", "type")}}
    elif runnable.get("type") == "path" and runnable.get("runType"):
        written = {"type": runnable["runType"],
                   **{k: v for k, v in runnable.items() if k not in ("type", "runType", "schema")}}
    else:
        written = dict(runnable)
    if written.get("fields"):
        written["fields"] = {name: _plain(field) for name, field in written["fields"].items()}
    return written


def _plain(field: Any) -> Any:
    if isinstance(field, dict) and field.get("type") == "static" and "value" in field:
        return {"value": field["value"]}
    if isinstance(field, dict) and field.get("type") == "ctx" and "ctx" in field:
        return {"ctx": field["ctx"]}
    return field


KIND = RawAppKind()
