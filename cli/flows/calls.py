"""The runs flow jobs start on the local engine (`task_flow(path)`, a flow's `flow` step): the called flow as
the calling flow's definition holds it (the repo's; a `--remote` preview's or `wac server`'s: the deployed one),
else where the front end finds flows (a repo's folders, a server's workspace). Each is a run of its own, with
that flow's cache, concurrency limit and priority, and without its preprocessor (as Windmill pushes a subflow)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from wac.sdk.engine import RunSpec, ScriptLoadError, run_options, source_hash

from ..errors import WacError

# (flow path, the calling job's row) -> (the module to host for it, the flow's value); ScriptLoadError if none
FlowLookup = Callable[[str, Any], tuple[Path, dict[str, Any]]]


def flow_caller(lookup: FlowLookup | None = None):
    """How the engine starts the flow a flow job calls: from the calling flow's definition, else `lookup`."""
    def call(path: str, args: dict[str, Any], job) -> RunSpec:
        found = _from_definition(path, Path(job["script_path"]))
        if found is None and lookup is None:
            raise ScriptLoadError(f"flow {path!r} not found: this run only calls the flows its definition holds")
        module, value = found or lookup(path, job)
        return RunSpec(str(module), args, project_root=job["project_root"], windmill_path=path,
                       source_hash=source_hash(module), priority=int(value.get("priority") or 0),
                       options={**run_options(value, ["flow", path, value]), "raw_flow": value})
    return call


def _from_definition(path: str, caller: Path) -> tuple[Path, dict[str, Any]] | None:
    """Flow `path` as the definition beside the calling run's module holds it (with the flows it calls)."""
    from .runner import without_preprocessor, write_run_module

    definition = caller.with_name("flow.json")
    if not definition.is_file():
        return None
    held = json.loads(definition.read_text(encoding="utf-8"))
    subflows = held.get("subflows", {})
    if path not in subflows:
        return None
    value = without_preprocessor(subflows[path])
    root = Path(held["root"]) if held.get("root") else None
    return write_run_module(caller.parent.parent, path, value, subflows, held.get("envs"), root,
                            held.get("others")), value


def repo_flow_lookup(root: Path, options=None, view=None) -> FlowLookup:
    """The flows of repo `root` (its `*.flow/` folders), run with `options` (its `--env`; default: current),
    installs shown on `view`."""
    def lookup(path: str, job) -> tuple[Path, dict[str, Any]]:
        from ..local_runs import RunOptions
        from .definition import find
        from .runner import materialize, without_preprocessor

        try:
            flow = find(path, root)
            return materialize(flow, root, options or RunOptions(env="current"), view), without_preprocessor(flow.value)
        except WacError as exc:
            raise ScriptLoadError(f"{exc.message} ({exc.hint})" if exc.hint else exc.message) from None
    return lookup


def workspace_flows(value_of: Callable[[str, str], dict[str, Any] | None], base: Path) -> FlowLookup:
    """The flows deployed in a workspace (`value_of(workspace, path)`: a flow's value, None when there is none),
    their run modules written under `base` (`wac server`)."""
    def lookup(path: str, job) -> tuple[Path, dict[str, Any]]:
        from .runner import subflows_of, without_preprocessor, write_run_module

        def deployed(called: str) -> dict[str, Any]:
            value = value_of(job["workspace"], called)
            if value is None:
                raise ScriptLoadError(f"Flow not found at path {called}")
            return value

        value = without_preprocessor(deployed(path))
        return write_run_module(base, path, value, subflows_of(value, deployed)), value
    return lookup
