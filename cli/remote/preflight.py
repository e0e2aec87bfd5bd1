"""What a push checks before it sends anything: every item it would write must be one the workspace
accepts (its YAML parses, a flow's `!inline` files exist, a schedule's cron is valid, a resource's
type exists), so a bad file stops the push whole instead of half-way."""

from __future__ import annotations

from typing import Any, Callable

from ..errors import InvalidInput
from ..kinds import KINDS, ItemError, PushContext
from ..kinds.cron import cron_problem
from .changes import DELETED, Change, items_of
from .layout import item_of


class PushRefused(InvalidInput):
    code = "push_refused"


def check(changes: list[Change], ctx: PushContext, files: dict[str, str],
          resource_types: Callable[[], set[str] | None]) -> None:
    """Raise PushRefused naming the first problem (and how many more) among the items to write."""
    problems: list[str] = []
    known_types: set[str] | None = None
    for item, group in items_of(changes).items():
        kind = KINDS.get(group[0].kind)
        if kind is None or all(c.name == DELETED for c in group):
            continue
        remote_path = kind.remote_path(item)
        own = {path: text for path, text in files.items() if item_of(path, ctx.config.suffixes) == item}
        if not own:
            continue
        try:
            value = kind.body(ctx, remote_path, own) if kind.name == "flow" else \
                kind.local_value(own, kind.local_file(remote_path), ctx)
        except ItemError as exc:
            problems.append(str(exc))
            continue
        problem = _problem(kind.name, value)
        if kind.name == "resource" and problem is None:
            if known_types is None:
                known_types = (resource_types() or set()) | _repo_types(files)
            resource_type = value.get("resource_type")
            if known_types and resource_type not in known_types:
                problem = (f"resource type {resource_type!r} does not exist in the workspace "
                           "(nor as a .resource-type.yaml in the repo)")
        if problem:
            problems.append(f"{kind.local_file(remote_path) if kind.name != 'flow' else item}: {problem}")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise PushRefused(f"nothing was pushed: {problems[0]}{more}",
                          "fix the file(s), or exclude them in wmill.yaml; `wac lint` lists every problem")


def _problem(kind: str, value: dict[str, Any]) -> str | None:
    if kind == "schedule":
        problem = cron_problem(value.get("schedule"))
        return f"invalid cron expression {value.get('schedule')!r}: {problem}" if problem else None
    return None


def _repo_types(files: dict[str, str]) -> set[str]:
    return {path[: -len(".resource-type.yaml")] for path in files if path.endswith(".resource-type.yaml")}
