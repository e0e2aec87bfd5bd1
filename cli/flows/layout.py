"""A flow run's timeline in the flow's shape: each loop a row of its own, its iterations indented under it.

A step's jobs are named by the step's id (`b`, then `b_2`, `b_3` when it runs again, as the WAC
keys go); the flow's definition says which loops hold each step, so the n-th job of a step inside
a loop is that loop's iteration n.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

LOOPS = ("forloopflow", "whileloopflow")


def flow_value(script_path: str, options: dict[str, Any]) -> dict[str, Any] | None:
    """The flow a run runs: the definition beside its generated module, or the value it was sent with."""
    definition = Path(script_path).with_name("flow.json")
    if Path(script_path).name == "flow.py" and definition.is_file():
        try:
            loaded = json.loads(definition.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return {**(loaded.get("value") or {}), "subflows": loaded.get("subflows") or {}}
    raw = options.get("raw_flow") if isinstance(options, dict) else None
    return raw if isinstance(raw, dict) else None


def enclosing_loops(value: dict[str, Any]) -> dict[str, list[str]]:
    """Step id -> the ids of the loops around it, outermost first (the flows it calls included)."""
    found: dict[str, list[str]] = {}

    def walk(modules: list[dict[str, Any]], outer: list[str]) -> None:
        for module in modules or []:
            step_id, inner = module.get("id"), module.get("value") or {}
            if step_id:
                found.setdefault(step_id, outer)
            loops = [*outer, step_id] if inner.get("type") in LOOPS and step_id else outer
            walk(inner.get("modules") or [], loops)
            walk(inner.get("default") or [], outer)
            for branch in inner.get("branches") or []:
                walk(branch.get("modules") or [], outer)

    walk(value.get("modules") or [], [])
    for subflow in (value.get("subflows") or {}).values():
        walk(subflow.get("modules") or [], [])
    return found


def step_id_of(key: str, ids: set[str]) -> str | None:
    """The step a job key belongs to: the id itself, or the id and `_<n>` for its later runs."""
    if key in ids:
        return key
    base, _, number = key.rpartition("_")
    return base if number.isdigit() and base in ids else None


def shaped(rows: list, value: dict[str, Any], group) -> list:
    """`rows` (timeline rows, by start: `name` a job key, `depth`) with each outermost loop's rows
    under a row for the loop, made by `group(name, members)`; an iteration is named `b [n]`."""
    loops = enclosing_loops(value)
    ids = set(loops)
    seen: Counter = Counter()
    members: dict[str, list] = {}
    outer_of: dict[int, str] = {}
    for row in rows:
        step = step_id_of(row.name, ids)
        if step is None or not loops[step]:
            continue
        row.depth = len(loops[step])
        for other in [other for other in seen if len(loops[other]) > row.depth]:
            del seen[other]  # a step of an outer iteration: the inner loops start again
        row.name = f"{step} [{seen[step]}]"
        seen[step] += 1
        outer_of[id(row)] = loops[step][0]
        members.setdefault(loops[step][0], []).append((step, row))
    out: list = []
    for row in rows:
        outer = outer_of.get(id(row))
        if outer is None:
            out.append(row)
        elif outer in members:
            inside = members.pop(outer)
            body = [step for step, member in inside if member.depth == 1] or [step for step, _ in inside]
            iterations = max(Counter(body).values())
            out.append(group(f"{outer} (loop, {iterations} iteration{'s' if iterations != 1 else ''})",
                             [member for _, member in inside]))
            out.extend(member for _, member in inside)
    return out
