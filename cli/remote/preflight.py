"""What a push checks before it sends anything: every item it would write must be one the workspace
accepts (a path Windmill takes, YAML that parses, a flow's `!inline` files, a schedule's valid cron,
a resource type that exists), so a bad file stops the push whole instead of half-way."""

from __future__ import annotations

from collections.abc import Callable
from difflib import get_close_matches
from typing import Any

from ..errors import InvalidInput
from ..kinds import KINDS, ItemError, PushContext
from ..kinds.cron import cron_problem
from ..kinds.windmill_path import item_path_problem
from .changes import Change, items_of
from .layout import item_of


class PushRefused(InvalidInput):
    code = "push_refused"


def check(changes: list[Change], ctx: PushContext, files: dict[str, str],
          resource_types: Callable[[], set[str] | None]) -> None:
    """Raise PushRefused naming the first problem (and how many more) among the items to write."""
    problems: list[str] = []
    known_types: set[str] | None = None
    by_item: dict[str, dict[str, str]] = {}
    for path, text in files.items():
        by_item.setdefault(item_of(path, ctx.config.suffixes), {})[path] = text
    for item, group in items_of(changes).items():
        own = by_item.get(item)
        if not own:
            continue  # deleted here: nothing of it is sent
        kind = KINDS.get(group[0].kind)
        remote_path = kind.remote_path(item) if kind is not None else item
        refused = item_path_problem(group[0].kind, remote_path, item)
        if refused and group[0].kind in ("script", "folder", *KINDS):
            problems.append(f"{group[0].path}: Windmill refuses the path {remote_path!r}: {refused}")
            continue
        if kind is None:
            continue
        try:
            value = kind.local_body(ctx, remote_path, own)
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
                           f"(nor as a .resource-type.yaml in the repo): {_way_out(resource_type, known_types)}")
        if problem:
            problems.append(f"{kind.local_file(remote_path)}: {problem}")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise PushRefused(f"nothing was pushed: {problems[0]}{more}",
                          "fix the file(s), or exclude them in wmill.yaml; `wac lint` lists every problem")


def _problem(kind: str, value: dict[str, Any]) -> str | None:
    if kind == "schedule":
        problem = cron_problem(value.get("schedule"), value.get("cron_version"))
        return f"invalid cron expression {value.get('schedule')!r}: {problem}" if problem else None
    return None


def _repo_types(files: dict[str, str]) -> set[str]:
    return {path[: -len(".resource-type.yaml")] for path in files if path.endswith(".resource-type.yaml")}


def _way_out(resource_type: Any, known: set[str]) -> str:
    close = get_close_matches(str(resource_type), sorted(known), n=1, cutoff=0.75)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"create it there, or commit {resource_type}.resource-type.yaml"
