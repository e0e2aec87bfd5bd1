"""Apps: a folder `<path>.app/` (`<path>__app/` with `nonDottedPaths`) holding `app.yaml` and one file
per inline runnable (named from the runnable's name, with its lock beside it). The workspace holds
the app as one JSON value with a policy the CLI derives on every push (`app_policy`); a pull drops
the policy, keeping only who the app is open to (`public: true`, `guests: true`).

Raw apps (`<path>.raw_app/`, a bundled frontend) are kept by `wac server` with these (`raw_app`)."""

from __future__ import annotations

import copy
from typing import Any

from ..metadata.yaml_emit import sort_key
from .app_policy import policy
from .base import CREATED, UPDATED, FolderItemKind, ItemError, PushContext, RenderContext, Route, archive_json
from .flow_modules import INLINE, PathAssigner

# What a get answers beyond the archive's JSON (and so never compared with it).
_RECORD_KEYS = ("workspace_id", "path", "id", "versions", "created_by", "created_at", "raw_app", "starred",
                "execution_mode", "edited_at")
_STORED_KEYS = ("summary", "policy", "value", "custom_path", "labels")


class AppKind(FolderItemKind):
    name = "app"
    order = 12
    route = Route("apps", get="get/p")
    acl_kind = "app"

    # -- pull ------------------------------------------------------------------------------------------
    def render(self, archived: dict[str, Any], remote_path: str, ctx: RenderContext) -> dict[str, str | dict]:
        app = copy.deepcopy(archived)
        folder = self.folder(remote_path, ctx.config)
        assigner = PathAssigner(ctx.config.default_ts, non_dotted=ctx.config.non_dotted_paths)
        files: dict[str, str | dict] = {f"{folder}/{name}": text for name, text in extract_runnables(app.get("value"), assigner)}
        open_to(app)
        files[f"{folder}/app.yaml"] = app
        return files

    # -- push ------------------------------------------------------------------------------------------
    def fetch(self, ctx: PushContext, remote_path: str) -> dict[str, Any] | None:
        """The deployed app as the archive holds it (its policy without who it runs as)."""
        found = ctx.client.get_item(self.route, remote_path)
        if found is None:
            return None
        app = {k: v for k, v in found.items() if k not in _RECORD_KEYS}
        if isinstance(app.get("policy"), dict):
            app["policy"] = {k: v for k, v in app["policy"].items() if k not in ("on_behalf_of", "on_behalf_of_email")}
        if not app.get("extra_perms"):
            app.pop("extra_perms", None)
        return app

    def body(self, ctx: PushContext, remote_path: str, files: dict[str, str],
             deployed: dict[str, Any] | None) -> dict[str, Any]:
        """app.yaml with its inline files read back (runnables typed `inline`/`path`) and a fresh policy."""
        folder = self.folder(remote_path, ctx.config)
        local = self.local_value(files, f"{folder}/app.yaml", ctx)
        value = local.get("value")
        if not isinstance(value, dict):
            raise ItemError(f"{folder}/app.yaml: `value` must be a mapping (the app's components)")

        def read(name: str) -> str | None:
            full = f"{folder}/{name}"
            return files[full] if full in files else ctx.read(full)

        missing = read_back(value, read)
        if missing:
            raise ItemError(f"cannot push app {remote_path}: missing inline script file(s): {', '.join(missing)}; "
                            "restore them or remove their `!inline` references from app.yaml")
        try:
            local["policy"] = policy(value, local, (deployed or {}).get("policy"))
        except ItemError as exc:
            raise ItemError(f"cannot push app {remote_path}: {exc}") from None
        local.pop("extra_perms", None)
        return local

    def push(self, ctx: PushContext, remote_path: str, files: dict[str, str], remote: dict[str, Any] | None) -> str:
        local = self.body(ctx, remote_path, files, remote)
        body: dict[str, Any] = {"path": remote_path}
        if ctx.message is not None:
            body["deployment_message"] = ctx.message
        body.update(local)
        body["skip_draft_deletion"] = True
        if remote is not None:
            del body["path"]
            ctx.client.update_item(self.route, remote_path, body)
            return UPDATED
        ctx.client.create_item(self.route, body)
        return CREATED

    def local_body(self, ctx: PushContext, remote_path: str, files: dict[str, str]) -> dict[str, Any]:
        return self.body(ctx, remote_path, files, None)

    def local_perms(self, ctx: PushContext, remote_path: str, files: dict[str, str]) -> Any:
        return self.local_value(files, f"{self.folder(remote_path, ctx.config)}/app.yaml", ctx).get("extra_perms")

    # -- the server's side -------------------------------------------------------------------------
    def stored(self, body: dict[str, Any]) -> dict[str, Any]:
        return {k: body[k] for k in _STORED_KEYS if k in body}

    def archive_entry(self, remote_path: str, value: dict[str, Any]) -> tuple[str, str]:
        raw = bool(value.get("raw_app"))
        entry = {k: value[k] for k in _STORED_KEYS if k in value}
        if value.get("extra_perms"):
            entry["extra_perms"] = value["extra_perms"]
        return f"{remote_path}.{'raw_app' if raw else 'app'}.json", archive_json(entry)


def open_to(app: dict[str, Any]) -> None:
    """Drop an app's policy (derived on every push), keeping who it is open to: `public`, `guests`."""
    mode = (app.pop("policy", None) or {}).get("execution_mode")
    if mode == "anonymous":
        app["public"] = True
    elif mode == "guest":
        app["guests"] = True


def lockless(app_yaml: dict[str, Any], read) -> dict[str, Any]:
    """The app as a push sends it, its inline files read back, locks left out (what a sync record keeps)."""
    app = copy.deepcopy(app_yaml)
    if isinstance(app.get("value"), dict):
        read_back(app["value"], read)
        _drop_locks(app["value"])
    return app


def _drop_locks(value: Any) -> None:
    for child in value if isinstance(value, list) else value.values() if isinstance(value, dict) else ():
        _drop_locks(child)
    if isinstance(value, dict) and isinstance(value.get("inlineScript"), dict):
        value["inlineScript"].pop("lock", None)


def extract_runnables(value: Any, assigner: PathAssigner, name_of=lambda key, runnable: runnable.get("name"),
             drop_schema: bool = False, key: str = "") -> list[tuple[str, str]]:
    """Move every inline runnable of `value` (in place) to files, walking keys in app.yaml's order;
    a runnable's file is named by `name_of(its key, it)`."""
    files: list[tuple[str, str]] = []
    if isinstance(value, list):
        for each in value:
            files += extract_runnables(each, assigner, name_of, drop_schema)
        return files
    if not isinstance(value, dict):
        return files
    for child_key, child in sorted(value.items(), key=lambda pair: sort_key(str(pair[0]))):
        if child_key == "inlineScript" and isinstance(child, dict):
            value.pop("type", None)
            name = name_of(key, value)
            base, ext = assigner.assign(name if isinstance(name, str) else None, child.get("language", ""))
            for field, file_name in (("content", base + ext), ("lock", base + "lock")):
                if child.get(field):
                    files.append((file_name, str(child[field])))
                    child[field] = INLINE + file_name
            if drop_schema:
                child.pop("schema", None)
        else:
            files += extract_runnables(child, assigner, name_of, drop_schema, str(child_key))
    return files


def read_back(value: Any, read, typed: bool = True) -> list[str]:
    """Put `!inline` files back into the runnables and (`typed`) type them (`inline`, `path`); the missing
    files."""
    missing: list[str] = []
    if isinstance(value, list):
        for each in value:
            missing += read_back(each, read, typed)
    elif isinstance(value, dict):
        for key, child in list(value.items()):
            if key == "runType" and typed:
                value["type"] = "path"
            elif key == "inlineScript" and isinstance(child, dict):
                if typed:
                    value["type"] = "inline"
                for field in ("content", "lock"):
                    text = child.get(field)
                    if isinstance(text, str) and text.startswith("!inline"):
                        name = text.split(" ")[1] if " " in text else ""
                        found = read(name)
                        if found is None and field == "content":
                            missing.append(name)
                        child[field] = (found or "").removeprefix("\ufeff")
            else:
                missing += read_back(child, read, typed)
    return missing


KIND = AppKind()
