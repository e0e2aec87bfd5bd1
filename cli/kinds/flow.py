"""Flows: a folder `<path>.flow/` (`<path>__flow/` with `nonDottedPaths`) holding `flow.yaml` and
one file per inline script step (with its lock beside it); the workspace holds the flow as one JSON
value, inline scripts in their steps. A push reads them back in (`!inline` files), a pull writes
them out, naming files as the local `flow.yaml` already does where it can."""

from __future__ import annotations

import copy
import re
from typing import Any

from .base import FolderItemKind, ItemError, PushContext, RenderContext, Route, is_superset
from .flow_modules import CorruptInlineScript, PathAssigner, extract, replace, step_paths, top_modules

WORKSPACE_PATH = re.compile(r"^(u|f|g|hub)/")


class FlowKind(FolderItemKind):
    name = "flow"
    order = 10
    route = Route("flows")
    acl_kind = "flow"

    def render(self, archived: dict[str, Any], remote_path: str, ctx: RenderContext) -> dict[str, str | dict]:
        folder = self.folder(remote_path, ctx.config)
        flow, scripts = _extracted(archived, ctx, ctx.flow_names(folder))
        if len({s.path for s in scripts}) != len(scripts):
            flow, scripts = _extracted(archived, ctx, {})
        if ctx.config.sync_behavior >= 1:
            if flow.get("on_behalf_of_email"):
                flow["has_on_behalf_of"] = True
            flow.pop("on_behalf_of_email", None)
        files: dict[str, str | dict] = {f"{folder}/{script.path}": script.content for script in scripts}
        files[f"{folder}/flow.yaml"] = flow
        return files

    def local_perms(self, ctx: PushContext, remote_path: str, files: dict[str, str]) -> Any:
        return self.local_value(files, f"{self.folder(remote_path, ctx.config)}/flow.yaml", ctx).get("extra_perms")

    def local_body(self, ctx: PushContext, remote_path: str, files: dict[str, str]) -> dict[str, Any]:
        return self.body(ctx, remote_path, files)

    def body(self, ctx: PushContext, remote_path: str, files: dict[str, str]) -> dict[str, Any]:
        """The flow as the API takes it: `flow.yaml` with its inline files read back into the steps."""
        folder = self.folder(remote_path, ctx.config)
        local = self.local_value(files, f"{folder}/flow.yaml", ctx)
        value = local.get("value")
        if not isinstance(value, dict) or not isinstance(value.get("modules"), list):
            raise ItemError(f"{folder}/flow.yaml: `value.modules` must be a list of steps")

        def read(path: str) -> str | None:
            full = f"{folder}/{path}"
            return files[full] if full in files else ctx.read(full)

        missing = replace(value, read)
        if missing:
            raise ItemError(f"cannot push flow {remote_path}: missing inline script file(s): {', '.join(missing)}; "
                            "restore them or remove their `!inline` references from flow.yaml")
        bad = [p for p in step_paths(value) if p and not WORKSPACE_PATH.match(p)]
        if bad:
            raise ItemError(f"cannot push flow {remote_path}: steps name non-workspace path(s): {', '.join(bad)} "
                            "(a step's path must start with u/, f/, g/ or hub/)")
        for key in ("has_on_behalf_of", "on_behalf_of", "extra_perms"):
            local.pop(key, None)
        return local

    def push(self, ctx: PushContext, remote_path: str, files: dict[str, str], remote: dict[str, Any] | None) -> str:
        local = self.body(ctx, remote_path, files)
        if remote is not None and is_superset(local, remote):
            return "up to date"
        body: dict[str, Any] = {"path": remote_path}
        if ctx.message is not None:
            body["deployment_message"] = ctx.message
        body.update(local)
        body["skip_draft_deletion"] = True
        if remote is not None:
            ctx.client.update_item(self.route, remote_path, body)
            return "updated"
        ctx.client.create_item(self.route, body)
        return "created"


def _extracted(archived: dict[str, Any], ctx: RenderContext, mapping: dict[str, str]):
    flow = copy.deepcopy(archived)
    value = flow.get("value")
    if not isinstance(value, dict):
        return flow, []
    assigner = PathAssigner(ctx.config.default_ts, non_dotted=ctx.config.non_dotted_paths)
    try:
        scripts = [s for modules in top_modules(value) for s in extract(modules, assigner, mapping,
                                                                        fail_on_directive=True)]
    except CorruptInlineScript as exc:
        raise ItemError(f"the workspace's copy of a flow is damaged: {exc}; push it again from a good copy") from None
    return flow, scripts


KIND = FlowKind()
