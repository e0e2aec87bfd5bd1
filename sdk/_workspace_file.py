"""A workspace's resources and variables served from a JSON file, for runs with no workspace (the test
harness's `resources=` and `variables=`): when `WAC_WORKSPACE_FILE` names one, `wmill.get_resource` and
`wmill.get_variable` read it instead of asking a server."""

from __future__ import annotations

import json
import os
from typing import Any, Callable

ENV = "WAC_WORKSPACE_FILE"


def served(name: str) -> Callable[..., Any] | None:
    """The function serving `wmill.<name>` from the file, or None (no file, or a name it does not serve)."""
    if not os.environ.get(ENV):
        return None
    return {"get_resource": get_resource, "get_variable": get_variable}.get(name)


def _items(kind: str) -> dict[str, Any]:
    with open(os.environ[ENV], encoding="utf-8") as handle:
        return json.load(handle).get(kind) or {}


def get_resource(path: str | None = None, none_if_undefined: bool = False) -> Any:
    """The resource at `path`, as `wmill.get_resource` returns it."""
    resources = _items("resources")
    if path in resources:
        return resources[path]
    if none_if_undefined:
        return None
    raise LookupError(f"resource {path!r} is not given to this run: add it to `resources=` "
                      f"(it has: {', '.join(sorted(resources)) or 'none'})")


def get_variable(path: str) -> str:
    """The variable at `path`, as `wmill.get_variable` returns it."""
    variables = _items("variables")
    if path not in variables:
        raise LookupError(f"variable {path!r} is not given to this run: add it to `variables=` "
                          f"(it has: {', '.join(sorted(variables)) or 'none'})")
    return variables[path]


def resolve_arguments(args: dict[str, Any], resources: dict[str, Any], variables: dict[str, Any]) -> dict[str, Any]:
    """Arguments with `$res:path` and `$var:path` values replaced by what they name, as a worker does."""
    def value(given: Any) -> Any:
        if isinstance(given, str) and given.startswith("$res:") and given[5:] in resources:
            return resources[given[5:]]
        if isinstance(given, str) and given.startswith("$var:") and given[5:] in variables:
            return variables[given[5:]]
        return given

    return {name: value(given) for name, given in args.items()}
