"""Raw apps: a folder `<path>.raw_app/` (`__raw_app`) holding a JavaScript frontend (any files),
`raw_app.yaml`, and `backend/` with one runnable per id (`<id>.yaml`, its code `<id>.<ext>` and lock).

A pull writes them as wmill does. A push sends what `wmill sync push` sends (the app's runnables read from
`backend/`, its frontend files, a policy derived from the runnables) with the frontend bundled by the wmill
CLI (`raw_app_bundle`); without `wmill` on the PATH, raw apps are left to it and the plan says so."""

from __future__ import annotations

import copy
from typing import Any, Callable

from .app import KIND as APP
from .app import AppKind, extract_runnables, open_to, read_back
from .app_policy import execution_mode, triggerable_key
from .base import CREATED, UPDATED, ItemError, PushContext, RenderContext
from .flow_modules import PathAssigner
from .raw_app_bundle import bundle, bundler

BACKEND = "backend"
_NEVER_WRITTEN = ("/wmill.d.ts", "/AGENTS.md", "/DATATABLES.md")
PUSHED_BY = "wmill"  # who pushes raw apps when wac cannot bundle them
# wmill's EXTENSION_TO_LANGUAGE, in its order: a backend code file `<id>.<ext>` and its language (`ts`: defaultTs).
_LANGUAGES = {
    "py": "python3", "bun.ts": "bun", "deno.ts": "deno", "go": "go", "sh": "bash", "ps1": "powershell",
    "pg.sql": "postgresql", "my.sql": "mysql", "bq.sql": "bigquery", "odb.sql": "oracledb", "sf.sql": "snowflake",
    "ms.sql": "mssql", "gql": "graphql", "native.ts": "nativets", "frontend.js": "frontend", "php": "php",
    "rs": "rust", "cs": "csharp", "nu": "nu", "playbook.yml": "ansible", "java": "java", "duckdb.sql": "duckdb",
    "dbt.yaml": "dbt", "rb": "ruby", "ts": "bun",
}


class RawAppKind(AppKind):
    name = "raw_app"
    order = 11
    acl_kind = "raw_app"
    route = None  # wac server keeps raw apps with the classic ones, behind their routes (fetch, delete: APP's)

    @property
    def pushed_by(self) -> str | None:  # type: ignore[override]
        return None if bundler() else PUSHED_BY

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

    # -- push ------------------------------------------------------------------------------------------
    def body(self, ctx: PushContext, remote_path: str, files: dict[str, str],
             deployed: dict[str, Any] | None) -> dict[str, Any]:
        """The `app` part wmill's push sends: runnables from `backend/` (else raw_app.yaml's), the frontend's
        files, and a fresh policy."""
        folder = self.folder(remote_path, ctx.config)
        local = self.local_value(files, f"{folder}/raw_app.yaml", ctx)
        backend = {path[len(folder) + len(BACKEND) + 2:]: text for path, text in files.items()
                   if path.startswith(f"{folder}/{BACKEND}/")}
        runnables = backend_runnables(backend, ctx.config.default_ts, lambda name: self.local_value(backend, name, ctx))
        runnables = runnables or copy.deepcopy(local.get("runnables") or {})
        missing = read_back(runnables, backend.get)
        if missing:
            raise ItemError(f"cannot push raw app {remote_path}: missing file(s) in {folder}/{BACKEND}: "
                            f"{', '.join(missing)}")
        for runnable in runnables.values():
            if isinstance(runnable, dict) and isinstance(runnable.get("fields"), dict):
                _typed(runnable["fields"])
        value: dict[str, Any] = {"runnables": runnables, "files": {
            path[len(folder):]: text for path, text in sorted(files.items())
            if path.startswith(folder + "/") and not path.startswith(f"{folder}/{BACKEND}/")
            and not path.endswith("/raw_app.yaml")}}
        if local.get("data"):
            value["data"] = local["data"]
        body: dict[str, Any] = {"value": value, "path": remote_path, "summary": local.get("summary"),
                                "policy": _policy(runnables, local, (deployed or {}).get("policy")),
                                "deployment_message": ctx.message, "skip_draft_deletion": True,
                                "custom_path": local.get("custom_path") or None}
        return {key: field for key, field in body.items() if field is not None}

    def fetch(self, ctx: PushContext, remote_path: str) -> dict[str, Any] | None:
        return APP.fetch(ctx, remote_path)

    def delete(self, ctx: PushContext, remote_path: str) -> str:
        return APP.delete(ctx, remote_path)

    def push(self, ctx: PushContext, remote_path: str, files: dict[str, str], remote: dict[str, Any] | None) -> str:
        body = self.body(ctx, remote_path, files, remote)
        js, css = bundle(ctx.root / self.folder(remote_path, ctx.config), ctx.root, remote_path)
        ctx.client.save_raw_app(body, js, css, existing=remote_path if remote is not None else None)
        return UPDATED if remote is not None else CREATED

    def local_perms(self, ctx: PushContext, remote_path: str, files: dict[str, str]) -> Any:
        return self.local_value(files, f"{self.folder(remote_path, ctx.config)}/raw_app.yaml", ctx).get("extra_perms")


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


def written_runnable(runnable: Any) -> Any:
    """wmill's writeRunnableToBackend: a runnable as its `<id>.yaml` holds it (one that runs a script or flow
    typed by what it runs)."""
    if isinstance(runnable, dict) and runnable.get("type") == "path" and runnable.get("runType"):
        return {"type": runnable["runType"],
                **{k: v for k, v in runnable.items() if k not in ("type", "runType", "schema")}}
    return runnable


def _backend_file(runnable: Any) -> Any:
    """`backend/<id>.yaml` as a pull writes it: the runnable but its code, typed `inline` or by what it runs."""
    if not isinstance(runnable, dict):
        return runnable
    if "inlineScript" in runnable:
        written = {"type": "inline", **{k: v for k, v in runnable.items() if k not in ("inlineScript", "type")}}
    else:
        written = dict(written_runnable(runnable))
    if written.get("fields"):
        written["fields"] = {name: _plain(field) for name, field in written["fields"].items()}
    return written


def _plain(field: Any) -> Any:
    if isinstance(field, dict) and field.get("type") == "static" and "value" in field:
        return {"value": field["value"]}
    if isinstance(field, dict) and field.get("type") == "ctx" and "ctx" in field:
        return {"ctx": field["ctx"]}
    return field


def backend_runnables(backend: dict[str, str], default_ts: str, parse: Callable[[str], Any]) -> dict[str, Any]:
    """wmill's loadRunnablesFromBackend over `backend/`'s files (name -> text; `parse` reads a YAML one):
    `<id>.yaml` files (an inline one with its code file and lock), then code files that have none (sorted:
    wmill takes the directory's order)."""
    names = sorted(backend)
    runnables: dict[str, Any] = {}
    for name in names:
        if not name.endswith(".yaml"):
            continue
        runnable_id = name.replace(".yaml", "", 1)
        runnable = parse(name)
        if not isinstance(runnable, dict):
            runnables[runnable_id] = runnable
            continue
        if runnable.get("type") == "inline":
            code = _code(backend, names, runnable_id, default_ts)
            if code:
                runnable["inlineScript"] = code
        elif runnable.get("type") in ("script", "hubscript", "flow"):
            run_type = runnable.pop("type")
            runnable.pop("schema", None)
            runnable = {"type": "path", **runnable, "runType": run_type}
        runnables[runnable_id] = runnable
    for name in names:
        runnable_id = next((name[: -len(ext) - 1] for ext in _LANGUAGES if name.endswith("." + ext)), None)
        if runnable_id is None or name.endswith((".yaml", ".lock")) or \
                runnable_id.lower() in {known.lower() for known in runnables}:
            continue
        code = _code(backend, names, runnable_id, default_ts)
        if code:
            runnables[runnable_id] = {"type": "inline", "inlineScript": code}
    return runnables


def _code(backend: dict[str, str], names: list[str], runnable_id: str, default_ts: str) -> dict[str, Any] | None:
    """A runnable's `inlineScript` from its code file `<id>.<ext>` (and `<id>.lock`), if it has one."""
    for name in names:
        ext = name[len(runnable_id) + 1:]
        if name.endswith((".yaml", ".lock")) or not name.lower().startswith(runnable_id.lower() + ".") or \
                ext not in _LANGUAGES:
            continue
        code = {"content": backend[name], "language": default_ts if ext == "ts" else _LANGUAGES[ext]}
        lock = next((backend[n] for n in names if n.lower() == f"{runnable_id.lower()}.lock"), None)
        return {**code, "lock": lock} if lock is not None else code
    return None


def _typed(fields: dict[str, Any]) -> None:
    """wmill's repopulateFields: a field as its file writes it, typed again (`static`, `ctx`, `javascript`)."""
    for name, field in fields.items():
        if not isinstance(field, dict):
            continue
        if "value" in field:
            fields[name] = {"value": field["value"], "type": "static"}
        elif "ctx" in field:
            fields[name] = {"ctx": field["ctx"], "type": "ctx"}
        elif "expr" in field:
            allow = {"allowUserResources": field["allowUserResources"]} if "allowUserResources" in field else {}
            fields[name] = {"expr": field["expr"], **allow, "type": "javascript"}


def _policy(runnables: dict[str, Any], local: dict[str, Any], deployed: dict[str, Any] | None) -> dict[str, Any]:
    """What a push derives: the deployed (else stated) policy, one `triggerables_v2` entry per runnable, and who
    the app runs as."""
    base = deployed if deployed is not None else local.get("policy")
    policy = {k: v for k, v in (base or {}).items() if k not in ("on_behalf_of", "on_behalf_of_email")}
    policy["triggerables_v2"] = dict(entry for rid, runnable in runnables.items()
                                     for entry in [_triggerable(rid, runnable)] if entry)
    policy.pop("triggerables", None)
    policy["execution_mode"] = execution_mode(local, deployed)
    return policy


def _triggerable(runnable_id: str, runnable: Any) -> tuple[str, dict[str, Any]] | None:
    """The policy's entry for one runnable: what runs, the inputs the app fixes and the viewer may fill."""
    key = triggerable_key(runnable_id, runnable)
    if key is None:
        return None
    given = runnable.get("fields") if isinstance(runnable.get("fields"), dict) else {}
    fields = {name: field for name, field in given.items() if isinstance(field, dict)}
    entry: dict[str, Any] = {
        "static_inputs": {k: f.get("value") for k, f in fields.items() if f.get("type") == "static"},
        "one_of_inputs": {},
        "allow_user_resources": [k for k, f in fields.items() if f.get("allowUserResources")]}
    keep = runnable.get("delete_after_secs")
    if isinstance(keep, (int, float)) and not isinstance(keep, bool) and keep >= 0:
        entry["delete_after_secs"] = keep
    sensitive = [k for k, f in fields.items() if f.get("sensitive")]
    if sensitive:
        entry["sensitive_inputs"] = sensitive
    script = runnable.get("inlineScript") if isinstance(runnable.get("inlineScript"), dict) else {}
    if script.get("tag"):
        entry["tag"] = script["tag"]
    return key, entry


KIND = RawAppKind()
